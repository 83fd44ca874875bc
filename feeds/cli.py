"""The command line: parse, call, print one line per problem, return the exit status."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from feeds import __version__
from feeds.config import (
    DEFAULT_CONFIG,
    Config,
    Site,
    check_folders,
    load_config,
    unknown_smtp_variables,
)
from feeds.errors import (
    EXIT_BAD_INPUT,
    DeliveryError,
    FeedsError,
    StrictError,
    UsageError,
    shown,
)
from feeds.pipeline import (
    BuildOptions,
    BuildResult,
    NewsletterRequest,
    build_site,
    check_site,
    make_newsletter,
    send_newsletter,
)

# Only light modules are imported up here (see feeds.pipeline): a rebuild with nothing to do
# finishes before the feed builder or the newsletter would have loaded.

if TYPE_CHECKING:
    from feeds.feed.build import FeedBuild
    from feeds.newsletter.selection import Selection

BUILD_EXAMPLE = """\
example:
  feeds build                       # feeds.toml here, content/ in, public/ out
  feeds build --config site.toml --out dist/feeds --drafts
"""
CHECK_EXAMPLE = """\
example:
  feeds check --strict              # fail on warnings too; writes nothing
  feeds check --site _site          # every feed link must be a page of the built blog
"""
SEND_EXAMPLE = """\
example:
  feeds send --dry-run              # who would get what; nothing sent
  feeds send --to me@example.com    # one test copy; nothing recorded
  FEEDS_SMTP_PASSWORD=… feeds send  # the real thing (cron: see README)
"""
SUBSCRIBERS_EXAMPLE = """\
example:
  feeds subscribers import subscribers.csv   # once: the journal holds the list from now on
  feeds subscribers add ada@example.com --name "Ada Example"
  feeds subscribers remove ada@example.com   # suppressed: no CSV brings it back
  feeds subscribers list
  feeds subscribers export > backup.csv
  feeds subscribers history ada@example.com  # who changed what, when, and how
"""
BOUNCES_EXAMPLE = """\
example:
  feeds bounces ~/Maildir/.bounces           # a Maildir folder
  feeds bounces /var/mail/newsletter         # an mbox file
"""
SERVE_EXAMPLE = """\
example:
  FEEDS_UNSUBSCRIBE_SECRET=… feeds serve-subscriptions --port 8081
  feeds serve-subscriptions --trusted-proxy 127.0.0.1   # behind nginx (see README)
"""
INIT_EXAMPLE = """\
example:
  feeds init                        # the blog here: write feeds.toml, then report
  feeds init ~/blog --print         # only show the settings it would write
  feeds init --force --templates    # replace feeds.toml; copy the newsletter templates
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
            print(f"error: {one_line(line)}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def one_line(text: str) -> str:
    """``text`` with line breaks and other unprintable characters escaped: a message is one
    line, whatever a file name or a value holds."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


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

    init = commands.add_parser(
        "init",
        help="write feeds.toml for an existing blog (Jekyll, Hugo, Eleventy, Next.js, Astro, …)",
        description="Recognise the blog's generator, read its settings and posts, and write "
        "DIR/feeds.toml with each value's source as a comment and a TODO for what is missing; "
        "then report the posts found, the first feed links and the <link> tags for <head>.",
        epilog=INIT_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    init.add_argument(
        "folder", nargs="?", type=Path, default=Path("."), metavar="DIR",
        help="the blog's folder (default: here)",
    )  # fmt: skip
    written = init.add_mutually_exclusive_group()
    written.add_argument("--force", action="store_true", help="replace an existing feeds.toml")
    written.add_argument(
        "--print", dest="print_only", action="store_true", help="only show it; write nothing"
    )
    init.add_argument(
        "--templates", action="store_true",
        help="copy the newsletter templates to DIR/templates and use them",
    )  # fmt: skip
    init.set_defaults(run=command_init)

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
    build.add_argument(
        "--prune", action="store_true",
        help="remove the feeds of tags no post uses any more (default: keep them for subscribers)",
    )  # fmt: skip
    build.set_defaults(run=command_build)

    check = commands.add_parser(
        "check",
        help="validate the posts and settings; write nothing",
        description="Load and render everything a build would, report every problem, "
        "and write nothing.",
        epilog=CHECK_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_site_options(check)
    check.add_argument(
        "--site", type=Path, metavar="DIR",
        help="the blog's built site (_site/, public/, out/, dist/): list feed links that are "
        "not its pages; exit 1 if any",
    )  # fmt: skip
    check.set_defaults(run=command_check)

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
    letter.set_defaults(run=command_newsletter)

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
    send.set_defaults(run=command_send)
    add_subscription_commands(commands)
    return top


def add_subscription_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", type=Path, default=DEFAULT_CONFIG, metavar="FILE",
        help="settings file (default: feeds.toml)",
    )  # fmt: skip
    common.add_argument("--state", type=Path, metavar="FILE", help="the send journal (SQLite)")

    roster = commands.add_parser(
        "subscribers",
        help="list, add, remove, import, export subscribers, or their history (in the journal)",
        description="The subscriber list in the send journal. Each change is recorded with who "
        "made it, when and how. Removed, bounced and complaining addresses stay suppressed "
        "whatever the CSV says, until they are added again on purpose.",
        epilog=SUBSCRIBERS_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = roster.add_subparsers(title="actions", required=True, metavar="ACTION")
    listing = actions.add_parser("list", parents=[common], help="every address and its status")
    listing.set_defaults(run=command_subscribers, action="list")
    add = actions.add_parser("add", parents=[common], help="subscribe EMAIL (again, on purpose)")
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--name", help="the subscriber's name")
    add.set_defaults(run=command_subscribers, action="add")
    remove = actions.add_parser("remove", parents=[common], help="unsubscribe EMAIL")
    remove.add_argument("email", metavar="EMAIL")
    remove.set_defaults(run=command_subscribers, action="remove")
    load = actions.add_parser(
        "import", parents=[common], help="add the new addresses of a CSV (email, name)"
    )
    load.add_argument("file", type=Path, metavar="FILE.csv")
    load.set_defaults(run=command_subscribers, action="import")
    export = actions.add_parser("export", parents=[common], help="the list as CSV on stdout")
    export.set_defaults(run=command_subscribers, action="export")
    log = actions.add_parser(
        "history", parents=[common], help="every change: when, what, who and how"
    )
    log.add_argument("email", metavar="EMAIL", nargs="?", help="only this address")
    log.set_defaults(run=command_subscribers, action="history")

    bounces = commands.add_parser(
        "bounces",
        help="suppress bounced, complaining and unsubscribing addresses from a mailbox",
        description="Read delivery-status notifications (RFC 3464), complaints (RFC 5965) and "
        "mail to the unsubscribe address from a Maildir or mbox, and suppress the addresses "
        "concerned. Each message is read once; run it from cron.",
        epilog=BOUNCES_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    bounces.add_argument("mailbox", type=Path, metavar="MAILDIR|MBOX")
    bounces.set_defaults(run=command_bounces)

    serve = commands.add_parser(
        "serve-subscriptions",
        help="serve the unsubscribe link and the sign-up form (WSGI, waitress)",
        description="Answer the List-Unsubscribe link (RFC 8058 one-click POST; a GET shows a "
        "confirmation button) and, with [delivery] signup_url, a double opt-in sign-up form. "
        "Needs FEEDS_UNSUBSCRIBE_SECRET.",
        epilog=SERVE_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=port_number, default=8081, help="port to listen on (default: 8081)"
    )
    serve.add_argument(
        "--trusted-proxy", metavar="ADDRESS",
        help="the reverse proxy whose X-Forwarded-For to trust",
    )  # fmt: skip
    serve.set_defaults(run=command_serve_subscriptions)


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
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a whole number of 1 or more")
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
    command.add_argument("--strict", action="store_true", help="treat warnings as errors")
    name = command.prog.split()[-1]
    # A send announces what readers can see: drafts and future posts never go to subscribers.
    if name != "send":
        command.add_argument("--drafts", action="store_true", help="include posts with draft: true")
        command.add_argument(
            "--future", action="store_true", help="include posts dated in the future"
        )
    if name in ("build", "check"):
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
    changed = site is not config.site or getattr(args, "state", None) is not None
    config = replace(config, site=site, newsletter=letter)
    if changed:
        check_folders(config, journal=getattr(args, "state", None))
    return config


def build_options(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(
        drafts=args.drafts,
        future=args.future,
        strict=args.strict,
        keep_going=args.keep_going,
        cache_dir=getattr(args, "cache", None),
        use_cache=not getattr(args, "no_cache", True),
        prune=getattr(args, "prune", False),
    )


def report_problems(result: BuildResult) -> None:
    for error in result.errors:
        print(f"error: {one_line(error)}", file=sys.stderr)
    for warning in result.warnings:
        print(f"warning: {one_line(warning)}", file=sys.stderr)
    if result.strict_failed:
        print(f"error: {len(result.warnings)} warning(s) and --strict is on", file=sys.stderr)


def bad_posts_line(result: BuildResult) -> None:
    """With --keep-going, the good posts were built; the bad ones still make the run fail."""
    if result.feeds is not None and result.feeds.bad_posts and not result.strict_failed:
        print(
            f"error: {result.feeds.bad_posts} post(s) left out because of the errors above",
            file=sys.stderr,
        )


def command_init(args: argparse.Namespace, now: datetime) -> int:
    from feeds.init.run import InitRequest, run_init

    request = InitRequest(
        folder=args.folder, force=args.force, print_only=args.print_only, templates=args.templates
    )
    result = run_init(request, now)
    if result.written:
        print(f"wrote {result.settings} ({result.generator} blog)")
    else:
        print(result.text, end="")
        print(f"--print: nothing written; {result.settings} would hold the above")
    for line in result.report:
        print(line)
    return 0


def command_build(args: argparse.Namespace, now: datetime) -> int:
    config = config_from_args(args)
    result = build_site(config, build_options(args), now)
    built = result.feeds
    if built is None:
        print(
            f"nothing changed since the last build: {result.cached_posts} posts, "
            f"{result.cached_feeds} feeds left as they are in {config.site.output_dir}"
            f"{unused_note(result)}"
        )
        return 0
    report_problems(result)
    if result.strict_failed:
        return result.status
    total = len(built.files) + len(built.kept)
    unchanged = len(result.unchanged) + len(built.kept)
    print(
        f"{describe(built)}; {total} feeds: {len(result.written)} written, "
        f"{unchanged} unchanged, in {config.site.output_dir}{unused_note(result)}"
    )
    if result.cache_warning:
        print(f"warning: {one_line(result.cache_warning)}", file=sys.stderr)
    bad_posts_line(result)
    return result.status


def unused_note(result: BuildResult) -> str:
    """The summary's word on the feeds of tags no post carries any more."""
    unused = result.unused_tag_feeds
    if not unused:
        return ""
    shown = ", ".join(folder.removeprefix("tags/").rstrip("/") for folder in unused[:5])
    more = f" and {len(unused) - 5} more" if len(unused) > 5 else ""
    if result.pruned:
        return f"; {len(unused)} unused tag feed(s) removed ({shown}{more})"
    return f"; {len(unused)} unused tag feed(s) kept ({shown}{more}; --prune removes them)"


def command_check(args: argparse.Namespace, now: datetime) -> int:
    if args.site is not None and not args.site.is_dir():
        raise UsageError(f"--site: {args.site} is not a folder (give the blog's built site)")
    result = check_site(config_from_args(args), build_options(args), now, args.site)
    report_problems(result)
    built = result.feeds
    if result.strict_failed or built is None:
        return result.status
    found = [f"{built.bad_posts} bad post(s)"] if built.bad_posts else []
    if result.missing_pages:
        found.append(f"{len(result.missing_pages)} feed link(s) not pages of the built site")
    problems = "; ".join(found) or "no problems found"
    print(f"{describe(built)}; {len(built.files)} feeds would be written; {problems}")
    if args.site is not None:
        report_pages(result, built, args.site)
    bad_posts_line(result)
    return result.status


def report_pages(result: BuildResult, built: FeedBuild, site: Path) -> None:
    missing = result.missing_pages
    if not missing:
        print(f"all {len(built.links)} feed links are pages of {site}")
        return
    for link in missing:
        print(f"error: {link}: no such page in {site} (no file, no sitemap entry)", file=sys.stderr)
    print(
        f"error: {len(missing)} of {len(built.links)} feed links are not pages of {site}",
        file=sys.stderr,
    )


def command_newsletter(args: argparse.Namespace, now: datetime) -> int:
    config = config_from_args(args)
    request = NewsletterRequest(
        selection=selection_from_args(args, config.site),
        full=args.full,
        name=args.name,
        drafts=args.drafts,
        future=args.future,
        strict=args.strict,
    )
    result = make_newsletter(config, request, now)
    for warning in result.warnings:
        print(f"warning: {one_line(warning)}", file=sys.stderr)
    if result.built is None:
        print(f"nothing to send: {request.selection.describe()}; no newsletter written")
        return 0
    if result.strict_failed:
        print(f"error: {len(result.warnings)} warning(s) and --strict is on", file=sys.stderr)
        return EXIT_BAD_INPUT
    issue = result.built.issue
    html_name = next(name for name in result.built.files if name.endswith(".html"))
    print(
        f"newsletter of {len(issue.posts)} post(s): {config.site.output_dir / html_name[:-5]}.html, "
        f".txt, .eml (HTML {len(issue.html.encode('utf-8')) / 1024:.0f} KB); "
        f"subject: {issue.subject}"
    )
    return 0


def command_send(args: argparse.Namespace, now: datetime) -> int:
    from feeds.delivery.job import Reporter, SendRequest
    from feeds.delivery.suppression import describe_suppressed

    config = config_from_args(args)
    unknown = unknown_smtp_variables(os.environ)
    for name in unknown:
        print_warning(f"{name} is not a setting, so it is ignored (see README: [smtp])")
    if args.strict and unknown:
        raise StrictError(len(unknown), "nothing frozen or sent")
    request = SendRequest(
        dry_run=args.dry_run,
        test_address=args.to,
        full=args.full,
        subscribers=args.subscribers,
        state=args.state,
        strict=args.strict,
    )
    report = Reporter(log=print, warn=print_warning, progress=progress_reporter())
    summary = send_newsletter(config, request, now, report)
    if not summary.issues:
        return 0
    if args.dry_run:
        if summary.suppressed:
            print(f"skipped {describe_suppressed(summary.suppressed)}: never mailed again")
        for issue in summary.issues:
            print(
                f"dry run: {issue.issue} would go to {len(issue.sent)} subscriber(s), "
                f"{issue.skipped} already served; nothing sent, nothing recorded"
            )
        return 0
    if args.to is not None:
        (test,) = summary.issues
        if test.sent:
            print(f"test copy of {test.issue} sent to {test.sent[0]}; nothing recorded")
            return 0
        print(f"error: test copy to {args.to} failed: {test.failed[0][1]}", file=sys.stderr)
        return 1
    for issue in summary.issues:
        print(
            f"issue {issue.issue}: {len(issue.sent)} sent, {len(issue.failed)} failed, "
            f"{len(issue.deferred)} deferred, {issue.skipped} skipped (already served)"
        )
        for address, error in issue.failed:
            print(f"  failed: {address}: {error}")
        for address, error in issue.deferred:
            print(f"  deferred to the next run: {address}: {error}")
    if summary.suppressed:
        print(f"skipped {describe_suppressed(summary.suppressed)}: never mailed again")
    if summary.error:
        print(f"error: {summary.error}; the next run resumes this issue", file=sys.stderr)
    return 0 if summary.ok else 1


def command_subscribers(args: argparse.Namespace, now: datetime) -> int:
    from feeds.delivery import roster
    from feeds.delivery.journal import Journal
    from feeds.delivery.subscribers import clean_name

    config = load_config(args.config)
    state = args.state or config.delivery.state
    change = roster.Change(actor=user(), how=f"feeds subscribers {args.action}", now=now)
    journal = Journal.open(state)
    try:
        if args.action == "list":
            rows = journal.roster()
            for line in roster.listing(rows):
                print(line)
            active = sum(row.status == "active" for row in rows)
            print(f"{len(rows)} address(es): {active} active, {len(rows) - active} suppressed")
        elif args.action == "export":
            sys.stdout.write(roster.export_csv(journal.roster()))
        elif args.action == "history":
            key = args.email.strip().casefold() if args.email else None
            for line in roster.history(journal.events(key)):
                print(line)
        elif args.action == "add":
            name = None
            if args.name is not None:
                # The same cleaning as a CSV's names: one header line, no encoded words.
                name, why = clean_name(args.name)
                if why:
                    print_warning(f"--name: {why}")
            before = roster.add(journal, args.email, name or None, change)
            print(f"{args.email}: active" + (f" (was {before})" if before else " (new)"))
        elif args.action == "remove":
            before = roster.remove(journal, args.email, change)
            state_now = before if before not in (None, "active") else "unsubscribed"
            print(f"{args.email}: {state_now}; never mailed again until added on purpose")
        else:
            change = replace(change, how=f"feeds subscribers import {args.file}")
            result = roster.import_csv(journal, args.file, change)
            for warning in result.warnings:
                print_warning(warning)
            for entry in result.suppressed:
                print(f"  kept suppressed: {entry}")
            print(
                f"{result.added} added, {result.already} already subscribed, "
                f"{len(result.suppressed)} suppressed and left so"
            )
    finally:
        journal.close()
    return 0


def command_bounces(args: argparse.Namespace, now: datetime) -> int:
    from feeds.delivery.bounces import process_mailbox
    from feeds.delivery.journal import Journal

    config = load_config(args.config)
    journal = Journal.open(args.state or config.delivery.state)
    try:
        summary = process_mailbox(args.mailbox, journal, config.delivery, now)
    finally:
        journal.close()
    for address, reason in summary.suppressed:
        print(f"  suppressed: {address} ({reason})")
    for address, count in summary.soft:
        print(f"  soft bounce: {address} ({count} in a row)")
    for warning in summary.warnings:
        print_warning(warning)
    print(
        f"{summary.read} message(s) read, {summary.already_read} read before, "
        f"{summary.ignored} not a bounce; {len(summary.suppressed)} address(es) suppressed"
    )
    return 0


def command_serve_subscriptions(args: argparse.Namespace, now: datetime) -> int:
    from feeds.delivery.endpoint import SubscriptionApp
    from feeds.delivery.server import Server

    config = load_config(args.config)
    if args.state is not None:
        config = replace(config, delivery=replace(config.delivery, state=args.state))
    # A server lives on: each request reads the clock itself.
    app = SubscriptionApp(config, clock=lambda: datetime.now(UTC))
    try:
        server = Server(app, args.host, args.port, args.trusted_proxy)
    except OSError as error:
        raise DeliveryError(
            f"cannot listen on {args.host}:{args.port}: {error.strerror or error} (is another "
            "server using that port? choose another with --port)"
        ) from None
    print(f"serving /unsubscribe{' and /subscribe' if config.delivery.signup_url else ''} "
          f"on http://{args.host}:{args.port}/ (Ctrl-C stops)", flush=True)  # fmt: skip
    server.run()
    return 0


def port_number(text: str) -> int:
    """A TCP port, 0 to 65535 (0: any free one)."""
    if not text.isascii() or not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return int(text)


def user() -> str:
    """Who runs the command, for the journal's record of each change."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown user"


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
    if result.template_tags_rendered:
        text += f", {result.template_tags_rendered} template tag(s) rendered"
    if result.template_tags_removed:
        text += f", {result.template_tags_removed} template tag(s) removed"
    if result.template_tags_unknown:
        text += f", {result.template_tags_unknown} unknown template tag(s) removed"
    if result.unsafe_html_removed:
        text += f", {result.unsafe_html_removed} unsafe HTML element(s) or attribute(s) removed"
    if result.components_removed:
        text += f", {result.components_removed} MDX component(s) removed, their text kept"
    return text


def print_warning(text: str) -> None:
    print(f"warning: {one_line(text)}", file=sys.stderr)


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
    from feeds.content.fields import date_field
    from feeds.newsletter.selection import Selection

    since = None
    if args.since is not None:
        try:
            since = date_field(args.since, site.tz)
        except ValueError as error:
            raise UsageError(f"--since: {error}") from None
    return Selection(latest=args.latest, top=args.top, since=since, tag=args.tag)


if __name__ == "__main__":
    sys.exit(main())
