"""A feed build: loaded posts in, every feed file's bytes out. Post bodies are read from their
files (or the render cache) as they are rendered; nothing is written here."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from feeds import __version__
from feeds.config import Site
from feeds.content.model import LoadedPosts, Post, group_by_tag, published
from feeds.content.render import render_posts
from feeds.content.templating import prepare_templating
from feeds.errors import ContentError, ContentErrors, OutputError
from feeds.feed.formats import FORMATS
from feeds.feed.model import (
    FeedEntry,
    FeedSpec,
    SelfLink,
    feed_entry,
    site_feed,
    tag_feed,
    tie_breaks,
)
from feeds.workers import spread

# Bump when the feed writers change what they produce from the same inputs.
GENERATION = f"{__version__}/2"


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
    components_removed: int = 0
    template_tags_rendered: int = 0
    template_tags_unknown: int = 0
    # Files outside the site's include and data folders that templates read (include_relative).
    template_files: tuple[str, ...] = ()
    bad_posts: int = 0
    render_keys: tuple[str, ...] = ()
    feed_keys: dict[str, str] = field(default_factory=dict)
    kept: tuple[str, ...] = ()
    # The URL of every post some feed carries, sorted: what ``feeds check --site`` looks for.
    links: tuple[str, ...] = ()


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
    # Keyed by file: posts may share a slug (at different URLs).
    needed = list({post.source: post for _, members in specs for post in members}.values())
    # Before the rendering's worker processes fork: every pass over all the posts after a
    # fork writes (reference counts) to pages the fork marked copy-on-write, a fault per page.
    ties = tie_breaks(posts)
    drafts_left_out = sum(1 for post in loaded.posts if post.draft and not drafts)
    future_left_out = sum(1 for post in loaded.posts if post.date > now and not future)
    # Every loaded post's URL, not only the rendered ones': a post links to any other.
    templating = prepare_templating(site, loaded.posts)
    warnings.extend(templating.warnings)
    rendered = dict(
        zip(
            (p.source for p in needed),
            render_posts(needed, site, store=renders, workers=workers, templating=templating),
            strict=True,
        )
    )
    warnings.extend(warning for r in rendered.values() for warning in r.warnings)
    # One entry (and one key text) per post, however many feeds carry it.
    entries = {source: feed_entry(post, ties.get(source, 0)) for source, post in rendered.items()}
    entry_keys = {source: entry.key() for source, entry in entries.items()}
    keys: dict[str, str] = {}
    kept: list[str] = []
    jobs: list[FeedJob] = []
    for spec, members in specs:
        key = feed_key_of(spec, site, (entry_keys[post.source] for post in members))
        keys[spec.folder] = key
        if intact is not None and intact.get(spec.folder) == key:
            kept.extend(spec.path(kind.file_name) for kind in FORMATS)
        else:
            jobs.append((spec, [entries[post.source] for post in members]))
    files: dict[str, bytes] = {}
    for (spec, _), written in zip(jobs, serialise(site, jobs, workers), strict=True):
        for kind, data in zip(FORMATS, written, strict=True):
            add_output(files, spec.path(kind.file_name), data)
    return FeedBuild(
        files=files,
        posts_read=len(loaded.posts),
        posts_published=len(posts),
        drafts_left_out=drafts_left_out,
        future_left_out=future_left_out,
        warnings=tuple(warnings),
        sections_skipped=len(loaded.skipped),
        template_tags_removed=sum(r.template_tags_removed for r in rendered.values()),
        unsafe_html_removed=sum(r.unsafe_html_removed for r in rendered.values()),
        components_removed=sum(r.components_removed for r in rendered.values()),
        template_tags_rendered=sum(r.template_tags_rendered for r in rendered.values()),
        template_tags_unknown=sum(r.template_tags_unknown for r in rendered.values()),
        template_files=tuple(
            sorted(
                {
                    query.removeprefix("file:")
                    for r in rendered.values()
                    for query, _ in r.template_lookups
                    if query.startswith("file:")
                }
            )
        ),
        render_keys=tuple(r.cache_key for r in rendered.values() if r.cache_key is not None),
        bad_posts=len({error.post for error in loaded.errors}),
        feed_keys=keys,
        kept=tuple(kept),
        links=tuple(sorted({r.url for r in rendered.values()})),
    )


def merge_builds(builds: Sequence[FeedBuild]) -> FeedBuild:
    """The builds of a multilingual site's languages as one: their files sit in separate
    folders, their counts add up."""
    files: dict[str, bytes] = {}
    for built in builds:
        for path, data in built.files.items():
            add_output(files, path, data)
    return FeedBuild(
        files=files,
        posts_read=sum(b.posts_read for b in builds),
        posts_published=sum(b.posts_published for b in builds),
        drafts_left_out=sum(b.drafts_left_out for b in builds),
        future_left_out=sum(b.future_left_out for b in builds),
        warnings=tuple(warning for b in builds for warning in b.warnings),
        sections_skipped=sum(b.sections_skipped for b in builds),
        template_tags_removed=sum(b.template_tags_removed for b in builds),
        unsafe_html_removed=sum(b.unsafe_html_removed for b in builds),
        components_removed=sum(b.components_removed for b in builds),
        bad_posts=sum(b.bad_posts for b in builds),
        render_keys=tuple(key for b in builds for key in b.render_keys),
        feed_keys={folder: key for b in builds for folder, key in b.feed_keys.items()},
        kept=tuple(path for b in builds for path in b.kept),
        links=tuple(sorted({link for b in builds for link in b.links})),
    )


def feed_key(spec: FeedSpec, site: Site, entries: Sequence[FeedEntry]) -> str:
    """A hash of everything a feed's files are made from: the writers are given only the
    spec, the site and the entries, and every field of each is hashed."""
    return feed_key_of(spec, site, (entry.key() for entry in entries))


def feed_key_of(spec: FeedSpec, site: Site, entry_keys: Iterable[bytes]) -> str:
    """``feed_key`` from its entries' ``key()`` texts, which a build makes once per post."""
    digest = hashlib.sha256(repr((GENERATION, spec, site)).encode("utf-8"))
    for key in entry_keys:
        digest.update(key)
    return digest.hexdigest()


# A feed to write: its spec and its entries.
FeedJob = tuple[FeedSpec, Sequence[FeedEntry]]
# Below this many entries to write, a worker process costs more than it saves (a 10 KB post's
# entry takes about 0.2 ms in three formats; starting a worker about 10 ms).
PARALLEL_FROM = 200


def serialise(site: Site, jobs: Sequence[FeedJob], workers: int) -> list[tuple[bytes, ...]]:
    """Each feed's files, in ``FORMATS`` order, in the order of ``jobs``; spread over worker
    processes when there is enough to write. Forked workers inherit the jobs, so only feed
    numbers and the files' bytes cross between processes."""
    if sum(len(entries) for _, entries in jobs) < PARALLEL_FROM:
        workers = 1
    return spread(write_feed, (site, jobs), range(len(jobs)), workers)


def write_feed(shared: tuple[Site, Sequence[FeedJob]], index: int) -> tuple[bytes, ...]:
    """The files of the ``index``-th feed, one per format."""
    site, jobs = shared
    spec, entries = jobs[index]
    return tuple(
        kind.write(spec, site, entries, SelfLink(spec.url(site, kind.file_name), kind.media_type))
        for kind in FORMATS
    )


def limit(posts: Sequence[Post], count: int) -> Sequence[Post]:
    return posts if count == 0 else posts[:count]


def add_output(files: dict[str, bytes], path: str, data: bytes) -> None:
    if path in files:
        raise OutputError(
            f"two outputs would be written to {path}; rename the tag or post that makes it"
        )
    files[path] = data
