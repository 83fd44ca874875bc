"""A newsletter issue: its posts rendered through the templates, the CSS inlined, the HTML made
safe for mail clients. Jinja renders first and premailer inlines after, so premailer never sees
template syntax."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import lxml.html
from markupsafe import Markup

from feeds.config import NewsletterSettings, Site
from feeds.content.html import inner_html
from feeds.content.model import Post
from feeds.content.render import RenderedPost
from feeds.content.sanitize import email_html
from feeds.newsletter.inline import inline_css
from feeds.newsletter.templates import Templates, render_template

GMAIL_CLIP_BYTES = 102 * 1024
# Room kept below Gmail's size for what each subscriber's copy adds (their unsubscribe link).
CLIP_MARGIN = 2 * 1024
# What the templates get as ``unsubscribe_url`` in a sent issue; the send job puts each
# subscriber's own link in its place, so the frozen issue stays the same for everyone.
UNSUBSCRIBE_MARKER = "https://unsubscribe.invalid/feeds-subscriber"
TEXT_WIDTH = 72
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
    # Over Gmail's clipping size even with every post as a summary.
    clipped: bool = False


def render_issue(
    site: Site,
    settings: NewsletterSettings,
    templates: Templates,
    entries: Sequence[RenderedPost],
    stem_suffix: str,
    *,
    full: bool = False,
    unsubscribe_url: str = "",
) -> Issue:
    """Render an issue of ``entries`` (newest first, at least one). With ``full``, posts that
    would take the HTML past Gmail's clipping size go in as summaries with a link to the rest,
    the oldest first, so the newest stay whole."""
    newest = max(entry.post.date for entry in entries)

    def render(whole: int) -> tuple[dict[str, Any], str, list[str]]:
        context = issue_context(site, settings, entries, full=full, whole=whole)
        context["unsubscribe_url"] = unsubscribe_url
        html, problems = inline_css(render_template(templates.html, context), templates.css)
        return context, html.rstrip("\n") + "\n", problems

    whole = len(entries) if full else 0
    context, html, css_problems = render(whole)
    warnings = [f"newsletter.css: {problem}" for problem in css_problems]
    budget = GMAIL_CLIP_BYTES - CLIP_MARGIN
    size = len(html.encode("utf-8"))
    if full and size > budget:
        while whole > 0 and len(html.encode("utf-8")) > budget:
            whole -= 1
            context, html, _ = render(whole)
        titles = ", ".join(repr(entry.post.title) for entry in entries[whole:])
        warnings.append(
            f"newsletter HTML with every post whole is {size / 1024:.0f} KB, over Gmail's 102 KB "
            f"clipping size: these posts go as summaries with a link to the rest: {titles} "
            "(send fewer posts to keep them whole)"
        )
    size = len(html.encode("utf-8"))
    if size > budget:
        warnings.append(
            f"newsletter HTML is {size / 1024:.0f} KB, over Gmail's 102 KB clipping size: "
            "Gmail will cut it off (send fewer posts)"
        )
    text = render_template(templates.text, context)
    warnings.extend(
        f"{entry.post.source}: image: {entry.image} is {kind}, which Outlook does not show"
        for entry in entries
        if entry.image
        and (kind := POOR_IMAGE_FORMATS.get(Path(urlsplit(entry.image).path).suffix.lower()))
    )
    return Issue(
        stem=f"{local_date(newest, site).isoformat()}-{stem_suffix}",
        subject=str(context["subject"]),
        date=newest,
        html=html,
        text=text,
        posts=tuple(entry.post for entry in entries),
        warnings=tuple(warnings),
        clipped=size > budget,
    )


def issue_context(
    site: Site,
    settings: NewsletterSettings,
    entries: Sequence[RenderedPost],
    *,
    full: bool,
    whole: int | None = None,
) -> dict[str, Any]:
    """The templates' variables; the first ``whole`` posts (all by default) are whole when
    ``full``, the rest summaries."""
    newest = entries[0].post
    subject = settings.subject.format(
        site=site.title,
        title=newest.title,
        date=date_text(newest.date, site),
        count=len(entries),
    )
    keep = len(entries) if whole is None else whole
    return {
        "site": {"title": site.title, "language": site.language, "url": site.base_url},
        "site_link": with_utm(site.base_url, site, settings),
        "subject": " ".join(subject.split()),
        "preheader": settings.preheader,
        "preheader_padding": PREHEADER_PADDING,
        "footer": settings.footer,
        "full": full,
        "unsubscribe_url": "",
        "posts": [
            post_context(entry, site, settings, full=full and index < keep)
            for index, entry in enumerate(entries)
        ],
    }


def post_context(
    entry: RenderedPost, site: Site, settings: NewsletterSettings, *, full: bool
) -> dict[str, Any]:
    body = clean_body(entry.html, lambda url: with_utm(url, site, settings)) if full else ""
    return {
        "title": entry.post.title,
        "link": with_utm(entry.url, site, settings),
        "date": entry.post.date,
        "date_text": date_text(entry.post.date, site),
        "description": entry.summary,
        "image": entry.image,
        "body": Markup(body),
        # The same post for the plain-text part: text-only readers get what the HTML has.
        "text": body_text(body) if body else "",
    }


BLOCKS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 ul ol li pre blockquote table thead tbody tr dl dt dd "
    "figure figcaption hr section article aside header footer".split()
)


def body_text(html: str) -> str:
    """A post's email-safe HTML as plain text: a paragraph per block, wrapped at 72 columns,
    list items with a dash and table rows with '|', one per line, code as it is, a link's
    address after its text."""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    blocks: list[tuple[str, str]] = []
    text_blocks(root, blocks, "")
    out = ""
    previous = ""
    for kind, block in blocks:
        if out:
            out += "\n" if kind == previous and kind in ("li", "tr") else "\n\n"
        out += block
        previous = kind
    return out


def text_blocks(element: Any, blocks: list[tuple[str, str]], prefix: str) -> None:
    pending = [element.text or ""]
    kind = "li" if prefix else "p"

    def flush() -> None:
        paragraph = " ".join("".join(pending).split())
        if paragraph:
            blocks.append((kind, textwrap.fill(
                prefix + paragraph, width=TEXT_WIDTH, subsequent_indent=" " * len(prefix),
                break_long_words=False, break_on_hyphens=False,
            )))  # fmt: skip
        pending.clear()

    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in BLOCKS:
            flush()
            if tag == "pre":
                blocks.append(("pre", child.text_content().strip("\n")))
            elif tag == "tr":
                cells = [" ".join(cell.text_content().split()) for cell in child]
                blocks.append(("tr", " | ".join(cells)))
            elif tag != "hr":
                text_blocks(child, blocks, "- " if tag == "li" else prefix)
        elif tag:
            pending.append(inline_text(child))
        pending.append(child.tail or "")
    flush()


def inline_text(element: Any) -> str:
    if element.tag == "img":
        alt = element.get("alt", "").strip()
        return f"[{alt}]" if alt else ""
    if element.tag == "br":
        return " "
    words = " ".join(element.text_content().split())
    href = element.get("href") if element.tag == "a" else None
    if href and href != words and not href.startswith("#"):
        return f"{words} <{href}>" if words else f"<{href}>"
    return words


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
    return inner_html(root)


def with_utm(url: str, site: Site, settings: NewsletterSettings) -> str:
    """``url`` with the configured UTM parameters, if it points into the site."""
    if not settings.utm or not url.startswith(site.base_url):
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in dict(settings.utm)]
    return urlunsplit(parts._replace(query=urlencode([*query, *settings.utm])))


def local_date(moment: datetime, site: Site) -> date:
    return moment.astimezone(site.tz).date()


def date_text(moment: datetime, site: Site) -> str:
    day = local_date(moment, site)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
