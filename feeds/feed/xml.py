"""RSS 2.0 and Atom 1.0 as bytes. The only module that imports feedgen.

feedgen's traps, each handled here and covered by a test: entries are prepended unless
``order="append"``; ``updated`` defaults to the clock; an Atom entry's enclosure link loses its
``rel`` and becomes a second alternate link (so the image goes out as ``media:content``); the
RSS channel ``<link>`` is the last link added (so the alternate is added last).
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator

from feeds.config import Site
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
    builder = _builder(spec, site, entries, link)
    if site.author.email:
        builder.managingEditor(f"{site.author.email} ({site.author.name})")
    return bytes(builder.rss_str(pretty=True))


def atom(spec: FeedSpec, site: Site, entries: Sequence[FeedEntry], link: SelfLink) -> bytes:
    builder = _builder(spec, site, entries, link)
    return bytes(builder.atom_str(pretty=True))


def _builder(
    spec: FeedSpec, site: Site, entries: Sequence[FeedEntry], link: SelfLink
) -> FeedGenerator:
    builder = FeedGenerator()
    builder.load_extension("media", atom=True, rss=True)
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
        _add_entry(builder, entry)
    return builder


def _add_entry(builder: FeedGenerator, entry: FeedEntry) -> None:
    item = builder.add_entry(order="append")
    item.id(entry.entry_id)
    item.guid(entry.entry_id, permalink=False)
    item.title(entry.title)
    item.link(href=entry.url, rel="alternate")
    item.published(entry.published)
    item.updated(entry.last_modified)
    if entry.summary:
        item.summary(entry.summary)
    item.content(entry.html, type="html")
    # One call with every tag: feedgen rebuilds its whole category list on each call, so one
    # call per tag was quadratic per item (and cubic over a post's tag feeds).
    if entry.tags:
        item.category([{"term": tag} for tag in entry.tags])
    if entry.image:
        media: dict[str, str] = {"url": entry.image, "medium": "image"}
        kind = _media_type(entry.image)
        if kind:
            media["type"] = kind
        item.media.content(media, group=None)


def _media_type(url: str) -> str | None:
    return IMAGE_TYPES.get(posixpath.splitext(urlsplit(url).path)[1].lower())
