"""The passes over a rendered body's HTML: comments out, blocks out of paragraphs, every URL
absolute and allowed by the safety policy, numeric references XML forbids removed, and the
summary taken from the first paragraph."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
from lxml.etree import Comment, ParserError, XPath
from lxml.etree import _Element as Element

from feeds.content.sanitize import (
    FEED_ELEMENTS,
    URL_ATTRIBUTES,
    allowed_url,
    clean_feed_html,
    is_conditional_comment,
    srcset_candidates,
    unsafe_in,
)
from feeds.content.source import XML_ILLEGAL
from feeds.content.templating import (
    MISSING_LINK,
)

TOO_DEEP = "nests lists, quotes or HTML too deeply to render (flatten it)"
# A problem as plain data: file, field, message, and the post it leaves out.
Problem = tuple[str, str | None, str, str]


SUMMARY_LENGTH = 300


# Elements HTML does not allow inside <p> (flow content that is not phrasing content). Markdown
# wraps raw HTML it does not know as a block (or that sits in a paragraph line or a block
# quote) in <p>; a <figure> there makes invalid HTML that readers lay out badly.
BLOCK_ELEMENTS = frozenset(
    "address article aside blockquote details dialog div dl fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre search section table "
    "ul".split()
)


# What ``unwrap_blocks`` takes out of a paragraph (a paragraph inside one stays).
INNER_BLOCKS = BLOCK_ELEMENTS - {"p"}


# A numeric character reference (``&#1;``, ``&#x0;``) in the Markdown's HTML; those naming
# characters XML forbids are removed, as the characters themselves are when a file is read.
CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")


def remove_illegal_references(html: str) -> tuple[str, list[str]]:
    """``html`` without numeric references to characters XML forbids, and those removed."""
    # "#" first: a one-byte scan, where a two-byte one reads the whole body.
    if "#" not in html or "&#" not in html:
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


# lxml.html's parser gives each element a Python class, picked by a lookup written in Python
# that runs for every element a pass touches: it was the largest single cost of these passes.
# The plain HTML parser (same options) builds the same tree with lxml's own element class.
PARSER = lxml.etree.HTMLParser()
# lxml.html's test for a whole document, which it parses without wrapping it in a body.
FULL_HTML = re.compile(r"^\s*<(?:html|!doctype)", re.IGNORECASE)
# HtmlElement.text_content(), for elements of the plain parser.
STRING_CONTENT = XPath("string()", smart_strings=False)


@dataclass(frozen=True)
class SafeHtml:
    """A body's HTML as feeds carry it, what was removed on the way, and its summary."""

    html: str
    first_paragraph: str
    # Elements, attributes and URLs the safety policy refused.
    unsafe_removed: int
    # URLs removed because they do not parse (for a warning that names the first).
    broken_urls: tuple[str, ...]


def safe_absolute_html(html: str, base: str) -> SafeHtml | None:
    """``html`` without comments, without blocks inside paragraphs, with every URL absolute
    against ``base`` and nothing the feed allow-list refuses; None if it holds no HTML.

    The general path is every pass in turn (comments, missing links, blocks out of
    paragraphs, frames to links, URLs, the unsafe count). Most bodies have no frame and no
    block inside a paragraph; for them, one walk makes URLs absolute and counts, and stops
    (for the general path, on a fresh parse) at the first block inside a paragraph."""
    root = without_comments(html)
    if root is None:
        return None
    walked = None if has_frames(root) else quick_walk(root, base)
    if walked is None:
        root = without_comments(html)
        assert root is not None
        unwrap_blocks(root)
        embed_frames(root)
        walked = absolute_and_counted(root, base)
        assert walked is not None
    removed, broken, unsafe = walked
    unsafe += removed
    written = fragment_html(root)
    if unsafe:
        written = clean_feed_html(written)
        return SafeHtml(written, first_paragraph(written), unsafe, tuple(broken))
    return SafeHtml(written, first_paragraph_of(root), 0, tuple(broken))


def quick_walk(root: Element, base: str) -> tuple[int, list[str], int] | None:
    """``absolute_and_counted`` for a tree that needs no other pass; None to take the general
    path on a fresh parse: at a block inside a paragraph, and where setting a URL failed (a
    character XML forbids, brought in by a template) before the walk reached such a block,
    whose unwrapping may drop the very attribute that failed."""
    try:
        return absolute_and_counted(root, base, unwrapped=False)
    except ValueError:
        return None


def without_comments(html: str) -> Element | None:
    """``html`` parsed, its comments and links to missing posts out."""
    root = parse_fragment(html)
    if root is None:
        return None
    if may_hold_comments(html):
        drop_comments(root)
    if MISSING_LINK in html:
        drop_missing_links(root)
    return root


def parse_fragment(html: str) -> Element | None:
    """``html`` under a ``<div>``, as ``lxml.html.fragment_fromstring(html,
    create_parent="div")`` parses it (same wrapping, same checks), in plain lxml elements.
    The parsed ``<body>`` becomes that ``<div>``: moving each child into a new element, as
    lxml.html does, walks the whole tree once more."""
    if not html.strip():
        return None
    if not FULL_HTML.match(html):
        html = f"<html><body>{html}</body></html>"
    try:
        document = lxml.etree.fromstring(html, PARSER)
    except ParserError:
        return None
    if document is None:  # lxml.html raises ParserError("Document is empty")
        return None
    # lxml.html's checks (the HTML parser never makes a namespaced tag).
    assert document.tag == "html"
    bodies = [element for element in document if element.tag == "body"]
    if not bodies:
        # A document with no body (a post that is only "<html>", or only a <head>) shows
        # nothing; lxml.html fails an assertion here instead.
        return lxml.etree.Element("div")
    root = bodies[0]
    for extra in bodies[1:]:
        # Markup that opens a second <body> ("</body><body>" in a post): its content joins
        # the first's, where lxml.html stops with an assertion and a plain parse drops it.
        join_content(root, extra)
    # Leading white space is not kept (lxml.html keeps only text that is more than that, and
    # sets it anew, which refuses control characters XML forbids: so does this); the body's
    # own attributes and what follows it are not the fragment's.
    text = root.text
    root.text = text if text and text.strip() else None
    root.tag = "div"
    root.attrib.clear()
    root.tail = None
    return root


def join_content(root: Element, extra: Element) -> None:
    """``extra``'s text and children moved to the end of ``root``; ``extra`` removed."""
    if extra.text:
        last = root[-1] if len(root) else None
        if last is not None:
            last.tail = (last.tail or "") + extra.text
        else:
            root.text = (root.text or "") + extra.text
    for child in list(extra):
        root.append(child)
    parent = extra.getparent()
    if parent is not None:
        keep_tail(extra)
        parent.remove(extra)


def absolute_urls(html: str, base: str) -> str:
    """Every relative URL in ``html`` (href, src, srcset, …) made absolute against ``base``."""
    root = parse_fragment(html)
    if root is None:
        return html
    make_absolute(root, base)
    return inner_html(root)


def drop_comments(root: Element) -> None:
    """HTML comments are notes to the site's authors (and may hold drafts with relative links):
    none reaches a reader. Their tail text stays."""
    for comment in list(root.iter(Comment)):
        parent = comment.getparent()
        if parent is not None:
            keep_tail(comment)
            parent.remove(comment)


# Where an HTML parser can start a comment: "<!--" and the other "<!" forms, "<?", and "</"
# not followed by a letter (HTML's tokenizer makes these "bogus comments"; at the very end,
# "</" meets the "</body>" the parser's wrapper adds). Markup is the only source of comment
# nodes, so HTML without any of these parses to a tree without comments.
COMMENT_START = re.compile(r"<[!?]|</(?![A-Za-z])")


def may_hold_comments(html: str) -> bool:
    return COMMENT_START.search(html) is not None


def keep_tail(element: Element) -> None:
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


def unwrap_blocks(root: Element) -> None:
    """Split each ``<p>`` holding a block element (``<figure>``, ``<div>``, …) around it: the
    text before and after stay paragraphs, the block stands between them."""
    for paragraph in [p for p in root.iter("p") if any(is_block(c) for c in p)]:
        parent = paragraph.getparent()
        if parent is None:
            continue
        pieces: list[Element] = []
        current = paragraph.makeelement("p")
        current.text = paragraph.text
        for child in list(paragraph):
            if is_block(child):
                tail, child.tail = child.tail, None
                pieces.extend([current, child])
                current = paragraph.makeelement("p")
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


def is_block(element: Element) -> bool:
    return element.tag in INNER_BLOCKS


def has_content(paragraph: Element) -> bool:
    return bool((paragraph.text or "").strip() or len(paragraph))


def drop_missing_links(root: Element) -> None:
    """A link to a post a template did not find becomes its text; the marker goes wherever
    else it was printed (an attribute, the text)."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        for name, value in list(element.attrib.items()):
            if MISSING_LINK in value:
                del element.attrib[name]
                if element.tag == "a" and name == "href":
                    drop_tag(element)
                    break
    # Then the text: dropping a link moved its text and tail into other elements.
    for element in root.iter():
        for part in ("text", "tail"):
            text = getattr(element, part)
            if text and MISSING_LINK in text:
                setattr(element, part, text.replace(MISSING_LINK, ""))


def drop_tag(element: Element) -> None:
    """``element`` out, its text, children and tail kept in its place (HtmlElement.drop_tag)."""
    parent, previous = element.getparent(), element.getprevious()
    assert parent is not None
    if element.text and isinstance(element.tag, str):
        if previous is None:
            parent.text = (parent.text or "") + element.text
        else:
            previous.tail = (previous.tail or "") + element.text
    if element.tail:
        if len(element):
            last = element[-1]
            last.tail = (last.tail or "") + element.tail
        elif previous is None:
            parent.text = (parent.text or "") + element.tail
        else:
            previous.tail = (previous.tail or "") + element.tail
    index = parent.index(element)
    parent[index : index + 1] = list(element)


def make_absolute(root: Element, base: str) -> tuple[int, list[str]]:
    """Every URL made absolute against ``base``; URLs the safety policy refuses (``data:``,
    ``javascript:``, ``mailto:`` as an image, …) and Internet Explorer's conditional comments
    removed. Returns how many were removed, and the URLs removed because they do not parse."""
    embed_frames(root)
    removed = 0
    for comment in list(root.iter(Comment)):
        if is_conditional_comment(comment.text or ""):
            remove_keeping_tail(comment)
            removed += 1
    walked = absolute_and_counted(root, base)
    assert walked is not None  # unwrapped: the walk never stops
    return removed + walked[0], walked[1]


def embed_frames(root: Element) -> None:
    for frame in list(root.iter("iframe")):
        embed_as_link(frame)


def has_frames(root: Element) -> bool:
    return next(root.iter("iframe"), None) is not None


def absolute_and_counted(
    root: Element, base: str, *, unwrapped: bool = True
) -> tuple[int, list[str], int] | None:
    """Each element's URLs made absolute, or removed, as ``make_absolute`` does (frames and
    comments aside), and what the feed allow-list refuses counted as ``count_unsafe`` counts
    it, in one walk: the URLs removed, those that do not parse, and the unsafe count. One walk
    visiting each element once costs less than finding the elements that carry a URL.

    Unless ``unwrapped``, the walk stops (None) at a block inside a paragraph: that tree needs
    ``unwrap_blocks`` first, which changes what is counted."""
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"
    removed, unsafe = 0, 0
    broken: list[str] = []
    check_blocks = not unwrapped
    for element in root.iter():
        tag = element.tag
        if check_blocks and tag in INNER_BLOCKS and in_paragraph(element):
            return None
        # An element's URLs depend on that element alone, and are counted once rewritten;
        # an allowed element without attributes has neither.
        names = element.keys()
        if not names and tag in FEED_ELEMENTS:
            continue
        if not URL_NAMES.isdisjoint(names):
            removed += absolute_attributes(element, names, base, origin, broken)
        unsafe += unsafe_in(element, element is root)
    return removed, broken, unsafe


def in_paragraph(element: Element) -> bool:
    parent = element.getparent()
    return parent is not None and parent.tag == "p"


URL_NAMES = frozenset({*URL_ATTRIBUTES, "srcset"})


def absolute_attributes(
    element: Element, names: Sequence[str | bytes], base: str, origin: str, broken: list[str]
) -> int:
    """``element``'s URL attributes (of its attribute ``names``) made absolute, in the order
    of ``URL_ATTRIBUTES``, then its ``srcset``; how many URLs the policy refused; those that
    do not parse go to ``broken``."""
    removed = 0
    for name in URL_ATTRIBUTES:
        if name not in names:
            continue
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
    if "srcset" in names:
        srcset = element.get("srcset", "")
        kept, dropped = absolute_srcset(srcset, base)
        removed += dropped
        if kept:
            element.set("srcset", kept)
        else:
            del element.attrib["srcset"]
    return removed


def remove_keeping_tail(node: Any) -> None:
    parent, previous = node.getparent(), node.getprevious()
    if node.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


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


def embed_as_link(frame: Element) -> None:
    """An embedded frame (a video player, say) becomes a link to what it shows: feed readers
    drop frames, and the validator warns about them."""
    source = (frame.get("src") or "").strip()
    link = frame.makeelement("a", {"href": source})
    link.text = frame.get("title") or source
    link.tail = frame.tail
    parent = frame.getparent()
    if source and parent is not None:
        parent.replace(frame, link)
    else:
        remove_keeping_tail(frame)


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


def inner_html(root: Element) -> str:
    pieces = [escape(root.text, quote=False)] if root.text else []
    pieces.extend(lxml.html.tostring(child, encoding="unicode") for child in root)
    return "".join(pieces)


def fragment_html(root: Element) -> str:
    """``inner_html(root)`` for a bare ``<div>`` (as ``parse_fragment`` makes), in one call to
    the serialiser instead of one per child; any other root goes the general way."""
    whole: str = lxml.etree.tostring(root, method="html", encoding="unicode")
    head = "<div>" + escape(root.text, quote=False) if root.text else "<div>"
    # The text before the first child is written as ``inner_html`` writes it, and nothing else
    # comes before the first tag (the serialiser escapes every "<" in text). lxml.html.tostring
    # also removes <meta http-equiv="Content-Type"> tags: that rare case goes the general way.
    if (
        root.tag != "div"
        or len(root.attrib)
        or not whole.startswith(head)
        or not whole.startswith("<", len(head))
        or not whole.endswith("</div>")
        or 'http-equiv="Content-Type"' in whole
    ):
        return inner_html(root)
    return whole[len("<div>") : -len("</div>")]


def first_paragraph(html: str, limit: int = SUMMARY_LENGTH) -> str:
    """The first paragraph as plain text, cut at a word boundary near ``limit`` characters."""
    root = parse_fragment(html)
    return "" if root is None else first_paragraph_of(root, limit)


def first_paragraph_of(root: Element, limit: int = SUMMARY_LENGTH) -> str:
    for paragraph in root.iter("p"):
        text = " ".join(cast("str", STRING_CONTENT(paragraph)).split())
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
