"""What a feed writer is given: the feed's own description (``FeedSpec``) and its items
(``FeedEntry``). Writers read nothing else, so a feed's cache key — a hash of these values —
covers everything a feed shows by construction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from urllib.parse import urljoin

from feeds.config import Site
from feeds.content.model import Tag
from feeds.content.render import RenderedPost


@dataclass(frozen=True)
class FeedSpec:
    """What a feed is about, apart from its items: site-wide or one tag's."""

    title: str
    description: str
    home_url: str
    folder: str
    feed_id: str

    def url(self, site: Site, file_name: str) -> str:
        return urljoin(site.base_url, self.folder + file_name)

    def path(self, file_name: str) -> str:
        return self.folder + file_name


@dataclass(frozen=True)
class SelfLink:
    """Where a feed file will be served, and as what: its own ``rel="self"`` link."""

    url: str
    media_type: str


@dataclass(frozen=True)
class FeedEntry:
    """One item as every format shows it; a writer needs nothing more."""

    entry_id: str
    url: str
    title: str
    published: datetime
    # The frontmatter's own update date, if any; ``last_modified`` is the later of the two.
    updated: datetime | None
    summary: str
    html: str
    image: str | None
    tags: tuple[str, ...]

    @property
    def last_modified(self) -> datetime:
        return max(self.published, self.updated) if self.updated else self.published

    def key(self) -> str:
        """Every field, in order: what the feed's cache key hashes. (``astuple`` would say the
        same, deep-copying every field first: a fifth of a cold build's feed time.)"""
        return repr(tuple(getattr(self, item.name) for item in fields(self)))


def feed_entry(rendered: RenderedPost) -> FeedEntry:
    post = rendered.post
    return FeedEntry(
        entry_id=rendered.entry_id,
        url=rendered.url,
        title=post.title,
        published=post.date,
        updated=post.updated,
        summary=rendered.summary,
        html=rendered.html,
        image=rendered.image,
        tags=post.tags,
    )


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


def newest_change(entries: Sequence[FeedEntry]) -> datetime:
    """The feed's own date: its newest item's, never the clock, so rebuilds are identical."""
    if not entries:
        raise ValueError("a feed needs at least one entry to take its date from")
    return max(entry.last_modified for entry in entries)
