"""The command line: parse, call, print one line per problem, return the exit status."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from feeds import __version__
from feeds.build import FeedBuild, build_feeds
from feeds.config import DEFAULT_CONFIG, Site, load_site
from feeds.errors import EXIT_BAD_INPUT, FeedsError
from feeds.output import write_outputs
from feeds.posts import load_posts

BUILD_EXAMPLE = """\
example:
  feeds build                       # feeds.toml here, content/ in, public/ out
  feeds build --config site.toml --out dist/feeds --drafts
"""
CHECK_EXAMPLE = """\
example:
  feeds check --strict              # fail on warnings too; writes nothing
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
    return top


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


def site_from_args(args: argparse.Namespace) -> Site:
    site = load_site(args.config)
    if args.content is not None:
        site = replace(site, content_dir=args.content)
    if getattr(args, "out", None) is not None:
        site = replace(site, output_dir=args.out)
    return site


def plan(args: argparse.Namespace, now: datetime) -> tuple[Site, FeedBuild]:
    site = site_from_args(args)
    loaded = load_posts(site.content_dir, site.tz)
    result = build_feeds(site, loaded, now, drafts=args.drafts, future=args.future)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return site, result


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
    return f"{result.posts_read} posts read, {result.posts_published} published{note}"


def run_build(args: argparse.Namespace, now: datetime) -> int:
    site, result = plan(args, now)
    if strict_failure(args, result):
        return EXIT_BAD_INPUT
    report = write_outputs(site.output_dir, result.files)
    print(
        f"{describe(result)}; {len(result.files)} feeds: {len(report.written)} written, "
        f"{len(report.unchanged)} unchanged, in {site.output_dir}"
    )
    return 0


def run_check(args: argparse.Namespace, now: datetime) -> int:
    _, result = plan(args, now)
    if strict_failure(args, result):
        return EXIT_BAD_INPUT
    print(f"{describe(result)}; {len(result.files)} feeds would be written; no problems found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
