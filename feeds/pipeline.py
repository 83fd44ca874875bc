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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from feeds.cache import BuildCache, cache_key, read_json, write_json
from feeds.config import Config, Site, language_sites
from feeds.content.files import FoundFile, find_posts
from feeds.content.siteroot import dependency_stamp, find_site_root
from feeds.errors import EXIT_BAD_INPUT, ContentError, ContentErrors, StrictError
from feeds.output import prune, remove_stale_temps, unused_folders, write_outputs

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
    # ``check --site``: the feed links that are no page of the built site.
    missing_pages: tuple[str, ...] = ()
    # Tag feed folders in the output that this build did not make ("tags/<slug>/").
    unused_tag_feeds: tuple[str, ...] = ()
    pruned: bool = False

    @property
    def status(self) -> int:
        if self.strict_failed:
            return EXIT_BAD_INPUT
        failed = self.feeds is not None and self.feeds.bad_posts
        return 1 if failed or self.missing_pages else 0


@dataclass(frozen=True)
class LanguagePlan:
    """One language's part of a build: None for ``loaded`` and ``built`` when its cache says
    nothing changed."""

    site: Site
    cache: BuildCache | None
    loaded: LoadedPosts | None = None
    built: FeedBuild | None = None


def build_site(config: Config, options: BuildOptions, now: datetime) -> BuildResult:
    """Load, build, write, and remember what was built, unless nothing changed. A multilingual
    site is built language by language, and nothing is written unless every one succeeds."""
    sites = language_sites(config.site)
    plans = [plan_language(config, site, options, now) for site in sites]
    done = [item for item in plans if item.loaded is not None and item.built is not None]
    if not done:
        # A write killed earlier may have left a temporary file; it must not be deployed.
        remove_stale_temps(config.site.output_dir)
        unused = prune_unchanged(plans) if options.prune else []
        return BuildResult(
            feeds=None,
            cached_posts=sum(len(item.cache.files) for item in plans if item.cache),
            cached_feeds=sum(len(item.cache.outputs) for item in plans if item.cache),
            unused_tag_feeds=tuple(unused),
            pruned=options.prune,
        )
    built = merged([item.built for item in done if item.built is not None])
    result = BuildResult(
        feeds=built,
        errors=tuple(str(error) for item in done if item.loaded for error in item.loaded.errors),
        warnings=built.warnings,
        strict_failed=options.strict and bool(built.warnings),
    )
    if result.strict_failed:
        return result
    # Only once the build is known good: a refused build changes nothing in the output.
    remove_stale_temps(config.site.output_dir)
    kept = [item for item in done if item.cache is not None]
    with ThreadPoolExecutor(max_workers=1) as writer:
        # While the outputs' fsyncs wait for the disk, this thread writes the cache's bulk.
        writing = writer.submit(write_outputs, config.site.output_dir, built.files)
        saved = [save_cache_contents(item) for item in kept]
        report = writing.result()
    unused = unused_tag_feeds(config.site.output_dir, sites, set(built.feed_keys))
    if options.prune:
        from feeds.feed.formats import FILE_NAMES

        prune(config.site.output_dir, unused, FILE_NAMES)
    warnings = [
        problem or save_cache(item, now, options) for item, problem in zip(kept, saved, strict=True)
    ]
    return replace(
        result,
        written=report.written,
        unchanged=report.unchanged,
        cache_warning=next((warning for warning in warnings if warning), None),
        unused_tag_feeds=tuple(unused),
        pruned=options.prune,
    )


def prune_unchanged(plans: Sequence[LanguagePlan]) -> list[str]:
    """--prune when nothing else changed: the last build's feed folders are the ones in use."""
    from feeds.feed.formats import FILE_NAMES

    sites = [item.site for item in plans]
    used = {folder for item in plans if item.cache for folder in item.cache.feeds}
    out_dir = sites[0].output_dir
    unused = unused_tag_feeds(out_dir, sites, used)
    prune(out_dir, unused, FILE_NAMES)
    return unused


def unused_tag_feeds(out_dir: Path, sites: Sequence[Site], used: set[str]) -> list[str]:
    """Tag feed folders in the output (of every language) that this build did not make."""
    from feeds.feed.formats import FILE_NAMES

    return [
        folder
        for site in sites
        for folder in unused_folders(out_dir, f"{site.language_folder}tags/", used, FILE_NAMES)
    ]


def plan_language(config: Config, site: Site, options: BuildOptions, now: datetime) -> LanguagePlan:
    cache = open_cache(config, options, site) if options.use_cache else None
    found = None
    if cache is not None and site.content_dir.is_dir():
        # A cache with no outputs on record (a first build) cannot say "nothing changed", and
        # each file's size and time are read with it then: the walk need not look them up.
        found = find_posts(site.content_dir, site.content, stat=bool(cache.outputs))
        if cache.unchanged([item for item in found if item.readable], site.output_dir, now):
            return LanguagePlan(site, cache)
    loaded, built = plan(site, options, now, cache, found)
    return LanguagePlan(site, cache, loaded, built)


def merged(builds: Sequence[FeedBuild]) -> FeedBuild:
    """One language's build as it is (so a single-language site is built exactly as before);
    several merged."""
    if len(builds) == 1:
        return builds[0]
    from feeds.feed.build import merge_builds

    return merge_builds(builds)


def check_site(
    config: Config, options: BuildOptions, now: datetime, built_site: Path | None = None
) -> BuildResult:
    """Everything a build does but write: every problem reported, no file touched. With
    ``built_site`` (the blog's generated site), every feed link must be one of its pages."""
    from feeds.sitecheck import missing_pages

    plans = [plan(site, options, now) for site in language_sites(config.site)]
    built = merged([item[1] for item in plans])
    missing: tuple[str, ...] = ()
    if built_site is not None:
        missing = tuple(missing_pages(built.links, config.site.base_url, built_site))
    return BuildResult(
        feeds=built,
        errors=tuple(str(error) for loaded, _ in plans for error in loaded.errors),
        warnings=built.warnings,
        strict_failed=options.strict and bool(built.warnings),
        missing_pages=missing,
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
    from feeds.workers import available_cores, bulk_allocation

    workers = available_cores()
    with bulk_allocation():
        loaded = load_site_posts(
            site, keep_going=options.keep_going, cache=cache, workers=workers, found=found
        )
        renders = cache.load_renders() if cache is not None else None
        intact = None
        if cache is not None:
            intact = cache.intact_feeds(
                site.output_dir, lambda folder: [folder + name for name in FILE_NAMES]
            )
        # While the feeds are built, the loaded posts sit outside the collector's sight: they
        # are neither rescanned by every collection nor copied into each worker process it
        # forks. Frozen before the collector is back on, they are never scanned at all (the
        # first collection would otherwise go through every one of them).
        gc.freeze()
    try:
        while True:
            try:
                built = build_feeds(
                    site, loaded, now, drafts=options.drafts, future=options.future,
                    renders=renders, workers=workers, intact=intact,
                )  # fmt: skip
            except ContentErrors as bad:
                # A body that cannot be rendered is found only now; --keep-going leaves its
                # post out as it does a post whose frontmatter is bad, and builds again: a
                # post that takes its place in a feed may be broken too. Each round removes
                # at least one post, so this ends.
                left = without_posts(loaded, bad.errors)
                if not options.keep_going or len(left.posts) == len(loaded.posts):
                    raise
                loaded = left
                continue
            return loaded, built
    finally:
        gc.unfreeze()


def without_posts(loaded: LoadedPosts, errors: Sequence[ContentError]) -> LoadedPosts:
    bad = {error.post for error in errors}
    return replace(
        loaded,
        posts=tuple(post for post in loaded.posts if str(post.source) not in bad),
        errors=tuple(sorted((*loaded.errors, *errors), key=str)),
    )


def open_cache(config: Config, options: BuildOptions, site: Site | None = None) -> BuildCache:
    site = site or config.site
    # Each language other than the default one keeps its own cache, in a folder of its own.
    folder = (options.cache_dir or config.source.parent / ".feeds-cache") / site.language_folder
    flags = (
        f"drafts={options.drafts} future={options.future} strict={options.strict} "
        f"keep_going={options.keep_going}"
    )
    stamp = template_stamp(site, folder)
    return BuildCache.open(folder, cache_key(repr(site), flags, stamp))


# The files the last build's templates read outside the include and data folders.
TEMPLATE_FILES = "template-files.json"


def template_stamp(site: Site, cache_folder: Path) -> str:
    """The files templates read besides the posts (data, includes, the site's settings, and
    what the last build read with include_relative), by name, size and time: in the cache
    key, so that editing one is never "nothing changed"."""
    if site.content.template_tags not in (None, "render"):
        return ""
    root = find_site_root(site.content_dir, site.site_root)
    parts = [dependency_stamp(root)]
    listed = read_json(cache_folder / TEMPLATE_FILES)
    if root is not None and isinstance(listed, list):
        for name in listed:
            try:
                info = (root.path / str(name)).stat()
                parts.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
            except OSError:
                parts.append(f"{name}:missing")
    return "\n".join(parts)


def save_cache_contents(item: LanguagePlan) -> str | None:
    """Remember what was parsed and rendered; a cache that cannot be saved only costs the
    next build time."""
    assert item.cache is not None and item.built is not None
    try:
        item.cache.save_contents(item.built.render_keys)
    except (OSError, ValueError) as error:
        return f"could not save the build cache in {item.cache.folder}: {error}"
    return None


def save_cache(item: LanguagePlan, now: datetime, options: BuildOptions) -> str | None:
    """Remember what was built, once the outputs are written (``save_cache_contents`` came
    first); a cache that cannot be saved only costs the next build time."""
    cache, site, loaded, built = item.cache, item.site, item.loaded, item.built
    assert cache is not None and loaded is not None and built is not None
    outputs = {}
    for name in (*built.files, *built.kept):
        info = (site.output_dir / name).stat()
        outputs[name] = [info.st_size, info.st_mtime_ns]
    due = [
        post.date for post in loaded.posts if post.date > now and (options.drafts or not post.draft)
    ]
    next_publish = None if options.future or not due else min(due).isoformat()
    try:
        # Before the state: a list saved without its state only costs a rebuild.
        cache.folder.mkdir(parents=True, exist_ok=True)
        write_json(cache.folder / TEMPLATE_FILES, list(built.template_files))
        cache.save_state(outputs, next_publish, built.feed_keys)
    except (OSError, ValueError) as error:
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
