"""The post model: a frozen ``Post`` per file, and the pure queries over posts (order, what is
published, tags)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from feeds.config import Person
from feeds.content.slugs import tag_slug
from feeds.errors import ContentError


@dataclass(frozen=True)
class Post:
    """One post as its frontmatter describes it; ``body`` is the Markdown source."""

    source: Path
    slug: str
    title: str
    date: datetime
    # None: not kept in memory; ``read_body`` reads it from ``source`` when a post is rendered.
    body: str | None = None
    description: str | None = None
    updated: datetime | None = None
    top: bool = False
    draft: bool = False
    image: str | None = None
    tags: tuple[str, ...] = ()
    pinned_id: str | None = None
    # Empty: the site's author (``[site.author]``) wrote it.
    authors: tuple[Person, ...] = ()
    # The URL path (from the site's base URL), worked out when the post is loaded; empty for a
    # post made in code, whose path then comes from the pattern (``permalinks.post_url``).
    path: str = ""
    # What follows the date in the computed ``tag:`` id when the slug is not the post's alone
    # (see ``permalinks.assign_ids``); empty: the slug.
    id_name: str = ""

    @property
    def last_modified(self) -> datetime:
        return max(self.date, self.updated) if self.updated else self.date


@dataclass(frozen=True)
class LoadedPosts:
    posts: tuple[Post, ...]
    warnings: tuple[str, ...] = field(default=())
    skipped: tuple[Path, ...] = field(default=())
    # Only with keep_going: the problems of the posts left out.
    errors: tuple[ContentError, ...] = field(default=())


def newest_first(posts: Iterable[Post]) -> list[Post]:
    """Newest first; equal dates by slug (then path), so the order never changes between runs."""
    by_slug = sorted(posts, key=lambda post: (post.slug, post.path, str(post.source)))
    # By the distance from a fixed instant: the same order as the dates', but each date's
    # offset is looked up once, not at every one of the sort's comparisons (seven times faster).
    return sorted(by_slug, key=lambda post: post.date - EPOCH, reverse=True)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def published(
    posts: Sequence[Post], now: datetime, *, drafts: bool = False, future: bool = False
) -> list[Post]:
    """The posts a reader may see at ``now``: no drafts or future posts unless asked for."""
    return [post for post in posts if (drafts or not post.draft) and (future or post.date <= now)]


@dataclass(frozen=True)
class Tag:
    """A tag's display name (as first written, newest post first), its folder slug, its posts."""

    name: str
    slug: str
    posts: tuple[Post, ...]


def group_by_tag(posts: Sequence[Post]) -> tuple[list[Tag], list[str]]:
    """Tags of ``posts`` (newest first), merged when their slugs match, with a warning
    where differently spelled tags (not just differently cased) end up in one feed."""
    names: dict[str, list[str]] = defaultdict(list)
    members: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        for name in post.tags:
            slug = tag_slug(name)
            if name not in names[slug]:
                names[slug].append(name)
            if not members[slug] or members[slug][-1] is not post:
                members[slug].append(post)
    warnings = []
    for slug, spellings in sorted(names.items()):
        distinct = sorted({name.casefold() for name in spellings})
        if len(distinct) > 1:
            listed = ", ".join(repr(name) for name in sorted(spellings))
            warnings.append(f"tags {listed} share the feed folder tags/{slug}/ and are merged")
    tags = [
        Tag(name=names[slug][0], slug=slug, posts=tuple(members[slug])) for slug in sorted(names)
    ]
    return tags, warnings
