"""A Hugo-, an Eleventy- and a Next.js-shaped blog with ``markdown = "commonmark"``, one post per
case of issue 11's list, built by the CLI: each post's feed HTML must read as its own generator
renders it. The expectations are written from each renderer's documented behaviour — goldmark
as Hugo configures it, markdown-it as Eleventy creates it (``html: true``, nothing else),
remark with remark-gfm — with URLs made absolute as in every feed, and compared by what a
reader sees (``htmlshape``: classes that only style, and anchor ids, are left out)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from feeds.content.html import absolute_urls
from feeds.content.sanitize import task_boxes_as_text

from .cli import run_cli
from .htmlshape import canonical

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "markdown"

# What all three write: CommonMark, and GFM where the generator has it.
COMMON = {
    "A List Right After a Paragraph": "<p>Intro:</p><ul><li>one</li><li>two</li></ul>",
    "Lists Nested by Two Spaces": ("<ul><li>a\n<ul><li>b\n<ul><li>c</li></ul></li></ul></li></ul>"),
    "Lists Nested by Three Spaces": "<ol><li>a\n<ul><li>b</li></ul></li></ol>",
    "Fenced Code in a List Item": (
        '<ul><li><p>step</p><pre><code class="language-sh"># comment\nmake\n</code></pre></li></ul>'
    ),
    "Fenced Code in a Block Quote": (
        '<blockquote><pre><code class="language-sh"># comment\n</code></pre></blockquote>'
    ),
    "A Fence with Highlighting Attributes": (
        '<pre><code class="language-shell"># comment\nls\n</code></pre>'
    ),
    "A Line Break by Backslash": "<p>one<br>\ntwo</p>",
    "Strikethrough": "<p>Now <del>gone</del> for good.</p>",
    "A Task List": (
        '<ul><li><input disabled="" type="checkbox"> todo</li>'
        '<li><input checked="" disabled="" type="checkbox"> done</li></ul>'
    ),
    "Bare URLs": (
        '<p>See <a href="https://example.com/a">https://example.com/a</a> and '
        '<a href="http://www.example.org">www.example.org</a> for more.</p>'
    ),
}
GENERATORS: dict[str, dict[str, str]] = {
    # goldmark in Hugo (0.111 here): linkify, task lists, strikethrough, tables, footnotes and
    # heading attribute blocks on. Fence attributes feed its highlighter, which a site may turn
    # off (markup.highlight.codeFences); the code block is the same either way.
    "hugo": {
        **COMMON,
        "Bare URLs": (
            '<p>See <a href="https://example.com/a">https://example.com/a</a> and '
            '<a href="https://www.example.org">www.example.org</a> for more.</p>'
        ),
        "A Heading with an Id": '<h2 id="setup">Setup</h2><p>Text.</p>',
        "A Footnote": (
            '<p>Text<sup><a href="#fn:1" role="doc-noteref">1</a></sup>.</p>'
            '<div role="doc-endnotes"><hr><ol><li><p>Note.\u00a0'
            '<a href="#fnref:1" role="doc-backlink">\u21a9\ufe0e</a></p></li></ol></div>'
        ),
    },
    # markdown-it's default preset as Eleventy makes it: strikethrough writes <s>; linkify,
    # task lists and footnotes are plugins it does not load, so those stay text (and a
    # footnote definition reads as a link reference definition).
    "eleventy": {
        **COMMON,
        "Strikethrough": "<p>Now <s>gone</s> for good.</p>",
        "A Task List": "<ul><li>[ ] todo</li><li>[x] done</li></ul>",
        "Bare URLs": "<p>See https://example.com/a and www.example.org for more.</p>",
        "A Footnote": '<p>Text<a href="Note.">^1</a>.</p>',
    },
    # remark-parse + remark-gfm, through remark-rehype: GitHub's reading.
    "nextjs": {
        **COMMON,
        "A Footnote": (
            '<p>Text<sup><a href="#user-content-fn-1" data-footnote-ref="" '
            'aria-describedby="footnote-label">1</a></sup>.</p><section data-footnotes="">'
            '<h2 id="footnote-label">Footnotes</h2><ol><li><p>Note. '
            '<a href="#user-content-fnref-1" data-footnote-backref="" '
            'aria-label="Back to reference 1">\u21a9</a></p></li></ol></section>'
        ),
    },
}
# Where our reading differs from the generator's, and why. Each is a strict xfail: the day it
# matches, the entry must go.
DIFFERENCES = {
    ("hugo", "Bare URLs"): "Hugo's linkify writes https:// before a www. link (its "
    "linkifyProtocol); cmark-gfm writes http://, as GitHub and remark-gfm do",
    ("hugo", "A Footnote"): "footnote markup is each renderer's own (goldmark: a div with an "
    "hr, fn:1 ids); ours is GitHub's section (fn-1), which the same reader shows the same way",
    ("eleventy", "Strikethrough"): "markdown-it writes <s>, cmark-gfm <del>: both strike the "
    "text through",
    ("nextjs", "A Footnote"): "remark-gfm's footnotes add a 'Footnotes' heading and "
    "user-content- ids; GitHub's (ours) have neither",
}


def build(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    folder = tmp_path / name
    shutil.copytree(FIXTURES / name, folder)
    out = tmp_path / "out"
    code, _, err = run_cli(
        ["build", "--config", str(folder / "feeds.toml"), "--out", str(out), "--no-cache"],
        capsys,
    )
    assert code == 0, err
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    return {item["title"]: item for item in items}


def cases() -> list[Any]:
    params = []
    for blog, expected in GENERATORS.items():
        for title in expected:
            reason = DIFFERENCES.get((blog, title))
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            params.append(pytest.param(blog, title, id=f"{blog}-{title}", marks=marks))
    return params


BUILT: dict[str, dict[str, Any]] = {}


@pytest.fixture
def items(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    def of(blog: str) -> dict[str, Any]:
        if blog not in BUILT:
            capsys = request.getfixturevalue("capsys")
            BUILT[blog] = build(blog, tmp_path_factory.mktemp(blog), capsys)
        return BUILT[blog]

    return of


@pytest.mark.parametrize(("blog", "title"), cases())
def test_each_case_reads_as_its_generator_renders_it(blog: str, title: str, items: Any) -> None:
    item = items(blog)[title]
    # Feeds carry a task list's boxes as ☐ and ☑: the safety policy keeps no form element.
    expected = task_boxes_as_text(absolute_urls(GENERATORS[blog][title], item["url"]))
    assert canonical(item["content_html"], styling=False) == canonical(expected, styling=False)


@pytest.mark.parametrize("blog", sorted(GENERATORS))
def test_every_post_of_the_blog_is_a_case(blog: str, items: Any) -> None:
    assert sorted(items(blog)) == sorted(GENERATORS[blog])


@pytest.mark.parametrize("blog", ["hugo", "nextjs"])
def test_footnotes_keep_their_note_and_both_links(blog: str, items: Any) -> None:
    item = items(blog)["A Footnote"]
    html = item["content_html"]
    assert f'href="{item["url"]}#fn-1" id="fnref-1"' in html
    assert f'<li id="fn-1">\n<p>Note. <a href="{item["url"]}#fnref-1"' in html
