"""The fast paths of the HTML passes against the general ones they replace.

``safe_absolute_html`` parses with lxml's plain parser, skips the comment walk when no comment
can be in the HTML, makes URLs absolute and counts unsafe HTML in one walk, and serialises in
one call; ``allowed_url`` skips urlsplit for plain http(s) URLs. ``reference`` below is the
general path as it was first written (lxml.html's parser, each pass over the whole tree, each
child serialised on its own, urlsplit for every URL): for any HTML, and any Markdown through
either engine, both must give the same bytes, the same counts and the same warnings.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml.etree import Comment, ParserError, XPath
from lxml.html import HtmlElement as Tree

from feeds.content.html import (
    BLOCK_ELEMENTS,
    SUMMARY_LENGTH,
    SafeHtml,
    absolute_srcset,
    absolute_urls,
    drop_comments,
    fragment_html,
    inner_html,
    join_url,
    may_hold_comments,
    parse_fragment,
    remove_keeping_tail,
    safe_absolute_html,
    shorten,
)
from feeds.content.markdown_engine import COMMONMARK, PYTHON_MARKDOWN, markdown_to_html
from feeds.content.sanitize import (
    FEED_ATTRIBUTES,
    FEED_ELEMENTS,
    URL_ATTRIBUTES,
    allowed_by_parts,
    allowed_url,
    clean_feed_html,
    count_unsafe,
    is_conditional_comment,
    task_boxes_as_text,
)
from feeds.content.templating import MISSING_LINK

BASE = "https://example.com/blog/2021/post/"


# --- The general path, as first written ---------------------------------------------------


def reference(html: str, base: str) -> SafeHtml | None:
    root = reference_parse(html)
    if root is None:
        return None
    drop_comments(root)
    if MISSING_LINK in html:
        reference_drop_missing_links(root)
    reference_unwrap_blocks(root)
    removed, broken = reference_make_absolute(root, base)
    unsafe = removed + reference_count_unsafe(root)
    written = inner_html(root)
    if unsafe:
        written = clean_feed_html(written)
        again = reference_parse(written)
        summary = "" if again is None else reference_first_paragraph(again)
        return SafeHtml(written, summary, unsafe, tuple(broken))
    return SafeHtml(written, reference_first_paragraph(root), 0, tuple(broken))


def reference_parse(html: str) -> Tree | None:
    if not html.strip():
        return None
    try:
        return cast("Tree", lxml.html.fragment_fromstring(html, create_parent="div"))
    except ParserError:
        return None


def reference_drop_missing_links(root: Tree) -> None:
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        for name, value in list(element.attrib.items()):
            if MISSING_LINK in value:
                del element.attrib[name]
                if element.tag == "a" and name == "href":
                    element.drop_tag()
                    break
    for element in root.iter():
        for part in ("text", "tail"):
            text = getattr(element, part)
            if text and MISSING_LINK in text:
                setattr(element, part, text.replace(MISSING_LINK, ""))


def reference_unwrap_blocks(root: Tree) -> None:
    def is_block(element: Any) -> bool:
        return isinstance(element.tag, str) and element.tag in BLOCK_ELEMENTS and element.tag != "p"

    for paragraph in [p for p in root.iter("p") if any(is_block(c) for c in p)]:
        parent = paragraph.getparent()
        pieces: list[Any] = []
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
        kept = [p for p in pieces if is_block(p) or (p.text or "").strip() or len(p)]
        if kept:
            kept[-1].tail = paragraph.tail
        index = parent.index(paragraph)
        parent.remove(paragraph)
        for offset, piece in enumerate(kept):
            parent.insert(index + offset, piece)


WITH_URLS = XPath(
    "descendant-or-self::*[" + " or ".join(f"@{name}" for name in (*URL_ATTRIBUTES, "srcset")) + "]"
)


def reference_make_absolute(root: Tree, base: str) -> tuple[int, list[str]]:
    for frame in list(root.iter("iframe")):
        source = (frame.get("src") or "").strip()
        link = lxml.html.Element("a", href=source)
        link.text = frame.get("title") or source
        link.tail = frame.tail
        if source:
            frame.getparent().replace(frame, link)
        else:
            frame.drop_tree()
    removed, broken = 0, []
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"
    for comment in list(root.iter(Comment)):
        if is_conditional_comment(comment.text or ""):
            remove_keeping_tail(comment)
            removed += 1
    for element in cast("list[Tree]", WITH_URLS(root)):
        for name in URL_ATTRIBUTES:
            value = element.get(name)
            if value is None:
                continue
            url = join_url(base, value.strip(), origin)
            if url is None:
                broken.append(value)
                del element.attrib[name]
            elif not allowed_by_parts(name, url):
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


def reference_count_unsafe(root: Tree) -> int:
    count = 0
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element is not root and element.tag not in FEED_ELEMENTS:
            count += 1
            continue
        for name, value in element.attrib.items():
            if (
                name not in FEED_ATTRIBUTES and not name.startswith("data-")
            ) or value.strip().lower().startswith(("javascript:", "vbscript:")):
                count += 1
    return count


def reference_first_paragraph(root: Tree) -> str:
    for paragraph in root.iter("p"):
        text = " ".join(paragraph.text_content().split())
        if text:
            return shorten(text, SUMMARY_LENGTH)
    return ""


# What lxml.html's assertion (a document with no <body>: "too many bodies: []") becomes: the
# body shows nothing, where lxml.html stopped the build with a traceback.
NO_BODY = SafeHtml("", "", 0, ())


def same_as_reference(html: str, base: str = BASE) -> None:
    try:
        expected: SafeHtml | type[Exception] | None = reference(html, base)
    except AssertionError as error:
        if "too many bodies: []" not in str(error):
            # Several <body> elements: lxml.html gives up; the build joins their content
            # (test_the_content_of_every_body_is_kept), which the reference cannot say.
            assert isinstance(safe_absolute_html(html, base), SafeHtml)
            return
        expected = NO_BODY
    except ValueError as error:
        expected = type(error)
    try:
        got: SafeHtml | type[Exception] | None = safe_absolute_html(html, base)
    except (ValueError, AssertionError) as error:
        got = type(error)
    assert got == expected


# --- Generated HTML -------------------------------------------------------------------------

URLS = [
    "/blog/x/",
    "/a b/c.png",
    "../up/",
    "pic.png",
    "#fn-1",
    "?q=1",
    "//cdn.example.net/a.png",
    "https://other.org/x?y=1#z",
    "http://Example.COM/",
    "HTTPS://example.com/",
    "https://example.com:8080/x",
    "https://example.com:99999/",
    "https://user:pw@example.com/",
    "https://[::1]/",
    "https://[oops/",
    "http://",
    "https://exa%41mple.com/",
    "https://exämple.com/",
    "https://\uff45\uff58ample.com/",
    "https://e\u2100x.com/",
    "https://ex.com\t/",
    "http://ex.com\\evil.com/",
    "https:example.com",
    "mailto:a@example.com",
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:x",
    "\x1fjavascript:x",
    "&#106;avascript:x",
    "vbscript:x",
    "data:image/png;base64,AAAA",
    "file:///etc/passwd",
    "  /spaced/  ",
    "/x/" + MISSING_LINK,
    "",
]
TAGS = [
    *("p", "a", "img", "div", "span", "figure", "em", "ul", "li", "table", "td", "video"),
    *("blockquote", "q", "section", "h2", "pre", "code", "source", "picture", "math", "mi"),
    *("script", "style", "iframe", "form", "input", "object", "svg", "meta", "custom-el"),
    *("Foo", "IMG", "x:y", "image", "textarea", "title", "body", "html", "head", "noscript"),
]
ATTRIBUTES = [
    *URL_ATTRIBUTES,
    *("srcset", "title", "alt", "class", "id", "name", "onclick", "style", "data-x"),
    *("HREF", "http-equiv", "content", "type", "checked", "aria-label", "xmlns:x"),
]
VALUES = st.one_of(
    st.sampled_from(URLS),
    st.sampled_from(["a.png 1x, /b.png 2x", "data:x,y 1x, c.png", ", ,", "Content-Type"]),
    st.text(st.sampled_from("ab <>&\"'=/:;#?\r\n\t\x0b"), max_size=8),
)
TEXT = st.one_of(
    st.sampled_from(["", " ", "text", "a & b", "1 < 2 > 0", "\r\n", "\xa0é😀", MISSING_LINK]),
    st.text(st.sampled_from("ab <>&;#x\"'\r\n\t!?-/"), max_size=10),
)
RAW = st.sampled_from(
    [
        "<!-- note -->",
        "<!--[if IE]><b>x</b><![endif]-->",
        "<![if !IE]>",
        "<?php echo 1 ?>",
        "</ x>",
        "</>",
        "<!doctype html>",
        "<![CDATA[x]]>",
        "&amp;&lt;&#60;&#x3c;&quot;&nbsp;&bogus;",
        '<meta http-equiv="Content-Type" content="text/html">',
        "<br/>",
        "</p>",
        "<p>",
        "<",
        "<a",
        '<iframe src="https://v.example/e/1" title="Video"></iframe>',
        "<iframe></iframe>",
        '<input type="checkbox" checked>',
    ]
)


@st.composite
def start_tag(draw: st.DrawFn, tag: str) -> str:
    pairs = draw(st.lists(st.tuples(st.sampled_from(ATTRIBUTES), VALUES), max_size=3))
    quoted = draw(st.booleans())
    written = "".join(
        f' {name}="{value.replace(chr(34), "&quot;")}"' if quoted else f" {name}={value!r}"
        for name, value in pairs
    )
    return f"<{tag}{written}>"


def element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(TAGS).flatmap(
        lambda tag: st.builds(
            lambda start, inner, close: start + inner + (f"</{tag}>" if close else ""),
            start_tag(tag),
            children,
            st.booleans(),
        )
    )


HTML = st.recursive(
    st.one_of(TEXT, RAW),
    lambda inner: st.one_of(element(inner), st.lists(inner, max_size=4).map("".join)),
    max_leaves=12,
)
FUZZ = st.text(st.sampled_from("<>!?/-abpid =\"'&;#\r\n\t\x0b\x0cé"), max_size=60)


@settings(max_examples=400, deadline=None)
@given(html=HTML)
@example(html='<p>a<div href="x">b</div>c</p>')
@example(html="<!--x-->text<!--[if IE]>y<![endif]--> tail")
@example(html='<p><a href="/x/#feeds-missing-link">gone</a> kept</p>')
@example(html='<img srcset="a.png 1x, javascript:x 2x" src="javascript:y">')
@example(html='text <meta http-equiv="Content-Type" content="text/html"> more')
@example(html="<html><body><p>whole</p></body></html>")
@example(html='<a href="https://a.example/\x0b/x">unchanged URL, control character</a>')
def test_any_html_comes_out_as_the_general_path_makes_it(html: str) -> None:
    same_as_reference(html)


@settings(max_examples=400, deadline=None)
@given(html=FUZZ)
def test_any_tag_soup_comes_out_as_the_general_path_makes_it(html: str) -> None:
    same_as_reference(html)


@settings(max_examples=300, deadline=None)
@given(html=st.one_of(HTML, FUZZ))
def test_absolute_urls_are_what_the_general_path_makes(html: str) -> None:
    # absolute_urls keeps comments, and its walk meets them: make_absolute alone, as first
    # written, is the oracle.
    expected: str | type[Exception]
    got: str | type[Exception]
    try:
        root = reference_parse(html)
        if root is None:
            return
        reference_make_absolute(root, BASE)
        expected = inner_html(root)
    except AssertionError as error:  # no <body> (see NO_BODY), or several
        if "too many bodies: []" not in str(error):
            return
        expected = ""
    except ValueError as error:  # lxml refuses control characters
        expected = type(error)
    try:
        got = absolute_urls(html, BASE)
    except (ValueError, AssertionError) as error:
        got = type(error)
    assert got == expected


@settings(max_examples=300, deadline=None)
@given(html=st.one_of(HTML, FUZZ))
def test_html_without_comment_openers_parses_without_comments(html: str) -> None:
    try:
        root = reference_parse(html)
    except (ValueError, AssertionError):  # refused by lxml, in both paths alike
        return
    if root is not None and not may_hold_comments(html):
        assert list(root.iter(Comment)) == []


@settings(max_examples=300, deadline=None)
@given(html=st.one_of(HTML, FUZZ))
def test_one_serialiser_call_writes_what_one_per_child_writes(html: str) -> None:
    try:
        root = parse_fragment(html)
    except (ValueError, AssertionError):
        return
    if root is not None:
        assert fragment_html(root) == inner_html(root)


def test_text_before_the_first_tag_is_escaped_as_inner_html_escapes_it() -> None:
    root = parse_fragment("x")
    assert root is not None
    for start in range(0x20, 0x3000, 0x200):
        root.text = "".join(map(chr, range(start, start + 0x200))) + "<&>\r\n\t\"'"
        assert fragment_html(root) == inner_html(root)


# --- Generated Markdown, through both engines ----------------------------------------------

WORDS = st.sampled_from(["word", "Émile", "a_b", "*em*", "**b**", "`code`", "~~s~~", "x\\"])
INLINE = st.one_of(
    WORDS,
    st.builds(lambda w, u: f"[{w}]({u})", WORDS, st.sampled_from(URLS)),
    st.builds(lambda u: f'[t]({u} "javascript:x")', st.sampled_from(URLS)),
    st.builds(lambda u: f"![alt]({u})", st.sampled_from(URLS)),
    st.builds(lambda u: f"<{u}>", st.sampled_from(URLS)),
    st.sampled_from(["https://bare.example/x", "www.example.com", "<b>raw</b>", "<!-- c -->"]),
    st.builds(lambda tag: tag, HTML.filter(lambda text: "\n" not in text)),
)
LINE = st.lists(INLINE, min_size=1, max_size=5).map(" ".join)
BLOCK = st.one_of(
    LINE,
    LINE.map(lambda line: "## " + line + " {#id .c}"),
    st.lists(LINE, min_size=1, max_size=3).map(lambda items: "\n".join("- " + i for i in items)),
    LINE.map(lambda line: "- [x] " + line + "\n- [ ] open"),
    LINE.map(lambda line: "> " + line),
    st.just("```python {hl_lines=[1]}\nx = '<a href=\"/y\">'\n```"),
    st.just("| a | b |\n|---|---|\n| [l](/t/) | ![i](i.png) |"),
    st.just("Text[^1]\n\n[^1]: A note with [a link](/n/)."),
    st.just("Intro:\n- one\n  - two"),
    HTML.map(lambda html: "<div>\n" + html + "\n</div>"),
    st.just('<figure><img src="f.png"><figcaption>F</figcaption></figure>'),
)
MARKDOWN = st.lists(BLOCK, max_size=5).map("\n\n".join)


@settings(max_examples=300, deadline=None)
@given(markdown=MARKDOWN, engine=st.sampled_from([COMMONMARK, PYTHON_MARKDOWN]))
def test_any_markdown_comes_out_as_the_general_path_makes_it(markdown: str, engine: str) -> None:
    same_as_reference(task_boxes_as_text(markdown_to_html(markdown, engine)))


# --- allowed_url -----------------------------------------------------------------------------

URL_PART = st.text(
    st.sampled_from("aZ09.-_~%:@/?#[]\\ \t\n\x00\x1fé\uff45!$&'()*+,;="), max_size=12
)


@settings(max_examples=500, deadline=None)
@given(
    attribute=st.sampled_from(["href", "src", "cite", "poster"]),
    scheme=st.sampled_from(["http://", "https://", "HTTP://", "http:", "https:/", "mailto:", ""]),
    host=URL_PART,
    rest=URL_PART,
)
def test_allowed_url_agrees_with_urlsplit(
    attribute: str, scheme: str, host: str, rest: str
) -> None:
    url = scheme + host + rest
    assert allowed_url(attribute, url) == allowed_by_parts(attribute, url)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://example.com/x", True),
        ("https://example.com", True),
        ("https://example.com:99999/", False),
        ("https://example.com:8080/", True),
        ("https://[oops/", False),
        ("https:///x", False),
        ("javascript:alert(1)", False),
    ],
)
def test_allowed_url_cases(url: str, allowed: bool) -> None:
    assert allowed_url("src", url) is allowed


def test_count_unsafe_is_the_general_count() -> None:
    html = '<p onclick="x" data-a="1"><script>x</script><a href=" JavaScript:y" title="t">a</a></p>'
    assert count_unsafe(lxml.html.fragment_fromstring(html, create_parent="div")) == 3
    root = parse_fragment(html)
    assert root is not None and count_unsafe(root) == 3
    general = reference_parse(html)
    assert general is not None
    assert lxml.etree.tostring(root) == lxml.etree.tostring(general)


def test_a_url_lxml_refuses_before_a_block_in_a_paragraph_takes_the_general_path() -> None:
    """The quick walk reaches the <p>'s attribute before the block inside it; the general path
    takes the block out first, which drops that attribute: no error, as before."""
    same_as_reference('<p poster="x\x0by"><section></section></p>')
    result = safe_absolute_html('<p poster="x\x0by"><section></section></p>', BASE)
    assert result is not None and result.html == "<section></section>"


def test_the_content_of_every_body_is_kept() -> None:
    """A post's markup may close its <body> and open another; lxml.html refuses such a
    document (an assertion), a plain parse keeps only the first body's content."""
    result = safe_absolute_html(
        '<p>one</p></body><body><p>two <a href="/x">x</a></p><script>s()</script>', BASE
    )
    assert result is not None
    assert result.html == '<p>one</p><p>two <a href="https://example.com/x">x</a></p>'
    assert result.unsafe_removed == 1
    assert absolute_urls("a</body><body>b<i>c</i>d</body><body>e", BASE) == "ab<i>c</i>de"
