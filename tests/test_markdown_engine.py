"""The two Markdown engines side by side: each case of issue 11's list, the input, then what
Python-Markdown makes of it (its documented dialect, unchanged), then what CommonMark with
GitHub's extensions makes of it (the CommonMark and GFM specs; Hugo's goldmark, markdown-it
and remark-gfm read these cases the same way)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.config import ContentOptions, Site
from feeds.content.markdown_engine import (
    FENCE_CLASS,
    engine_id,
    fence_language,
    language_of,
    markdown_to_html,
    rewritten_fence,
)
from feeds.content.model import Post
from feeds.content.render import render_body, render_key
from feeds.content.sanitize import count_unsafe, email_html

from .cli import run_cli
from .conftest import Blog, make_site

CASES = [
    # A list right after a paragraph line: Python-Markdown wants a blank line before a list;
    # CommonMark lets a list interrupt a paragraph.
    ("list_after_paragraph", "Intro:\n- one\n- two\n",
     "<p>Intro:\n- one\n- two</p>",
     "<p>Intro:</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"),
    # Nesting: Python-Markdown nests by four spaces (a tab); CommonMark by the width of the
    # parent item's marker, so two or three spaces.
    ("list_nested_by_two_spaces", "- a\n  - b\n    - c\n",
     "<ul>\n<li>a</li>\n<li>b<ul>\n<li>c</li>\n</ul>\n</li>\n</ul>",
     "<ul>\n<li>a\n<ul>\n<li>b\n<ul>\n<li>c</li>\n</ul>\n</li>\n</ul>\n</li>\n</ul>\n"),
    ("list_nested_by_three_spaces", "1. a\n   - b\n",
     "<ol>\n<li>a\n   - b</li>\n</ol>",
     "<ol>\n<li>a\n<ul>\n<li>b</li>\n</ul>\n</li>\n</ol>\n"),
    # Python-Markdown's fenced_code works at the top level only: inside a list item or a
    # block quote the fence is text, and a "# comment" line in it a heading.
    ("fence_in_list_item", "- step\n\n  ```sh\n  # comment\n  make\n  ```\n",
     "<ul>\n<li>step</li>\n</ul>\n<p><code>sh\n  # comment\n  make</code></p>",
     '<ul>\n<li>\n<p>step</p>\n<pre><code class="language-sh"># comment\nmake\n</code></pre>\n'
     "</li>\n</ul>\n"),
    ("fence_in_block_quote", "> ```sh\n> # comment\n> ```\n",
     "<blockquote>\n<p>```sh</p>\n<h1>comment</h1>\n<p>```</p>\n</blockquote>",
     '<blockquote>\n<pre><code class="language-sh"># comment\n</code></pre>\n</blockquote>\n'),
    # Hugo's highlighting attributes: Python-Markdown cannot read the block, so the fence is
    # text; commonmark keeps the language and drops the attributes (we do not highlight).
    ("fence_with_attributes", "```shell {hl_lines=[12]}\n# comment\n```\n",
     "<p>```shell {hl_lines=[12]}</p>\n<h1>comment</h1>\n<p>```</p>",
     '<pre><code class="language-shell"># comment\n</code></pre>\n'),
    # Pandoc's class block: both engines take the first class as the language.
    ("fence_with_class_block", "```{.python .numberLines}\nx = 1\n```\n",
     '<pre class="numberLines"><code class="language-python">x = 1\n</code></pre>',
     '<pre><code class="language-python">x = 1\n</code></pre>\n'),
    # A backslash at the end of a line is a hard break in CommonMark; Python-Markdown breaks
    # lines only at two trailing spaces.
    ("trailing_backslash", "one\\\ntwo\n",
     "<p>one\\\ntwo</p>",
     "<p>one<br />\ntwo</p>\n"),
    # GFM's extensions, which Python-Markdown's extra set does not have.
    ("strikethrough", "~~gone~~\n",
     "<p>~~gone~~</p>",
     "<p><del>gone</del></p>\n"),
    ("task_list", "- [ ] todo\n- [x] done\n",
     "<ul>\n<li>[ ] todo</li>\n<li>[x] done</li>\n</ul>",
     '<ul>\n<li><input type="checkbox" disabled="" /> todo</li>\n'
     '<li><input type="checkbox" checked="" disabled="" /> done</li>\n</ul>\n'),
    ("bare_urls", "See https://example.com/a and www.example.org.\n",
     "<p>See https://example.com/a and www.example.org.</p>",
     '<p>See <a href="https://example.com/a">https://example.com/a</a> and '
     '<a href="http://www.example.org">www.example.org</a>.</p>\n'),
    # Heading ids as goldmark and kramdown write them (Python-Markdown: attr_list, in extra).
    ("heading_id", "## Setup {#setup}\n",
     '<h2 id="setup">Setup</h2>',
     '<h2 id="setup">Setup</h2>\n'),
    ("footnote", "Text[^1].\n\n[^1]: Note.\n",
     '<p>Text<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>.</p>\n'
     '<div class="footnote">\n<hr>\n<ol>\n<li id="fn:1">\n<p>Note.&#160;<a class="footnote-backref" '
     'href="#fnref:1" title="Jump back to footnote 1 in the text">&#8617;</a></p>\n</li>\n</ol>\n'
     "</div>",
     '<p>Text<sup class="footnote-ref"><a href="#fn-1" id="fnref-1" data-footnote-ref>1</a></sup>.'
     '</p>\n<section class="footnotes" data-footnotes>\n<ol>\n<li id="fn-1">\n<p>Note. '
     '<a href="#fnref-1" class="footnote-backref" data-footnote-backref '
     'data-footnote-backref-idx="1">↩</a></p>\n</li>\n</ol>\n</section>\n'),
]  # fmt: skip


@pytest.mark.parametrize(
    ("markdown", "python_markdown"), [pytest.param(c[1], c[2], id=c[0]) for c in CASES]
)
def test_python_markdown_keeps_its_dialect(markdown: str, python_markdown: str) -> None:
    assert markdown_to_html(markdown) == python_markdown
    assert markdown_to_html(markdown, "python-markdown") == python_markdown


@pytest.mark.parametrize(
    ("markdown", "commonmark"), [pytest.param(c[1], c[3], id=c[0]) for c in CASES]
)
def test_commonmark_reads_it_as_the_generators_do(markdown: str, commonmark: str) -> None:
    assert markdown_to_html(markdown, "commonmark") == commonmark


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("```go{linenos=true}\nx\n```", '<pre><code class="language-go">x\n</code></pre>\n'),
        ("```{ .rb }\nx\n```", '<pre><code class="language-rb">x\n</code></pre>\n'),
        ("```{linenos=true}\nx\n```", "<pre><code>x\n</code></pre>\n"),
        ("``` c++ extra words\nx\n```", '<pre><code class="language-c++">x\n</code></pre>\n'),
        ("## *Big* news {#news .wide}", '<h2 id="news" class="wide"><em>Big</em> news</h2>\n'),
        ("Title {#t}\n===", '<h1 id="t">Title</h1>\n'),
        ("## Using {braces}", "<h2>Using {braces}</h2>\n"),
        ("## a\n## b {#b}", '<h2>a</h2>\n<h2 id="b">b</h2>\n'),
        ("    ## code {#x}", "<pre><code>## code {#x}\n</code></pre>\n"),
    ],
)
def test_commonmark_attribute_blocks(markdown: str, html: str) -> None:
    assert markdown_to_html(markdown, "commonmark") == html


@pytest.mark.parametrize(
    ("info", "language"),
    [("go", "go"), ("go {x=1}", "go"), ("{.py .n}", "py"), ("{ #id }", ""), ("", "")],
)
def test_language_of_an_info_string(info: str, language: str) -> None:
    assert language_of(info) == language


def test_commonmark_extensions_can_be_chosen() -> None:
    # Eleventy's markdown-it, as it comes: tables and strikethrough, no autolinks or task lists.
    eleventy = ("table", "strikethrough")
    assert markdown_to_html("- [ ] x https://a.example", "commonmark", eleventy) == (
        "<ul>\n<li>[ ] x https://a.example</li>\n</ul>\n"
    )
    assert "footnote" not in markdown_to_html("A[^1]\n\n[^1]: n", "commonmark", eleventy)


def test_python_markdown_extensions_can_be_chosen() -> None:
    assert markdown_to_html("A | B\n--|--\n1 | 2", "python-markdown", ("tables",)).startswith(
        "<table>"
    )
    assert "footnote" not in markdown_to_html("A[^1]\n\n[^1]: n", "python-markdown", ("tables",))


def test_engine_and_extensions_are_part_of_the_render_key(tmp_path: Path) -> None:
    source = tmp_path / "p.md"
    source.write_text("---\ntitle: T\n---\nx\n", encoding="utf-8")
    post = Post(source=source, slug="p", title="T", date=datetime(2021, 1, 1, tzinfo=UTC))
    keys = {
        render_key(post, site_with(tmp_path, engine, extensions))
        for engine, extensions in [
            ("python-markdown", None),
            ("python-markdown", ("extra",)),
            ("commonmark", None),
            ("commonmark", ("table",)),
        ]
    }
    assert len(keys) == 4
    assert engine_id("commonmark", None) == engine_id(
        "commonmark", ("table", "strikethrough", "autolink", "tasklist", "footnotes")
    )


def site_with(root: Path, engine: str, extensions: tuple[str, ...] | None = None) -> Site:
    return make_site(root, content=ContentOptions(markdown=engine, markdown_extensions=extensions))


def a_post(body: str) -> Post:
    return Post(
        source=Path("content/p.md"), slug="post", title="T", body=body,
        date=datetime(2021, 12, 9, tzinfo=UTC),
    )  # fmt: skip


BODY = """\
See [the notes](notes/) and ![a chart](chart.png)[^1].

- [x] shipped
- [ ] tested

<script>alert(1)</script>

[^1]: From https://example.org/data.
"""


@pytest.mark.parametrize("engine", ["python-markdown", "commonmark"])
def test_both_engines_go_through_rendering(engine: str, tmp_path: Path) -> None:
    body = render_body(a_post(BODY), site_with(tmp_path, engine))
    assert 'href="https://example.com/blog/post/notes/"' in body.html
    assert 'src="https://example.com/blog/post/chart.png"' in body.html
    assert "<script" not in body.html and "alert" not in body.html
    assert body.unsafe_html_removed == 1
    assert body.first_paragraph == "See the notes and 1."


def test_commonmark_footnotes_and_task_lists_reach_the_feed(tmp_path: Path) -> None:
    # The script makes the sanitiser run over the whole body; only the script is counted.
    html = render_body(a_post(BODY), site_with(tmp_path, "commonmark")).html
    assert '<section class="footnotes" data-footnotes="">' in html
    assert 'href="https://example.com/blog/post/#fn-1" id="fnref-1" data-footnote-ref=""' in html
    assert 'href="https://example.com/blog/post/#fnref-1" class="footnote-backref"' in html
    # Task boxes are characters: the safety policy keeps no form element in feeds.
    assert "<input" not in html
    assert "\u2611 shipped" in html and "\u2610 tested" in html
    assert '<a href="https://example.org/data">https://example.org/data</a>' in html


def test_task_list_boxes_become_characters_in_email(tmp_path: Path) -> None:
    html = render_body(a_post(BODY), site_with(tmp_path, "commonmark")).html
    email = email_html(html)
    assert "<input" not in email
    assert "\u2611 shipped" in email and "\u2610 tested" in email


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab <>/\"'=*_-[]()!#`~\\|:x\n{}.")), max_size=80))
def test_commonmark_output_is_always_clean_after_rendering(text: str) -> None:
    """Whatever the Markdown, what rendering keeps is inside the feed allow-list."""
    site = make_site(Path("/tmp"), content=ContentOptions(markdown="commonmark"))
    html = render_body(a_post(text), site).html
    if html.strip():
        assert count_unsafe(lxml.html.fragment_fromstring(html, create_parent="div")) == 0


def test_an_extension_that_cannot_be_loaded_is_one_line(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    # Enough posts for rendering to run in worker processes: the error must cross back.
    settings = blog.config.read_text(encoding="utf-8")
    blog.config.write_text(
        settings.replace(
            "[site.author]",
            'items_per_feed = 0\nmarkdown_extensions = ["feeds.no_such_extension"]\n\n[site.author]',
        ),
        encoding="utf-8",
    )
    for number in range(30):
        blog.post(
            f"p{number}.md",
            f"---\ntitle: P{number}\ndate: 2024-01-{number % 28 + 1:02d}\n---\nText.\n",
        )
    code, _, err = run_cli(blog.args("build"), capsys)
    assert code == 2
    assert err.splitlines() == [
        "error: settings: site.markdown_extensions: ['feeds.no_such_extension'] cannot be "
        "loaded: No module named 'feeds.no_such_extension' (check each name)"
    ]


def test_switching_engines_never_serves_the_other_engines_renders(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.post("p.md", "---\ntitle: P\ndate: 2024-01-01\n---\nIntro:\n- one\n")
    settings = blog.config.read_text(encoding="utf-8")
    feed = blog.public / "feed.json"

    def build(engine: str, *extra: str) -> str:
        blog.config.write_text(
            settings.replace("[site.author]", f'markdown = "{engine}"\n\n[site.author]'),
            encoding="utf-8",
        )
        assert run_cli(blog.args("build", *extra), capsys)[0] == 0
        return str(json.loads(feed.read_text(encoding="utf-8"))["items"][0]["content_html"])

    assert build("python-markdown") == "<p>Intro:\n- one</p>"
    assert build("commonmark") == "<p>Intro:</p>\n<ul>\n<li>one</li>\n</ul>\n"
    cached = feed.read_bytes()
    build("commonmark", "--no-cache")
    assert feed.read_bytes() == cached
    assert build("python-markdown") == "<p>Intro:\n- one</p>"


@settings(max_examples=300, deadline=None)
@given(
    language=st.text(st.sampled_from("ab+#.-_{}=&;<>' \t\xa0\x1cé"), max_size=8),
    meta=st.one_of(st.none(), st.text(st.sampled_from("ab{}.=[]1 &"), max_size=8)),
)
def test_a_fence_left_as_it_is_is_what_the_rewrite_would_write(
    language: str, meta: str | None
) -> None:
    written = f'<code class="language-{language}"'
    written += f' data-meta="{meta}">' if meta is not None else ">"
    match = FENCE_CLASS.fullmatch(written)
    assert match is not None
    assert fence_language(match) == rewritten_fence(match)
