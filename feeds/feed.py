"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 as bytes. The only module that imports feedgen.

feedgen's traps, each handled here and covered by a test: entries are prepended unless
``order="append"``; ``updated`` defaults to the clock; an Atom entry's enclosure link loses its
``rel`` and becomes a second alternate link (so the image goes out as ``media:content``); the
RSS channel ``<link>`` is the last link added (so the alternate is added last).
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from feedgen.feed import FeedGenerator

from feeds.config import Site
from feeds.posts import Tag
from feeds.render import RenderedPost

GENERATOR = "feeds"
FEED_FILES = {"rss": "rss.xml", "atom": "atom.xml", "json": "feed.json"}
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
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


@dataclass(frozen=True)
class FeedSpec:
    """What a feed is about, apart from its items: site-wide or one tag's."""

    title: str
    description: str
    home_url: str
    folder: str
    feed_id: str

    def url(self, site: Site, kind: str) -> str:
        return urljoin(site.base_url, self.folder + FEED_FILES[kind])

    def path(self, kind: str) -> str:
        return self.folder + FEED_FILES[kind]


def site_feed(site: Site) -> FeedSpec:
    return FeedSpec(
        title=site.title,
        description=site.description,
        home_url=site.base_url,
        folder="",
        feed_id=f"tag:{site.domain},{site.since}:feed",
    )


def tag_feed(site: Site, tag: Tag) -> FeedSpec:
    return FeedSpec(
        title=f"{site.title}: {tag.name}",
        description=f"Posts tagged “{tag.name}” on {site.title}",
        home_url=site.base_url,
        folder=f"tags/{tag.slug}/",
        feed_id=f"tag:{site.domain},{site.since}:tags/{tag.slug}",
    )


def rss(spec: FeedSpec, site: Site, entries: Sequence[RenderedPost]) -> bytes:
    builder = _builder(spec, site, entries, spec.url(site, "rss"), "application/rss+xml")
    if site.author.email:
        builder.managingEditor(f"{site.author.email} ({site.author.name})")
    return bytes(builder.rss_str(pretty=True))


def atom(spec: FeedSpec, site: Site, entries: Sequence[RenderedPost]) -> bytes:
    builder = _builder(spec, site, entries, spec.url(site, "atom"), "application/atom+xml")
    return bytes(builder.atom_str(pretty=True))


def json_feed(spec: FeedSpec, site: Site, entries: Sequence[RenderedPost]) -> bytes:
    author = {"name": site.author.name, "url": site.base_url}
    document: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": spec.title,
        "home_page_url": spec.home_url,
        "feed_url": spec.url(site, "json"),
        "description": spec.description,
        "language": site.language,
        "authors": [author],
        "items": [_json_item(entry) for entry in entries],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def newest_change(entries: Sequence[RenderedPost]) -> datetime:
    """The feed's own date: its newest item's, never the clock, so rebuilds are identical."""
    if not entries:
        raise ValueError("a feed needs at least one entry to take its date from")
    return max(entry.post.last_modified for entry in entries)


def _builder(
    spec: FeedSpec, site: Site, entries: Sequence[RenderedPost], self_url: str, self_type: str
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
    builder.pubDate(max(entry.post.date for entry in entries))
    # The alternate link goes last: feedgen makes the last link added the RSS channel <link>.
    builder.link(href=self_url, rel="self", type=self_type)
    builder.link(href=spec.home_url, rel="alternate", type="text/html")
    for entry in entries:
        _add_entry(builder, entry)
    return builder


def _add_entry(builder: FeedGenerator, entry: RenderedPost) -> None:
    post = entry.post
    item = builder.add_entry(order="append")
    item.id(entry.entry_id)
    item.guid(entry.entry_id, permalink=False)
    item.title(post.title)
    item.link(href=entry.url, rel="alternate")
    item.published(post.date)
    item.updated(post.last_modified)
    if entry.summary:
        item.summary(entry.summary)
    item.content(entry.html, type="html")
    for tag in post.tags:
        item.category(term=tag)
    if entry.image:
        media: dict[str, str] = {"url": entry.image, "medium": "image"}
        kind = _media_type(entry.image)
        if kind:
            media["type"] = kind
        item.media.content(media, group=None)


def _media_type(url: str) -> str | None:
    return IMAGE_TYPES.get(posixpath.splitext(urlsplit(url).path)[1].lower())


def _json_item(entry: RenderedPost) -> dict[str, Any]:
    post = entry.post
    item: dict[str, Any] = {
        "id": entry.entry_id,
        "url": entry.url,
        "title": post.title,
        "content_html": entry.html,
    }
    if entry.summary:
        item["summary"] = entry.summary
    if entry.image:
        item["image"] = entry.image
    item["date_published"] = post.date.isoformat()
    if post.updated:
        item["date_modified"] = post.last_modified.isoformat()
    if post.tags:
        item["tags"] = list(post.tags)
    return item
