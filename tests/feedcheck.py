"""Checks modelled on the W3C feed validator's errors and warnings, plus JSON Feed 1.1's rules.

The validator itself is not installable from a package registry, so its rules that a generated
feed can break are written down here, each returning a readable problem. ``test_feedcheck.py``
shows that every check fires on a feed that breaks it.
"""

from __future__ import annotations

import email.utils
import json
import re
from collections import Counter
from datetime import datetime
from html.entities import name2codepoint
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
MEDIA = "http://search.yahoo.com/mrss/"
DC = "http://purl.org/dc/elements/1.1/"
KNOWN_NAMESPACES = {ATOM, CONTENT, MEDIA, DC}
RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$"
)
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
EMAIL_WITH_NAME = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+( \(.+\))?$")
URL_ATTRIBUTES = ("href", "src", "poster", "cite", "action", "background", "longdesc")
UNSAFE_ELEMENTS = ("script", "iframe", "object", "embed", "form", "applet", "meta")
# The element names of HTML (current and obsolete): a tag outside them in an HTML payload is
# text that was not escaped ("List<T>"), the validator's NotHtml.
HTML_ELEMENTS = frozenset(
    "a abbr acronym address applet area article aside audio b base basefont bdi bdo big blink "
    "blockquote body br button canvas caption center cite code col colgroup data datalist dd "
    "del details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form "
    "frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd "
    "label legend li link main map mark marquee math menu meta meter nav noframes noscript "
    "object ol optgroup option output p param picture pre progress q rp rt ruby s samp script "
    "search section select slot small source span strike strong style sub summary sup svg "
    "table tbody td template textarea tfoot th thead time title tr track tt u ul var video "
    "wbr".split()
)
HTML_END_TAG = re.compile(r"</(\w+)>")
REFERENCE = re.compile(r"&(#?\w+)")


def is_absolute(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in ("mailto", "tag", "data"))


def html_problems(html: str, where: str) -> list[str]:
    """ContainsRelRef, SecurityRisk: relative URLs and active content inside an HTML payload."""
    if not html.strip():
        return []
    problems = []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in UNSAFE_ELEMENTS:
            problems.append(f"{where}: contains <{element.tag}>")
        for name, value in element.attrib.items():
            if name.startswith("on"):
                problems.append(f"{where}: event handler attribute {name}")
            if name in URL_ATTRIBUTES and not is_absolute(value):
                problems.append(f"{where}: relative URL {name}={value!r}")
            if name in URL_ATTRIBUTES and value.strip().lower().startswith("javascript:"):
                problems.append(f"{where}: javascript: URL")
            if name == "srcset":
                for candidate in value.split(","):
                    if candidate.split() and not is_absolute(candidate.split()[0]):
                        problems.append(f"{where}: relative URL in srcset {candidate!r}")
    return problems


def title_problems(text: str | None, where: str) -> list[str]:
    """ContainsHTML: a title is plain text, so an HTML end tag or a character reference in it
    (``It&rsquo;s`` once the XML is read) reaches readers as written."""
    text = text or ""
    tags = [tag for tag in HTML_END_TAG.findall(text) if tag.lower() in HTML_ELEMENTS]
    if tags:
        return [f"{where}: title contains HTML </{tags[0]}> (ContainsHTML)"]
    for name in REFERENCE.findall(text):
        if name in name2codepoint or name == "apos" or not name.isalpha():
            return [f"{where}: title contains HTML &{name}; (ContainsHTML)"]
    return []


class _TagNames(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.names: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.append(tag)


def not_html_problems(html: str, where: str) -> list[str]:
    """NotHtml: an HTML summary holding tags that are not HTML, i.e. text that was escaped once
    where HTML needed it twice (``List<T>`` read as a <t> element)."""
    parser = _TagNames()
    parser.feed(html)
    parser.close()
    unknown = [name for name in parser.names if name.lower() not in HTML_ELEMENTS]
    return [f"{where}: non-HTML tag <{unknown[0]}> (NotHtml)"] if unknown else []


def _parse(xml: bytes) -> tuple[lxml.etree._Element | None, list[str]]:
    try:
        root = lxml.etree.fromstring(xml)
    except lxml.etree.XMLSyntaxError as error:
        return None, [f"not well-formed XML: {error}"]
    problems = []
    for element in root.iter():
        namespace = lxml.etree.QName(element).namespace
        if namespace and namespace not in KNOWN_NAMESPACES | {None}:
            problems.append(f"unknown namespace {namespace}")
    return root, problems


def rfc822_problem(text: str | None, where: str) -> list[str]:
    if text is None or not RFC822.match(text):
        return [f"{where}: {text!r} is not an RFC 822 date"]
    parsed = email.utils.parsedate_to_datetime(text)
    if parsed.strftime("%a") != text[:3]:
        return [f"{where}: {text!r} names the wrong day of the week"]
    return []


def rfc3339_problem(text: str | None, where: str) -> list[str]:
    if text is None or not RFC3339.match(text):
        return [f"{where}: {text!r} is not an RFC 3339 date-time"]
    datetime.fromisoformat(text)
    return []


def rss_problems(xml: bytes, own_url: str) -> list[str]:
    root, problems = _parse(xml)
    if root is None:
        return problems
    if root.tag != "rss" or root.get("version") != "2.0":
        return [*problems, "root is not <rss version='2.0'>"]
    channel = root.find("channel")
    if channel is None:
        return [*problems, "missing channel"]
    for name in ("title", "link", "description"):
        if not (channel.findtext(name) or "").strip():
            problems.append(f"channel: missing {name}")
    link = channel.findtext("link") or ""
    if not is_absolute(link):
        problems.append(f"channel link {link!r} is not absolute")
    selfs = [e for e in channel.findall(f"{{{ATOM}}}link") if e.get("rel") == "self"]
    if len(selfs) != 1:
        problems.append("channel: needs exactly one atom:link rel='self'")
    elif selfs[0].get("href") != own_url:
        problems.append(f"self link {selfs[0].get('href')!r} is not the feed's URL {own_url!r}")
    for name in ("lastBuildDate", "pubDate"):
        if channel.find(name) is not None:
            problems += rfc822_problem(channel.findtext(name), f"channel {name}")
    for name in ("managingEditor", "webMaster"):
        value = channel.findtext(name)
        if value is not None and not EMAIL_WITH_NAME.match(value):
            problems.append(f"channel {name} {value!r} is not an email address")
    guids = []
    for index, item in enumerate(channel.findall("item")):
        where = f"item {index + 1}"
        if item.find("title") is None and item.find("description") is None:
            problems.append(f"{where}: needs a title or description")
        problems += title_problems(item.findtext("title"), where)
        problems += not_html_problems(item.findtext("description") or "", f"{where} description")
        guid = item.findtext("guid")
        if not guid:
            problems.append(f"{where}: missing guid")
        guids.append(guid)
        guid_element = item.find("guid")
        is_permalink = guid_element is not None and guid_element.get("isPermaLink") != "false"
        if is_permalink and not is_absolute(guid or ""):
            problems.append(f"{where}: permalink guid is not a URL")
        if not is_absolute(item.findtext("link") or ""):
            problems.append(f"{where}: link is not absolute")
        problems += rfc822_problem(item.findtext("pubDate"), f"{where} pubDate")
        author = item.findtext("author")
        if author is not None and not EMAIL_WITH_NAME.match(author):
            problems.append(f"{where}: author {author!r} is not an email address")
        if len(item.findall("author")) > 1:
            problems.append(f"{where}: more than one author (each item has one <author>)")
        if author is not None and item.find(f"{{{DC}}}creator") is not None:
            problems.append(f"{where}: both author and dc:creator (DuplicateItemSemantics)")
        for name in ("description", f"{{{CONTENT}}}encoded"):
            problems += html_problems(item.findtext(name) or "", f"{where} {name}")
        for media in item.iter(f"{{{MEDIA}}}content"):
            if not is_absolute(media.get("url") or ""):
                problems.append(f"{where}: media:content url is not absolute")
        if len(item.findall("enclosure")) > 1:
            problems.append(f"{where}: more than one enclosure")
    problems += [f"duplicate guid {g}" for g, n in Counter(guids).items() if n > 1]
    return problems


def atom_problems(xml: bytes, own_url: str) -> list[str]:
    root, problems = _parse(xml)
    if root is None:
        return problems
    if root.tag != f"{{{ATOM}}}feed":
        return [*problems, "root is not an Atom feed"]
    problems += _atom_common(root, "feed")
    selfs = [e for e in root.findall(f"{{{ATOM}}}link") if e.get("rel") == "self"]
    if len(selfs) != 1 or selfs[0].get("href") != own_url:
        problems.append(f"feed: needs one link rel='self' with href {own_url!r}")
    feed_has_author = root.find(f"{{{ATOM}}}author") is not None
    ids = []
    updates = []
    for index, entry in enumerate(root.findall(f"{{{ATOM}}}entry")):
        where = f"entry {index + 1}"
        problems += _atom_common(entry, where)
        ids.append(entry.findtext(f"{{{ATOM}}}id"))
        updates.append(entry.findtext(f"{{{ATOM}}}updated"))
        title = entry.find(f"{{{ATOM}}}title")
        if title is not None and title.get("type", "text") == "text":
            problems += title_problems(title.text, where)
        summary = entry.find(f"{{{ATOM}}}summary")
        if summary is not None and summary.get("type") == "html":
            problems += not_html_problems(summary.text or "", f"{where} summary")
        if not feed_has_author and entry.find(f"{{{ATOM}}}author") is None:
            problems.append(f"{where}: no author, and the feed has none")
        published = entry.find(f"{{{ATOM}}}published")
        if published is not None:
            problems += rfc3339_problem(published.text, f"{where} published")
        content = entry.find(f"{{{ATOM}}}content")
        alternates = [
            e for e in entry.findall(f"{{{ATOM}}}link") if e.get("rel", "alternate") == "alternate"
        ]
        if content is None and not alternates:
            problems.append(f"{where}: needs content or an alternate link")
        if content is not None and content.get("type") == "html":
            problems += html_problems(content.text or "", f"{where} content")
        for media in entry.iter(f"{{{MEDIA}}}content"):
            if not is_absolute(media.get("url") or ""):
                problems.append(f"{where}: media:content url is not absolute")
    problems += [f"duplicate entry id {i}" for i, n in Counter(ids).items() if n > 1]
    problems += [
        f"entries share updated {u} (DuplicateUpdated)"
        for u, n in Counter(updates).items()
        if u and n > 1
    ]
    return problems


def _atom_common(element: Any, where: str) -> list[str]:
    problems = []
    for name in ("id", "title", "updated"):
        if not (element.findtext(f"{{{ATOM}}}{name}") or "").strip():
            problems.append(f"{where}: missing {name}")
    element_id = element.findtext(f"{{{ATOM}}}id") or ""
    if element_id and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", element_id):
        problems.append(f"{where}: id {element_id!r} is not an IRI")
    problems += rfc3339_problem(element.findtext(f"{{{ATOM}}}updated"), f"{where} updated")
    seen: Counter[tuple[str | None, str | None]] = Counter()
    for link in element.findall(f"{{{ATOM}}}link"):
        if not is_absolute(link.get("href") or ""):
            problems.append(f"{where}: link href {link.get('href')!r} is not absolute")
        if link.get("rel", "alternate") == "alternate":
            seen[(link.get("type"), link.get("hreflang"))] += 1
    if any(count > 1 for count in seen.values()):
        problems.append(f"{where}: duplicate alternate links with the same type and hreflang")
    return problems


def json_feed_problems(data: bytes, own_url: str) -> list[str]:
    try:
        feed = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return [f"not JSON: {error}"]
    problems = []
    if feed.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append("version is not https://jsonfeed.org/version/1.1")
    if not isinstance(feed.get("title"), str) or not feed["title"]:
        problems.append("missing title")
    if feed.get("feed_url") != own_url:
        problems.append(f"feed_url {feed.get('feed_url')!r} is not {own_url!r}")
    for key in ("home_page_url", "feed_url"):
        if key in feed and not is_absolute(feed[key]):
            problems.append(f"{key} is not absolute")
    for author in feed.get("authors", []):
        if not any(author.get(key) for key in ("name", "url", "avatar")):
            problems.append("an author needs a name, url or avatar")
    items = feed.get("items")
    if not isinstance(items, list):
        return [*problems, "items is not a list"]
    ids = []
    for index, item in enumerate(items):
        where = f"item {index + 1}"
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"{where}: id must be a non-empty string")
        ids.append(item.get("id"))
        if isinstance(item.get("title"), str):
            problems += title_problems(item["title"], where)
        if "content_html" not in item and "content_text" not in item:
            problems.append(f"{where}: needs content_html or content_text")
        for key in ("url", "image", "external_url", "banner_image"):
            if key in item and not is_absolute(item[key]):
                problems.append(f"{where}: {key} is not absolute")
        for key in ("date_published", "date_modified"):
            if key in item:
                problems += rfc3339_problem(item[key], f"{where} {key}")
        if "tags" in item and not all(isinstance(tag, str) for tag in item["tags"]):
            problems.append(f"{where}: tags must be strings")
        problems += html_problems(item.get("content_html", ""), f"{where} content_html")
    problems += [f"duplicate item id {i}" for i, n in Counter(ids).items() if n > 1]
    return problems


CHECKS = {"rss.xml": rss_problems, "atom.xml": atom_problems, "feed.json": json_feed_problems}
