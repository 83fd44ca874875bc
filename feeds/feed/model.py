"""What a feed writer is given: the feed's own description (``FeedSpec``) and its items
(``FeedEntry``). Writers read nothing else, so a feed's cache key — a hash of these values —
covers everything a feed shows by construction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

from feeds.config import Person, Site
from feeds.content.model import Post, Tag
from feeds.content.render import RenderedPost
from feeds.jsontext import compact


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
    # The frontmatter's own update date, if any, moved on by the seconds of ``tie_breaks``;
    # ``last_modified`` is the later of the two.
    updated: datetime | None
    summary: str
    html: str
    image: str | None
    tags: tuple[str, ...]
    # Empty: the site's author, which every format states once for the whole feed.
    authors: tuple[Person, ...] = ()

    @property
    def last_modified(self) -> datetime:
        return max(self.published, self.updated) if self.updated else self.published

    def key(self) -> bytes:
        """Every field, in order, as JSON (dates with their offsets, authors field by field):
        what the feed's cache key hashes. ``repr`` would say the same at ten times the cost
        (it escapes the whole HTML in Python), ``astuple`` after deep-copying every field."""
        return compact([getattr(self, item.name) for item in fields(self)])


def feed_entry(rendered: RenderedPost, tie_break: int = 0) -> FeedEntry:
    """The entry of a rendered post; ``tie_break`` seconds (see ``tie_breaks``) move its last
    change on, as an update: published dates always stay as written."""
    post = rendered.post
    updated = post.updated
    if tie_break:
        updated = post.last_modified + timedelta(seconds=tie_break)
    return FeedEntry(
        entry_id=rendered.entry_id,
        url=rendered.url,
        title=post.title,
        published=post.date,
        updated=updated,
        summary=rendered.summary,
        html=rendered.html,
        image=rendered.image,
        tags=post.tags,
        authors=post.authors,
    )


def tie_breaks(posts: Iterable[Post]) -> dict[Path, int]:
    """Seconds to add to the last change of posts that share it with another post, by file.

    Two posts dated by day only (or at the same instant) would give two Atom entries the same
    ``updated``, which the W3C validator warns about (DuplicateUpdated) and some aggregators
    read as one entry. Within each such group, taken in feed order (``posts`` is newest first,
    equal dates by slug), the last post keeps its time and each one above it gets one second
    more than the one below, skipping instants another post already has: the times then sort
    exactly as the feed lists the posts, and the same posts always get the same seconds.
    Posts whose last change is unique get nothing, so their feeds are unchanged."""
    ordered = list(posts)
    groups: dict[datetime, list[Post]] = defaultdict(list)
    for post in ordered:
        groups[post.last_modified].append(post)
    taken = set(groups)
    breaks: dict[Path, int] = {}
    for instant, members in groups.items():
        if len(members) == 1:
            continue
        seconds = 0
        for post in reversed(members[:-1]):
            seconds += 1
            while instant + timedelta(seconds=seconds) in taken:
                seconds += 1
            taken.add(instant + timedelta(seconds=seconds))
            breaks[post.source] = seconds
    return breaks


def site_feed(site: Site) -> FeedSpec:
    # A language other than the default one has its feeds, and their ids, under its folder.
    folder = site.language_folder
    return FeedSpec(
        title=site.title,
        description=site.description,
        home_url=urljoin(site.base_url, folder),
        folder=folder,
        feed_id=f"tag:{site.domain},{site.since}:{folder}feed",
    )


def tag_feed(site: Site, tag: Tag) -> FeedSpec:
    folder = site.language_folder
    return FeedSpec(
        title=f"{site.title}: {tag.name}",
        description=f"Posts tagged “{tag.name}” on {site.title}",
        home_url=urljoin(site.base_url, folder),
        folder=f"{folder}tags/{tag.slug}/",
        feed_id=f"tag:{site.domain},{site.since}:{folder}tags/{tag.slug}",
    )


def newest_change(entries: Sequence[FeedEntry]) -> datetime:
    """The feed's own date: its newest item's, never the clock, so rebuilds are identical."""
    if not entries:
        raise ValueError("a feed needs at least one entry to take its date from")
    return max(entry.last_modified for entry in entries)
