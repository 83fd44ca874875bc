"""HTML cleaning with nh3 (the Ammonia sanitizer): one allow-list for feeds, a stricter one for
email. The only module that imports nh3.

The feed allow-list is the W3C feed validator's own: elements and attributes outside it raise
"SecurityRisk" warnings, and feed readers strip them anyway.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3
from lxml.etree import _Element as Element

FEED_ELEMENTS = frozenset(
    "a abbr acronym address area article aside audio b bdi big blockquote br canvas "
    "caption center cite code col colgroup data dd del details "
    "dfn dir div dl dt em figcaption figure font footer h1 "
    "h2 h3 h4 h5 h6 header hgroup hr i img ins kbd label legend li m main map "
    "mark menu meter multicol nav nextid noscript ol p picture pre "
    "progress q rp rt ruby s samp section small sound source spacer span strike "
    "strong sub summary sup table tbody td tfoot th thead time tr track "
    "tt u ul var video wbr".split()
) | frozenset(
    # MathML, which the validator accepts too (an .mdx post's formulas, say).
    "annotation annotation-xml maction math menclose merror mfrac mi mmultiscripts mn mo "
    "mover mpadded mphantom mprescripts mroot mrow ms mspace msqrt mstyle msub msubsup msup "
    "mtable mtd mtext mtr munder munderover semantics".split()
)
# Forms and their controls are left out (a post could otherwise ask readers for a password
# inside their feed reader), and so are elements that run or fetch things by themselves.
FEED_ATTRIBUTES = frozenset(
    "abbr accesskey align allow allowfullscreen alt autoplay "
    "axis background bgcolor border bordercolor cellpadding cellspacing char charoff "
    "charset cite class clear color cols colspan compact coords crossorigin "
    "datetime decoding default dir download face frame headers height "
    "hidden high href hreflang hspace id label lang loading longdesc loop low max "
    "media min muted name nohref noshade nowrap open optimum "
    "playsinline poster preload referrerpolicy rel rev reversed "
    "rows rowspan rules scope shape size sizes span spellcheck src srclang srcset "
    "start step summary tabindex target title translate type usemap valign value vspace "
    "width wrap".split()
) | frozenset(
    "accent accentunder columnalign display displaystyle encoding fence linethickness lspace "
    "mathbackground mathcolor mathsize mathvariant rowalign rspace scriptlevel separator "
    "stretchy".split()
)
# Elements whose content goes with them, rather than being kept as text.
DROPPED_WITH_CONTENT = frozenset({"script", "style"})
# Where a URL in feed or email HTML may point: links may open a mail client as well; what a
# reader's app fetches by itself (images, video, audio) must be http(s). Anything else (data:,
# javascript:, file:, …) is removed. tests/feedcheck.py checks every feed against these tables.
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
FETCH_SCHEMES = frozenset({"http", "https"})
URL_ATTRIBUTES = ("href", "src", "poster", "cite", "action", "background", "longdesc")
LINK_ATTRIBUTES = frozenset({"href", "cite", "longdesc"})
URL_SCHEMES = LINK_SCHEMES

EMAIL_ELEMENTS = frozenset(
    "a abbr b blockquote br code dd del div dl dt em figcaption figure h1 h2 h3 h4 h5 h6 hr "
    "i img ins kbd li mark ol p pre q s small span strong sub sup table tbody td tfoot th "
    "thead tr u ul".split()
)
EMAIL_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "abbr": {"title"},
}


def clean_feed_html(html: str) -> str:
    """``html`` without what the validator flags: scripts, event handlers, ``javascript:``
    URLs, frames, objects, …"""
    return nh3.clean(
        html,
        tags=set(FEED_ELEMENTS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={"*": set(FEED_ATTRIBUTES)},
        generic_attribute_prefixes={"data-"},
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


def task_boxes_as_text(html: str) -> str:
    """A task list's boxes (``- [x] done``) as the characters ☐ and ☑: the safety policy keeps
    no form element in feeds, and mail clients strip them."""
    return CHECKBOX.sub(checkbox_text, html) if "checkbox" in html else html


def email_html(html: str) -> str:
    """A post's HTML as it may reach a subscriber: no scripts, frames, forms, objects or event
    handlers, and only the elements mail clients render."""
    html = task_boxes_as_text(html)
    return nh3.clean(
        html,
        tags=set(EMAIL_ELEMENTS),
        attributes=EMAIL_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        strip_comments=True,
    )


def allowed_url(attribute: str, url: str) -> bool:
    """An absolute ``url`` that may stand in ``attribute``: a scheme from the tables above and,
    for http(s), a host (and a port that is a number in range)."""
    if PLAIN_HTTP.match(url):
        return True
    return allowed_by_parts(attribute, url)


# An http(s) URL whose host is ASCII, with no user, port or brackets, followed by the path,
# query or fragment (or nothing): urlsplit gives it a scheme both tables allow and a non-empty
# host, with no port to check, so it is allowed. Most URLs in a post are such, and urlsplit
# was most of the time spent on each. Lower-case schemes only; the rest go through urlsplit.
PLAIN_HTTP = re.compile(r"https?://[A-Za-z0-9._~!$&'()*+,;=%-]+(?:[/?#]|\Z)")


def allowed_by_parts(attribute: str, url: str) -> bool:
    """``allowed_url`` by urlsplit's reading of ``url``, for any URL."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    schemes = LINK_SCHEMES if attribute in LINK_ATTRIBUTES else FETCH_SCHEMES
    if scheme not in schemes:
        return False
    return scheme == "mailto" or bool(parts.hostname)


def srcset_candidates(srcset: str) -> list[tuple[str, str]]:
    """Each candidate of a ``srcset`` as (URL, descriptors), parsed as HTML does: a URL runs to
    the next space and may itself hold commas (``data:`` URLs do); a comma ends a candidate."""
    candidates, position, end = [], 0, len(srcset)
    while position < end:
        while position < end and (srcset[position].isspace() or srcset[position] == ","):
            position += 1
        start = position
        while position < end and not srcset[position].isspace():
            position += 1
        url, descriptors = srcset[start:position], ""
        if not url:
            break
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            comma = srcset.find(",", position)
            stop = end if comma < 0 else comma
            descriptors, position = " ".join(srcset[position:stop].split()), stop + 1
        candidates.append((url, descriptors))
    return candidates


def is_conditional_comment(text: str) -> bool:
    """Internet Explorer's ``<!--[if IE]>…<![endif]-->`` (and the ``<![if …]>`` form): markup
    that one browser runs and the sanitiser cannot see into."""
    text = text.strip().lower()
    return text.startswith(("[if", "<![endif", "[endif")) or "<![endif]" in text


# A task list's box (``- [x] done``): mail clients drop form elements, so it becomes a character.
CHECKBOX = re.compile(r"<input\b[^>]*\btype=\"?checkbox\"?[^>]*>", re.IGNORECASE)


def checkbox_text(match: re.Match[str]) -> str:
    return "\u2611" if re.search(r"\bchecked\b", match.group(0)) else "\u2610"


def count_unsafe(root: Element) -> int:
    """Elements and attributes below ``root`` outside the feed allow-list, and
    ``javascript:`` URLs."""
    return sum(unsafe_in(element, element is root) for element in root.iter())


def unsafe_in(element: Element, is_root: bool = False) -> int:
    """What ``count_unsafe`` counts for ``element`` itself: 1 for an element outside the
    allow-list (its attributes go with it), else each attribute outside it or holding a
    script URL. The root (the wrapper ``<div>``) is not counted as an element."""
    tag = element.tag
    if not isinstance(tag, str):
        return 0
    if not is_root and tag not in FEED_ELEMENTS:
        return 1
    count = 0
    # The HTML parser's names and values are str (the stubs allow bytes); cast() would be a
    # call per element here.
    attributes: list[tuple[str, str]] = element.items()  # type: ignore[assignment]
    for name, value in attributes:
        # A value without a colon cannot hold a script URL: no copies of it are made.
        if (name not in FEED_ATTRIBUTES and not name.startswith("data-")) or (
            ":" in value and value.strip().lower().startswith(("javascript:", "vbscript:"))
        ):
            count += 1
    return count
