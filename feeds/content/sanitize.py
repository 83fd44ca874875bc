"""HTML cleaning with nh3 (the Ammonia sanitizer): one allow-list for feeds, a stricter one for
email. The only module that imports nh3.

The feed allow-list is the W3C feed validator's own: elements and attributes outside it raise
"SecurityRisk" warnings, and feed readers strip them anyway.
"""

from __future__ import annotations

import re

import lxml.html
import nh3

FEED_ELEMENTS = frozenset(
    "a abbr acronym address area article aside audio b bdi big blockquote br button canvas "
    "caption center cite code col colgroup command data datagrid datalist dd del details "
    "dfn dialog dir div dl dt em eventsource fieldset figcaption figure font footer form h1 "
    "h2 h3 h4 h5 h6 header hgroup hr i img input ins kbd keygen label legend li m main map "
    "mark menu meter multicol nav nextid noscript ol optgroup option output p picture pre "
    "progress q rp rt ruby s samp section select small sound source spacer span strike "
    "strong sub summary sup table tbody td template textarea tfoot th thead time tr track "
    "tt u ul var video wbr".split()
)
FEED_ATTRIBUTES = frozenset(
    "abbr accept accept-charset accesskey action align allow allowfullscreen alt autoplay "
    "axis background bgcolor border bordercolor cellpadding cellspacing char charoff "
    "charset checked cite class clear color cols colspan compact coords crossorigin "
    "datetime decoding default dir disabled download enctype face for frame headers height "
    "hidden high href hreflang hspace id label lang loading longdesc loop low max maxlength "
    "media method min multiple muted name nohref noshade nowrap open optimum pattern "
    "placeholder playsinline poster preload prompt readonly referrerpolicy rel rev reversed "
    "rows rowspan rules scope selected shape size sizes span spellcheck src srclang srcset "
    "start step summary tabindex target title translate type usemap valign value vspace "
    "width wrap".split()
)
# Elements whose content goes with them, rather than being kept as text.
DROPPED_WITH_CONTENT = frozenset({"script", "style"})
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel", "ftp", "data"})

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
        strip_comments=False,
    )


def email_html(html: str) -> str:
    """A post's HTML as it may reach a subscriber: no scripts, frames, forms, objects or event
    handlers, and only the elements mail clients render."""
    if "checkbox" in html:
        html = CHECKBOX.sub(checkbox_text, html)
    return nh3.clean(
        html,
        tags=set(EMAIL_ELEMENTS),
        attributes=EMAIL_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        strip_comments=True,
    )


# A task list's box (``- [x] done``): mail clients drop form elements, so it becomes a character.
CHECKBOX = re.compile(r"<input\b[^>]*\btype=\"?checkbox\"?[^>]*>", re.IGNORECASE)


def checkbox_text(match: re.Match[str]) -> str:
    return "\u2611" if re.search(r"\bchecked\b", match.group(0)) else "\u2610"


def count_unsafe(root: lxml.html.HtmlElement) -> int:
    """Elements and attributes below ``root`` outside the feed allow-list, and
    ``javascript:`` URLs."""
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
