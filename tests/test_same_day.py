"""Posts that share their last change (two date-only posts on one day): each Atom entry still
gets its own ``updated`` (the W3C validator's DuplicateUpdated), the same one in every feed and
every build, and a post alone on its instant keeps it exactly."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import lxml.etree
import pytest

from feeds.content.model import Post, newest_first
from feeds.feed.model import tie_breaks

from .cli import run_cli
from .conftest import Blog
from .feedcheck import ATOM, CHECKS

DAY = datetime(2024, 3, 1, tzinfo=UTC)


def post(slug: str, date: datetime, updated: datetime | None = None) -> Post:
    return Post(source=Path(f"{slug}.md"), slug=slug, title=slug, date=date, updated=updated)


def test_a_post_alone_on_its_instant_gets_nothing() -> None:
    posts = [post("a", DAY), post("b", DAY + timedelta(days=1))]
    assert tie_breaks(newest_first(posts)) == {}


def test_the_last_in_feed_order_keeps_its_time_and_those_above_count_up() -> None:
    posts = newest_first([post("c", DAY), post("a", DAY), post("b", DAY)])
    assert [p.slug for p in posts] == ["a", "b", "c"]
    assert tie_breaks(posts) == {Path("a.md"): 2, Path("b.md"): 1}


def test_a_second_another_post_already_has_is_skipped() -> None:
    posts = newest_first(
        [post("a", DAY), post("b", DAY), post("later", DAY + timedelta(seconds=1))]
    )
    assert tie_breaks(posts) == {Path("a.md"): 2}


def test_an_update_date_counts_as_the_last_change() -> None:
    posts = newest_first([post("old", DAY - timedelta(days=9), updated=DAY), post("new", DAY)])
    assert tie_breaks(posts) == {Path("new.md"): 1}


SAME_DAY = {
    "2024-03-01-apples.md": "Apples",
    "2024-03-01-bananas.md": "Bananas",
    "2024-03-01-cherries.md": "Cherries",
    "2024-03-02-next-day.md": "Next day",
}


@pytest.fixture
def same_day(blog: Blog, capsys: pytest.CaptureFixture[str]) -> Blog:
    for name, title in SAME_DAY.items():
        blog.post(name, f"---\ntitle: {title}\ntags: [Fruit]\n---\n\n{title}.\n")
    code, _, err = run_cli(blog.args("build", "--no-cache"), capsys)
    assert code == 0, err
    return blog


def updated_by_title(feed: bytes) -> dict[str, str]:
    root = lxml.etree.fromstring(feed)
    return {
        entry.findtext(f"{{{ATOM}}}title") or "": entry.findtext(f"{{{ATOM}}}updated") or ""
        for entry in root.findall(f"{{{ATOM}}}entry")
    }


def test_same_day_posts_get_distinct_updated_in_feed_order(same_day: Blog) -> None:
    atom = (same_day.public / "atom.xml").read_bytes()
    assert CHECKS["atom.xml"](atom, "https://example.com/atom.xml") == []
    # The site's time zone is Europe/Berlin: a date-only post is at midnight there.
    assert updated_by_title(atom) == {
        "Next day": "2024-03-02T00:00:00+01:00",
        "Apples": "2024-03-01T00:00:02+01:00",
        "Bananas": "2024-03-01T00:00:01+01:00",
        "Cherries": "2024-03-01T00:00:00+01:00",
    }
    parsed = feedparser.parse(atom)
    assert not parsed.bozo
    assert [entry.title for entry in parsed.entries] == [
        "Next day",
        "Apples",
        "Bananas",
        "Cherries",
    ]
    stamps = [entry.updated_parsed for entry in parsed.entries]
    assert stamps == sorted(stamps, reverse=True) and len(set(stamps)) == 4
    # Publication dates stay as written, in every format.
    assert {entry.published for entry in parsed.entries[1:]} == {"2024-03-01T00:00:00+01:00"}
    rss = feedparser.parse((same_day.public / "rss.xml").read_bytes())
    assert {entry.published for entry in rss.entries[1:]} == {"Fri, 01 Mar 2024 00:00:00 +0100"}
    items = json.loads((same_day.public / "feed.json").read_text(encoding="utf-8"))["items"]
    assert {item["date_published"] for item in items[1:]} == {"2024-03-01T00:00:00+01:00"}
    # JSON Feed states the same last change as Atom, where it differs from publication.
    assert [item.get("date_modified") for item in items] == [
        None,
        "2024-03-01T00:00:02+01:00",
        "2024-03-01T00:00:01+01:00",
        None,
    ]


def test_every_feed_gives_a_post_the_same_updated(same_day: Blog) -> None:
    site = updated_by_title((same_day.public / "atom.xml").read_bytes())
    tag = updated_by_title((same_day.public / "tags" / "fruit" / "atom.xml").read_bytes())
    assert tag == site


def test_rebuilding_gives_the_same_bytes(
    same_day: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p: p.read_bytes() for p in same_day.public.rglob("*.*")}
    out = same_day.root / "again"
    code, _, err = run_cli(same_day.args("build", "--no-cache", "--out", str(out)), capsys)
    assert code == 0, err
    for path, data in before.items():
        assert (out / path.relative_to(same_day.public)).read_bytes() == data
