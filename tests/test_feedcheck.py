"""The validator rules in feedcheck.py must be able to fail: each one fires on a broken feed."""

from __future__ import annotations

import json

import pytest

from .feedcheck import atom_problems, json_feed_problems, rss_problems

URL = "https://example.com/rss.xml"
RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>T</title><link>https://example.com/</link><description>D</description>
<atom:link href="{self}" rel="self" type="application/rss+xml"/>
<item><title>A</title><link>https://example.com/a/</link>
<guid isPermaLink="false">tag:example.com,2020:a</guid>
<pubDate>{date}</pubDate>{extra}</item>
</channel></rss>"""


def rss(self: str = URL, date: str = "Wed, 01 Oct 2025 06:00:00 +0000", extra: str = "") -> bytes:
    return RSS.format(self=self, date=date, extra=extra).encode()


def test_a_good_rss_feed_has_no_problems() -> None:
    assert rss_problems(rss(), URL) == []


@pytest.mark.parametrize(
    ("feed", "problem"),
    [
        (rss(self="https://example.com/other.xml"), "self link"),
        (rss(date="2025-10-01"), "not an RFC 822 date"),
        (rss(date="Mon, 01 Oct 2025 06:00:00 +0000"), "wrong day of the week"),
        (rss(extra="<author>Ada</author>"), "is not an email address"),
        (rss(extra="<content:encoded>&lt;img src='/a.png'&gt;</content:encoded>"), "relative URL"),
        (
            rss(extra="<description>&lt;script&gt;x&lt;/script&gt;</description>"),
            "contains <script>",
        ),
        (rss(extra="<description>&lt;b onclick='x'&gt;b&lt;/b&gt;</description>"), "event handler"),
        (rss(extra="<dc:creator>x</dc:creator>"), "not well-formed"),
        (b"<rss version='2.0'><channel><title>T</title></channel></rss>", "missing link"),
    ],
)
def test_rss_rules_fire(feed: bytes, problem: str) -> None:
    assert any(problem in line for line in rss_problems(feed, URL)), rss_problems(feed, URL)


ATOM_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>tag:example.com,2020:feed</id><title>T</title>
<updated>2025-10-01T06:00:00+00:00</updated><author><name>A</name></author>
<link href="https://example.com/atom.xml" rel="self"/>
<entry><id>{id}</id><title>E</title><updated>{updated}</updated>
<link href="https://example.com/e/"/>{extra}</entry></feed>"""


def atom(
    id: str = "tag:example.com,2020:e", updated: str = "2025-10-01T06:00:00Z", extra: str = ""
) -> bytes:
    return ATOM_FEED.format(id=id, updated=updated, extra=extra).encode()


def test_a_good_atom_feed_has_no_problems() -> None:
    assert atom_problems(atom(), "https://example.com/atom.xml") == []


@pytest.mark.parametrize(
    ("feed", "problem"),
    [
        (atom(extra='<link href="https://example.com/img.png"/>'), "duplicate alternate links"),
        (atom(updated="01 Oct 2025"), "not an RFC 3339 date-time"),
        (atom(id="just-a-name"), "is not an IRI"),
        (atom(extra='<link href="e/" rel="related"/>'), "is not absolute"),
        (
            atom(extra='<content type="html">&lt;a href="x"&gt;x&lt;/a&gt;</content>'),
            "relative URL",
        ),
    ],
)
def test_atom_rules_fire(feed: bytes, problem: str) -> None:
    found = atom_problems(feed, "https://example.com/atom.xml")
    assert any(problem in line for line in found), found


def test_json_feed_rules_fire() -> None:
    good = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "T",
        "feed_url": "https://example.com/feed.json",
        "items": [
            {"id": "1", "content_html": "<p>x</p>", "date_published": "2021-01-01T00:00:00Z"}
        ],
    }
    url = "https://example.com/feed.json"
    assert json_feed_problems(json.dumps(good).encode(), url) == []
    bad = dict(
        good, version="1", items=[{"id": 1, "url": "/x", "date_published": "2021-01-01"}] * 2
    )
    found = json_feed_problems(json.dumps(bad).encode(), url)
    assert found == [
        "version is not https://jsonfeed.org/version/1.1",
        "item 1: id must be a non-empty string",
        "item 1: needs content_html or content_text",
        "item 1: url is not absolute",
        "item 1 date_published: '2021-01-01' is not an RFC 3339 date-time",
        "item 2: id must be a non-empty string",
        "item 2: needs content_html or content_text",
        "item 2: url is not absolute",
        "item 2 date_published: '2021-01-01' is not an RFC 3339 date-time",
        "duplicate item id 1",
    ]


# The rules below were added with the feed writers' fixes for entities, escaping and same-day
# posts: each is shown firing on the mistake it names, and staying quiet on the right form.
RSS_WITH_DC = RSS.replace(
    'version="2.0"', 'version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
)


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ("<title>It&amp;rsquo;s</title>", "title contains HTML &rsquo; (ContainsHTML)"),
        ("<title>It&amp;#8217;s</title>", "title contains HTML &#8217; (ContainsHTML)"),
        ("<title>&lt;b&gt;Bold&lt;/b&gt;</title>", "title contains HTML </b> (ContainsHTML)"),
        ("<description>List&lt;T&gt;</description>", "non-HTML tag <t> (NotHtml)"),
        (
            "<author>a@example.com (A)</author><author>b@example.com (B)</author>",
            "more than one author",
        ),
        ("<author>a@example.com (A)</author><dc:creator>A</dc:creator>", "DuplicateItemSemantics"),
    ],
)
def test_rss_text_rules_fire(extra: str, problem: str) -> None:
    found = rss_problems(rss_with(extra), URL)
    assert any(problem in line for line in found), found


def rss_with(extra: str) -> bytes:
    """The good RSS feed with ``extra`` in its item; a <title> in ``extra`` replaces the item's."""
    feed = RSS_WITH_DC.format(self=URL, date="Wed, 01 Oct 2025 06:00:00 +0000", extra=extra)
    if extra.startswith("<title>"):
        feed = feed.replace("<item><title>A</title>", "<item>")
    return feed.encode()


@pytest.mark.parametrize(
    "extra",
    [
        "<description>List&amp;lt;T&amp;gt; and M&amp;amp;Ms</description>",
        "<description>&lt;p&gt;A &lt;em&gt;real&lt;/em&gt; paragraph&lt;/p&gt;</description>",
        "<title>It\u2019s AT&amp;T, R&amp;D and List&lt;T&gt;</title>",
        "<dc:creator>A</dc:creator><dc:creator>B</dc:creator>",
    ],
)
def test_rss_text_rules_accept_the_right_forms(extra: str) -> None:
    assert rss_problems(rss_with(extra), URL) == []


def two_entries(first: str, second: str) -> bytes:
    """An Atom feed whose two entries were updated at ``first`` and ``second``."""
    other = (
        "</entry><entry><id>tag:example.com,2020:f</id><title>F</title>"
        f'<updated>{second}</updated><link href="https://example.com/f/"/>'
    )
    return atom(updated=first, extra=other)


def test_atom_duplicate_updated_fires_only_on_equal_values() -> None:
    own = "https://example.com/atom.xml"
    same = atom_problems(two_entries("2025-10-01T00:00:00+02:00", "2025-10-01T00:00:00+02:00"), own)
    assert same == ["entries share updated 2025-10-01T00:00:00+02:00 (DuplicateUpdated)"]
    apart = two_entries("2025-10-01T00:00:01+02:00", "2025-10-01T00:00:00+02:00")
    assert atom_problems(apart, own) == []


def test_atom_and_json_titles_are_plain_text() -> None:
    own = "https://example.com/atom.xml"
    found = atom_problems(
        atom(extra="").replace(b"<title>E</title>", b"<title>It&amp;rsquo;s</title>"), own
    )
    assert found == ["entry 1: title contains HTML &rsquo; (ContainsHTML)"]
    html_title = b'<title type="html">It&amp;rsquo;s</title>'
    assert atom_problems(atom().replace(b"<title>E</title>", html_title), own) == []
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "T",
        "feed_url": "https://example.com/feed.json",
        "items": [{"id": "1", "title": "&quot;Shields Up&quot;", "content_html": "<p>x</p>"}],
    }
    found = json_feed_problems(json.dumps(feed).encode(), "https://example.com/feed.json")
    assert found == ["item 1: title contains HTML &quot; (ContainsHTML)"]
