"""Rendering, input and output side by side."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.config import ContentOptions
from feeds.content.html import absolute_urls, first_paragraph
from feeds.content.markdown_engine import markdown_to_html
from feeds.content.model import Post
from feeds.content.permalinks import entry_id, post_url
from feeds.content.render import render_post
from feeds.content.templating import TemplateOutcome, Templating, apply_templates

from .conftest import make_site

BASE = "https://example.com/blog/post/"


def a_post(**changes: object) -> Post:
    values: dict[str, object] = {
        "source": Path("content/p.md"),
        "slug": "post",
        "title": "T",
        "date": datetime(2021, 12, 9, 23, 30, tzinfo=UTC),
        "body": "Hello.",
    }
    values.update(changes)
    return Post(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("```python\nprint(1)\n```", '<pre><code class="language-python">print(1)\n</code></pre>'),
        (
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n"
            "<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>",
        ),
        ("Text[^1]\n\n[^1]: Note.", 'class="footnote"'),
    ],
)
def test_markdown_extensions(markdown: str, html: str) -> None:
    assert html in markdown_to_html(markdown)


def test_footnote_numbering_does_not_leak_between_posts() -> None:
    first = markdown_to_html("A[^x]\n\n[^x]: one")
    second = markdown_to_html("B[^y]\n\n[^y]: two")
    assert 'id="fn:x"' in first and 'id="fn:y"' in second and "fn:x" not in second


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a href="/about/">x</a>', '<a href="https://example.com/about/">x</a>'),
        ('<a href="../other/">x</a>', '<a href="https://example.com/blog/other/">x</a>'),
        ('<img src="pic.png" alt="">', '<img src="https://example.com/blog/post/pic.png" alt="">'),
        ('<a href="#fn:1">1</a>', '<a href="https://example.com/blog/post/#fn:1">1</a>'),
        ('<a href="https://other.org/x">x</a>', '<a href="https://other.org/x">x</a>'),
        ('<a href="mailto:a@b.c">m</a>', '<a href="mailto:a@b.c">m</a>'),
        ('<img src="//cdn.example.net/a.png">', '<img src="https://cdn.example.net/a.png">'),
        (
            '<img srcset="a.png 1x, /b.png 2x" src="a.png">',
            '<img srcset="https://example.com/blog/post/a.png 1x, https://example.com/b.png 2x" '
            'src="https://example.com/blog/post/a.png">',
        ),
        (
            '<video poster="p.jpg"></video>',
            '<video poster="https://example.com/blog/post/p.jpg"></video>',
        ),
        ("text before <b>bold</b> after", "text before <b>bold</b> after"),
        ("1 &lt; 2 &amp; 3", "1 &lt; 2 &amp; 3"),
    ],
)
def test_relative_urls_become_absolute(html: str, expected: str) -> None:
    assert absolute_urls(html, BASE) == expected


@pytest.mark.parametrize(
    ("html", "summary"),
    [
        ("<h2>Head</h2><p>First <em>para</em>.</p><p>Second.</p>", "First para."),
        ("<pre>code</pre>", ""),
        ("<p>" + "word " * 100 + "</p>", ("word " * 60).strip() + "…"),
    ],
)
def test_summary_falls_back_to_the_first_paragraph(html: str, summary: str) -> None:
    assert first_paragraph(html) == summary
    assert len(first_paragraph(html)) <= 301


def test_rendered_post_has_absolute_image_and_description(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    rendered = render_post(a_post(image="cover.png", description="Desc"), site)
    assert rendered.url == "https://example.com/blog/post/"
    assert rendered.image == "https://example.com/blog/post/cover.png"
    assert rendered.summary == "Desc"
    assert rendered.html == "<p>Hello.</p>"


def test_permalink_pattern_uses_the_site_time_zone(tmp_path: Path) -> None:
    # 23:30 UTC on the 9th is already the 10th in Berlin.
    site = make_site(
        tmp_path, content=ContentOptions(permalink="/{year}/{month}/{day}/{slug}.html")
    )
    assert post_url(a_post(), site) == "https://example.com/2021/12/10/post.html"


def test_site_under_a_sub_path(tmp_path: Path) -> None:
    site = make_site(tmp_path, base_url="https://example.com/~ada/")
    assert post_url(a_post(), site) == "https://example.com/~ada/blog/post/"


def test_ids_survive_edits_and_a_move_to_https(tmp_path: Path) -> None:
    site = make_site(tmp_path, base_url="http://example.com/")
    original = entry_id(a_post(), site)
    edited = a_post(title="New title", body="New text", date=datetime(2022, 1, 1, tzinfo=UTC))
    moved = make_site(tmp_path, base_url="https://example.com/")
    assert original == "tag:example.com,2020:post"
    assert entry_id(edited, site) == original
    assert entry_id(a_post(), moved) == original


def test_pinned_id_wins_over_a_renamed_slug(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    pinned = a_post(slug="renamed", pinned_id="tag:example.com,2020:post")
    assert entry_id(pinned, site) == "tag:example.com,2020:post"


@given(text=st.text(st.characters(exclude_characters="{", exclude_categories=["Cs"]), max_size=80))
def test_a_body_without_a_brace_has_no_template_tag_in_any_mode(text: str) -> None:
    # render_body skips apply_templates for such a body: it must be what apply_templates says.
    site = make_site(Path("."))
    for mode in ("keep", "strip", "render"):
        assert apply_templates(text, a_post(), site, Templating(mode=mode)) == TemplateOutcome(text)
