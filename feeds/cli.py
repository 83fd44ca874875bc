"""The command line: parse, call, print one line per problem, return the exit status."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from feeds import __version__
from feeds.config import DEFAULT_CONFIG, Config, Site, load_config
from feeds.errors import EXIT_BAD_INPUT, FeedsError, UsageError
from feeds.output import write_outputs

# Only light modules are imported up here. The feed builder (feedgen, lxml, Markdown) and the
# newsletter (Jinja2, premailer) are imported by the commands that use them, so that a rebuild
# with nothing to do finishes before they would have loaded.

if TYPE_CHECKING:
    from feeds.build import FeedBuild
    from feeds.cache import BuildCache
    from feeds.discover import FoundFile
    from feeds.newsletter import Selection
    from feeds.posts import LoadedPosts

BUILD_EXAMPLE = """\
example:
  feeds build                       # feeds.toml here, content/ in, public/ out
  feeds build --config site.toml --out dist/feeds --drafts
"""
CHECK_EXAMPLE = """\
example:
  feeds check --strict              # fail on warnings too; writes nothing
"""
SEND_EXAMPLE = """\
example:
  feeds send --dry-run              # who would get what; nothing sent
  feeds send --to me@example.com    # one test copy; nothing recorded
  FEEDS_SMTP_PASSWORD=… feeds send  # the real thing (cron: see README)
"""
NEWSLETTER_EXAMPLE = """\
example:
  feeds newsletter                  # the latest 5 posts
  feeds newsletter --top 3 --full   # the three newest top posts, whole
  feeds newsletter --since 2025-01-01 --tag Email
"""


def main(argv: Sequence[str] | None = None, now: datetime | None = None) -> int:
    args = parser().parse_args(argv)
    clock = now or datetime.now(UTC)
    try:
        return int(args.run(args, clock))
    except FeedsError as error:
        for line in error.lines():
            print(f"error: {line}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="feeds",
        description="Build RSS, Atom and JSON feeds (and newsletters) from Markdown posts.",
        epilog="example:\n  feeds build\n  feeds check --strict\n\n"
        "Run 'feeds COMMAND --help' for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"feeds {__version__}")
    commands = top.add_subparsers(title="commands", required=True, metavar="COMMAND")

    build = commands.add_parser(
        "build",
        help="write the site and per-tag feeds",
        description="Read the posts, then write rss.xml, atom.xml and feed.json for the site "
        "and for every tag. Nothing is written if any post is broken.",
        epilog=BUILD_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_site_options(build)
    build.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: public/)")
    build.add_argument(
        "--cache", type=Path, metavar="DIR", help="build cache folder (default: .feeds-cache/)"
    )
    build.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    build.set_defaults(run=run_build)

    check = commands.add_parser(
        "check",
        help="validate the posts and settings; write nothing",
        description="Load and render everything a build would, report every problem, "
        "and write nothing.",
        epilog=CHECK_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_site_options(check)
    check.set_defaults(run=run_check)

    letter = commands.add_parser(
        "newsletter",
        help="write a newsletter issue: HTML, plain text and the .eml message",
        description="Choose posts, render templates/newsletter.html and .txt, inline the CSS, "
        "and write <date>-<name>.html, .txt and .eml under public/newsletter/.",
        epilog=NEWSLETTER_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_site_options(letter)
    add_selection_options(letter)
    letter.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: public/)")
    letter.set_defaults(run=run_newsletter)

    send = commands.add_parser(
        "send",
        help="send the posts not yet announced to every subscriber, once",
        description="Freeze the posts published since the last issue as a new issue (or resume "
        "an unfinished one) and deliver it to every subscriber not yet served, recording each "
        "delivery in the journal as the server accepts it. Safe to run from cron.",
        epilog=SEND_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_site_options(send)
    send.add_argument(
        "--subscribers", type=Path, metavar="FILE", help="subscriber CSV (email, name, token)"
    )
    send.add_argument("--state", type=Path, metavar="FILE", help="the send journal (SQLite)")
    preview = send.add_mutually_exclusive_group()
    preview.add_argument(
        "--dry-run", action="store_true", help="list who would get what; send and record nothing"
    )
    preview.add_argument(
        "--to", metavar="ADDRESS", help="send one test copy to ADDRESS; record nothing"
    )
    send.add_argument("--full", action="store_true", help="whole posts instead of summaries")
    send.add_argument("--templates", type=Path, metavar="DIR", help="templates folder")
    send.set_defaults(run=run_send)
    return top


def add_selection_options(command: argparse.ArgumentParser) -> None:
    mode = command.add_mutually_exclusive_group()
    mode.add_argument(
        "--latest", type=positive, metavar="N", help="the N newest posts (default: 5)"
    )
    mode.add_argument(
        "--top",
        type=positive,
        nargs="?",
        const=0,
        metavar="N",
        help="posts with topPost: true, newest first (default N: 5)",
    )
    mode.add_argument("--since", metavar="DATE", help="every post published after DATE")
    command.add_argument("--tag", metavar="TAG", help="only posts with this tag")
    command.add_argument("--full", action="store_true", help="whole posts instead of summaries")
    command.add_argument("--templates", type=Path, metavar="DIR", help="templates folder")
    command.add_argument(
        "--name", metavar="NAME", help="file name after the date (default: the mode)"
    )


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value


def add_site_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        metavar="FILE",
        help="settings file (default: feeds.toml)",
    )
    command.add_argument(
        "--content", type=Path, metavar="DIR", help="posts folder (default: content/)"
    )
    command.add_argument("--drafts", action="store_true", help="include posts with draft: true")
    command.add_argument("--future", action="store_true", help="include posts dated in the future")
    command.add_argument("--strict", action="store_true", help="treat warnings as errors")
    if command.prog.split()[-1] in ("build", "check"):
        command.add_argument(
            "--keep-going", action="store_true",
            help="build from the good posts, list the bad ones, exit 1",
        )  # fmt: skip


def config_from_args(args: argparse.Namespace) -> Config:
    config = load_config(args.config)
    site = config.site
    if args.content is not None:
        site = replace(site, content_dir=args.content)
    if getattr(args, "out", None) is not None:
        site = replace(site, output_dir=args.out)
    letter = config.newsletter
    if getattr(args, "templates", None) is not None:
        letter = replace(letter, templates_dir=args.templates)
    return replace(config, site=site, newsletter=letter)


def site_from_args(args: argparse.Namespace) -> Site:
    return config_from_args(args).site


def plan(
    args: argparse.Namespace,
    now: datetime,
    site: Site,
    cache: BuildCache | None = None,
    found: Sequence[FoundFile] | None = None,
) -> tuple[LoadedPosts, FeedBuild]:
    from feeds.build import build_feeds
    from feeds.posts import load_site_posts
    from feeds.workers import available_cores

    workers = available_cores()
    loaded = load_site_posts(
        site, keep_going=args.keep_going, cache=cache, workers=workers, found=found
    )
    for error in loaded.errors:
        print(f"error: {error}", file=sys.stderr)
    renders = cache.load_renders() if cache is not None else None
    intact = None
    if cache is not None:
        from feeds.feed import FEED_FILES

        intact = cache.intact_feeds(
            site.output_dir, lambda folder: [folder + name for name in FEED_FILES.values()]
        )
    # While the feeds are built, the loaded posts sit outside the collector's sight: they are
    # neither rescanned by every collection nor copied into each worker process it forks.
    gc.freeze()
    try:
        result = build_feeds(
            site,
            loaded,
            now,
            drafts=args.drafts,
            future=args.future,
            renders=renders,
            workers=workers,
            intact=intact,
        )
    finally:
        gc.unfreeze()
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return loaded, result


def strict_failure(args: argparse.Namespace, result: FeedBuild) -> bool:
    if args.strict and result.warnings:
        print(f"error: {len(result.warnings)} warning(s) and --strict is on", file=sys.stderr)
        return True
    return False


def describe(result: FeedBuild) -> str:
    left_out = []
    if result.drafts_left_out:
        left_out.append(f"{result.drafts_left_out} draft")
    if result.future_left_out:
        left_out.append(f"{result.future_left_out} future")
    note = f" ({', '.join(left_out)} left out)" if left_out else ""
    text = f"{result.posts_read} posts read, {result.posts_published} published{note}"
    if result.sections_skipped:
        text += f", {result.sections_skipped} section page(s) skipped"
    if result.template_tags_removed:
        text += f", {result.template_tags_removed} template tag(s) removed"
    if result.unsafe_html_removed:
        text += f", {result.unsafe_html_removed} unsafe HTML element(s) or attribute(s) removed"
    return text


def run_build(args: argparse.Namespace, now: datetime) -> int:
    config = config_from_args(args)
    site = config.site
    cache = None if args.no_cache else open_cache(args, config)
    found = None
    if cache is not None and site.content_dir.is_dir():
        from feeds.discover import find_posts

        found = find_posts(site.content_dir, site.content)
        if cache.unchanged(found, site.output_dir, now):
            print(
                f"nothing changed since the last build: {len(cache.files)} posts, "
                f"{len(cache.outputs)} feeds left as they are in {site.output_dir}"
            )
            return 0
    loaded, result = plan(args, now, site, cache, found)
    if strict_failure(args, result):
        return EXIT_BAD_INPUT
    report = write_outputs(site.output_dir, result.files)
    total = len(result.files) + len(result.kept)
    unchanged = len(report.unchanged) + len(result.kept)
    print(
        f"{describe(result)}; {total} feeds: {len(report.written)} written, "
        f"{unchanged} unchanged, in {site.output_dir}"
    )
    if cache is not None:
        save_cache(cache, site, loaded, result, now, args)
    return bad_posts_status(result)


def open_cache(args: argparse.Namespace, config: Config) -> BuildCache:
    from feeds.cache import BuildCache, cache_key

    folder = args.cache or config.source.parent / ".feeds-cache"
    flags = f"drafts={args.drafts} future={args.future} strict={args.strict} keep_going={args.keep_going}"
    return BuildCache.open(folder, cache_key(repr(config.site), flags))


def save_cache(
    cache: BuildCache,
    site: Site,
    loaded: LoadedPosts,
    result: FeedBuild,
    now: datetime,
    args: argparse.Namespace,
) -> None:
    outputs = {}
    for name in (*result.files, *result.kept):
        info = (site.output_dir / name).stat()
        outputs[name] = [info.st_size, info.st_mtime_ns]
    due = [
        post.date for post in loaded.posts if post.date > now and (args.drafts or not post.draft)
    ]
    next_publish = None if args.future or not due else min(due).isoformat()
    try:
        cache.save(outputs, next_publish, result.render_keys, result.feed_keys)
    except OSError as error:
        print(
            f"warning: could not save the build cache in {cache.folder}: {error}", file=sys.stderr
        )


def bad_posts_status(result: FeedBuild) -> int:
    """With --keep-going, the good posts were built; the bad ones still make the run fail."""
    if result.bad_posts:
        print(
            f"error: {result.bad_posts} post(s) left out because of the errors above",
            file=sys.stderr,
        )
        return 1
    return 0


def run_check(args: argparse.Namespace, now: datetime) -> int:
    _, result = plan(args, now, site_from_args(args))
    if strict_failure(args, result):
        return EXIT_BAD_INPUT
    problems = "no problems found" if not result.bad_posts else f"{result.bad_posts} bad post(s)"
    print(f"{describe(result)}; {len(result.files)} feeds would be written; {problems}")
    return bad_posts_status(result)


def run_newsletter(args: argparse.Namespace, now: datetime) -> int:
    # Imported here: jinja2, premailer and nh3 cost time that a feed build need not pay.
    from feeds.newsletter_build import build_newsletter

    config = config_from_args(args)
    site = config.site
    selection = selection_from_args(args, site)
    from feeds.posts import load_site_posts

    loaded = load_site_posts(site)
    result = build_newsletter(
        config, loaded, now, selection,
        full=args.full, name=args.name, drafts=args.drafts, future=args.future,
    )  # fmt: skip
    if result is None:
        for warning in loaded.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(f"nothing to send: {selection.describe()}; no newsletter written")
        return 0
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.strict and result.warnings:
        print(f"error: {len(result.warnings)} warning(s) and --strict is on", file=sys.stderr)
        return EXIT_BAD_INPUT
    write_outputs(site.output_dir, result.files)
    issue = result.issue
    html_name = next(name for name in result.files if name.endswith(".html"))
    print(
        f"newsletter of {len(issue.posts)} post(s): {site.output_dir / html_name[:-5]}.html, "
        f".txt, .eml (HTML {len(issue.html.encode('utf-8')) / 1024:.0f} KB); "
        f"subject: {issue.subject}"
    )
    return 0


def run_send(args: argparse.Namespace, now: datetime) -> int:
    from feeds.send import Reporter, SendRequest
    from feeds.send import run_send as send_job

    config = config_from_args(args)
    from feeds.posts import load_site_posts

    loaded = load_site_posts(config.site)
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    request = SendRequest(
        dry_run=args.dry_run,
        test_address=args.to,
        full=args.full,
        subscribers=args.subscribers,
        state=args.state,
    )
    report = Reporter(log=print, warn=print_warning, progress=progress_reporter())
    summary = send_job(config, loaded, now, request, report)
    if summary.issue is None:
        return 0
    if args.dry_run:
        print(
            f"dry run: {summary.issue} would go to {len(summary.sent)} subscriber(s), "
            f"{summary.skipped} already served; nothing sent, nothing recorded"
        )
        return 0
    if args.to:
        if summary.sent:
            print(f"test copy of {summary.issue} sent to {args.to}; nothing recorded")
            return 0
        print(f"error: test copy to {args.to} failed: {summary.failed[0][1]}", file=sys.stderr)
        return 1
    print(
        f"issue {summary.issue}: {len(summary.sent)} sent, {len(summary.failed)} failed, "
        f"{len(summary.deferred)} deferred, {summary.skipped} skipped (already served)"
    )
    for address, error in summary.failed:
        print(f"  failed: {address}: {error}")
    for address, error in summary.deferred:
        print(f"  deferred to the next run: {address}: {error}")
    if summary.error:
        print(f"error: {summary.error}; the next run resumes this issue", file=sys.stderr)
    return 0 if summary.ok else 1


def print_warning(text: str) -> None:
    print(f"warning: {text}", file=sys.stderr)


def progress_reporter() -> Callable[[int, int, str], None]:
    """A bar redrawn in place on a terminal; one plain line per message otherwise (cron, logs)."""
    if sys.stderr.isatty():

        def bar(done: int, total: int, address: str) -> None:
            filled = round(30 * done / total) if total else 30
            end = "\n" if done == total else ""
            print(
                f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}", end=end, file=sys.stderr
            )

        return bar

    def lines(done: int, total: int, address: str) -> None:
        print(f"{done}/{total} {address}", file=sys.stderr)

    return lines


def selection_from_args(args: argparse.Namespace, site: Site) -> Selection:
    from feeds.newsletter import Selection
    from feeds.posts import date_field

    since = None
    if args.since is not None:
        try:
            since = date_field(args.since, site.tz)
        except ValueError as error:
            raise UsageError(f"--since: {error}") from None
    return Selection(latest=args.latest, top=args.top, since=since, tag=args.tag)


if __name__ == "__main__":
    sys.exit(main())
