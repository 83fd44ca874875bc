"""RSS 2.0 and Atom 1.0 as bytes. The only module that imports feedgen.

feedgen's traps, each handled here and covered by a test: entries are prepended unless
``order="append"``; ``updated`` defaults to the clock; an Atom entry's enclosure link loses its
``rel`` and becomes a second alternate link (so the image goes out as ``media:content``); the
RSS channel ``<link>`` is the last link added (so the alternate is added last); an entry's
``summary`` is copied as it is into RSS's ``<description>``, which is HTML (so the RSS writer
sets the description itself, escaped); an entry's ``author`` becomes one RSS ``<author>`` per
author with an email (so RSS is given an author only for a lone author with an email, and
``dc:creator`` names otherwise).
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from html import escape
from urllib.parse import urlsplit

from feedgen.entry import FeedEntry as FeedgenEntry
from feedgen.feed import FeedGenerator

from feeds.config import Person, Site
from feeds.feed.model import FeedEntry, FeedSpec, SelfLink, newest_change

GENERATOR = "feeds"


# A fixed table, not the mimetypes module: that one reads the machine's own files,
# and the same input must give the same bytes everywhere.
IMAGE_TYPES = {
    ".avif": "image/avif",
    ".gif": "image/gif",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


def rss(spec: FeedSpec, site: Site, entries: Sequence[FeedEntry], link: SelfLink) -> bytes:
    builder = _builder(spec, site, entries, link, rss=True)
    if site.author.email:
        builder.managingEditor(f"{site.author.email} ({site.author.name})")
    return bytes(builder.rss_str(pretty=True))


def atom(spec: FeedSpec, site: Site, entries: Sequence[FeedEntry], link: SelfLink) -> bytes:
    builder = _builder(spec, site, entries, link, rss=False)
    return bytes(builder.atom_str(pretty=True))


def _builder(
    spec: FeedSpec, site: Site, entries: Sequence[FeedEntry], link: SelfLink, *, rss: bool
) -> FeedGenerator:
    builder = FeedGenerator()
    builder.load_extension("media", atom=True, rss=True)
    if rss and any(_rss_creators(entry) for entry in entries):
        # Only when an item needs it: the namespace would change every other feed's bytes.
        builder.load_extension("dc", atom=False, rss=True)
    builder.id(spec.feed_id)
    builder.title(spec.title)
    builder.description(spec.description)
    builder.language(site.language)
    author = {"name": site.author.name}
    if site.author.email:
        author["email"] = site.author.email
    builder.author(author)
    builder.generator(GENERATOR)
    changed = newest_change(entries)
    builder.updated(changed)
    builder.lastBuildDate(changed)
    builder.pubDate(max(entry.published for entry in entries))
    # The alternate link goes last: feedgen makes the last link added the RSS channel <link>.
    builder.link(href=link.url, rel="self", type=link.media_type)
    builder.link(href=spec.home_url, rel="alternate", type="text/html")
    for entry in entries:
        _add_entry(builder, entry, rss=rss)
    return builder


def _add_entry(builder: FeedGenerator, entry: FeedEntry, *, rss: bool) -> None:
    item = builder.add_entry(order="append")
    item.id(entry.entry_id)
    item.guid(entry.entry_id, permalink=False)
    item.title(entry.title)
    item.link(href=entry.url, rel="alternate")
    item.published(entry.published)
    item.updated(entry.last_modified)
    if entry.summary and rss:
        # The summary is plain text; RSS's description is HTML, so "List<T>" and "M&Ms" must
        # reach it escaped once more, and a summary that mentions <script> stays text.
        item.description(escape(entry.summary, quote=False))
    elif entry.summary:
        item.summary(entry.summary)
    item.content(entry.html, type="html")
    if rss:
        _add_rss_authors(item, entry)
    elif entry.authors:
        item.author([_atom_person(person) for person in entry.authors])
    for tag in entry.tags:
        item.category(term=tag)
    if entry.image:
        media: dict[str, str] = {"url": entry.image, "medium": "image"}
        kind = _media_type(entry.image)
        if kind:
            media["type"] = kind
        item.media.content(media, group=None)


def _rss_creators(entry: FeedEntry) -> tuple[str, ...]:
    """The names RSS gives as ``dc:creator``: all of them, unless the item has one author with
    an email, who goes into ``<author>`` (which the W3C validator wants to be an email address,
    given once, and not alongside ``dc:creator``)."""
    if len(entry.authors) == 1 and entry.authors[0].email:
        return ()
    return tuple(person.name for person in entry.authors)


def _add_rss_authors(item: FeedgenEntry, entry: FeedEntry) -> None:
    creators = _rss_creators(entry)
    if creators:
        item.dc.dc_creator(list(creators))
    elif entry.authors:
        person = entry.authors[0]
        item.author({"name": person.name, "email": person.email})


def _atom_person(person: Person) -> dict[str, str]:
    fields = {"name": person.name}
    if person.email:
        fields["email"] = person.email
    if person.url:
        fields["uri"] = person.url
    return fields


def _media_type(url: str) -> str | None:
    return IMAGE_TYPES.get(posixpath.splitext(urlsplit(url).path)[1].lower())
