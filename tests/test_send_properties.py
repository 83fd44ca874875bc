"""The send job's safety invariants under random subscriber files and random SMTP faults, against
the real server of test_send (aiosmtpd on loopback): no traceback, nobody mailed twice in one
run, nobody outside the list mailed, and an issue complete only when every subscriber is sent
or failed for a reason of their own."""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds import cli

from .cli import assert_messages_only
from .conftest import NOW, ROOT, SITE_TOML
from .test_send import Recorder, free_port

GOOD = ["ann@example.com", "Ann@EXAMPLE.com", "bob@example.org", "carl+x@example.net",
        "dee@sub.example.com", "eve@example.com"]  # fmt: skip
BAD = ["", "no-at", "a..b@example.com", "josé@example.com", "=?utf-8?q?x?=@example.com",
       "x@-bad-.com", ".lead@example.com"]  # fmt: skip
MAIL_REPLIES = ["250 OK", "451 4.3.0 Try later", "530 5.7.0 Authentication required", "drop"]
RCPT_REPLIES = [
    "250 OK",
    "450 4.2.1 Busy",
    "550 5.1.1 No such user",
    "421 4.3.2 Bye",
    "drop",
    "hang",
]
DATA_REPLIES = ["250 OK", "451 4.3.0 Later", "554 5.7.1 Refused by policy", "drop", "hang"]

TOML = """
[newsletter]
from_address = "letters@example.com"

[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
timeout = 0.2
retries = 1
retry_delay = 0

[delivery]
subscribers = "subscribers.csv"
unsubscribe_mailto = "leave@example.com"
state = "state/journal.sqlite3"
max_attempts = 3
"""

rows = st.lists(
    st.tuples(
        st.sampled_from(GOOD + BAD),
        st.text(max_size=40) | st.sampled_from(["=?utf-8?q?a=40b.c?=", "N" * 300, "a\u2028b"]),
        st.sampled_from(["", "tok", "t,2"]),
    ),
    max_size=8,
)
junk = st.lists(st.text(st.characters(blacklist_categories=["Cs"]), max_size=30), max_size=2)
faults = st.fixed_dictionaries(
    {
        "mail": st.lists(st.sampled_from(MAIL_REPLIES), max_size=4),
        "rcpt": st.dictionaries(
            st.sampled_from([a.lower() for a in GOOD]),
            st.lists(st.sampled_from(RCPT_REPLIES), max_size=6),
        ),
        "data": st.dictionaries(
            st.sampled_from([a.lower() for a in GOOD]),
            st.lists(st.sampled_from(DATA_REPLIES), max_size=6),
        ),
    }
)


@pytest.fixture(scope="module")
def sink() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


def subscriber_file(chosen: list[tuple[str, str, str]], lines: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "name", "token"])
    writer.writerows(chosen)
    return out.getvalue() + "".join(line + "\n" for line in lines)


def audience(chosen: list[tuple[str, str, str]]) -> set[str]:
    return {address.lower() for address, _, _ in chosen if address in GOOD}


def run_send(root: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["send", "--config", str(root / "feeds.toml")], now=NOW)
    assert_messages_only(err.getvalue())
    return code, out.getvalue() + err.getvalue()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(chosen=rows, lines=junk, plan=faults, runs=st.integers(1, 3))
def test_the_job_keeps_its_invariants_under_any_list_and_any_fault(
    sink: tuple[Recorder, int],
    chosen: list[tuple[str, str, str]],
    lines: list[str],
    plan: dict[str, object],
    runs: int,
) -> None:
    recorder, port = sink
    recorder.messages.clear()
    recorder.events.clear()
    recorder.hang_seconds = 0.3
    recorder.mail = list(plan["mail"])  # type: ignore[call-overload]
    recorder.plan = {k: list(v) for k, v in plan["rcpt"].items()}  # type: ignore[attr-defined]
    recorder.data = {k: list(v) for k, v in plan["data"].items()}  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "feeds.toml").write_text(SITE_TOML + TOML.format(port=port), encoding="utf-8")
        shutil.copytree(ROOT / "templates", root / "templates")
        (root / "content").mkdir()
        (root / "content/2021-01-01-one.md").write_text("---\ntitle: One\n---\nHello.\n")
        (root / "subscribers.csv").write_text(subscriber_file(chosen, lines), encoding="utf-8")
        members = audience(chosen) if not lines else None
        for _ in range(runs):
            before = len(recorder.messages)
            code, output = run_send(root)
            assert code in (0, 1, 2), output
            mailed = Counter(to for to, _ in recorder.messages[before:])
            # Nobody mailed twice in one run.
            assert all(count == 1 for count in mailed.values()), mailed
            # Nobody outside the list mailed (junk lines may add rows of their own: then at
            # least nobody outside the addresses the file holds).
            allowed = members if members is not None else {a.lower() for a in GOOD}
            assert set(mailed) <= allowed
            check_journal(root, recorder, members)


def check_journal(root: Path, recorder: Recorder, members: set[str] | None) -> None:
    """A complete issue: everyone in the list sent or failed for a reason of their own."""
    state = root / "state/journal.sqlite3"
    if not state.exists():
        return
    with sqlite3.connect(state) as db:
        rows = db.execute(
            "SELECT i.completed_at IS NOT NULL, d.subscriber, d.status FROM deliveries d "
            "JOIN issues i ON i.id = d.issue_id"
        ).fetchall()
    refused = {
        address
        for stage, address, reply in recorder.events
        if stage in ("RCPT", "DATA") and reply[:1] in ("4", "5")
    }
    delivered = {to for to, _ in recorder.messages}
    for _complete, subscriber, status in rows:
        if status == "sent":
            # Delivered, or counted as sent after the answer to a whole message was lost.
            lost = ("DATA", subscriber, "hang") in recorder.events
            assert subscriber in delivered or lost, subscriber
        if status == "failed":
            # Failed for good only for a refusal of this recipient, never for the server's.
            assert subscriber in refused, subscriber
    with sqlite3.connect(state) as db:
        complete = [
            i for (i,) in db.execute("SELECT id FROM issues WHERE completed_at IS NOT NULL")
        ]
        for issue in complete:
            done = dict(
                db.execute(
                    "SELECT subscriber, status FROM deliveries WHERE issue_id = ?", (issue,)
                ).fetchall()
            )
            assert all(status in ("sent", "failed") for status in done.values()), done
            if members is not None:
                assert members <= set(done), (members, done)
