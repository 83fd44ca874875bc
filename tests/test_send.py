"""The send job against a real SMTP server (aiosmtpd on loopback), crashes and races included."""

from __future__ import annotations

import email.parser
import email.policy
import os
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from feeds.config import DeliverySettings, load_config
from feeds.delivery.job import unsubscribe_headers
from feeds.delivery.journal import SCHEMA_VERSION
from feeds.delivery.subscribers import Subscriber, read_csv

from .cli import run_cli
from .conftest import ROOT, Blog


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps every message, and answers some recipients with the
    replies queued for them in ``plan`` (e.g. two 451s, then acceptance)."""

    messages: list[tuple[str, bytes]] = field(default_factory=list)
    plan: dict[str, list[str]] = field(default_factory=dict)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        queued = self.plan.get(address.lower())
        if queued:
            reply = queued.pop(0)
            if not reply.startswith("250"):
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for recipient in envelope.rcpt_tos:
            self.messages.append((recipient.lower(), envelope.content))
        return "250 Message accepted for delivery"

    def count(self) -> Counter[str]:
        return Counter(recipient for recipient, _ in self.messages)

    def parsed(self, recipient: str) -> list[email.message.EmailMessage]:
        parser = email.parser.BytesParser(policy=email.policy.default)
        return [parser.parsebytes(data) for to, data in self.messages if to == recipient]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


SEND_TOML = """
[newsletter]
from_name = "Test Letters"
from_address = "letters@example.com"

[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
timeout = 5
rate = {rate}
retries = 3
retry_delay = 0.01

[delivery]
subscribers = "subscribers.csv"
unsubscribe_mailto = "leave@example.com"
unsubscribe_url = "https://example.com/unsubscribe?token={{token}}"
state = "state/journal.sqlite3"
"""


def setup(blog: Blog, port: int, people: int = 3, rate: float = 0) -> list[str]:
    with blog.config.open("a", encoding="utf-8") as settings:
        settings.write(SEND_TOML.format(port=port, rate=rate))
    addresses = [f"reader{n:02d}@example.com" for n in range(people)]
    rows = ["email,name,token", *(f"{a},Reader {n},tok{n}" for n, a in enumerate(addresses))]
    (blog.root / "subscribers.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    blog.post("2021-01-01-first.md", "---\ntitle: First Post\ndate: 2021-01-01\n---\nHello.\n")
    blog.post("2021-02-01-second.md", "---\ntitle: Second Post\ndate: 2021-02-01\n---\nAgain.\n")
    return addresses


def send(blog: Blog, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    return run_cli(blog.args("send", *extra), capsys)


def start_send(blog: Blog) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "feeds", *blog.args("send")],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wait_for(condition: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def journal_rows(blog: Blog, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(blog.root / "state/journal.sqlite3") as db:
        return db.execute(query).fetchall()


def test_every_subscriber_gets_exactly_one_copy_with_the_right_headers(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    addresses = setup(blog, port)
    code, out, _ = send(blog, capsys)
    assert code == 0
    assert (
        out.splitlines()[-1]
        == "issue 2021-02-01-issue: 3 sent, 0 failed, 0 deferred, 0 skipped (already served)"
    )
    assert recorder.count() == Counter({address: 1 for address in addresses})
    (message,) = recorder.parsed("reader01@example.com")
    assert message["To"] == "Reader 1 <reader01@example.com>"
    assert message["From"] == "Test Letters <letters@example.com>"
    assert message["Subject"] == "Test Blog: Second Post"
    assert message["List-Unsubscribe"].strip() == (
        "<mailto:leave@example.com?subject=unsubscribe%20reader01%40example.com>, "
        "<https://example.com/unsubscribe?token=tok1>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # On the wire, as clients read it: plain ASCII, never an RFC 2047 encoded word.
    raw = next(data for to, data in recorder.messages if to == "reader01@example.com")
    (header,) = [line for line in raw.split(b"\r\n") if line.startswith(b"List-Unsubscribe:")]
    assert header == (
        b"List-Unsubscribe: <mailto:leave@example.com?subject=unsubscribe%20reader01%40example.com>, "
        b"<https://example.com/unsubscribe?token=tok1>"
    )
    assert message["Message-ID"].startswith("<2021-02-01-issue.") and message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    assert "Second Post" in plain.get_content()
    assert "Second Post" in html.get_content()
    # A second run finds nothing new and sends nothing.
    code, out, _ = send(blog, capsys)
    assert code == 0 and out == "nothing new: every published post has been sent already\n"
    assert len(recorder.messages) == 3


def test_the_journal_records_each_delivery_and_is_private(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    setup(blog, server[1])
    assert send(blog, capsys)[0] == 0
    path = blog.root / "state/journal.sqlite3"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert journal_rows(blog, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    rows = journal_rows(
        blog,
        "SELECT subscriber, status, attempts, message_id IS NOT NULL FROM deliveries ORDER BY 1",
    )
    assert rows == [(f"reader0{n}@example.com", "sent", 1, 1) for n in range(3)]
    assert journal_rows(blog, "SELECT completed_at IS NOT NULL FROM issues") == [(1,)]


def test_transient_refusals_are_retried_and_permanent_ones_are_not(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port, people=4)
    recorder.plan = {
        "reader01@example.com": ["451 4.3.0 Try again later", "451 4.3.0 Try again later"],
        "reader02@example.com": ["550 5.1.1 No such user", "550 5.1.1 No such user"],
    }
    code, out, _ = send(blog, capsys)
    assert code == 1
    assert out.splitlines()[-2:] == [
        "issue 2021-02-01-issue: 3 sent, 1 failed, 0 deferred, 0 skipped (already served)",
        "  failed: reader02@example.com: 550 5.1.1 No such user",
    ]
    assert recorder.count() == Counter(
        {"reader00@example.com": 1, "reader01@example.com": 1, "reader03@example.com": 1}
    )
    assert recorder.plan["reader02@example.com"] == [
        "550 5.1.1 No such user"
    ]  # asked once, not retried
    assert journal_rows(
        blog, "SELECT attempts, status FROM deliveries WHERE subscriber = 'reader01@example.com'"
    ) == [(3, "sent")]
    # Every subscriber is sent or failed for good: the issue is complete, nobody is re-sent.
    code, out, _ = send(blog, capsys)
    assert code == 0 and out.startswith("nothing new")
    assert len(recorder.messages) == 3


def test_a_server_closing_the_line_gets_a_new_connection(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    addresses = setup(blog, port, people=3)
    recorder.plan = {"reader01@example.com": ["421 4.3.2 Service shutting down, closing channel"]}
    code, out, _ = send(blog, capsys)
    assert code == 0, out
    assert recorder.count() == Counter({address: 1 for address in addresses})
    assert journal_rows(
        blog, "SELECT attempts FROM deliveries WHERE subscriber = 'reader01@example.com'"
    ) == [(2,)]


def test_transient_failures_that_outlast_the_retries_wait_for_the_next_run(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port, people=2)
    recorder.plan = {"reader01@example.com": ["452 4.2.2 Mailbox full"] * 4}
    code, out, _ = send(blog, capsys)
    assert code == 1
    assert "  deferred to the next run: reader01@example.com: 452 4.2.2 Mailbox full" in out
    code, out, _ = send(blog, capsys)
    assert code == 0
    assert (
        out.splitlines()[-1]
        == "issue 2021-02-01-issue: 1 sent, 0 failed, 0 deferred, 1 skipped (already served)"
    )
    assert recorder.count() == Counter({"reader00@example.com": 1, "reader01@example.com": 1})


def test_a_server_that_is_down_marks_nothing_sent_and_the_next_run_delivers_all(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    addresses = setup(blog, port)
    code, _, err = send(blog, capsys)
    assert code == 1
    assert (
        f"error: cannot connect to the SMTP server 127.0.0.1:{port}: Connection refused; the next run resumes this issue"
        in err
    )
    assert journal_rows(blog, "SELECT COUNT(*) FROM deliveries WHERE status = 'sent'") == [(0,)]
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        code, out, _ = send(blog, capsys)
    finally:
        controller.stop()
    assert code == 0, out
    assert recorder.count() == Counter({address: 1 for address in addresses})


def test_a_killed_run_resumes_with_at_most_one_message_twice_and_the_same_content(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    addresses = setup(blog, port, people=30, rate=20)
    running = start_send(blog)
    wait_for(lambda: len(recorder.messages) >= 8)
    running.send_signal(signal.SIGKILL)
    running.wait(timeout=30)
    delivered_before = len(recorder.messages)
    assert delivered_before < 30, "the run finished before it could be killed"
    # Edits after the issue was frozen do not change what the rest of the subscribers get.
    blog.post(
        "2021-02-01-second.md", "---\ntitle: Second Post, Edited\ndate: 2021-02-01\n---\nNew.\n"
    )
    code, out, _ = send(blog, capsys)
    assert code == 0, out
    counts = recorder.count()
    assert set(counts) == set(addresses)
    assert sum(counts.values()) - len(addresses) <= 1
    subjects = {m["Subject"] for a in addresses for m in recorder.parsed(a)}
    assert subjects == {"Test Blog: Second Post"}
    ids = {m["Message-ID"] for a in addresses for m in recorder.parsed(a)}
    assert len(ids) == len(addresses)  # a re-sent message keeps its Message-ID


def test_two_runs_at_once_one_sends_the_other_refuses(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    addresses = setup(blog, port, people=12, rate=8)
    running = start_send(blog)
    try:
        wait_for(lambda: len(recorder.messages) >= 1)
        code, out, err = send(blog, capsys)
    finally:
        running.wait(timeout=60)
    assert code == 1
    assert out == ""
    assert "error: another 'feeds send' is running" in err and "this run sends nothing" in err
    assert running.returncode == 0
    assert recorder.count() == Counter({address: 1 for address in addresses})


def test_a_new_post_after_a_sent_issue_is_sent_alone(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port, people=2)
    assert send(blog, capsys)[0] == 0
    blog.post("2021-03-01-third.md", "---\ntitle: Third Post\ndate: 2021-03-01\n---\nMore.\n")
    code, out, _ = send(blog, capsys)
    assert code == 0
    assert (
        out.splitlines()[-1]
        == "issue 2021-03-01-issue: 2 sent, 0 failed, 0 deferred, 0 skipped (already served)"
    )
    latest = recorder.parsed("reader00@example.com")[-1].get_body(("plain",))
    assert latest is not None
    text = latest.get_content()
    assert "Third Post" in text and "Second Post" not in text and "First Post" not in text
    assert journal_rows(blog, "SELECT COUNT(*) FROM issues") == [(2,)]


def test_the_first_run_sends_the_latest_n_not_the_archive(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port, people=1)
    for month in range(3, 10):
        blog.post(
            f"2021-0{month}-01-p{month}.md",
            f"---\ntitle: Post {month}\ndate: 2021-0{month}-01\n---\nx\n",
        )
    assert send(blog, capsys)[0] == 0
    plain = recorder.parsed("reader00@example.com")[0].get_body(("plain",))
    assert plain is not None
    text = plain.get_content()
    assert [n for n in range(3, 10) if f"Post {n}" in text] == [5, 6, 7, 8, 9]
    assert "First Post" not in text
    assert send(blog, capsys)[1].startswith("nothing new")


def test_dry_run_lists_and_touches_nothing(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port)
    code, out, _ = send(blog, capsys, "--dry-run")
    assert code == 0
    assert "  to reader02@example.com" in out and "  - Second Post" in out
    assert out.splitlines()[-1] == (
        "dry run: 2021-02-01-issue would go to 3 subscriber(s), 0 already served; nothing sent, nothing recorded"
    )
    assert recorder.messages == []
    assert not (blog.root / "state").exists()


def test_a_test_copy_goes_to_one_address_and_touches_no_state(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port)
    code, out, _ = send(blog, capsys, "--to", "me@example.com")
    assert code == 0
    assert out == "test copy of 2021-02-01-issue sent to me@example.com; nothing recorded\n"
    assert recorder.count() == Counter({"me@example.com": 1})
    assert not (blog.root / "state").exists()
    # The real run afterwards still sends to everyone.
    assert send(blog, capsys)[0] == 0
    assert len(recorder.messages) == 4


def test_the_password_never_appears_in_output(
    blog: Blog,
    server: tuple[Recorder, int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    setup(blog, server[1])
    monkeypatch.setenv("FEEDS_SMTP_USER", "ada")
    monkeypatch.setenv("FEEDS_SMTP_PASSWORD", "hunter2-secret")
    code, out, err = send(blog, capsys)
    assert code == 1
    assert "hunter2-secret" not in out + err
    assert "error: " in err


def test_environment_overrides_the_smtp_settings(
    blog: Blog, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup(blog, 2525)
    monkeypatch.setenv("FEEDS_SMTP_HOST", "mail.example.net")
    monkeypatch.setenv("FEEDS_SMTP_PORT", "465")
    monkeypatch.setenv("FEEDS_SMTP_SECURITY", "ssl")
    monkeypatch.setenv("FEEDS_SMTP_PASSWORD", "pw")
    smtp = load_config(blog.config).smtp
    assert (smtp.host, smtp.port, smtp.security, smtp.password) == (
        "mail.example.net",
        465,
        "ssl",
        "pw",
    )
    assert "pw" not in repr(smtp)


def test_a_password_in_the_file_is_refused(blog: Blog, capsys: pytest.CaptureFixture[str]) -> None:
    setup(blog, 2525)
    text = blog.config.read_text(encoding="utf-8").replace(
        'security = "none"', 'security = "none"\npassword = "oops"'
    )
    blog.config.write_text(text, encoding="utf-8")
    code, _, err = send(blog, capsys)
    assert code == 2
    assert (
        err
        == f"error: {blog.config}: smtp.password: must not be in a file; set FEEDS_SMTP_PASSWORD instead\n"
    )
    assert "oops" not in err


def test_bad_subscriber_rows_are_reported_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "subscribers.csv"
    path.write_text(
        "Email,Name,Token\nada@example.com,Ada,t1\nnot-an-address,Bob,\n\nADA@Example.com,Ada again,\n"
        "grace@example.org,,\n",
        encoding="utf-8",
    )
    found = read_csv(path)
    assert [s.email for s in found.subscribers] == ["ada@example.com", "grace@example.org"]
    assert found.warnings == (
        f"{path}: line 3: 'not-an-address' is not an email address; skipped",
        f"{path}: line 5: ADA@Example.com is already on line 2; skipped",
    )


def test_a_list_address_stands_for_everyone(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port)
    text = blog.config.read_text(encoding="utf-8").replace(
        'subscribers = "subscribers.csv"\n', 'list_address = "readers@lists.example.com"\n'
    )
    blog.config.write_text(text, encoding="utf-8")
    assert send(blog, capsys)[0] == 0
    assert recorder.count() == Counter({"readers@lists.example.com": 1})


@pytest.mark.parametrize(
    ("settings", "subscriber", "expected"),
    [
        (DeliverySettings(unsubscribe_mailto="out@example.com"), Subscriber("a@b.co"),
         {"List-Unsubscribe": "<mailto:out@example.com?subject=unsubscribe%20a%40b.co>"}),
        (DeliverySettings(unsubscribe_url="https://e.com/u?email={email}"), Subscriber("a+x@b.co"),
         {"List-Unsubscribe": "<https://e.com/u?email=a%2Bx@b.co>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}),
        (DeliverySettings(unsubscribe_url="https://e.com/u/{token}"), Subscriber("a@b.co"), {}),
        (DeliverySettings(), Subscriber("a@b.co", token="t"), {}),
    ],
)  # fmt: skip
def test_unsubscribe_headers(
    settings: DeliverySettings, subscriber: Subscriber, expected: dict[str, str]
) -> None:
    assert unsubscribe_headers(settings, subscriber) == expected


def test_sample_subscriber_file_has_good_and_bad_rows() -> None:
    found = read_csv(ROOT / "subscribers.example.csv")
    assert len(found.subscribers) == 3 and len(found.warnings) == 2
    assert (
        os.path.basename(str(load_config(ROOT / "feeds.toml").delivery.subscribers))
        == "subscribers.example.csv"
    )


def test_a_journal_from_a_newer_release_is_refused(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port)
    state = blog.root / "state/journal.sqlite3"
    state.parent.mkdir()
    with sqlite3.connect(state) as db:
        db.execute("PRAGMA user_version = 99")
    code, _, err = send(blog, capsys)
    assert code == 1
    assert (
        err
        == f"error: {state}: journal schema 99 is newer than this release knows ({SCHEMA_VERSION})\n"
    )
    assert recorder.messages == []
