"""A feed build: loaded posts in, every feed file's bytes out. Post bodies are read from their
files (or the render cache) as they are rendered; nothing is written here."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from feeds import __version__
from feeds.config import Site
from feeds.content.model import LoadedPosts, Post, group_by_tag, published
from feeds.content.render import render_key, render_posts
from feeds.errors import ContentError, ContentErrors, OutputError
from feeds.feed.formats import FORMATS
from feeds.feed.model import FeedEntry, FeedSpec, SelfLink, feed_entry, site_feed, tag_feed

# Bump when the feed writers change what they produce from the same inputs.
GENERATION = f"{__version__}/1"


@dataclass(frozen=True)
class FeedBuild:
    files: dict[str, bytes]
    posts_read: int
    posts_published: int
    drafts_left_out: int
    future_left_out: int
    warnings: tuple[str, ...]
    sections_skipped: int = 0
    template_tags_removed: int = 0
    unsafe_html_removed: int = 0
    bad_posts: int = 0
    render_keys: tuple[str, ...] = ()
    feed_keys: dict[str, str] = field(default_factory=dict)
    kept: tuple[str, ...] = ()


def build_feeds(
    site: Site,
    loaded: LoadedPosts,
    now: datetime,
    *,
    drafts: bool = False,
    future: bool = False,
    renders: dict[str, dict[str, Any]] | None = None,
    workers: int = 1,
    intact: Mapping[str, str] | None = None,
) -> FeedBuild:
    """Every feed file's bytes. Only posts that reach a feed are rendered, each once however
    many feeds carry it, taken from ``renders`` where it holds them. A feed whose key (a hash of
    everything it shows) is in ``intact`` — its files on disk are the ones made from that key —
    is not serialised again: its paths are listed in ``kept`` instead."""
    posts = published(loaded.posts, now, drafts=drafts, future=future)
    if not posts:
        raise ContentErrors(
            [
                ContentError(
                    site.content_dir,
                    None,
                    "no published posts (drafts and future posts "
                    "are left out unless --drafts or --future)",
                )
            ]
        )
    warnings = list(loaded.warnings)
    specs = [(site_feed(site), limit(posts, site.items_per_feed))]
    if site.tag_feeds:
        tags, tag_warnings = group_by_tag(posts)
        warnings.extend(tag_warnings)
        specs.extend((tag_feed(site, tag), limit(tag.posts, site.items_per_feed)) for tag in tags)
    needed = list({post.slug: post for _, members in specs for post in members}.values())
    rendered = dict(
        zip(
            (p.slug for p in needed),
            render_posts(needed, site, store=renders, workers=workers),
            strict=True,
        )
    )
    warnings.extend(warning for r in rendered.values() for warning in r.warnings)
    files: dict[str, bytes] = {}
    keys: dict[str, str] = {}
    kept: list[str] = []
    for spec, members in specs:
        entries = [feed_entry(rendered[post.slug]) for post in members]
        key = keys[spec.folder] = feed_key(spec, site, entries)
        if intact is not None and intact.get(spec.folder) == key:
            kept.extend(spec.path(kind.file_name) for kind in FORMATS)
            continue
        for kind in FORMATS:
            link = SelfLink(spec.url(site, kind.file_name), kind.media_type)
            add_output(files, spec.path(kind.file_name), kind.write(spec, site, entries, link))
    return FeedBuild(
        files=files,
        posts_read=len(loaded.posts),
        posts_published=len(posts),
        drafts_left_out=sum(1 for post in loaded.posts if post.draft and not drafts),
        future_left_out=sum(1 for post in loaded.posts if post.date > now and not future),
        warnings=tuple(warnings),
        sections_skipped=len(loaded.skipped),
        template_tags_removed=sum(r.template_tags_removed for r in rendered.values()),
        unsafe_html_removed=sum(r.unsafe_html_removed for r in rendered.values()),
        render_keys=tuple(filter(None, (render_key(post, site) for post in needed))),
        bad_posts=len({error.path for error in loaded.errors}),
        feed_keys=keys,
        kept=tuple(kept),
    )


def feed_key(spec: FeedSpec, site: Site, entries: Sequence[FeedEntry]) -> str:
    """A hash of everything a feed's files are made from: the writers are given only the
    spec, the site and the entries, and every field of each is hashed."""
    digest = hashlib.sha256(repr((GENERATION, spec, site)).encode("utf-8"))
    for entry in entries:
        digest.update(entry.key().encode("utf-8"))
    return digest.hexdigest()


def limit(posts: Sequence[Post], count: int) -> Sequence[Post]:
    return posts if count == 0 else posts[:count]


def add_output(files: dict[str, bytes], path: str, data: bytes) -> None:
    if path in files:
        raise OutputError(
            f"two outputs would be written to {path}; rename the tag or post that makes it"
        )
    files[path] = data
