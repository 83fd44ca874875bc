"""The command line: parse, call, print one line per problem, return the exit status."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from feeds.arguments import Arguments, parser
from feeds.config import Config, Site
from feeds.config_reader import check_folders, load_config, unknown_smtp_variables
from feeds.errors import EXIT_BAD_INPUT, DeliveryError, FeedsError, StrictError, UsageError
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


def main(argv: Sequence[str] | None = None, now: datetime | None = None) -> int:
    args = parser().parse_args(argv)
    clock = now or datetime.now(UTC)
    try:
        return int(COMMANDS[args.command](args, clock))
    except FeedsError as error:
        for line in error.lines():
            print(f"error: {one_line(line)}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def run() -> NoReturn:
    """The ``feeds`` command: ``main``, then the process ends without the interpreter's
    teardown, which frees a large build's objects one by one (tens of milliseconds at 10,000
    posts) for nothing. By then every file is written and closed and every worker process and
    thread is joined; only the standard streams may still hold output."""
    try:
        code = main()
    except BrokenPipeError:
        # Whoever read the output stopped (`feeds build | head -1`); what it did is done.
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            # A closed pipe (`feeds build | head`) or stream: what was not read is lost anyway.
            code = code or 1
    os._exit(code)


def one_line(text: str) -> str:
    """``text`` with line breaks and other unprintable characters escaped: a message is one
    line, whatever a file name or a value holds."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def config_from_args(args: Arguments) -> Config:
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


def build_options(args: Arguments) -> BuildOptions:
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


def command_init(args: Arguments, now: datetime) -> int:
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


def command_build(args: Arguments, now: datetime) -> int:
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


def command_check(args: Arguments, now: datetime) -> int:
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


def command_newsletter(args: Arguments, now: datetime) -> int:
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


def command_send(args: Arguments, now: datetime) -> int:
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


def command_subscribers(args: Arguments, now: datetime) -> int:
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


def command_bounces(args: Arguments, now: datetime) -> int:
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


def command_serve_subscriptions(args: Arguments, now: datetime) -> int:
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


def selection_from_args(args: Arguments, site: Site) -> Selection:
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
    run()


# Each command of ``arguments.parser`` and the function that runs it.
COMMANDS: dict[str, Callable[[Arguments, datetime], int]] = {
    "init": command_init,
    "build": command_build,
    "check": command_check,
    "newsletter": command_newsletter,
    "send": command_send,
    "subscribers": command_subscribers,
    "bounces": command_bounces,
    "serve-subscriptions": command_serve_subscriptions,
}
