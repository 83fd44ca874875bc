"""Render a post for its readers: Markdown to HTML with every URL absolute, a summary, an id."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from html import escape
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml.etree import ParserError, XPath

from feeds.config import Site
from feeds.content.markdown_engine import engine_id, markdown_to_html
from feeds.content.model import Post
from feeds.content.permalinks import entry_id, post_url
from feeds.content.sanitize import clean_feed_html, count_unsafe
from feeds.content.source import read_body_text
from feeds.content.templatetags import strip_template_tags
from feeds.workers import process_pool

URL_ATTRIBUTES = ("href", "src", "poster", "cite", "action", "background", "longdesc")
SUMMARY_LENGTH = 300


@dataclass(frozen=True)
class RenderedPost:
    """A post as outputs show it: absolute URLs everywhere, a summary, a permanent id."""

    post: Post
    url: str
    entry_id: str
    html: str
    summary: str
    image: str | None
    template_tags_removed: int = 0
    unsafe_html_removed: int = 0


@dataclass(frozen=True)
class RenderedBody:
    """The costly part of rendering, cached by the post file's hash and URL."""

    html: str
    first_paragraph: str
    template_tags_removed: int = 0
    unsafe_html_removed: int = 0


def read_body(post: Post) -> str:
    """The Markdown body: loading keeps only the frontmatter, so bodies are read when needed."""
    return post.body if post.body is not None else read_body_text(post.source)


def render_post(post: Post, site: Site, body: RenderedBody | None = None) -> RenderedPost:
    url = post_url(post, site)
    body = body or render_body(post, site)
    return RenderedPost(
        post=post,
        url=url,
        entry_id=entry_id(post, site),
        html=body.html,
        summary=post.description or body.first_paragraph,
        image=urljoin(url, post.image) if post.image else None,
        template_tags_removed=body.template_tags_removed,
        unsafe_html_removed=body.unsafe_html_removed,
    )


def render_body(post: Post, site: Site) -> RenderedBody:
    text, tags_removed = read_body(post), 0
    if site.content.template_tags == "strip":
        text, tags_removed = strip_template_tags(text)
    html = markdown_to_html(text, site.content.markdown, site.content.markdown_extensions)
    root = parse_fragment(html)
    if root is None:
        return RenderedBody(html, "", tags_removed, 0)
    # One parse serves three passes: absolute URLs, the unsafe count, the summary.
    make_absolute(root, post_url(post, site))
    unsafe = count_unsafe(root)
    html = inner_html(root)
    if unsafe:
        html = clean_feed_html(html)
        return RenderedBody(html, first_paragraph(html), tags_removed, unsafe)
    return RenderedBody(html, first_paragraph_of(root), tags_removed, 0)


def render_key(post: Post, site: Site) -> str | None:
    """What a post's rendering depends on: its file's bytes, its URL, the template-tag setting,
    the Markdown engine and its extensions."""
    if not post.source_digest:
        return None
    engine = engine_id(site.content.markdown, site.content.markdown_extensions)
    return f"{post.source_digest}|{post_url(post, site)}|{site.content.template_tags}|{engine}"


# Below this many posts to render, worker processes cost more than they save.
PARALLEL_FROM = 24


def render_posts(
    posts: Sequence[Post],
    site: Site,
    *,
    store: dict[str, dict[str, Any]] | None = None,
    workers: int = 1,
) -> list[RenderedPost]:
    """Render ``posts`` (in order), taking what ``store`` holds and adding what it lacks;
    Markdown runs in ``workers`` processes when there is enough of it."""
    keys = [render_key(post, site) for post in posts]
    bodies: list[RenderedBody | None] = [
        RenderedBody(**store[key]) if store is not None and key in store else None for key in keys
    ]
    missing = [index for index, body in enumerate(bodies) if body is None]
    fresh = render_bodies([posts[index] for index in missing], site, workers)
    for index, body in zip(missing, fresh, strict=True):
        bodies[index] = body
        key = keys[index]
        if store is not None and key is not None:
            store[key] = asdict(body)
    return [render_post(post, site, body) for post, body in zip(posts, bodies, strict=True)]


def render_bodies(posts: Sequence[Post], site: Site, workers: int) -> list[RenderedBody]:
    if workers <= 1 or len(posts) < PARALLEL_FROM:
        return render_chunk(posts, site)
    size = -(-len(posts) // (workers * 4))
    chunks = [posts[start : start + size] for start in range(0, len(posts), size)]
    with process_pool(workers) as pool:
        parts = pool.map(render_chunk, chunks, [site] * len(chunks))
        return [body for part in parts for body in part]


def render_chunk(posts: Sequence[Post], site: Site) -> list[RenderedBody]:
    return [render_body(post, site) for post in posts]


def parse_fragment(html: str) -> lxml.html.HtmlElement | None:
    if not html.strip():
        return None
    try:
        return lxml.html.fragment_fromstring(html, create_parent="div")
    except ParserError:
        return None


def absolute_urls(html: str, base: str) -> str:
    """Every relative URL in ``html`` (href, src, srcset, …) made absolute against ``base``."""
    root = parse_fragment(html)
    if root is None:
        return html
    make_absolute(root, base)
    return inner_html(root)


def make_absolute(root: lxml.html.HtmlElement, base: str) -> None:
    for frame in list(root.iter("iframe")):
        embed_as_link(frame)
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"
    # Only the elements that carry a URL: visiting every element was most of the time.
    for element in cast("list[lxml.html.HtmlElement]", WITH_URLS(root)):
        for name in URL_ATTRIBUTES:
            value = element.get(name)
            if value is not None:
                element.set(name, join_url(base, origin, value.strip()))
        srcset = element.get("srcset")
        if srcset is not None:
            element.set("srcset", absolute_srcset(srcset, base))


WITH_URLS = XPath(
    "descendant-or-self::*[" + " or ".join(f"@{name}" for name in (*URL_ATTRIBUTES, "srcset")) + "]"
)
# A site path ("/blog/x/") or an http(s) URL without a query, fragment, parameters or anything
# urljoin would rewrite: urljoin returns these as the origin plus the path, or unchanged.
# Most URLs of a post are one or the other, and urljoin's general parsing cost more than the
# rest of this pass.
PLAIN_PATH = re.compile(r"/(?!/)[^\s;?#\[\]\\]*")
PLAIN_ABSOLUTE = re.compile(r"https?://[^\s/;?#\[\]\\@]+(?:/[^\s;?#\[\]\\]*)?")


def join_url(base: str, origin: str, value: str) -> str:
    """``urljoin(base, value)``, the common cases without its parsing; ``origin`` is the
    scheme and host of ``base``."""
    if PLAIN_PATH.fullmatch(value) and "/." not in value:
        return origin + value
    if PLAIN_ABSOLUTE.fullmatch(value):
        return value
    return urljoin(base, value)


def embed_as_link(frame: lxml.html.HtmlElement) -> None:
    """An embedded frame (a video player, say) becomes a link to what it shows: feed readers
    drop frames, and the validator warns about them."""
    source = (frame.get("src") or "").strip()
    link = lxml.html.Element("a", href=source)
    link.text = frame.get("title") or source
    link.tail = frame.tail
    if source:
        frame.getparent().replace(frame, link)
    else:
        frame.drop_tree()


def absolute_srcset(srcset: str, base: str) -> str:
    candidates = []
    for candidate in srcset.split(","):
        parts = candidate.split()
        if parts:
            candidates.append(" ".join([urljoin(base, parts[0]), *parts[1:]]))
    return ", ".join(candidates)


def inner_html(root: lxml.html.HtmlElement) -> str:
    pieces = [escape(root.text, quote=False)] if root.text else []
    pieces.extend(lxml.html.tostring(child, encoding="unicode") for child in root)
    return "".join(pieces)


def first_paragraph(html: str, limit: int = SUMMARY_LENGTH) -> str:
    """The first paragraph as plain text, cut at a word boundary near ``limit`` characters."""
    root = parse_fragment(html)
    return "" if root is None else first_paragraph_of(root, limit)


def first_paragraph_of(root: lxml.html.HtmlElement, limit: int = SUMMARY_LENGTH) -> str:
    for paragraph in root.iter("p"):
        text = " ".join(paragraph.text_content().split())
        if text:
            return shorten(text, limit)
    return ""


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    boundary = cut.rfind(" ")
    kept = cut[:boundary] if boundary > limit // 2 else text[:limit]
    return re.sub(r"[\s,;:.\-–—]+$", "", kept) + "…"  # noqa: RUF001
