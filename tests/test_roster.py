"""``feeds subscribers`` and the suppression list: audited changes in the journal, and a CSV
that can bring new readers in but never bring a suppressed one back."""

from __future__ import annotations

import getpass
import sqlite3
from pathlib import Path

import pytest

from feeds.delivery.journal import MIGRATIONS, SCHEMA_VERSION, Journal
from feeds.delivery.suppression import hard_bounce

from .cli import run_cli
from .conftest import Blog
from .subscriptions import events, sink, statuses
from .test_send import Recorder, send, setup

__all__ = ["sink"]


def subscribers(blog: Blog, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(["subscribers", *args, "--config", str(blog.config)], capsys)


def add_post(blog: Blog) -> None:
    blog.post("2021-03-01-third.md", "---\ntitle: Third\ndate: 2021-03-01\n---\nMore.\n")


def test_the_csv_re_listing_a_suppressed_address_does_not_bring_it_back(
    blog: Blog, sink: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = sink
    setup(blog, port)
    assert send(blog, capsys)[0] == 0
    code, out, _ = subscribers(blog, capsys, "remove", "Reader00@Example.com")
    assert (code, out) == (
        0,
        "Reader00@Example.com: unsubscribed; never mailed again until added on purpose\n",
    )

    # An import of the same CSV, and the CSV itself at send time, leave it suppressed.
    code, out, _ = subscribers(blog, capsys, "import", str(blog.root / "subscribers.csv"))
    assert out.splitlines() == [
        "  kept suppressed: reader00@example.com (unsubscribed)",
        "2 added, 0 already subscribed, 1 suppressed and left so",
    ]
    add_post(blog)
    recorder.messages.clear()
    code, out, _ = send(blog, capsys)
    assert code == 0
    assert sorted(recorder.count()) == ["reader01@example.com", "reader02@example.com"]
    assert "skipped 1 suppressed (1 unsubscribed): never mailed again" in out
    assert statuses(blog)["reader00@example.com"] == "unsubscribed"


def test_adding_a_suppressed_address_on_purpose_brings_it_back(
    blog: Blog, sink: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = sink
    setup(blog, port)
    subscribers(blog, capsys, "remove", "reader00@example.com")
    code, out, _ = subscribers(blog, capsys, "add", "reader00@example.com", "--name", "Back Again")
    assert (code, out) == (0, "reader00@example.com: active (was unsubscribed)\n")
    assert send(blog, capsys)[0] == 0
    (message,) = recorder.parsed("reader00@example.com")
    # The CSV's row comes first for the name; the roster's name serves addresses not in it.
    assert message["To"] == "Reader 0 <reader00@example.com>"


def test_every_change_is_audited_with_who_when_and_how(
    blog: Blog, sink: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    setup(blog, sink[1])
    subscribers(blog, capsys, "add", "ada@example.com", "--name", "Ada")
    subscribers(blog, capsys, "remove", "ada@example.com")
    who = getpass.getuser()
    assert events(blog) == [
        ("ada@example.com", "active", who, "feeds subscribers add"),
        ("ada@example.com", "unsubscribed", who, "feeds subscribers remove"),
    ]


def test_history_shows_the_audit(
    blog: Blog, sink: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    setup(blog, sink[1])
    subscribers(blog, capsys, "add", "ada@example.com")
    subscribers(blog, capsys, "add", "bo@example.com")
    subscribers(blog, capsys, "remove", "Ada@example.com")
    code, out, _ = subscribers(blog, capsys, "history", "ADA@example.com")
    who = getpass.getuser()
    assert (code, out.splitlines()) == (0, [
        f"2026-11-27T12:00:00+00:00  ada@example.com  active  by {who} (feeds subscribers add)",
        f"2026-11-27T12:00:00+00:00  ada@example.com  unsubscribed  by {who} (feeds subscribers remove)",
    ])  # fmt: skip
    assert len(subscribers(blog, capsys, "history")[1].splitlines()) == 3


def test_list_and_export_show_each_address_with_its_status(
    blog: Blog, sink: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    setup(blog, sink[1])
    subscribers(blog, capsys, "add", "ada@example.com", "--name", "Ada Example")
    subscribers(blog, capsys, "add", "bo@example.com")
    subscribers(blog, capsys, "remove", "bo@example.com")
    code, out, _ = subscribers(blog, capsys, "list")
    assert code == 0
    assert out.splitlines() == [
        "ada@example.com  active        2026-11-27  Ada Example",
        "bo@example.com   unsubscribed  2026-11-27",
        "2 address(es): 1 active, 1 suppressed",
    ]
    code, out, _ = subscribers(blog, capsys, "export")
    assert out.splitlines() == [
        "email,name,status,changed_at",
        "ada@example.com,Ada Example,active,2026-11-27T12:00:00+00:00",
        "bo@example.com,,unsubscribed,2026-11-27T12:00:00+00:00",
    ]


def test_once_the_journal_has_a_roster_no_csv_is_needed(
    blog: Blog, sink: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = sink
    setup(blog, port)
    subscribers(blog, capsys, "import", str(blog.root / "subscribers.csv"))
    text = blog.config.read_text(encoding="utf-8").replace('subscribers = "subscribers.csv"\n', "")
    blog.config.write_text(text, encoding="utf-8")
    (blog.root / "subscribers.csv").unlink()
    assert send(blog, capsys)[0] == 0
    assert len(recorder.count()) == 3


def test_a_bad_address_is_one_error_line(
    blog: Blog, sink: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    setup(blog, sink[1])
    code, _, err = subscribers(blog, capsys, "add", "not-an-address")
    assert (code, err) == (
        2,
        "error: 'not-an-address' is not an email address like 'jane@example.com'\n",
    )
    assert statuses(blog) == {}


def test_a_hard_5xx_at_send_time_suppresses_the_address(
    blog: Blog, sink: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = sink
    setup(blog, port)
    recorder.plan["reader01@example.com"] = ["550 5.1.1 No such user"]
    recorder.plan["reader02@example.com"] = ["552 5.3.4 Message too big"]
    assert send(blog, capsys)[0] == 1
    assert statuses(blog) == {"reader01@example.com": "bounced"}
    assert events(blog)[0][2:] == ("feeds send", "SMTP refusal: 550 5.1.1 No such user")

    add_post(blog)
    recorder.messages.clear()
    code, out, _ = send(blog, capsys)
    assert code == 0
    assert sorted(recorder.count()) == ["reader00@example.com", "reader02@example.com"]
    assert "skipped 1 suppressed (1 bounced): never mailed again" in out


def test_dry_run_leaves_out_the_suppressed_too(
    blog: Blog, sink: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    setup(blog, sink[1])
    subscribers(blog, capsys, "remove", "reader01@example.com")
    code, out, _ = send(blog, capsys, "--dry-run")
    assert code == 0
    assert "  to reader01@example.com" not in out
    assert "skipped 1 suppressed (1 unsubscribed): never mailed again" in out


@pytest.mark.parametrize(
    ("reply", "hard"),
    [
        ("550 5.1.1 No such user", True),
        ("550 5.1.10 Recipient address rejected", True),
        ("551 User not local", True),
        ("550 Mailbox unavailable", True),
        ("554 5.7.1 Message refused as spam", False),
        ("552 5.3.4 Message too big", False),
        ("554 Transaction failed", False),
        ("452 4.2.2 Mailbox full", False),
        ("Connection reset by peer", False),
        (None, False),
    ],
)
def test_which_smtp_refusals_are_hard_bounces(reply: str | None, hard: bool) -> None:
    assert hard_bounce(reply) is hard


def test_a_journal_of_the_first_schema_is_migrated_and_keeps_its_issues(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[1] + "; PRAGMA user_version = 1;")
        db.execute(
            "INSERT INTO issues (stem, subject, html, text, sent_date, created_at) "
            "VALUES ('2021-01-01-issue', 's', 'h', 't', '2021-01-01T00:00:00+00:00', '2021-01-01T00:00:00+00:00')"
        )
    journal = Journal.open(path)
    try:
        assert journal.db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert journal.open_issues() != []
        assert journal.roster() == [] and journal.suppressed() == {}
    finally:
        journal.close()


@pytest.mark.parametrize(
    ("given", "kept", "warning"),
    [("N" * 2000, "N" * 100, "the name is cut to 100 characters"),
     ("Line\u2028Separated", "Line Separated", None),
     ("=?utf-8?q?evil=40example.org?=", "", "the name looks like an encoded word")],
)  # fmt: skip
def test_a_name_given_to_add_is_cleaned_like_a_csv_name(
    blog: Blog,
    sink: tuple[Recorder, int],
    capsys: pytest.CaptureFixture[str],
    given: str,
    kept: str | None,
    warning: str | None,
) -> None:
    setup(blog, sink[1])
    code, _, err = subscribers(blog, capsys, "add", "ada@example.com", "--name", given)
    assert code == 0
    assert (warning in err) if warning else err == ""
    with sqlite3.connect(blog.root / "state/journal.sqlite3") as db:
        assert db.execute("SELECT name FROM roster").fetchall() == [(kept,)]
