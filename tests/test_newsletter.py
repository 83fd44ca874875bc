"""Newsletters: choosing posts, templates, email-safe HTML, the text part and the .eml."""

from __future__ import annotations

import email.parser
import email.policy
import logging
import re
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from feeds import cli
from feeds.config_reader import load_config
from feeds.content.loader import load_posts
from feeds.content.model import Post, published
from feeds.errors import ConfigError
from feeds.newsletter.build import build_newsletter
from feeds.newsletter.inline import inline_css
from feeds.newsletter.issue import GMAIL_CLIP_BYTES, clean_body
from feeds.newsletter.message import build_message
from feeds.newsletter.selection import Selection, select_posts
from feeds.newsletter.templates import load_templates

from .cli import run_cli
from .conftest import NOW, ROOT, Blog
from .feedcheck import is_absolute
from .golden import GOLDEN, NEWSLETTERS, sample_newsletter_files

TEMPLATES = ROOT / "templates"


@pytest.fixture(scope="module")
def sample_posts() -> list[Post]:
    config = load_config(ROOT / "feeds.toml")
    return published(load_posts(config.site.content_dir, config.site.tz).posts, NOW)


@pytest.fixture(scope="module", params=sorted(NEWSLETTERS))
def sample(request: pytest.FixtureRequest) -> dict[str, bytes]:
    return sample_newsletter_files(request.param)


def html_tree(data: bytes) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(data)


# Choosing the posts


def slugs(posts: list[Post]) -> list[str]:
    return [post.slug for post in posts]


def test_latest_is_the_default_and_takes_n(sample_posts: list[Post]) -> None:
    assert slugs(select_posts(sample_posts, Selection(), 5)) == slugs(sample_posts[:5])
    assert slugs(select_posts(sample_posts, Selection(latest=2), 5)) == [
        "scheduled-newsletters",
        "static-sites",
    ]


def test_top_posts_newest_first(sample_posts: list[Post]) -> None:
    assert slugs(select_posts(sample_posts, Selection(top=0), 5)) == [
        "field-guide-to-feed-readers",
        "newsletter-basics",
        "atom-vs-rss",
        "shipping-feeds",
    ]
    assert slugs(select_posts(sample_posts, Selection(top=1), 5)) == ["field-guide-to-feed-readers"]


def test_since_takes_everything_after_the_moment(sample_posts: list[Post]) -> None:
    since = datetime(2024, 9, 19, tzinfo=UTC)
    assert slugs(select_posts(sample_posts, Selection(since=since), 5)) == [
        "scheduled-newsletters",
        "static-sites",
    ]


def test_tag_combines_with_each_mode(sample_posts: list[Post]) -> None:
    assert slugs(select_posts(sample_posts, Selection(tag="email"), 5)) == [
        "scheduled-newsletters",
        "email-dark-mode",
        "newsletter-basics",
    ]
    assert slugs(select_posts(sample_posts, Selection(top=0, tag="Email"), 5)) == [
        "newsletter-basics"
    ]
    since = datetime(2023, 1, 1, tzinfo=UTC)
    assert slugs(select_posts(sample_posts, Selection(since=since, tag="Standards"), 5)) == [
        "tag-uris"
    ]
    assert select_posts(sample_posts, Selection(tag="Nothing"), 5) == []


def test_cli_writes_the_three_files(sample_blog: Blog, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(sample_blog.args("newsletter"), capsys)
    assert code == 0, err
    folder = sample_blog.public / "newsletter"
    assert sorted(p.name for p in folder.iterdir()) == [
        "2025-10-01-latest.eml",
        "2025-10-01-latest.html",
        "2025-10-01-latest.txt",
    ]
    assert out.endswith("subject: Field Notes on Feeds: Scheduled Newsletters, Sent Exactly Once\n")


@pytest.mark.parametrize(
    ("extra", "stem"),
    [
        (["--top"], "2023-06-30-top"),
        (["--top", "2", "--full"], "2023-06-30-top"),
        (["--since", "2024-01-01", "--tag", "Email"], "2025-10-01-since-2024-01-01-email"),
        (["--latest", "1", "--name", "weekly"], "2025-10-01-weekly"),
    ],
)
def test_cli_selection_modes(
    sample_blog: Blog, capsys: pytest.CaptureFixture[str], extra: list[str], stem: str
) -> None:
    code, _, err = run_cli(sample_blog.args("newsletter", *extra), capsys)
    assert code == 0, err
    assert (sample_blog.public / "newsletter" / f"{stem}.eml").is_file()


def test_an_empty_selection_is_not_an_email(
    sample_blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(sample_blog.args("newsletter", "--since", "2026-01-01"), capsys)
    assert code == 0
    assert out == (
        "nothing to send: no posts published after 2026-01-01T00:00:00+01:00; no newsletter written\n"
    )
    assert not (sample_blog.public / "newsletter").exists()


def test_bad_since_and_count_are_usage_errors(
    sample_blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(sample_blog.args("newsletter", "--since", "soon"), capsys)
    assert code == 2
    assert (
        err
        == "error: --since: 'soon' is not a date (use 2021-12-09 or 2021-12-09T08:30:00+01:00)\n"
    )
    with pytest.raises(SystemExit) as exited:
        cli.main(sample_blog.args("newsletter", "--latest", "0"))
    assert exited.value.code == 2


# Golden files and the email-safe HTML rules


@pytest.mark.parametrize("kind", sorted(NEWSLETTERS))
def test_sample_newsletters_match_the_golden_files(kind: str) -> None:
    for ext, data in sample_newsletter_files(kind).items():
        golden = (GOLDEN / "newsletter" / f"{kind}.{ext}").read_bytes()
        assert data == golden, f"{kind}.{ext} differs: run `make golden` and review the diff"


def test_every_url_is_absolute(sample: dict[str, bytes]) -> None:
    tree = html_tree(sample["html"])
    urls = [e.get(a) for a in ("href", "src") for e in tree.iter() if e.get(a) is not None]
    assert len(urls) > 10
    assert [url for url in urls if not is_absolute(url)] == []


def test_no_element_is_styled_only_by_a_class(sample: dict[str, bytes]) -> None:
    unstyled = [
        (e.tag, e.get("class"))
        for e in html_tree(sample["html"]).iter()
        if isinstance(e.tag, str) and e.get("class") and e.tag != "body" and not e.get("style")
    ]
    assert unstyled == []


def test_head_has_lang_title_and_one_style_of_media_rules(sample: dict[str, bytes]) -> None:
    tree = html_tree(sample["html"])
    assert tree.get("lang") == "en"
    assert tree.findtext(".//title").startswith("Field Notes on Feeds: ")
    (style,) = tree.findall(".//style")
    assert style.getparent().tag == "head"
    rules = style.text
    assert "@media (max-width: 620px)" in rules and "@media (prefers-color-scheme: dark)" in rules
    # premailer strips !important by default; the media rules need it to beat inline styles.
    assert rules.count("!important") >= 10
    assert re.sub(r"@media[^{]*\{([^{}]*\{[^{}]*\})*\s*\}", "", rules).strip() == ""


def test_no_script_no_external_stylesheet(sample: dict[str, bytes]) -> None:
    tree = html_tree(sample["html"])
    assert tree.findall(".//script") == []
    assert [link for link in tree.findall(".//link") if link.get("rel") == "stylesheet"] == []


def test_every_image_has_alt_and_a_pixel_width_and_no_auto_height(sample: dict[str, bytes]) -> None:
    images = html_tree(sample["html"]).findall(".//img")
    assert images
    for image in images:
        assert image.get("alt") is not None
        assert image.get("width", "").isdigit() and int(image.get("width")) <= 552
        assert image.get("height") in (None,) or image.get("height").isdigit()


def test_layout_is_tables_at_most_600_wide(sample: dict[str, bytes]) -> None:
    tables = html_tree(sample["html"]).findall(".//table")
    container = next(t for t in tables if t.get("class") == "container")
    assert container.get("width") == "600"
    assert "max-width:600px" in container.get("style").replace(" ", "")


def test_hidden_preheader_comes_first(sample: dict[str, bytes]) -> None:
    body = html_tree(sample["html"]).find(".//body")
    first = body[0]
    assert first.tag == "div" and "display:none" in first.get("style")
    assert first.text_content().startswith("New writing on feeds, email and developer relations.")


def test_utm_tags_only_on_links_into_the_site(sample: dict[str, bytes]) -> None:
    links = [a.get("href") for a in html_tree(sample["html"]).iter("a")]
    site_links = [link for link in links if link.startswith("https://blog.example.com/")]
    assert site_links and all(
        "utm_source=newsletter&utm_medium=email" in link for link in site_links
    )
    assert not any("utm_" in link for link in links if link not in site_links)


def test_text_part_has_every_post_wrapped_near_72_columns(sample: dict[str, bytes]) -> None:
    text = sample["txt"].decode("utf-8")
    for line in text.splitlines():
        # A line over 72 columns is a URL that cannot be broken.
        assert len(line) <= 72 or " " not in line.strip() or line.startswith("Read more: "), line
    flat = " ".join(text.split())
    posts = html_tree(sample["html"]).find_class("post")
    assert len(posts) >= 4
    for post in posts:
        link = post.find_class("post-link")[0]
        assert link.text_content() in flat
        assert f"Read more: {link.get('href')}" in text
        assert post.find_class("post-date")[0].text_content() in flat
    # The text part carries what the HTML carries: the summaries, or with --full the posts.
    for body in html_tree(sample["html"]).find_class("post-body") or html_tree(
        sample["html"]
    ).find_class("post-description"):
        words = " ".join(body.text_content().split())
        assert words[:60] in flat


def test_eml_parses_back_into_both_parts(sample: dict[str, bytes]) -> None:
    message = email.parser.BytesParser(policy=email.policy.default).parsebytes(sample["eml"])
    assert message.get_content_type() == "multipart/alternative"
    for header in ("Subject", "From", "Date", "Message-ID", "MIME-Version"):
        assert message[header], header
    assert message["From"] == "Ada at Field Notes <newsletter@blog.example.com>"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    # RFC 2045: quoted-printable lines stay within 76 characters; RFC 5322: no line over 998.
    head, _, body = sample["eml"].partition(b"\r\n\r\n")
    assert max(len(line) for line in body.split(b"\r\n")) <= 76
    assert max(len(line) for line in head.split(b"\r\n")) <= 998
    assert plain.get_content().replace("\r\n", "\n") == sample["txt"].decode("utf-8")
    assert html.get_content().replace("\r\n", "\n") == sample["html"].decode("utf-8")


def test_full_posts_are_sanitised_whatever_they_contain() -> None:
    hostile = (
        '<p onclick="steal()">Hi <a href="javascript:alert(1)">x</a></p>'
        "<script>alert(1)</script><iframe src='https://evil.example/'></iframe>"
        "<form action='https://evil.example/'><input name=q></form>"
        "<object data='x.swf'></object><img src='https://e.com/a.png' onerror='x()'>"
        "<style>body{display:none}</style>"
    )
    cleaned = clean_body(hostile)
    for banned in (
        "<script",
        "<iframe",
        "<form",
        "<input",
        "<object",
        "onclick",
        "onerror",
        "javascript:",
        "<style",
    ):
        assert banned not in cleaned
    assert '<img src="https://e.com/a.png" alt="" width="552">' in cleaned
    assert cleaned.startswith("<p>Hi <a")


def test_image_widths_are_kept_when_they_fit() -> None:
    assert clean_body('<img src="https://e.com/a.png" alt="a" width="300" height="200">') == (
        '<img src="https://e.com/a.png" alt="a" width="300">'
    )


# premailer, set up on purpose


def test_inliner_keeps_important_in_media_rules_and_silences_cssutils(
    caplog: pytest.LogCaptureFixture,
) -> None:
    css = ".a { color: red; -webkit-text-size-adjust: 100%; mso-line-height-rule: exactly; }\n@media (max-width: 600px) { .a { color: blue !important; } }"
    with caplog.at_level(logging.DEBUG):
        html, problems = inline_css(
            '<html><head></head><body><p class="a">x</p></body></html>', css
        )
    assert problems == []
    assert [r for r in caplog.records if r.name.startswith("CSSUTILS")] == []
    assert 'style="color:red' in html
    assert "color: blue !important" in html


def test_inliner_reports_real_css_errors() -> None:
    _, problems = inline_css(
        "<html><head></head><body><p class='a'>x</p></body></html>", ".a { color: red; } }}} .b {"
    )
    assert problems


def test_inliner_refuses_external_stylesheets() -> None:
    with pytest.raises(ConfigError):
        inline_css(
            '<html><head><link rel="stylesheet" href="https://cdn.example/x.css"></head></html>', ""
        )


def test_template_expressions_in_urls_survive_inlining(blog: Blog, tmp_path: Path) -> None:
    # premailer mangles {{ … }} inside URLs; rendering Jinja first means it never sees them.
    templates = tmp_path / "my-templates"
    shutil.copytree(TEMPLATES, templates)
    page = (templates / "newsletter.html").read_text(encoding="utf-8")
    page = page.replace(
        'href="{{ site_link }}">{{ site.title }}',
        'href="{{ site.url }}?a={{ site.title|urlencode }}&b=1">{{ site.title }}',
    )
    (templates / "newsletter.html").write_text(page, encoding="utf-8")
    blog.post("p.md", "---\ntitle: T\ndate: 2021-01-01\n---\nx\n")
    config = load_config(blog.config)
    config = replace(config, newsletter=replace(config.newsletter, templates_dir=templates))
    result = build_newsletter(config, load_posts(blog.content, config.site.tz), NOW, Selection())
    assert result is not None
    assert 'href="https://example.com/?a=Test%20Blog&amp;b=1"' in result.issue.html


# Templates a user brings


def test_missing_template_names_it(
    blog: Blog, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.post("p.md", "---\ntitle: T\ndate: 2021-01-01\n---\nx\n")
    empty = tmp_path / "mine"
    empty.mkdir()
    code, _, err = run_cli(blog.args("newsletter", "--templates", str(empty)), capsys)
    assert code == 2
    assert err == f"error: {empty / 'newsletter.html'}: template: not found\n"


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("line one\n{{ 1 + }}\n", "line 2: unexpected 'end of print statement'"),
        ("line one\n{{ nope.deeper }}\n", "line 2: 'nope' is undefined"),
        (
            "line one\n{{ 1 // 0 }}\n",
            "line 2: ZeroDivisionError: integer division or modulo by zero",
        ),
        # Sandboxed, with none of Jinja's globals: no way to the process or its environment.
        (
            "{{ cycler.__init__.__globals__.os.environ }}\n",
            "line 1: access to attribute '__init__' of 'StrictUndefined' object is unsafe.",
        ),
        (
            "\n{{ site.__class__.__mro__ }}\n",
            "line 2: access to attribute '__class__' of 'dict' object is unsafe.",
        ),
        ("{{ lipsum() }}\n", "line 1: 'lipsum' is undefined"),
    ],
)
def test_broken_template_names_file_and_line(
    blog: Blog, tmp_path: Path, capsys: pytest.CaptureFixture[str], broken: str, message: str
) -> None:
    blog.post("p.md", "---\ntitle: T\ndate: 2021-01-01\n---\nx\n")
    mine = tmp_path / "mine"
    shutil.copytree(TEMPLATES, mine)
    (mine / "newsletter.html").write_text(broken, encoding="utf-8")
    code, _, err = run_cli(blog.args("newsletter", "--templates", str(mine)), capsys)
    assert code == 2
    assert err == f"error: {mine / 'newsletter.html'}: {message}\n"


# Size and headers


def test_posts_that_would_pass_the_clip_size_go_as_summaries_newest_kept_whole(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    paragraph = "A sentence of filler text that takes up room in the email. " * 20
    for day in (1, 2, 3):
        blog.post(
            f"p{day}.md",
            f"---\ntitle: Post {day}\ndate: 2021-01-0{day}\ndescription: Summary {day}.\n---\n"
            + f"\n\nBody {day}. {paragraph}" * 30,
        )
    code, _, err = run_cli(blog.args("newsletter", "--full"), capsys)
    assert code == 0
    (line,) = err.splitlines()
    assert line.startswith("warning: newsletter HTML with every post whole is ")
    assert line.endswith(
        "KB, over Gmail's 102 KB clipping size: these posts go as summaries with a link to the "
        "rest: 'Post 1' (send fewer posts to keep them whole)"
    )
    html = (blog.public / "newsletter/2021-01-03-latest.html").read_text(encoding="utf-8")
    text = (blog.public / "newsletter/2021-01-03-latest.txt").read_text(encoding="utf-8")
    assert len(html.encode("utf-8")) <= GMAIL_CLIP_BYTES
    for part in (html, text):
        assert "Body 3." in part and "Body 2." in part and "Body 1." not in part
        assert "Summary 1." in part and "Read the rest" in part
    code, _, err = run_cli(blog.args("newsletter", "--full", "--strict"), capsys)
    assert code == 2 and "--strict is on" in err
    code, _, err = run_cli(blog.args("newsletter"), capsys)
    assert code == 0 and err == ""


def test_a_title_cannot_inject_a_header() -> None:
    message = build_message(
        subject="Hello\r\nBcc: victim@example.com\nX-Evil: 1",
        sender_name="Ada\nBcc: x@example.com",
        sender_address="ada@example.com",
        html="<p>x</p>",
        text="x",
        date=NOW,
        message_id="<a@example.com>",
    )
    parsed = email.parser.BytesParser(policy=email.policy.default).parsebytes(message.as_bytes())
    assert parsed["Bcc"] is None and parsed["X-Evil"] is None
    assert parsed["Subject"] == "Hello Bcc: victim@example.com X-Evil: 1"


def test_non_ascii_subject_is_encoded_and_reads_back(blog: Blog) -> None:
    blog.post("p.md", '---\ntitle: "Grüße aus Zürich — 東京"\ndate: 2021-01-01\n---\nx\n')
    config = load_config(blog.config)
    result = build_newsletter(config, load_posts(blog.content, config.site.tz), NOW, Selection())
    assert result is not None
    raw = next(data for name, data in result.files.items() if name.endswith(".eml"))
    assert raw.isascii()
    parsed = email.parser.BytesParser(policy=email.policy.default).parsebytes(raw)
    assert parsed["Subject"] == "Test Blog: Grüße aus Zürich — 東京"


def test_templates_folder_ships_all_three() -> None:
    templates = load_templates(TEMPLATES)
    assert "@media (prefers-color-scheme: dark)" in templates.css
