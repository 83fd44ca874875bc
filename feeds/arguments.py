"""The command line's grammar: every command and option, its help and an example. The CLI
(``cli.py``) runs what is parsed here; README's command-line block is checked against it."""

from __future__ import annotations

import argparse
from pathlib import Path

from feeds import __version__
from feeds.config import DEFAULT_CONFIG
from feeds.errors import shown

# What a parse gives: the CLI reads the options by name.
Arguments = argparse.Namespace


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
    init.set_defaults(command="init")

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
    build.set_defaults(command="build")

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
    check.set_defaults(command="check")

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
    letter.set_defaults(command="newsletter")

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
    send.set_defaults(command="send")
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
    listing.set_defaults(command="subscribers", action="list")
    add = actions.add_parser("add", parents=[common], help="subscribe EMAIL (again, on purpose)")
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--name", help="the subscriber's name")
    add.set_defaults(command="subscribers", action="add")
    remove = actions.add_parser("remove", parents=[common], help="unsubscribe EMAIL")
    remove.add_argument("email", metavar="EMAIL")
    remove.set_defaults(command="subscribers", action="remove")
    load = actions.add_parser(
        "import", parents=[common], help="add the new addresses of a CSV (email, name)"
    )
    load.add_argument("file", type=Path, metavar="FILE.csv")
    load.set_defaults(command="subscribers", action="import")
    export = actions.add_parser("export", parents=[common], help="the list as CSV on stdout")
    export.set_defaults(command="subscribers", action="export")
    log = actions.add_parser(
        "history", parents=[common], help="every change: when, what, who and how"
    )
    log.add_argument("email", metavar="EMAIL", nargs="?", help="only this address")
    log.set_defaults(command="subscribers", action="history")

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
    bounces.set_defaults(command="bounces")

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
    serve.set_defaults(command="serve-subscriptions")


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


def port_number(text: str) -> int:
    """A TCP port, 0 to 65535 (0: any free one)."""
    if not text.isascii() or not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a port number (0 to 65535)")
    return int(text)
