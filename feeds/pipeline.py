"""The build as a library call: settings and options in, a result to report out.

``build_site`` loads the posts, builds the feeds, writes them and keeps the cache; ``check_site``
does the same but writes nothing; ``make_newsletter`` writes one issue; ``send_newsletter`` runs
the send job. The CLI, the tests and any later ``serve`` call these and print what they return.

Only light modules are imported up here. The feed builder (feedgen, lxml, Markdown) and the
newsletter (Jinja2, premailer) are imported by the functions that use them, so that a rebuild
with nothing to do finishes before they would have loaded.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from feeds.cache import BuildCache, cache_key
from feeds.config import Config, Site
from feeds.content.files import FoundFile, find_posts
from feeds.errors import EXIT_BAD_INPUT, ContentError, ContentErrors, StrictError
from feeds.output import prune, remove_stale_temps, unused_folders, write_outputs
from feeds.workers import available_cores

if TYPE_CHECKING:
    from feeds.content.model import LoadedPosts
    from feeds.delivery.job import Reporter, SendRequest, SendSummary
    from feeds.feed.build import FeedBuild
    from feeds.newsletter.build import NewsletterBuild
    from feeds.newsletter.selection import Selection


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool = False
    future: bool = False
    strict: bool = False
    keep_going: bool = False
    # None: ``.feeds-cache`` beside the settings file.
    cache_dir: Path | None = None
    use_cache: bool = True
    # Remove the feeds of tags no post carries any more (see README: kept by default).
    prune: bool = False


@dataclass(frozen=True)
class BuildResult:
    """What a build or check did. ``feeds`` is None when nothing changed since the last build
    (then ``cached_posts`` and ``cached_feeds`` say what was left alone)."""

    feeds: FeedBuild | None
    # One line each: the problems of posts left out (--keep-going), then the warnings.
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    written: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    strict_failed: bool = False
    cached_posts: int = 0
    cached_feeds: int = 0
    cache_warning: str | None = None
    # Tag feed folders in the output that this build did not make ("tags/<slug>/").
    unused_tag_feeds: tuple[str, ...] = ()
    pruned: bool = False

    @property
    def status(self) -> int:
        if self.strict_failed:
            return EXIT_BAD_INPUT
        return 1 if self.feeds is not None and self.feeds.bad_posts else 0


def build_site(config: Config, options: BuildOptions, now: datetime) -> BuildResult:
    """Load, build, write, and remember what was built, unless nothing changed."""
    site = config.site
    cache = open_cache(config, options) if options.use_cache else None
    found = None
    if cache is not None and site.content_dir.is_dir():
        found = find_posts(site.content_dir, site.content)
        if cache.unchanged(found, site.output_dir, now):
            # A write killed earlier may have left a temporary file; it must not be deployed.
            remove_stale_temps(site.output_dir)
            unused = prune_unchanged(site, cache) if options.prune else []
            return BuildResult(
                feeds=None,
                cached_posts=len(cache.files),
                cached_feeds=len(cache.outputs),
                unused_tag_feeds=tuple(unused),
                pruned=options.prune,
            )
    loaded, built = plan(site, options, now, cache, found)
    result = BuildResult(
        feeds=built,
        errors=tuple(str(error) for error in loaded.errors),
        warnings=built.warnings,
        strict_failed=options.strict and bool(built.warnings),
    )
    if result.strict_failed:
        return result
    # Only once the build is known good: a refused build changes nothing in the output.
    remove_stale_temps(site.output_dir)
    report = write_outputs(site.output_dir, built.files)
    unused = unused_tag_feeds(site, built)
    if options.prune:
        from feeds.feed.formats import FILE_NAMES

        prune(site.output_dir, unused, FILE_NAMES)
    warning = save_cache(cache, site, loaded, built, now, options) if cache else None
    return BuildResult(
        feeds=built,
        errors=result.errors,
        warnings=result.warnings,
        written=report.written,
        unchanged=report.unchanged,
        cache_warning=warning,
        unused_tag_feeds=tuple(unused),
        pruned=options.prune,
    )


def prune_unchanged(site: Site, cache: BuildCache) -> list[str]:
    """--prune when nothing else changed: the last build's feed folders are the ones in use."""
    from feeds.feed.formats import FILE_NAMES

    unused = unused_folders(site.output_dir, "tags/", set(cache.feeds), FILE_NAMES)
    prune(site.output_dir, unused, FILE_NAMES)
    return unused


def unused_tag_feeds(site: Site, built: FeedBuild) -> list[str]:
    from feeds.feed.formats import FILE_NAMES

    return unused_folders(site.output_dir, "tags/", set(built.feed_keys), FILE_NAMES)


def check_site(config: Config, options: BuildOptions, now: datetime) -> BuildResult:
    """Everything a build does but write: every problem reported, no file touched."""
    loaded, built = plan(config.site, options, now)
    return BuildResult(
        feeds=built,
        errors=tuple(str(error) for error in loaded.errors),
        warnings=built.warnings,
        strict_failed=options.strict and bool(built.warnings),
    )


def plan(
    site: Site,
    options: BuildOptions,
    now: datetime,
    cache: BuildCache | None = None,
    found: Sequence[FoundFile] | None = None,
) -> tuple[LoadedPosts, FeedBuild]:
    from feeds.content.loader import load_site_posts
    from feeds.feed.build import build_feeds
    from feeds.feed.formats import FILE_NAMES

    workers = available_cores()
    loaded = load_site_posts(
        site, keep_going=options.keep_going, cache=cache, workers=workers, found=found
    )
    renders = cache.load_renders() if cache is not None else None
    intact = None
    if cache is not None:
        intact = cache.intact_feeds(
            site.output_dir, lambda folder: [folder + name for name in FILE_NAMES]
        )
    # While the feeds are built, the loaded posts sit outside the collector's sight: they are
    # neither rescanned by every collection nor copied into each worker process it forks.
    gc.freeze()
    try:
        try:
            built = build_feeds(
                site, loaded, now, drafts=options.drafts, future=options.future,
                renders=renders, workers=workers, intact=intact,
            )  # fmt: skip
        except ContentErrors as bad:
            # A body that cannot be rendered is found only now; --keep-going leaves its post
            # out as it does a post whose frontmatter is bad.
            if not options.keep_going:
                raise
            loaded = without_posts(loaded, bad.errors)
            built = build_feeds(
                site, loaded, now, drafts=options.drafts, future=options.future,
                renders=renders, workers=workers, intact=intact,
            )  # fmt: skip
    finally:
        gc.unfreeze()
    return loaded, built


def without_posts(loaded: LoadedPosts, errors: Sequence[ContentError]) -> LoadedPosts:
    bad = {error.path for error in errors}
    return replace(
        loaded,
        posts=tuple(post for post in loaded.posts if str(post.source) not in bad),
        errors=tuple(sorted((*loaded.errors, *errors), key=str)),
    )


def open_cache(config: Config, options: BuildOptions) -> BuildCache:
    folder = options.cache_dir or config.source.parent / ".feeds-cache"
    flags = (
        f"drafts={options.drafts} future={options.future} strict={options.strict} "
        f"keep_going={options.keep_going}"
    )
    return BuildCache.open(folder, cache_key(repr(config.site), flags))


def save_cache(
    cache: BuildCache,
    site: Site,
    loaded: LoadedPosts,
    built: FeedBuild,
    now: datetime,
    options: BuildOptions,
) -> str | None:
    """Remember what was built; a cache that cannot be saved only costs the next build time."""
    outputs = {}
    for name in (*built.files, *built.kept):
        info = (site.output_dir / name).stat()
        outputs[name] = [info.st_size, info.st_mtime_ns]
    due = [
        post.date for post in loaded.posts if post.date > now and (options.drafts or not post.draft)
    ]
    next_publish = None if options.future or not due else min(due).isoformat()
    try:
        cache.save(outputs, next_publish, built.render_keys, built.feed_keys)
    except OSError as error:
        return f"could not save the build cache in {cache.folder}: {error}"
    return None


@dataclass(frozen=True)
class NewsletterRequest:
    selection: Selection
    full: bool = False
    name: str | None = None
    drafts: bool = False
    future: bool = False
    strict: bool = False


@dataclass(frozen=True)
class NewsletterResult:
    """The issue written (None when no post matched), and the warnings of the run."""

    built: NewsletterBuild | None
    warnings: tuple[str, ...] = field(default=())
    strict_failed: bool = False


def make_newsletter(config: Config, request: NewsletterRequest, now: datetime) -> NewsletterResult:
    """Render one issue of the chosen posts and write its HTML, text and .eml."""
    # Imported here: jinja2, premailer and nh3 cost time that a feed build need not pay.
    from feeds.content.loader import load_site_posts
    from feeds.newsletter.build import build_newsletter

    loaded = load_site_posts(config.site)
    built = build_newsletter(
        config, loaded, now, request.selection,
        full=request.full, name=request.name, drafts=request.drafts, future=request.future,
    )  # fmt: skip
    if built is None:
        return NewsletterResult(built=None, warnings=loaded.warnings)
    if request.strict and built.warnings:
        return NewsletterResult(built=built, warnings=built.warnings, strict_failed=True)
    write_outputs(config.site.output_dir, built.files)
    return NewsletterResult(built=built, warnings=built.warnings)


def send_newsletter(
    config: Config, request: SendRequest, now: datetime, report: Reporter
) -> SendSummary:
    """Load the posts and run the send job (see ``delivery.job.run_send``)."""
    from feeds.content.loader import load_site_posts
    from feeds.delivery.job import run_send

    loaded = load_site_posts(config.site)
    for warning in loaded.warnings:
        report.warn(warning)
    if request.strict and loaded.warnings:
        raise StrictError(len(loaded.warnings), "nothing sent")
    return run_send(config, loaded, now, request, report)
