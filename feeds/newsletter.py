"""A newsletter issue: choose its posts, render the templates, make the HTML safe for mail clients.

The only module that imports premailer (behind ``inline_css``) and jinja2.
Jinja renders first and premailer inlines after, so premailer never sees template syntax.
"""

from __future__ import annotations

import logging
import textwrap
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jinja2
import lxml.html
from markupsafe import Markup
from premailer import Premailer

from feeds.config import NewsletterSettings, Site
from feeds.errors import ConfigError
from feeds.posts import Post, tag_slug
from feeds.render import RenderedPost
from feeds.sanitize import email_html

GMAIL_CLIP_BYTES = 102 * 1024
CONTENT_WIDTH = 552
TEXT_WIDTH = 72
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# Mail clients show the first text of a message as its preview; after the preheader, these
# invisible characters fill the preview so that it does not run on into the body.
PREHEADER_PADDING = Markup("&#847;&zwnj;&nbsp;" * 30)
POOR_IMAGE_FORMATS = {".webp": "WebP", ".avif": "AVIF", ".svg": "SVG"}


@dataclass(frozen=True)
class Selection:
    """Which posts make an issue: the latest N, the top N, or all since a moment; maybe one tag."""

    latest: int | None = None
    top: int | None = None
    since: datetime | None = None
    tag: str | None = None

    def name(self) -> str:
        if self.top is not None:
            base = "top"
        elif self.since is not None:
            base = f"since-{self.since.date().isoformat()}"
        else:
            base = "latest"
        return f"{base}-{tag_slug(self.tag)}" if self.tag else base

    def describe(self) -> str:
        if self.top is not None:
            what = "no top posts (topPost: true)"
        elif self.since is not None:
            what = f"no posts published after {self.since.isoformat()}"
        else:
            what = "no published posts"
        return f"{what} tagged {self.tag!r}" if self.tag else what


@dataclass(frozen=True)
class Issue:
    """One rendered newsletter issue, ready to be written or sent."""

    stem: str
    subject: str
    date: datetime
    html: str
    text: str
    posts: tuple[Post, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Templates:
    html: jinja2.Template
    text: jinja2.Template
    css: str


def select_posts(posts: Sequence[Post], selection: Selection, default_count: int) -> list[Post]:
    """Pick from ``posts`` (published, newest first) what ``selection`` asks for."""
    pool = list(posts)
    if selection.tag:
        wanted = tag_slug(selection.tag)
        pool = [post for post in pool if wanted in {tag_slug(tag) for tag in post.tags}]
    if selection.top is not None:
        return [post for post in pool if post.top][: selection.top or default_count]
    if selection.since is not None:
        since = selection.since
        return [post for post in pool if post.date > since]
    return pool[: selection.latest or default_count]


def load_templates(folder: Path) -> Templates:
    """The three templates from ``folder``; a missing or broken one is a one-line ConfigError."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["wrap"] = wrap
    try:
        html = environment.get_template("newsletter.html")
        text = environment.get_template("newsletter.txt")
        css = (folder / "newsletter.css").read_text(encoding="utf-8")
    except jinja2.TemplateNotFound as missing:
        raise ConfigError(folder / str(missing.name), [("template", "not found")]) from None
    except jinja2.TemplateSyntaxError as error:
        where = error.filename or str(folder / str(error.name))
        raise ConfigError(
            where, [(f"line {error.lineno}", error.message or "syntax error")]
        ) from None
    except FileNotFoundError:
        raise ConfigError(folder / "newsletter.css", [("template", "not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(folder, [("templates", f"cannot be read: {error}")]) from None
    return Templates(html=html, text=text, css=css)


def render_issue(
    site: Site,
    settings: NewsletterSettings,
    templates: Templates,
    entries: Sequence[RenderedPost],
    stem_suffix: str,
    *,
    full: bool = False,
) -> Issue:
    """Render an issue of ``entries`` (newest first, at least one)."""
    newest = max(entry.post.date for entry in entries)
    context = issue_context(site, settings, entries, full=full)
    html, css_problems = inline_css(render_template(templates.html, context), templates.css)
    html = html.rstrip("\n") + "\n"
    text = render_template(templates.text, context)
    warnings = [f"newsletter.css: {problem}" for problem in css_problems]
    warnings.extend(
        f"{entry.post.source}: image: {entry.image} is {kind}, which Outlook does not show"
        for entry in entries
        if entry.image
        and (kind := POOR_IMAGE_FORMATS.get(Path(urlsplit(entry.image).path).suffix.lower()))
    )
    size = len(html.encode("utf-8"))
    if size > GMAIL_CLIP_BYTES:
        warning = (
            f"newsletter HTML is {size / 1024:.0f} KB, over Gmail's 102 KB clipping size: "
            "Gmail will cut it off"
        )
        if full:

            def size_of(count: int) -> int:
                part = issue_context(site, settings, entries[:count], full=True)
                return len(inline_css(render_template(templates.html, part), templates.css)[0])

            pushed = posts_over_budget(len(entries), size_of)
            titles = ", ".join(repr(entry.post.title) for entry in entries[pushed:])
            warning += f"; these posts pushed it over: {titles} (leave out --full, or send fewer)"
        warnings.append(warning)
    return Issue(
        stem=f"{local_date(newest, site).isoformat()}-{stem_suffix}",
        subject=str(context["subject"]),
        date=newest,
        html=html,
        text=text,
        posts=tuple(entry.post for entry in entries),
        warnings=tuple(warnings),
    )


def issue_context(
    site: Site, settings: NewsletterSettings, entries: Sequence[RenderedPost], *, full: bool
) -> dict[str, Any]:
    newest = entries[0].post
    subject = settings.subject.format(
        site=site.title,
        title=newest.title,
        date=date_text(newest.date, site),
        count=len(entries),
    )
    return {
        "site": {"title": site.title, "language": site.language, "url": site.base_url},
        "site_link": with_utm(site.base_url, site, settings),
        "subject": " ".join(subject.split()),
        "preheader": settings.preheader,
        "preheader_padding": PREHEADER_PADDING,
        "footer": settings.footer,
        "full": full,
        "posts": [post_context(entry, site, settings, full=full) for entry in entries],
    }


def post_context(
    entry: RenderedPost, site: Site, settings: NewsletterSettings, *, full: bool
) -> dict[str, Any]:
    return {
        "title": entry.post.title,
        "link": with_utm(entry.url, site, settings),
        "date": entry.post.date,
        "date_text": date_text(entry.post.date, site),
        "description": entry.summary,
        "image": entry.image,
        "body": Markup(clean_body(entry.html, lambda url: with_utm(url, site, settings)))
        if full
        else "",
    }


def render_template(template: jinja2.Template, context: dict[str, Any]) -> str:
    try:
        return template.render(context)
    except jinja2.TemplateError as error:
        filename = template.filename or template.name or "template"
        raise ConfigError(filename, [(template_line(error, filename), str(error))]) from None


def template_line(error: Exception, filename: str) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename]
    return f"line {frames[-1].lineno}" if frames else "render"


def inline_css(html: str, css: str) -> tuple[str, list[str]]:
    """Every CSS rule inlined into the elements it styles; only ``@media`` rules stay, in one
    ``<style>`` in the head, with their ``!important`` kept so they can beat the inlined styles.
    Returns the HTML and the CSS problems worth telling a person about."""
    if 'rel="stylesheet"' in html or "rel='stylesheet'" in html:
        raise ConfigError("newsletter.html", [("link", "external stylesheets are not allowed; "
                                                "put the CSS in newsletter.css")])  # fmt: skip
    problems: list[str] = []
    handler = _CollectErrors(problems)
    inliner = Premailer(
        html=html,
        css_text=[css],
        keep_style_tags=False,
        strip_important=False,
        # premailer turns CSS width/height into attributes, e.g. height="auto" on images,
        # which mail clients take for zero; the templates set those attributes themselves.
        disable_basic_attributes=["width", "height"],
        disable_link_rewrites=True,
        allow_network=False,
        allow_loading_external_files=False,
        disable_validation=True,
        cssutils_logging_handler=handler,
        cssutils_logging_level=logging.ERROR,
        remove_classes=False,
        method="html",
    )
    return str(inliner.transform(pretty_print=False)), problems


class _CollectErrors(logging.Handler):
    """cssutils logs a warning for every vendor property (about twenty a call); only its
    errors, which mean a rule was dropped, are worth showing."""

    def __init__(self, sink: list[str]) -> None:
        super().__init__(level=logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


def clean_body(html: str, link: Callable[[str], str] = str) -> str:
    """A post's HTML as it may reach a subscriber: sanitised by nh3 (no scripts, frames,
    forms, objects or event handlers), every image with an ``alt`` and a pixel ``width``,
    and every link passed through ``link`` (which adds the UTM tags)."""
    safe = email_html(html)
    if "<img" not in safe and "<a" not in safe:
        return safe
    root = lxml.html.fragment_fromstring(safe, create_parent="div")
    for image in root.iter("img"):
        image.set("alt", image.get("alt", ""))
        width = image.get("width", "")
        fits = width.isdigit() and int(width) <= CONTENT_WIDTH
        image.set("width", width if fits else str(CONTENT_WIDTH))
        image.attrib.pop("height", None)
    for anchor in root.iter("a"):
        href = anchor.get("href")
        if href:
            anchor.set("href", link(href))
    pieces = [escape(root.text, quote=False)] if root.text else []
    pieces.extend(lxml.html.tostring(child, encoding="unicode") for child in root)
    return "".join(pieces)


def with_utm(url: str, site: Site, settings: NewsletterSettings) -> str:
    """``url`` with the configured UTM parameters, if it points into the site."""
    if not settings.utm or not url.startswith(site.base_url):
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in dict(settings.utm)]
    return urlunsplit(parts._replace(query=urlencode([*query, *settings.utm])))


def posts_over_budget(count: int, size_of: Callable[[int], int]) -> int:
    """The index of the first post whose addition takes the HTML past Gmail's clipping size."""
    for taken in range(1, count + 1):
        if size_of(taken) > GMAIL_CLIP_BYTES:
            return taken - 1
    return count


def wrap(text: str, width: int = TEXT_WIDTH) -> str:
    return textwrap.fill(str(text), width=width, break_long_words=False, break_on_hyphens=False)


def local_date(moment: datetime, site: Site) -> date:
    return moment.astimezone(site.tz).date()


def date_text(moment: datetime, site: Site) -> str:
    day = local_date(moment, site)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
