"""Render a post for its readers: Markdown to HTML with every URL absolute, a summary, an id."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from html import escape
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
from lxml.etree import Comment, ParserError, XPath

from feeds.config import Site
from feeds.content.markdown_engine import engine_id, markdown_to_html
from feeds.content.mdx import is_mdx, mdx_to_markdown
from feeds.content.model import Post
from feeds.content.permalinks import entry_id, post_url
from feeds.content.sanitize import (
    URL_ATTRIBUTES,
    allowed_url,
    clean_feed_html,
    count_unsafe,
    is_conditional_comment,
    srcset_candidates,
    task_boxes_as_text,
)
from feeds.content.source import XML_ILLEGAL, read_body_text
from feeds.content.templating import (
    MISSING_LINK,
    Templating,
    apply_templates,
    lookups_hold,
    prepare_templating,
)
from feeds.errors import ContentError, ContentErrors, shown
from feeds.workers import process_pool

SUMMARY_LENGTH = 300
# Elements HTML does not allow inside <p> (flow content that is not phrasing content). Markdown
# wraps raw HTML it does not know as a block (or that sits in a paragraph line or a block
# quote) in <p>; a <figure> there makes invalid HTML that readers lay out badly.
BLOCK_ELEMENTS = frozenset(
    "address article aside blockquote details dialog div dl fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre search section table "
    "ul".split()
)
# A numeric character reference (``&#1;``, ``&#x0;``) in the Markdown's HTML; those naming
# characters XML forbids are removed, as the characters themselves are when a file is read.
CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")
TOO_DEEP = "nests lists, quotes or HTML too deeply to render (flatten it)"
# A problem as plain data: file, field, message, and the post it leaves out.
Problem = tuple[str, str | None, str, str]


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
    components_removed: int = 0
    template_tags_rendered: int = 0
    template_tags_unknown: int = 0
    # Problems found while rendering (templates, references, URLs), one line each.
    warnings: tuple[str, ...] = ()
    # What the templates looked up: other posts' URLs ("post_url:…") and files ("file:…").
    template_lookups: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RenderedBody:
    """The costly part of rendering, cached by the post file's hash and URL."""

    html: str
    first_paragraph: str
    template_tags_removed: int = 0
    unsafe_html_removed: int = 0
    # JSX components of an .mdx post (see ``mdx``).
    components_removed: int = 0
    template_tags_rendered: int = 0
    template_tags_unknown: int = 0
    warnings: tuple[str, ...] = ()
    # The other posts' URLs the templates looked up: a cached body is reused only while
    # each still resolves to the same URL.
    lookups: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        # Read back from the JSON cache, tuples arrive as lists.
        object.__setattr__(self, "warnings", tuple(self.warnings))
        object.__setattr__(self, "lookups", tuple(tuple(pair) for pair in self.lookups))


COUNTS = (
    "template_tags_removed",
    "unsafe_html_removed",
    "components_removed",
    "template_tags_rendered",
    "template_tags_unknown",
)


def body_from_record(record: Any) -> RenderedBody | None:
    """A cached rendering, if it has exactly the shape this release writes; None (a cache
    miss, so the post is rendered again) for anything else."""
    if not isinstance(record, dict) or set(record) != {f.name for f in fields(RenderedBody)}:
        return None
    texts = (record["html"], record["first_paragraph"])
    warnings, lookups = record["warnings"], record["lookups"]
    ok = (
        all(isinstance(text, str) for text in texts)
        and all(type(record[name]) is int and record[name] >= 0 for name in COUNTS)
        and isinstance(warnings, list)
        and all(isinstance(warning, str) for warning in warnings)
        and isinstance(lookups, list)
        and all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair)
            for pair in lookups
        )
    )
    if not ok:
        return None
    return RenderedBody(**record)


def body_to_record(body: RenderedBody) -> dict[str, Any]:
    record = asdict(body)
    record["warnings"] = list(body.warnings)
    record["lookups"] = [list(pair) for pair in body.lookups]
    return record


def read_body(post: Post) -> str:
    """The Markdown body: loading keeps only the frontmatter, so bodies are read when needed."""
    return post.body if post.body is not None else read_body_text(post.source)


def render_post(
    post: Post,
    site: Site,
    body: RenderedBody | None = None,
    templating: Templating | None = None,
) -> RenderedPost:
    url = post_url(post, site)
    body = body or render_body(post, site, templating)
    return RenderedPost(
        post=post,
        url=url,
        entry_id=entry_id(post, site),
        html=body.html,
        summary=post.description or body.first_paragraph,
        image=urljoin(url, post.image) if post.image else None,
        template_tags_removed=body.template_tags_removed,
        unsafe_html_removed=body.unsafe_html_removed,
        components_removed=body.components_removed,
        template_tags_rendered=body.template_tags_rendered,
        template_tags_unknown=body.template_tags_unknown,
        warnings=body.warnings,
        template_lookups=body.lookups,
    )


def render_body(post: Post, site: Site, templating: Templating | None = None) -> RenderedBody:
    """The post's HTML, made safe and absolute; a body nested too deeply to render is a
    ``ContentErrors`` naming the post, never a RecursionError."""
    try:
        return _render_body(post, site, templating)
    except RecursionError:
        raise ContentErrors([ContentError(post.source, "body", TOO_DEEP)]) from None


def _render_body(post: Post, site: Site, templating: Templating | None) -> RenderedBody:
    text, components = read_body(post), 0
    if is_mdx(post.source.name):
        text, components = mdx_to_markdown(text)
    # Template tags next: what they print (includes, data, links) is Markdown too.
    tags = apply_templates(text, post, site, templating or prepare_templating(site, [post]))
    html, references = remove_illegal_references(
        task_boxes_as_text(
            markdown_to_html(tags.text, site.content.markdown, site.content.markdown_extensions)
        )
    )
    warnings = list(tags.warnings)
    if references:
        warnings.append(
            f"{post.source}: body: removed {len(references)} character reference(s) to "
            f"characters that XML forbids (first: {shown(references[0])})"
        )
    tagged = RenderedBody(
        html,
        "",
        template_tags_removed=tags.stripped,
        components_removed=components,
        template_tags_rendered=tags.rendered,
        template_tags_unknown=tags.unknown,
        warnings=tuple(warnings),
        lookups=tags.lookups,
    )
    root = parse_fragment(html)
    if root is None:
        return tagged
    # One parse serves every pass: comments out, blocks out of paragraphs, absolute URLs, the
    # unsafe count, the summary.
    drop_comments(root)
    if MISSING_LINK in html:
        drop_missing_links(root)
    unwrap_blocks(root)
    removed, broken = make_absolute(root, post_url(post, site))
    if broken:
        warnings.append(
            f"{post.source}: body: removed {len(broken)} URL(s) that cannot be parsed "
            f"(first: {shown(broken[0])}; fix the link)"
        )
    unsafe = removed + count_unsafe(root)
    html = inner_html(root)
    tagged = replace(tagged, warnings=tuple(warnings))
    if unsafe:
        html = clean_feed_html(html)
        return replace(
            tagged, html=html, first_paragraph=first_paragraph(html), unsafe_html_removed=unsafe
        )
    return replace(tagged, html=html, first_paragraph=first_paragraph_of(root))


def remove_illegal_references(html: str) -> tuple[str, list[str]]:
    """``html`` without numeric references to characters XML forbids, and those removed."""
    if "&#" not in html:
        return html, []
    removed: list[str] = []

    def keep_or_drop(found: re.Match[str]) -> str:
        digits = found.group(1) or found.group(2)
        # Eight hex digits already pass the last code point; longer runs are never legal.
        code = int(digits, 16 if found.group(1) else 10) if len(digits) <= 8 else -1
        if 0 < code <= 0x10FFFF and not XML_ILLEGAL.match(chr(code)):
            return found.group()
        removed.append(found.group())
        return ""

    return CHARACTER_REFERENCE.sub(keep_or_drop, html), removed


def render_key(post: Post, site: Site, templating: Templating | None = None) -> str | None:
    """What a post's rendering depends on: its file's bytes, its URL, the template-tag mode and
    the files templates read (the other posts' URLs are checked through ``lookups``), the
    Markdown engine and its extensions."""
    if not post.source_digest:
        return None
    key = templating.key if templating is not None else str(site.content.template_tags)
    engine = engine_id(site.content.markdown, site.content.markdown_extensions)
    key = f"{post.source_digest}|{post_url(post, site)}|{key}|{engine}"
    return key + "|mdx" if is_mdx(post.source.name) else key


# Below this many posts to render, worker processes cost more than they save.
PARALLEL_FROM = 24


def render_posts(
    posts: Sequence[Post],
    site: Site,
    *,
    store: dict[str, dict[str, Any]] | None = None,
    workers: int = 1,
    templating: Templating | None = None,
) -> list[RenderedPost]:
    """Render ``posts`` (in order), taking what ``store`` holds and adding what it lacks;
    Markdown runs in ``workers`` processes when there is enough of it."""
    templating = templating or prepare_templating(site, posts)
    keys = [render_key(post, site, templating) for post in posts]
    bodies: list[RenderedBody | None] = [
        body_from_record(store.get(key)) if store is not None and key is not None else None
        for key in keys
    ]
    bodies = [
        body if body is not None and lookups_hold(body.lookups, templating) else None
        for body in bodies
    ]
    missing = [index for index, body in enumerate(bodies) if body is None]
    fresh = render_bodies([posts[index] for index in missing], site, workers, templating)
    problems = [ContentError(*part) for part in fresh if isinstance(part, tuple)]
    if problems:
        raise ContentErrors(problems)
    for index, body in zip(missing, fresh, strict=True):
        assert isinstance(body, RenderedBody)
        bodies[index] = body
        key = keys[index]
        if store is not None and key is not None:
            store[key] = body_to_record(body)
    return [render_post(post, site, body) for post, body in zip(posts, bodies, strict=True)]


def render_bodies(
    posts: Sequence[Post], site: Site, workers: int, templating: Templating
) -> list[RenderedBody | Problem]:
    if workers <= 1 or len(posts) < PARALLEL_FROM:
        return render_chunk(posts, site, templating)
    size = -(-len(posts) // (workers * 4))
    chunks = [posts[start : start + size] for start in range(0, len(posts), size)]
    with process_pool(workers) as pool:
        parts = pool.map(render_chunk, chunks, [site] * len(chunks), [templating] * len(chunks))
        return [body for part in parts for body in part]


def render_chunk(
    posts: Sequence[Post], site: Site, templating: Templating
) -> list[RenderedBody | Problem]:
    """Each post's body, or its problem as plain data (which crosses from a worker process)."""
    results: list[RenderedBody | Problem] = []
    for post in posts:
        try:
            results.append(render_body(post, site, templating))
        except ContentErrors as bad:
            results.extend((e.path, e.field, e.reason, str(post.source)) for e in bad.errors[:1])
    return results


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


def drop_comments(root: lxml.html.HtmlElement) -> None:
    """HTML comments are notes to the site's authors (and may hold drafts with relative links):
    none reaches a reader. Their tail text stays."""
    for comment in list(root.iter(Comment)):
        parent = comment.getparent()
        if parent is not None:
            keep_tail(comment)
            parent.remove(comment)


def keep_tail(element: lxml.html.HtmlElement) -> None:
    """Give ``element``'s tail text to what precedes it, before it is removed or moved."""
    if not element.tail:
        return
    previous = element.getprevious()
    parent = element.getparent()
    if previous is not None:
        previous.tail = (previous.tail or "") + element.tail
    elif parent is not None:
        parent.text = (parent.text or "") + element.tail
    element.tail = None


def unwrap_blocks(root: lxml.html.HtmlElement) -> None:
    """Split each ``<p>`` holding a block element (``<figure>``, ``<div>``, …) around it: the
    text before and after stay paragraphs, the block stands between them."""
    for paragraph in [p for p in root.iter("p") if any(is_block(c) for c in p)]:
        parent = paragraph.getparent()
        if parent is None:
            continue
        pieces: list[lxml.html.HtmlElement] = []
        current = lxml.html.Element("p")
        current.text = paragraph.text
        for child in list(paragraph):
            if is_block(child):
                tail, child.tail = child.tail, None
                pieces.extend([current, child])
                current = lxml.html.Element("p")
                current.text = tail
            else:
                current.append(child)
        pieces.append(current)
        kept = [piece for piece in pieces if is_block(piece) or has_content(piece)]
        if kept:
            kept[-1].tail = paragraph.tail
        index = parent.index(paragraph)
        parent.remove(paragraph)
        for offset, piece in enumerate(kept):
            parent.insert(index + offset, piece)


def is_block(element: lxml.html.HtmlElement) -> bool:
    return isinstance(element.tag, str) and element.tag in BLOCK_ELEMENTS and element.tag != "p"


def has_content(paragraph: lxml.html.HtmlElement) -> bool:
    return bool((paragraph.text or "").strip() or len(paragraph))


def drop_missing_links(root: lxml.html.HtmlElement) -> None:
    """A link to a post a template did not find becomes its text; the marker goes wherever
    else it was printed (an attribute, the text)."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        for name, value in list(element.attrib.items()):
            if MISSING_LINK in value:
                del element.attrib[name]
                if element.tag == "a" and name == "href":
                    element.drop_tag()
                    break
    # Then the text: dropping a link moved its text and tail into other elements.
    for element in root.iter():
        for part in ("text", "tail"):
            text = getattr(element, part)
            if text and MISSING_LINK in text:
                setattr(element, part, text.replace(MISSING_LINK, ""))


def make_absolute(root: lxml.html.HtmlElement, base: str) -> tuple[int, list[str]]:
    """Every URL made absolute against ``base``; URLs the safety policy refuses (``data:``,
    ``javascript:``, ``mailto:`` as an image, …) and Internet Explorer's conditional comments
    removed. Returns how many were removed, and the URLs removed because they do not parse."""
    for frame in list(root.iter("iframe")):
        embed_as_link(frame)
    removed, broken = 0, []
    for comment in list(root.iter(Comment)):
        if is_conditional_comment(comment.text or ""):
            remove_keeping_tail(comment)
            removed += 1
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"
    # Only the elements that carry a URL: visiting every element was most of the time.
    for element in cast("list[lxml.html.HtmlElement]", WITH_URLS(root)):
        for name in URL_ATTRIBUTES:
            value = element.get(name)
            if value is None:
                continue
            url = join_url(base, value.strip(), origin)
            if url is None:
                broken.append(value)
                del element.attrib[name]
            elif not allowed_url(name, url):
                removed += 1
                del element.attrib[name]
            else:
                element.set(name, url)
        srcset = element.get("srcset")
        if srcset is not None:
            kept, dropped = absolute_srcset(srcset, base)
            removed += dropped
            if kept:
                element.set("srcset", kept)
            else:
                del element.attrib["srcset"]
    return removed, broken


def remove_keeping_tail(node: Any) -> None:
    parent, previous = node.getparent(), node.getprevious()
    if node.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


WITH_URLS = XPath(
    "descendant-or-self::*[" + " or ".join(f"@{name}" for name in (*URL_ATTRIBUTES, "srcset")) + "]"
)
# A site path ("/blog/x/") or an http(s) URL without a query, fragment, parameters or anything
# urljoin would rewrite: urljoin returns these as the origin plus the path, or unchanged.
# Most URLs of a post are one or the other, and urljoin's general parsing cost more than the
# rest of this pass.
PLAIN_PATH = re.compile(r"/(?!/)[^\s;?#\[\]\\]*")
PLAIN_ABSOLUTE = re.compile(r"https?://[^\s/;?#\[\]\\@]+(?:/[^\s;?#\[\]\\]*)?")


def join_url(base: str, value: str, origin: str | None = None) -> str | None:
    """``urljoin(base, value)``; None when it does not parse. With ``origin`` (the scheme and
    host of ``base``) the common cases skip urljoin's parsing."""
    if origin is not None:
        if PLAIN_PATH.fullmatch(value) and "/." not in value:
            return origin + value
        if PLAIN_ABSOLUTE.fullmatch(value):
            return value
    try:
        return urljoin(base, value)
    except ValueError:
        return None


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


def absolute_srcset(srcset: str, base: str) -> tuple[str, int]:
    """The candidates of ``srcset`` made absolute, those the policy refuses left out (with
    how many were)."""
    candidates, dropped = [], 0
    for given, descriptors in srcset_candidates(srcset):
        url = join_url(base, given)
        if url is None or not allowed_url("src", url):
            dropped += 1
            continue
        candidates.append(f"{url} {descriptors}" if descriptors else url)
    return ", ".join(candidates), dropped


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
