"""A newsletter issue: its posts rendered through the templates, the CSS inlined, the HTML made
safe for mail clients. Jinja renders first and premailer inlines after, so premailer never sees
template syntax."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import lxml.html
from markupsafe import Markup

from feeds.config import NewsletterSettings, Site
from feeds.content.model import Post
from feeds.content.render import RenderedPost
from feeds.content.sanitize import email_html
from feeds.newsletter.inline import inline_css
from feeds.newsletter.templates import Templates, render_template

GMAIL_CLIP_BYTES = 102 * 1024
CONTENT_WIDTH = 552
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# Mail clients show the first text of a message as its preview; after the preheader, these
# invisible characters fill the preview so that it does not run on into the body.
PREHEADER_PADDING = Markup("&#847;&zwnj;&nbsp;" * 30)
POOR_IMAGE_FORMATS = {".webp": "WebP", ".avif": "AVIF", ".svg": "SVG"}


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


def local_date(moment: datetime, site: Site) -> date:
    return moment.astimezone(site.tz).date()


def date_text(moment: datetime, site: Site) -> str:
    day = local_date(moment, site)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
