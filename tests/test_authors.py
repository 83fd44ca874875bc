"""Authors per post: every frontmatter form, the [authors] table, and how each format states
them — RSS <author> only with an email (else dc:creator), Atom <author>, JSON Feed authors —
read back with feedparser and the validator's rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import lxml.etree
import pytest

from feeds.config import Person
from feeds.content.loader import post_from_record, post_to_record
from feeds.content.model import Post

from .cli import run_cli
from .conftest import Blog
from .feedcheck import ATOM, CHECKS, DC

AUTHORS_TOML = """
[authors.ada]
name = "Ada Lovelace"
email = "ada@example.org"
url = "https://ada.example.org/"

[authors.bob]
name = "Bob Builder"
"""

POSTS = {
    "2024-05-01-by-id.md": "title: By an id\nauthor: ada\n",
    "2024-05-02-two-ids.md": "title: Two ids\nauthors: [ada, bob]\n",
    "2024-05-03-by-name.md": "title: By a name\nauthor: Grace Hopper\n",
    "2024-05-04-by-mapping.md": (
        "title: By a mapping\nauthors:\n  - name: Linus Example\n"
        "    email: linus@example.net\n    url: https://linus.example.net/\n"
    ),
    "2024-05-05-mixed.md": (
        'title: Mixed\nauthor: ["bob", {name: "Kay &amp; Co"}, "Grace Hopper"]\n'
    ),
    "2024-05-06-site-author.md": "title: By the site's author\n",
}

# What each post's item says, per format, newest first.
RSS_AUTHOR = {
    "By the site's author": (None, []),
    "Mixed": (None, ["Bob Builder", "Kay & Co", "Grace Hopper"]),
    "By a mapping": ("linus@example.net (Linus Example)", []),
    "By a name": (None, ["Grace Hopper"]),
    "Two ids": (None, ["Ada Lovelace", "Bob Builder"]),
    "By an id": ("ada@example.org (Ada Lovelace)", []),
}
ATOM_AUTHORS = {
    "By the site's author": [],
    "Mixed": [("Bob Builder", None, None), ("Kay & Co", None, None), ("Grace Hopper", None, None)],
    "By a mapping": [("Linus Example", "linus@example.net", "https://linus.example.net/")],
    "By a name": [("Grace Hopper", None, None)],
    "Two ids": [
        ("Ada Lovelace", "ada@example.org", "https://ada.example.org/"),
        ("Bob Builder", None, None),
    ],
    "By an id": [("Ada Lovelace", "ada@example.org", "https://ada.example.org/")],
}


@pytest.fixture
def built(blog: Blog, capsys: pytest.CaptureFixture[str]) -> Path:
    blog.config.write_text(blog.config.read_text() + AUTHORS_TOML, encoding="utf-8")
    for name, front in POSTS.items():
        blog.post(name, f"---\n{front}---\n\nText.\n")
    code, _, err = run_cli(blog.args("build", "--no-cache"), capsys)
    assert code == 0, err
    return blog.public


def test_every_feed_with_authors_passes_the_validator_rules(built: Path) -> None:
    for name in ("rss.xml", "atom.xml", "feed.json"):
        assert CHECKS[name]((built / name).read_bytes(), f"https://example.com/{name}") == []


def test_rss_states_an_author_by_email_only_and_names_as_dc_creator(built: Path) -> None:
    channel = lxml.etree.fromstring((built / "rss.xml").read_bytes()).find("channel")
    assert channel is not None
    found = {
        item.findtext("title"): (
            item.findtext("author"),
            [creator.text for creator in item.findall(f"{{{DC}}}creator")],
        )
        for item in channel.findall("item")
    }
    assert found == RSS_AUTHOR


def test_feedparser_reads_rss_authors(built: Path) -> None:
    parsed = feedparser.parse((built / "rss.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    entries = {entry.title: entry for entry in parsed.entries}
    assert entries["By an id"].author_detail.email == "ada@example.org"
    assert entries["By an id"].author_detail.name == "Ada Lovelace"
    assert entries["By a name"].author == "Grace Hopper"
    assert "author" not in entries["By the site's author"]


def test_atom_entries_carry_name_email_and_uri(built: Path) -> None:
    root = lxml.etree.fromstring((built / "atom.xml").read_bytes())
    found = {}
    for entry in root.findall(f"{{{ATOM}}}entry"):
        found[entry.findtext(f"{{{ATOM}}}title")] = [
            tuple(author.findtext(f"{{{ATOM}}}{part}") for part in ("name", "email", "uri"))
            for author in entry.findall(f"{{{ATOM}}}author")
        ]
    assert found == ATOM_AUTHORS
    # The site's author stays the feed's, for every entry that names nobody.
    assert root.findtext(f"{{{ATOM}}}author/{{{ATOM}}}name") == "Tess Ter"
    parsed = feedparser.parse((built / "atom.xml").read_bytes())
    assert not parsed.bozo
    two = next(entry for entry in parsed.entries if entry.title == "Two ids")
    assert [author.get("name") for author in two.authors] == ["Ada Lovelace", "Bob Builder"]
    assert two.authors[0].get("href") == "https://ada.example.org/"


def test_json_feed_items_have_authors(built: Path) -> None:
    feed = json.loads((built / "feed.json").read_text(encoding="utf-8"))
    found = {item["title"]: item.get("authors") for item in feed["items"]}
    assert found["By an id"] == [{"name": "Ada Lovelace", "url": "https://ada.example.org/"}]
    assert found["Two ids"] == [
        {"name": "Ada Lovelace", "url": "https://ada.example.org/"},
        {"name": "Bob Builder"},
    ]
    assert found["By the site's author"] is None
    assert feed["authors"] == [{"name": "Tess Ter", "url": "https://example.com/"}]


@pytest.mark.parametrize(
    ("front", "line"),
    [
        (
            "author: nobody",
            "author: 'nobody' is not an id in [authors] (add [authors.nobody] with "
            'name = "…" to the settings, or write the author\'s full name)',
        ),
        (
            "authors: [ada, carol]",
            "authors: 'carol' is not an id in [authors] (add [authors.carol] with "
            'name = "…" to the settings, or write the author\'s full name)',
        ),
        (
            "author: {email: x@example.com}",
            "author: {'email': 'x@example.com'} has no name (write a name, an id from "
            '[authors], a list of them, or a mapping like {name: "Jane Doe", '
            'email: "jane@example.com", url: "https://…"})',
        ),
        (
            "author: {name: X, email: not-an-address}",
            "author: email 'not-an-address' is not an email address (use jane@example.com)",
        ),
        (
            "author: {name: X, url: /about/}",
            "author: url '/about/' is not an absolute URL (use https://example.com/about/)",
        ),
        (
            "author: [[nested]]",
            "author: ['nested'] is not an author (write a name, an id from [authors]",
        ),
    ],
)
def test_a_bad_author_is_one_line_naming_post_field_and_value(
    blog: Blog, capsys: pytest.CaptureFixture[str], front: str, line: str
) -> None:
    blog.config.write_text(blog.config.read_text() + AUTHORS_TOML, encoding="utf-8")
    path = blog.post("2024-05-01-bad.md", f"---\ntitle: Bad\n{front}\n---\n\nText.\n")
    code, _, err = run_cli(blog.args("build"), capsys)
    assert code == 2
    assert err.startswith(f"error: {path}: {line}"), err
    assert not blog.public.exists()


def test_without_an_authors_table_every_string_is_a_name(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.post("2024-05-01-solo.md", "---\ntitle: Solo\nauthor: nobody\n---\n\nText.\n")
    code, _, err = run_cli(blog.args("build"), capsys)
    assert code == 0, err
    feed = json.loads((blog.public / "feed.json").read_text(encoding="utf-8"))
    assert feed["items"][0]["authors"] == [{"name": "nobody"}]


def test_the_field_names_can_be_changed(blog: Blog, capsys: pytest.CaptureFixture[str]) -> None:
    blog.config.write_text(blog.config.read_text() + '\n[fields]\nauthors = "writer"\n')
    blog.post("2024-05-01-w.md", "---\ntitle: W\nwriter: Wendy W\nauthor: Ignored I\n---\n")
    code, _, err = run_cli(blog.args("build"), capsys)
    assert code == 0, err
    feed = json.loads((blog.public / "feed.json").read_text(encoding="utf-8"))
    assert feed["items"][0]["authors"] == [{"name": "Wendy W"}]


@pytest.mark.parametrize(
    ("table", "line"),
    [
        ('[authors.ada]\nnme = "Ada"\n', "authors.ada.nme: unknown key (expected one of: "),
        ('[authors.ada]\nemail = "ada@example.org"\n', "authors.ada.name: missing; "),
        ('[authors.ada]\nname = "Ada"\nurl = "ada.org"\n', "authors.ada.url: 'ada.org' must be"),
        ('[authors]\nada = "Ada"\n', "authors.ada: must be a table: [authors.ada] name = "),
    ],
)
def test_a_bad_authors_table_is_a_settings_error(
    blog: Blog, capsys: pytest.CaptureFixture[str], table: str, line: str
) -> None:
    blog.config.write_text(blog.config.read_text() + "\n" + table, encoding="utf-8")
    blog.post("2024-05-01-a.md", "---\ntitle: A\n---\n")
    code, _, err = run_cli(blog.args("build"), capsys)
    assert code == 2
    assert f"error: {blog.config}: {line}" in err, err


def test_authors_survive_the_cache_record() -> None:
    post = Post(
        source=Path("x.md"),
        slug="x",
        title="X",
        date=datetime(2024, 1, 1, tzinfo=UTC),
        authors=(Person("Ada", "ada@example.org", "https://ada.example.org/"), Person("Bob")),
    )
    record = json.loads(json.dumps(post_to_record(post)))
    assert post_from_record(record, Path("x.md")) == post


def test_a_cached_rebuild_after_changing_an_author_changes_the_feeds(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.config.write_text(blog.config.read_text() + AUTHORS_TOML, encoding="utf-8")
    blog.post("2024-05-01-a.md", "---\ntitle: A\nauthor: bob\n---\n")
    assert run_cli(blog.args("build"), capsys)[0] == 0
    before = (blog.public / "atom.xml").read_bytes()
    renamed = blog.config.read_text().replace("Bob Builder", "Robert Builder")
    blog.config.write_text(renamed, encoding="utf-8")
    assert run_cli(blog.args("build"), capsys)[0] == 0
    after = (blog.public / "atom.xml").read_bytes()
    assert b"Bob Builder" in before and b"Robert Builder" in after
