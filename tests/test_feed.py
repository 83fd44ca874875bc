"""The feeds as their consumers see them: feedparser, the validator's rules, JSON Feed 1.1."""

from __future__ import annotations

import calendar
import json
import locale
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import feedparser
import lxml.etree
import pytest

from feeds.config_reader import load_site
from feeds.content.loader import load_posts
from feeds.content.model import Post, published
from feeds.feed.build import build_feeds

from .conftest import NOW, Blog
from .feedcheck import ATOM, CHECKS, MEDIA, is_absolute

SAMPLE = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample_files() -> dict[str, bytes]:
    site = load_site(SAMPLE / "feeds.toml")
    return build_feeds(site, load_posts(site.content_dir, site.tz), NOW).files


@pytest.fixture(scope="module")
def sample_posts() -> list[Post]:
    site = load_site(SAMPLE / "feeds.toml")
    return published(load_posts(site.content_dir, site.tz).posts, NOW)


def url_of(name: str) -> str:
    return urljoin("https://blog.example.com/", name)


def test_every_sample_feed_passes_the_validator_rules(sample_files: dict[str, bytes]) -> None:
    checked = 0
    for name, data in sample_files.items():
        check = CHECKS[name.rsplit("/", 1)[-1]]
        assert check(data, url_of(name)) == [], name
        checked += 1
    assert checked == 3 * (1 + 14)  # site feeds plus fourteen tags


@pytest.mark.parametrize(
    "name", ["rss.xml", "atom.xml", "tags/feeds/rss.xml", "tags/devrel/atom.xml"]
)
def test_feedparser_reads_them_cleanly(
    sample_files: dict[str, bytes], sample_posts: list[Post], name: str
) -> None:
    parsed = feedparser.parse(sample_files[name])
    assert not parsed.bozo, parsed.get("bozo_exception")
    tag = name.split("/")[1] if name.startswith("tags/") else None
    expected = [p for p in sample_posts if tag is None or tag in {t.casefold() for t in p.tags}]
    assert [entry.title for entry in parsed.entries] == [post.title for post in expected]
    for entry, post in zip(parsed.entries, expected, strict=True):
        assert entry.link == f"https://blog.example.com/blog/{post.slug}/"
        assert entry.id == f"tag:blog.example.com,2021:{post.slug}"
        published_utc = datetime(*entry.published_parsed[:6])
        assert calendar.timegm(published_utc.timetuple()) == int(post.date.timestamp())
        for link in entry.links:
            assert is_absolute(link.href)


def test_the_feeds_items_are_newest_first_not_prepended(
    sample_files: dict[str, bytes], sample_posts: list[Post]
) -> None:
    titles = [e.title for e in feedparser.parse(sample_files["atom.xml"]).entries]
    assert titles[0] == "Scheduled Newsletters, Sent Exactly Once"
    assert titles == [post.title for post in sample_posts]


def test_feed_dates_come_from_posts_never_the_clock(sample_files: dict[str, bytes]) -> None:
    atom = lxml.etree.fromstring(sample_files["atom.xml"])
    assert atom.findtext(f"{{{ATOM}}}updated") == "2025-10-01T06:00:00+00:00"
    entries = atom.findall(f"{{{ATOM}}}entry")
    updated: dict[str, str | None] = {}
    for e in entries:
        entry_id = e.findtext(f"{{{ATOM}}}id")
        assert entry_id is not None
        updated[entry_id.split(":")[-1]] = e.findtext(f"{{{ATOM}}}updated")
    assert updated["tag-uris"] == "2023-03-01T10:00:00+01:00"  # its `updated` field
    assert updated["atom-vs-rss"] == "2022-01-20T00:00:00+01:00"  # its date, Berlin midnight
    rss = lxml.etree.fromstring(sample_files["rss.xml"]).find("channel")
    assert rss is not None
    assert rss.findtext("lastBuildDate") == "Wed, 01 Oct 2025 06:00:00 +0000"
    assert rss.findtext("pubDate") == "Wed, 01 Oct 2025 06:00:00 +0000"


def test_rss_channel_link_is_the_site_not_the_feed(sample_files: dict[str, bytes]) -> None:
    channel = lxml.etree.fromstring(sample_files["tags/email/rss.xml"]).find("channel")
    assert channel is not None
    assert channel.findtext("link") == "https://blog.example.com/"
    (self_link,) = channel.findall(f"{{{ATOM}}}link")
    assert self_link.get("href") == "https://blog.example.com/tags/email/rss.xml"


def test_atom_entries_have_one_alternate_link_and_the_image_as_media(
    sample_files: dict[str, bytes],
) -> None:
    atom = lxml.etree.fromstring(sample_files["atom.xml"])
    images = {}
    for entry in atom.findall(f"{{{ATOM}}}entry"):
        links = entry.findall(f"{{{ATOM}}}link")
        assert [link.get("rel", "alternate") for link in links] == ["alternate"]
        media = entry.find(f"{{{MEDIA}}}content")
        if media is not None:
            images[links[0].get("href")] = (media.get("url"), media.get("type"))
    assert images["https://blog.example.com/blog/shipping-feeds/"] == (
        "https://blog.example.com/img/feed-readers.png",
        "image/png",
    )
    assert images["https://blog.example.com/blog/field-guide-to-feed-readers/"] == (
        "https://blog.example.com/blog/field-guide-to-feed-readers/field-guide/cover.webp",
        "image/webp",
    )


def test_rss_items_carry_full_content_summary_categories(sample_files: dict[str, bytes]) -> None:
    entry = feedparser.parse(sample_files["rss.xml"]).entries[-1]
    assert entry.title == "Shipping a Feed Readers Actually Like"
    assert entry.summary.startswith("What makes an RSS or Atom feed pleasant")
    assert '<a href="https://blog.example.com/blog/tag-uris/">' in entry.content[0].value
    assert [tag.term for tag in entry.tags] == ["Feeds", "DevRel"]
    assert entry.media_content[0]["url"] == "https://blog.example.com/img/feed-readers.png"


def test_description_fallback_is_the_first_paragraph(sample_files: dict[str, bytes]) -> None:
    feed = json.loads(sample_files["feed.json"])
    item = next(i for i in feed["items"] if i["url"].endswith("/json-feed/"))
    assert item["summary"].startswith("JSON Feed is the newest of the three formats")
    assert len(item["summary"]) <= 301


def test_json_feed_fields(sample_files: dict[str, bytes]) -> None:
    feed = json.loads(sample_files["tags/standards/feed.json"])
    assert feed["feed_url"] == "https://blog.example.com/tags/standards/feed.json"
    assert feed["title"] == "Field Notes on Feeds: Standards"
    assert [item["id"] for item in feed["items"]] == [
        "tag:blog.example.com,2021:tag-uris",
        "tag:blog.example.com,2021:atom-vs-rss",
    ]
    assert feed["items"][0]["date_modified"] == "2023-03-01T10:00:00+01:00"


def test_non_ascii_survives_every_format(sample_files: dict[str, bytes]) -> None:
    title = "Débogage au café: Notes from Zürich"
    assert feedparser.parse(sample_files["rss.xml"]).entries[7].title == title
    assert feedparser.parse(sample_files["atom.xml"]).entries[7].title == title
    assert json.loads(sample_files["feed.json"])["items"][7]["title"] == title


def test_rss_dates_are_english_and_the_locale_is_left_alone(sample_files: dict[str, bytes]) -> None:
    # feedgen switches the process locale while it formats RFC 822 dates (so never in threads).
    before = locale.setlocale(locale.LC_ALL)
    site = load_site(SAMPLE / "feeds.toml")
    files = build_feeds(site, load_posts(site.content_dir, site.tz), NOW).files
    assert locale.setlocale(locale.LC_ALL) == before
    channel = lxml.etree.fromstring(files["rss.xml"]).find("channel")
    assert channel is not None
    dates = [i.findtext("pubDate") for i in channel.findall("item")][:3]
    assert all(date is not None for date in dates)
    assert [date[:3] for date in dates if date is not None] == ["Wed", "Tue", "Thu"]


def test_a_post_with_control_characters_still_gives_feeds_that_parse(blog: Blog) -> None:
    blog.post(
        "p.md", '---\ntitle: "Ring \\a the bell"\ndate: 2021-01-01\n---\nA \x07 b \x1b c \x00 d\n'
    )
    site = load_site(blog.config)
    loaded = load_posts(site.content_dir, site.tz)
    files = build_feeds(site, loaded, NOW).files
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse(files[name])
        assert not parsed.bozo
        assert parsed.entries[0].title == "Ring the bell"
    assert json.loads(files["feed.json"])["items"][0]["content_html"] == "<p>A  b  c  d</p>"


def test_naive_dates_get_the_site_offset_in_every_format(blog: Blog) -> None:
    blog.post("p.md", '---\ntitle: T\ndate: "2021-07-01T12:00:00"\n---\nx\n')
    site = load_site(blog.config)
    files = build_feeds(site, load_posts(site.content_dir, site.tz), NOW).files
    assert b"<pubDate>Thu, 01 Jul 2021 12:00:00 +0200</pubDate>" in files["rss.xml"]
    assert b"<published>2021-07-01T12:00:00+02:00</published>" in files["atom.xml"]
    assert (
        json.loads(files["feed.json"])["items"][0]["date_published"] == "2021-07-01T12:00:00+02:00"
    )
    assert site.tz == ZoneInfo("Europe/Berlin")


def test_items_per_feed_and_zero_for_all(blog: Blog) -> None:
    for day in range(1, 26):
        blog.post(
            f"p{day:02d}.md",
            f"---\ntitle: Post {day}\ndate: 2021-01-{day:02d}\ntags: [A]\n---\nx\n",
        )
    site = load_site(blog.config)
    loaded = load_posts(site.content_dir, site.tz)
    default = build_feeds(site, loaded, NOW).files
    assert len(feedparser.parse(default["rss.xml"]).entries) == 20
    assert len(feedparser.parse(default["tags/a/atom.xml"]).entries) == 20
    from dataclasses import replace

    everything = build_feeds(replace(site, items_per_feed=0), loaded, NOW).files
    assert len(json.loads(everything["feed.json"])["items"]) == 25


def test_tag_feeds_can_be_turned_off(blog: Blog) -> None:
    from dataclasses import replace

    blog.post("p.md", "---\ntitle: T\ndate: 2021-01-01\ntags: [A, B]\n---\nx\n")
    site = load_site(blog.config)
    files = build_feeds(
        replace(site, tag_feeds=False), load_posts(site.content_dir, site.tz), NOW
    ).files
    assert sorted(files) == ["atom.xml", "feed.json", "rss.xml"]
