"""Text as readers get it: HTML character references in frontmatter decoded, summaries escaped
for RSS's HTML description, comments gone, raw block HTML never inside <p> — in all three
formats, read back with feedparser and the validator's rules."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.feed.model import FeedEntry, SelfLink, site_feed
from feeds.feed.xml import rss

from .cli import run_cli
from .conftest import Blog, make_site
from .feedcheck import ATOM, CHECKS

FORMATS = ("rss.xml", "atom.xml", "feed.json")


def build(blog: Blog, capsys: pytest.CaptureFixture[str]) -> dict[str, bytes]:
    code, _, err = run_cli(blog.args("build", "--no-cache"), capsys)
    assert code == 0, err
    files = {name: (blog.public / name).read_bytes() for name in FORMATS}
    for name, data in files.items():
        assert CHECKS[name](data, f"https://example.com/{name}") == [], name
    return files


def items(files: dict[str, bytes]) -> dict[str, list[dict[str, object]]]:
    """Each format's entries as feedparser (RSS, Atom) and json (JSON Feed) read them."""
    found: dict[str, list[dict[str, object]]] = {}
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse(files[name])
        assert not parsed.bozo, parsed.get("bozo_exception")
        found[name] = [dict(entry) for entry in parsed.entries]
    found["feed.json"] = json.loads(files["feed.json"])["items"]
    return found


def test_a_reference_past_the_last_character_is_the_replacement_character(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by tests/test_properties.py: ``&#99999999999;`` reached the feed as markup."""
    blog.post("2024-02-01-big.md", '---\ntitle: "A &#99999999999; &#x110000; B"\n---\nText.\n')
    for name, entries in items(build(blog, capsys)).items():
        assert entries[0]["title"] == "A \ufffd \ufffd B", name


def test_character_references_in_frontmatter_become_characters(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.post(
        "2024-02-01-entities.md",
        """
        ---
        title: "It&rsquo;s &quot;Shields Up&quot; at AT&T &#8212; &#x2713;"
        description: "Caf&eacute; notes &amp; more; &copy2024 stays as written"
        tags: ["R&amp;D"]
        author: "Kay &amp; Co"
        ---

        Text.
        """,
    )
    files = build(blog, capsys)
    title = 'It\u2019s "Shields Up" at AT&T \u2014 \u2713'
    summary = "Caf\u00e9 notes & more; &copy2024 stays as written"
    for name, entries in items(files).items():
        assert entries[0]["title"] == title, name
        # feedparser hands RSS descriptions over as HTML, Atom's text summary as text.
        got = str(entries[0]["summary"])
        assert (html.unescape(got) if name == "rss.xml" else got) == summary, name
    json_item = json.loads(files["feed.json"])["items"][0]
    assert json_item["tags"] == ["R&D"]
    assert json_item["authors"] == [{"name": "Kay & Co"}]
    assert b"<category>R&amp;D</category>" in files["rss.xml"]
    assert (blog.public / "tags" / "r-d" / "atom.xml").exists()


SUMMARIES = [
    "List<T> and M&Ms",
    "Mentions <img src=x onerror=alert(1)> and <script>alert(1)</script> as text",
    "An &amp; written out, and a <!-- comment --> too",
]


@pytest.mark.parametrize("summary", SUMMARIES)
def test_a_summary_reaches_every_reader_as_the_text_it_is(
    blog: Blog, capsys: pytest.CaptureFixture[str], summary: str
) -> None:
    # The description is quoted in YAML so that it is taken as written, entities and all.
    blog.post(
        "2024-02-01-summary.md",
        f"---\ntitle: Summary\ndescription: {json.dumps(summary)}\n---\n\nBody.\n",
    )
    files = build(blog, capsys)
    expected = html.unescape(summary) if "&amp;" in summary else summary
    description = description_of(files["rss.xml"])
    fragment = lxml.html.fragment_fromstring(description, create_parent="div")
    assert len(fragment) == 0, description  # no element: the whole summary is text
    assert fragment.text_content() == expected
    read = items(files)
    # feedparser hands RSS descriptions over as HTML; unescaped, they are the summary.
    assert html.unescape(str(read["rss.xml"][0]["summary"])) == expected
    assert read["atom.xml"][0]["summary"] == expected
    assert read["feed.json"][0]["summary"] == expected


def test_a_summary_from_the_first_paragraph_is_escaped_the_same_way(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.post("2024-02-01-para.md", "---\ntitle: P\n---\n\nUse `List<T>` & `M&Ms`.\n")
    files = build(blog, capsys)
    assert (
        b"<description>Use List&amp;lt;T&amp;gt; &amp;amp; M&amp;amp;Ms.</description>"
        in (files["rss.xml"])
    )
    assert items(files)["atom.xml"][0]["summary"] == "Use List<T> & M&Ms."


def description_of(feed: bytes) -> str:
    channel = lxml.etree.fromstring(feed).find("channel")
    assert channel is not None
    return channel.findtext("item/description") or ""


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("<>&;#/=\"' xTab\u00e9\u2019!-"))
        | st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
        min_size=1,
    ).filter(lambda text: text.strip() == text and text != "")
)
def test_any_summary_is_text_in_the_rss_description(summary: str) -> None:
    site = make_site(Path("/nowhere"))
    entry = FeedEntry(
        entry_id="tag:example.com,2020:x",
        url="https://example.com/x/",
        title="X",
        published=datetime(2024, 1, 1, tzinfo=UTC),
        updated=None,
        summary=summary,
        html="<p>x</p>",
        image=None,
        tags=(),
    )
    data = rss(site_feed(site), site, [entry], SelfLink("https://example.com/rss.xml", "x"))
    fragment = lxml.html.fragment_fromstring(description_of(data), create_parent="div")
    assert len(fragment) == 0
    assert fragment.text_content() == summary


BODY = """
Intro text <!-- a note: see <a href="draft/">the draft</a> --> goes on.

<!--
A whole block left for later: ![chart](chart.png) and [notes](notes.html)
-->

> <figure><img src="quoted.png" alt="Quoted"></figure>

Before <figure><img src="inline.png" alt="Inline"><figcaption>Cap</figcaption></figure> after.

<figure>
  <img src="block.png" alt="Block">
</figure>
"""


def test_comments_are_dropped_and_blocks_stay_out_of_paragraphs(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.post("2024-02-01-markup.md", f"---\ntitle: Markup\n---\n{BODY}")
    files = build(blog, capsys)
    root = lxml.etree.fromstring(files["atom.xml"])
    contents = {
        "rss.xml": lxml.etree.fromstring(files["rss.xml"]).findtext(
            "channel/item/{http://purl.org/rss/1.0/modules/content/}encoded"
        ),
        "atom.xml": root.findtext(f"{{{ATOM}}}entry/{{{ATOM}}}content"),
        "feed.json": json.loads(files["feed.json"])["items"][0]["content_html"],
    }
    for name, content in contents.items():
        assert content, name
        assert "<!--" not in content and "draft" not in content and "notes" not in content, name
        fragment = lxml.html.fragment_fromstring(content, create_parent="div")
        assert [p for p in fragment.iter("p") if p.find(".//figure") is not None] == [], name
        figures = [img.get("src") for img in fragment.iter("img")]
        assert figures == [
            "https://example.com/blog/markup/quoted.png",
            "https://example.com/blog/markup/inline.png",
            "https://example.com/blog/markup/block.png",
        ], name
        texts = [" ".join(p.text_content().split()) for p in fragment.iter("p")]
        assert texts == ["Intro text goes on.", "Before", "after."], name
    summary = items(files)["atom.xml"][0]["summary"]
    assert summary == "Intro text goes on."
