"""The send job against a real SMTP server (aiosmtpd on loopback), crashes and races included."""

from __future__ import annotations

import asyncio
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
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from feeds.config import DeliverySettings
from feeds.config_reader import load_config
from feeds.delivery.journal import SCHEMA_VERSION
from feeds.delivery.subscribers import Subscriber, read_csv
from feeds.delivery.unsubscribe import unsubscribe_headers

from .cli import run_cli
from .conftest import NOW, ROOT, Blog


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps every message, and answers as planned: ``mail`` holds the
    replies queued for MAIL FROM, ``plan`` those for a recipient's RCPT TO and ``data`` those for
    the end of their DATA (e.g. two 451s, then acceptance). Besides SMTP replies, a queued
    action may be ``drop`` (close the line without a reply; at DATA, after keeping the message)
    or ``hang`` (answer nothing for ``hang_seconds``). ``events`` logs every answer given."""

    messages: list[tuple[str, bytes]] = field(default_factory=list)
    plan: dict[str, list[str]] = field(default_factory=dict)
    mail: list[str] = field(default_factory=list)
    data: dict[str, list[str]] = field(default_factory=dict)
    events: list[tuple[str, str, str]] = field(default_factory=list)
    hang_seconds: float = 2.0
    after_message: Any = None
    # A refusal of EHLO and HELO, if set.
    greeting: str | None = None

    async def act(self, server: Any, stage: str, address: str, queued: list[str] | None) -> str:
        reply = queued.pop(0) if queued else "250 OK"
        self.events.append((stage, address, reply))
        if reply == "hang":
            await asyncio.sleep(self.hang_seconds)
            return "451 4.4.2 Too slow"
        if reply == "drop":
            server.transport.close()
        return reply

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        if self.greeting:
            self.events.append(("EHLO", hostname, self.greeting))
            return [self.greeting]
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server: Any, session: Any, envelope: Any, hostname: str) -> str:
        if self.greeting:
            return self.greeting
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        reply = await self.act(server, "MAIL", address, self.mail)
        if reply.startswith("250"):
            envelope.mail_from = address
        return reply

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        reply = await self.act(server, "RCPT", address.lower(), self.plan.get(address.lower()))
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return reply

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        (recipient,) = [address.lower() for address in envelope.rcpt_tos]
        queued = self.data.get(recipient)
        if queued and queued[0] == "drop":
            # The message is kept, and the line lost before the answer: an ambiguous end.
            self.messages.append((recipient, envelope.content))
        reply = await self.act(server, "DATA", recipient, queued)
        if reply.startswith("250"):
            self.messages.append((recipient, envelope.content))
            reply = "250 Message accepted for delivery"
            if self.after_message is not None:
                self.after_message()
        return reply

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


def send(
    blog: Blog, capsys: pytest.CaptureFixture[str], *extra: str, now: datetime = NOW
) -> tuple[int, str, str]:
    return run_cli(blog.args("send", *extra), capsys, now=now)


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
    monkeypatch.setenv("FEEDS_SMTP_ALLOW_PLAINTEXT_AUTH", "true")
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
        f"{path}: line 3: 'not-an-address' is not an email address like 'jane@example.com'; skipped",
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


# Hostile-review cases (issue 14): each one against the real server above.


def set_option(blog: Blog, section: str, line: str) -> None:
    """Put ``line`` at the top of ``section`` of the blog's settings (replacing the same key)."""
    key = line.split("=")[0].strip()
    kept = [
        row for row in blog.config.read_text(encoding="utf-8").splitlines()
        if row.split("=")[0].strip() != key
    ]  # fmt: skip
    index = kept.index(section)
    kept.insert(index + 1, line)
    blog.config.write_text("\n".join(kept) + "\n", encoding="utf-8")


def write_subscribers(blog: Blog, text: str) -> None:
    (blog.root / "subscribers.csv").write_text(text, encoding="utf-8", newline="")


def statuses(blog: Blog) -> dict[str, str]:
    return {
        str(key): str(status)
        for key, status in journal_rows(blog, "SELECT subscriber, status FROM deliveries")
    }


def open_issue_count(blog: Blog) -> int:
    return int(journal_rows(blog, "SELECT COUNT(*) FROM issues WHERE completed_at IS NULL")[0][0])


@pytest.mark.parametrize(
    "address", ["", "  ", "not-an-address", "a..b@example.com", "josé@example.com"]
)
def test_an_empty_or_invalid_to_is_a_usage_error_and_sends_nothing(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str], address: str
) -> None:
    recorder, port = server
    setup(blog, port)
    code, out, err = send(blog, capsys, "--to", address)
    assert code == 2
    assert err.startswith(f"error: --to: {address!r} ") and len(err.splitlines()) == 1
    assert recorder.messages == [] and out == ""
    assert not (blog.root / "state").exists()


def test_rows_the_message_builder_refuses_are_reported_at_load_and_the_rest_get_the_issue(
    blog: Blog,
    server: tuple[Recorder, int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder, port = server
    setup(blog, port)
    # Signed links for everyone: no warning about one-click links among the expected ones.
    monkeypatch.setenv("FEEDS_UNSUBSCRIBE_SECRET", "s" * 40)
    write_subscribers(blog, (
        "email,name\na..b@example.com,A\n.lead@example.com,B\njosé@example.com,C\n"
        "=?utf-8?q?x?=@example.com,D\nlast@example.com,E\nstraße@example.com,F\n"
        "strasse@example.com,G\n"
    ))  # fmt: skip
    path = blog.root / "subscribers.csv"
    expected = [
        f"warning: {path}: line 2: 'a..b@example.com' is not an email address like 'jane@example.com'; skipped",
        f"warning: {path}: line 3: '.lead@example.com' is not an email address like 'jane@example.com'; skipped",
        f"warning: {path}: line 4: 'josé@example.com' is not plain ASCII (addresses with other characters cannot be sent to here); skipped",
        f"warning: {path}: line 5: '=?utf-8?q?x?=@example.com' has a local part that mail clients would decode as an encoded word; skipped",
        f"warning: {path}: line 7: 'straße@example.com' is not plain ASCII (addresses with other characters cannot be sent to here); skipped",
    ]
    code, _, err = send(blog, capsys, "--dry-run")
    assert code == 0 and err.splitlines() == expected
    code, out, err = send(blog, capsys)
    assert code == 0, out + err
    assert [line for line in err.splitlines() if line.startswith("warning")] == expected
    assert recorder.count() == Counter({"last@example.com": 1, "strasse@example.com": 1})


def test_names_are_encoded_safely_whatever_they_contain(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port)
    long_name = "N" * 2000
    write_subscribers(blog, (
        "email,name\r\n"
        "one@example.com,=?utf-8?q?evil=40example.org=3E=2C_?=\r\n"
        f"two@example.com,{long_name}\r\n"
        'three@example.com,"Line\u2028Separated, Name"\r\n'
        "four@example.com,Zoë Ünïcode\r\n"
    ))  # fmt: skip
    code, out, err = send(blog, capsys)
    assert code == 0, out + err
    assert recorder.count() == Counter(
        {f"{n}@example.com": 1 for n in ("one", "two", "three", "four")}
    )
    for recipient, raw in recorder.messages:
        head = raw.split(b"\r\n\r\n")[0]
        assert max(len(line) for line in head.split(b"\r\n")) <= 998
        (message,) = recorder.parsed(recipient)
        assert [a.addr_spec for a in message["To"].addresses] == [recipient]
    assert recorder.parsed("one@example.com")[0]["To"] == "one@example.com"
    assert recorder.parsed("two@example.com")[0]["To"].addresses[0].display_name == "N" * 100
    assert (
        recorder.parsed("three@example.com")[0]["To"].addresses[0].display_name
        == "Line Separated, Name"
    )
    assert recorder.parsed("four@example.com")[0]["To"].addresses[0].display_name == "Zoë Ünïcode"


def test_identity_is_the_address_as_the_mail_system_sees_it() -> None:
    from feeds.delivery.subscribers import address_key

    assert address_key("Ada@Example.COM") == address_key("ada@example.com")
    assert address_key("ada@example.com") != address_key("ada@example.org")


def test_a_refused_sender_stops_the_run_and_leaves_everyone_pending(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    addresses = setup(blog, port)
    recorder.mail = ["530 5.7.0 Authentication required"]
    code, out, err = send(blog, capsys)
    assert code == 1
    assert err.splitlines()[-1] == (
        f"error: SMTP server 127.0.0.1:{port} refused the sender letters@example.com at MAIL FROM: "
        "530 5.7.0 Authentication required; the next run resumes this issue"
    )
    assert recorder.messages == [] and "failed" not in statuses(blog).values()
    assert open_issue_count(blog) == 1
    code, out, _ = send(blog, capsys)
    assert code == 0, out
    assert recorder.count() == Counter({address: 1 for address in addresses})
    assert open_issue_count(blog) == 0


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
def test_the_same_refusal_for_every_recipient_fails_nobody(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str], stage: str
) -> None:
    recorder, port = server
    addresses = setup(blog, port, people=5)
    queue = recorder.plan if stage == "RCPT" else recorder.data
    for address in addresses:
        queue[address] = ["554 5.7.1 Message refused by policy"]
    code, out, err = send(blog, capsys)
    assert code == 1
    assert "the same refusal (554 5.7.1 Message refused by policy)" in err
    assert "nobody was marked failed" in err
    assert "failed" not in statuses(blog).values() and open_issue_count(blog) == 1
    # Only the first three were tried: the streak is evidence enough.
    assert len([e for e in recorder.events if e[0] == stage]) == 3
    queue.clear()  # the server is fixed
    code, out, _ = send(blog, capsys)
    assert code == 0, out
    assert recorder.count() == Counter({address: 1 for address in addresses})


def test_a_subscriber_file_with_no_usable_row_freezes_and_announces_nothing(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port)
    write_subscribers(blog, "email,name\nnot-an-address,X\n\n")
    code, _out, err = send(blog, capsys)
    assert code == 2
    assert err.splitlines()[-1] == (
        f"error: {blog.root / 'subscribers.csv'}: subscribers: no address to send to (every row "
        "is empty or skipped); nothing frozen or sent"
    )
    assert not (blog.root / "state/journal.sqlite3").exists()
    write_subscribers(blog, "email\nlater@example.com\n")
    assert send(blog, capsys)[0] == 0
    plain = recorder.parsed("later@example.com")[0].get_body(("plain",))
    assert plain is not None and "Second Post" in plain.get_content()


@pytest.mark.parametrize(
    ("old", "new"),
    [('base_url = "https://example.com/"', 'base_url = "https://blog.example.net/"'),
     ("since = 2020", "since = 2019")],
)  # fmt: skip
def test_a_new_id_scheme_is_capped_like_a_first_run(
    blog: Blog,
    server: tuple[Recorder, int],
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
) -> None:
    recorder, port = server
    setup(blog, port, people=1)
    for month in range(3, 10):
        blog.post(
            f"2021-0{month}-01-p{month}.md",
            f"---\ntitle: Post {month}\ndate: 2021-0{month}-01\n---\nx\n",
        )
    assert send(blog, capsys)[0] == 0
    blog.config.write_text(blog.config.read_text(encoding="utf-8").replace(old, new))
    code, out, err = send(blog, capsys)
    assert code == 0, out + err
    assert "warning: none of the 9 published posts has an id the send journal knows" in err
    plain = recorder.parsed("reader00@example.com")[-1].get_body(("plain",))
    assert plain is not None
    text = plain.get_content()
    assert [n for n in range(3, 10) if f"Post {n}" in text] == [5, 6, 7, 8, 9]
    assert "First Post" not in text and "Second Post" not in text


def test_a_lasting_temporary_refusal_is_bounded_and_never_blocks_a_new_issue(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port, people=2)
    set_option(blog, "[delivery]", "max_attempts = 10")
    recorder.plan = {"reader01@example.com": ["452 4.2.2 Mailbox full"] * 100}
    code, out, _ = send(blog, capsys)
    assert code == 1 and "deferred to the next run: reader01@example.com" in out
    # A new post the next day goes out at once, though the old issue still has a straggler.
    blog.post("2021-03-01-third.md", "---\ntitle: Third Post\ndate: 2021-03-01\n---\nMore.\n")
    code, out, _ = send(blog, capsys, now=NOW + timedelta(days=1))
    assert "issue 2021-03-01-issue: 1 sent, 0 failed, 1 deferred" in out
    subjects = [m["Subject"] for m in recorder.parsed("reader00@example.com")]
    assert subjects == ["Test Blog: Second Post", "Test Blog: Third Post"]
    # Ten refusals in all (four a run): the first issue gives up on reader01 in the third run.
    code, out, _ = send(blog, capsys, now=NOW + timedelta(days=2))
    assert (
        "  failed: reader01@example.com: refused 12 times (max_attempts = 10); last: 452 4.2.2 Mailbox full"
        in out
    )
    # The second issue's straggler runs into max_days (3) instead.
    code, out, _ = send(blog, capsys, now=NOW + timedelta(days=4, hours=1))
    assert (
        "  failed: reader01@example.com: still refused 3 day(s) after the first refusal (max_days = 3)"
        in out
    )
    assert open_issue_count(blog) == 0
    assert recorder.count() == Counter({"reader00@example.com": 2})


def test_a_line_lost_after_the_message_is_not_retried_and_is_capped_across_runs(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port, people=2)
    recorder.data = {"reader01@example.com": ["drop"] * 10}
    code, out, _ = send(blog, capsys)
    assert code == 1
    assert recorder.count()["reader01@example.com"] == 1  # not retries + 1
    assert (
        "deferred to the next run: reader01@example.com: the line was lost after the message was sent"
        in out
    )
    code, out, _ = send(blog, capsys)
    assert code == 0, out
    assert "counted as sent: reader01@example.com" in out
    assert open_issue_count(blog) == 0
    assert send(blog, capsys)[1].startswith("nothing new")
    # max_unconfirmed (2) copies at most, each with the same Message-ID.
    copies = recorder.parsed("reader01@example.com")
    assert len(copies) == 2 and len({m["Message-ID"] for m in copies}) == 1


def test_a_server_that_hangs_is_a_timeout_then_a_deferral(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port, people=2)
    set_option(blog, "[smtp]", "timeout = 0.3")
    set_option(blog, "[smtp]", "retries = 1")
    recorder.hang_seconds = 0.6
    recorder.plan = {"reader01@example.com": ["hang", "hang"]}
    code, out, _ = send(blog, capsys)
    assert code == 1
    assert "deferred to the next run: reader01@example.com" in out
    assert recorder.count() == Counter({"reader00@example.com": 1})


@pytest.mark.parametrize(
    ("section", "line", "problem"),
    [
        ("[delivery]", 'unsubscribe_url = "https://example.com/u?t={token}}"',
         "delivery.unsubscribe_url: 'https://example.com/u?t={token}}' has a stray '{' or '}' "
         "(only {email}, {token}; write {{ or }} for a brace)"),
        ("[delivery]", 'unsubscribe_url = "https://example.com/u?t={token!r}"',
         "delivery.unsubscribe_url: 'https://example.com/u?t={token!r}' may only use {email}, {token}"),
        ("[smtp]", "timeout = inf", "smtp.timeout: inf must be a number of seconds above 0, at most 600"),
        ("[smtp]", "retry_delay = inf", "smtp.retry_delay: inf must be a number of seconds from 0 to 600"),
        ("[smtp]", "rate = 1e-300", "smtp.rate: 1e-300 must be messages per second: 0 (no limit), or from 0.001 to 10000"),
        ("[smtp]", "rate = nan", "smtp.rate: nan must be messages per second: 0 (no limit), or from 0.001 to 10000"),
        ("[smtp]", "retries = 1000", "smtp.retries: 1000 must be a whole number from 0 to 10"),
        ("[delivery]", "max_days = 0", "delivery.max_days: 0 must be a number of days above 0, at most 365"),
    ],
)  # fmt: skip
def test_bad_numbers_and_templates_in_settings_are_one_line_before_anything_is_frozen(
    blog: Blog,
    server: tuple[Recorder, int],
    capsys: pytest.CaptureFixture[str],
    section: str,
    line: str,
    problem: str,
) -> None:
    recorder, port = server
    setup(blog, port)
    set_option(blog, section, line)
    code, _, err = send(blog, capsys)
    assert code == 2
    assert err == f"error: {blog.config}: {problem}\n"
    assert recorder.messages == [] and not (blog.root / "state").exists()


@pytest.mark.parametrize("value", ["²", "٥٨٧", "587 ", "5e2", "-1"])
def test_smtp_numbers_from_the_environment_are_ascii_digits_only(
    blog: Blog, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    setup(blog, free_port())
    monkeypatch.setenv("FEEDS_SMTP_PORT", value)
    if value == "587 ":
        assert load_config(blog.config).smtp.port == 587
        return
    code, _, err = send(blog, capsys)
    assert code == 2
    assert (
        err == f"error: {blog.config}: FEEDS_SMTP_PORT: must be a port number (25, 465, 587, …)\n"
    )


def test_an_unknown_smtp_variable_is_a_warning(
    blog: Blog,
    server: tuple[Recorder, int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder, port = server
    setup(blog, port)
    monkeypatch.setenv("FEEDS_SMTP_PASWORD", "typo")
    code, _, err = send(blog, capsys, "--dry-run")
    assert code == 0
    assert err.splitlines()[0] == (
        "warning: FEEDS_SMTP_PASWORD is not a setting, so it is ignored (see README: [smtp])"
    )
    code, _, err = send(blog, capsys, "--strict")
    assert code == 2 and recorder.messages == []


def write_journal(path: Path, data: bytes | None = None, sql: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if data is not None:
        path.write_bytes(data)
    if sql is not None:
        with sqlite3.connect(path) as db:
            db.executescript(sql)


@pytest.mark.parametrize("kind", ["garbage", "truncated", "table-less", "old table-less"])
def test_a_broken_journal_is_one_line_naming_it_and_nothing_is_sent(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    recorder, port = server
    setup(blog, port)
    state = blog.root / "state/journal.sqlite3"
    if kind == "garbage":
        write_journal(state, b"this is not a database\n" * 200)
    elif kind == "truncated":
        assert send(blog, capsys)[0] == 0
        state.write_bytes(state.read_bytes()[:1500])
    elif kind == "table-less":
        write_journal(state, sql="PRAGMA user_version = 2; CREATE TABLE other (x);")
    else:
        write_journal(state, sql="PRAGMA user_version = 1;")
    before = len(recorder.messages)
    code, out, err = send(blog, capsys)
    assert out == ""
    assert code == 1
    (line,) = err.splitlines()
    assert line.startswith(f"error: {state}: ") and "move it aside and run again" in line
    assert len(recorder.messages) == before
    code, _, err = send(blog, capsys, "--dry-run")
    assert code == 1 and err.startswith(f"error: {state}: ")


def test_a_journal_that_cannot_be_written_sends_nothing(
    blog: Blog,
    server: tuple[Recorder, int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from feeds.delivery import journal

    recorder, port = server
    setup(blog, port)
    assert send(blog, capsys, "--to", "me@example.com")[0] == 0
    recorder.messages.clear()
    state = blog.root / "state/journal.sqlite3"
    write_journal(state, sql="SELECT 1;")
    # As a file the process may read but not write (root ignores file modes, so open it so).
    monkeypatch.setattr(
        journal, "connect",
        lambda path: sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None),
    )  # fmt: skip
    code, _, err = send(blog, capsys)
    assert code == 1
    assert err.startswith(f"error: {state}: ") and "readonly" in err
    assert recorder.messages == []


def test_a_journal_deleted_mid_run_stops_the_run_at_once(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port, people=5)
    state = blog.root / "state/journal.sqlite3"
    recorder.after_message = lambda: state.unlink(missing_ok=True)
    code, _, err = send(blog, capsys)
    assert code == 1
    assert err.splitlines()[-1] == (
        f"error: {state}: the send journal was deleted or replaced during the run; stopped "
        "sending (restore it, or run again to start a new one)"
    )
    assert len(recorder.messages) == 1


def test_no_password_goes_out_without_tls_unless_allowed(
    blog: Blog,
    server: tuple[Recorder, int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder, port = server
    setup(blog, port)
    monkeypatch.setenv("FEEDS_SMTP_USER", "ada")
    monkeypatch.setenv("FEEDS_SMTP_PASSWORD", "hunter2-secret")
    code, _, err = send(blog, capsys)
    assert code == 2
    assert err == (
        f'error: {blog.config}: smtp.user: a login over security = "none" would send the '
        'password in clear; use security = "starttls" or "ssl" (or set allow_plaintext_auth = true)\n'
    )
    assert recorder.events == [] and not (blog.root / "state").exists()


def test_a_refused_login_is_tried_once_and_stops_the_run(
    blog: Blog, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiosmtpd.smtp import AuthResult

    tries: list[str] = []

    def refuse(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        tries.append(mechanism)
        return AuthResult(success=False, handled=False)

    recorder = Recorder()
    port = free_port()
    controller = Controller(
        recorder, hostname="127.0.0.1", port=port, authenticator=refuse, auth_require_tls=False
    )
    controller.start()
    try:
        setup(blog, port)
        set_option(blog, "[smtp]", "allow_plaintext_auth = true")
        monkeypatch.setenv("FEEDS_SMTP_USER", "ada")
        monkeypatch.setenv("FEEDS_SMTP_PASSWORD", "hunter2-secret")
        code, out, err = send(blog, capsys)
    finally:
        controller.stop()
    assert code == 1
    assert f"SMTP server 127.0.0.1:{port} refused the login of 'ada'" in err
    # One login (smtplib tries each mechanism the server offers once), never a retry.
    assert tries and len(tries) == len(set(tries)) and recorder.messages == []
    assert "hunter2-secret" not in out + err


def test_a_message_without_list_unsubscribe_is_a_warning_and_an_error_under_strict(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port)
    text = blog.config.read_text(encoding="utf-8")
    text = text.replace('unsubscribe_mailto = "leave@example.com"\n', "")
    blog.config.write_text(text, encoding="utf-8")
    write_subscribers(blog, "email,token\nwith@example.com,t1\nwithout@example.com,\n")
    code, _, err = send(blog, capsys, "--strict")
    assert code == 2
    assert (
        "warning: without@example.com has no token for unsubscribe_url: their message goes out without List-Unsubscribe"
        in err
    )
    assert recorder.messages == [] and not (blog.root / "state").exists()
    blog.config.write_text(
        text.replace('unsubscribe_url = "https://example.com/unsubscribe?token={token}"\n', ""),
        encoding="utf-8",
    )
    code, _, err = send(blog, capsys)
    assert code == 0
    assert err.splitlines()[0] == (
        "warning: messages go out without List-Unsubscribe: set [delivery] unsubscribe_url or "
        "unsubscribe_mailto"
    )


def test_each_subscriber_gets_their_own_unsubscribe_link_from_the_frozen_issue(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port, people=3)
    recorder.mail = ["451 4.3.0 Try later"] * 4  # the first run freezes the issue, sends nothing
    assert send(blog, capsys)[0] == 1
    assert journal_rows(blog, "SELECT instr(html, 'unsubscribe.invalid') > 0 FROM issues") == [(1,)]
    assert send(blog, capsys)[0] == 0
    for n in range(3):
        (message,) = recorder.parsed(f"reader0{n}@example.com")
        html = message.get_body(("html",))
        plain = message.get_body(("plain",))
        assert html is not None and plain is not None
        link = f"https://example.com/unsubscribe?token=tok{n}"
        assert f'href="{link}"' in html.get_content()
        assert f"Unsubscribe: {link}" in plain.get_content()
        assert "unsubscribe.invalid" not in html.get_content() + plain.get_content()


def test_the_text_part_carries_whole_posts_and_the_subject_is_folded(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port, people=1)
    title = "A Very Long Title " * 6
    blog.post(
        "2021-03-01-long.md",
        f"---\ntitle: {title.strip()}\ndate: 2021-03-01\ndescription: Short.\n---\n"
        "The whole body, with a [link](https://example.org/x).\n\n- one\n- two\n",
    )
    assert send(blog, capsys, "--full")[0] == 0
    (message,) = recorder.parsed("reader00@example.com")
    plain = message.get_body(("plain",))
    assert plain is not None
    text = plain.get_content()
    assert "The whole body, with a link <https://example.org/x>." in text
    assert "- one\n- two" in text.replace("\r\n", "\n")
    assert message["Subject"] == f"Test Blog: {title.strip()}"
    raw = recorder.messages[0][1]
    head = raw.split(b"\r\n\r\n")[0].split(b"\r\n")
    start = next(i for i, line in enumerate(head) if line.startswith(b"Subject:"))
    assert head[start + 1].startswith(b" ")  # folded
    assert all(len(line) <= 78 for line in head[start : start + 3])


def test_a_journal_of_schema_1_is_migrated_and_keeps_its_history(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    from feeds.delivery.journal import MIGRATIONS

    recorder, port = server
    setup(blog, port, people=2)
    state = blog.root / "state/journal.sqlite3"
    # What the previous release left: an issue of the first two posts, sent to reader00 only.
    write_journal(state, sql=MIGRATIONS[1] + """;
        PRAGMA user_version = 1;
        INSERT INTO issues VALUES (1, '2021-02-01-issue', 'Old subject', '<p>old</p>', 'old',
            '2026-11-20T00:00:00+00:00', '2026-11-20T00:00:00+00:00', NULL);
        INSERT INTO seen_posts VALUES ('tag:example.com,2020:first', 1);
        INSERT INTO seen_posts VALUES ('tag:example.com,2020:second', 1);
        INSERT INTO deliveries VALUES (1, 'reader00@example.com', 'reader00@example.com', 'sent',
            1, NULL, '<x@example.com>', '2026-11-20T00:00:00+00:00');
    """)  # fmt: skip
    code, out, _ = send(blog, capsys)
    assert code == 0, out
    assert journal_rows(blog, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    # The old issue is resumed for reader01 only, and nothing new is announced.
    assert recorder.count() == Counter({"reader01@example.com": 1})
    assert recorder.parsed("reader01@example.com")[0]["Subject"] == "Old subject"
    assert "issue 2021-02-01-issue: 1 sent, 0 failed, 0 deferred, 1 skipped" in out


def test_a_refused_greeting_stops_the_run_at_once_and_fails_nobody(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    addresses = setup(blog, port)
    recorder.greeting = "554 5.7.1 You are not welcome"
    code, _, err = send(blog, capsys)
    assert code == 1
    assert err.splitlines()[-1] == (
        f"error: SMTP server 127.0.0.1:{port} refused the greeting: 554 5.7.1 You are not "
        "welcome; the next run resumes this issue"
    )
    assert len([e for e in recorder.events if e[0] == "EHLO"]) == 1  # never retried
    assert statuses(blog) == {} and open_issue_count(blog) == 1
    recorder.greeting = None
    assert send(blog, capsys)[0] == 0
    assert recorder.count() == Counter({address: 1 for address in addresses})


def test_a_journal_folder_that_cannot_be_made_is_one_line(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port)
    (blog.root / "state").write_text("a file where the folder should be", encoding="utf-8")
    code, _, err = send(blog, capsys)
    assert code == 1
    assert err.startswith(
        f"error: {blog.root / 'state/journal.sqlite3.lock'}: cannot create the send lock"
    )
    assert recorder.messages == []


def test_a_token_too_long_for_a_header_line_is_reported_at_load(tmp_path: Path) -> None:
    path = tmp_path / "subscribers.csv"
    path.write_text(f"email,token\na@example.com,{'t' * 201}\nb@example.com,ok\n", encoding="utf-8")
    found = read_csv(path)
    assert [s.email for s in found.subscribers] == ["b@example.com"]
    assert found.warnings == (
        f"{path}: line 2: a@example.com: the token is longer than 200 characters (it would make "
        "a header line too long for SMTP); skipped",
    )


@pytest.mark.parametrize(
    "reply",
    ["550 5.1.1 No such user", "550 Recipient address rejected: {address}: User unknown"],
)
def test_the_same_refusal_that_is_plainly_each_recipients_own_fails_them_and_goes_on(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str], reply: str
) -> None:
    recorder, port = server
    addresses = setup(blog, port, people=5)
    for address in addresses[:4]:
        recorder.plan[address] = [reply.format(address=address)]
    code, out, _ = send(blog, capsys)
    assert code == 1
    assert "issue 2021-02-01-issue: 1 sent, 4 failed, 0 deferred, 0 skipped" in out
    assert open_issue_count(blog) == 0
    assert recorder.count() == Counter({addresses[4]: 1})


def test_a_sender_the_message_builder_would_refuse_is_an_error_before_anything_is_frozen(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port)
    text = blog.config.read_text(encoding="utf-8")
    blog.config.write_text(text.replace("letters@example.com", "letters..x@example.com"))
    code, _, err = send(blog, capsys)
    assert code == 2
    assert err == (
        f"error: {blog.config}: newsletter.from_address: 'letters..x@example.com' is not an "
        "email address like 'jane@example.com'\n"
    )
    assert recorder.events == [] and not (blog.root / "state").exists()


def test_subscribers_tried_before_come_after_those_never_tried(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    addresses = setup(blog, port, people=6)
    # The first three get the same policy refusal: the run stops there, nobody failed.
    for address in addresses[:3]:
        recorder.plan[address] = ["554 5.7.1 Rejected by policy"] * 2
    assert send(blog, capsys)[0] == 1
    assert recorder.messages == []
    # Next run: the other three are served before the run reaches the troubled ones again.
    assert send(blog, capsys)[0] == 1
    assert recorder.count() == Counter({address: 1 for address in addresses[3:]})
    assert "failed" not in statuses(blog).values()


def test_replies_that_differ_only_in_queue_ids_are_the_same_refusal() -> None:
    from feeds.delivery.job import reply_key

    assert reply_key("554 5.7.1 [q1A2b3] Rejected (id 77) at 12:00:01") == reply_key(
        "554 5.7.1 [zz9] Rejected (id 78) at 12:00:02"
    )
    assert reply_key("554 5.7.1 Rejected") != reply_key("554 5.6.0 Rejected")
    assert reply_key("554 5.7.1 Rejected") != reply_key("550 5.7.1 Rejected")
    assert reply_key("554 5.7.1 Rejected") != reply_key("554 5.7.1 Spam")


# Second hostile review: refusals about the sender, relaying, and the same refusal's bounds.


@pytest.mark.parametrize(
    "reply",
    [
        "553 5.1.8 <letters@example.com>: Sender address rejected: Domain not found",
        "550 5.1.0 <letters@example.com>: Sender address rejected: User unknown",
        "550 5.1.7 Bad sender mailbox address syntax",
        "553 5.1.8 Domain of sender address does not exist",
        "550 Sender address rejected: not owned by user",
        "554 5.7.1 <{address}>: Relay access denied",
    ],
)
@pytest.mark.parametrize("people", [1, 5])
def test_a_refusal_at_rcpt_about_the_sender_or_relaying_stops_and_fails_nobody(
    blog: Blog,
    server: tuple[Recorder, int],
    capsys: pytest.CaptureFixture[str],
    reply: str,
    people: int,
) -> None:
    recorder, port = server
    addresses = setup(blog, port, people=people)
    for address in addresses:
        recorder.plan[address] = [reply.format(address=address)] * 10
    code, out, err = send(blog, capsys)
    assert code == 1, out + err
    assert f"refused the sender letters@example.com at RCPT TO: {reply.split()[0]}" in err
    assert "failed" not in statuses(blog).values() and open_issue_count(blog) == 1
    assert journal_rows(blog, "SELECT COUNT(*) FROM roster WHERE status != 'active'") == [(0,)]
    assert journal_rows(blog, "SELECT COALESCE(SUM(refusals), 0) FROM deliveries") == [(0,)]
    assert len([e for e in recorder.events if e[0] == "RCPT"]) == 1
    recorder.plan.clear()  # the sender is fixed
    code, out, _ = send(blog, capsys)
    assert code == 0, out
    assert recorder.count() == Counter({address: 1 for address in addresses})


def test_sender_statuses_are_never_a_recipients_own_or_a_hard_bounce() -> None:
    from feeds.delivery.job import about_recipient
    from feeds.delivery.suppression import hard_bounce
    from feeds.delivery.transport import Outcome

    reader = Subscriber(email="reader@example.com")
    for reply in ("553 5.1.8 Sender domain not found", "550 5.1.7 Bad sender syntax"):
        assert not about_recipient(Outcome("failed", 1, reply), reader)
        assert not hard_bounce(reply)
    assert about_recipient(Outcome("failed", 1, "550 5.1.1 No such user"), reader)
    assert hard_bounce("550 5.1.1 No such user")


def test_the_same_refusal_for_some_never_blocks_later_issues_and_is_bounded(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    setup(blog, port)
    set_option(blog, "[delivery]", "max_attempts = 2")
    others = ["a1@example.com", "a2@example.com", "a3@example.com"]
    gmail = ["g1@gmail.test", "g2@gmail.test", "g3@gmail.test"]
    write_subscribers(blog, "email\n" + "\n".join([others[0], *gmail, *others[1:]]) + "\n")
    dmarc = "550 5.7.26 Unauthenticated email is not accepted due to domain DMARC policy"
    recorder.data = {address: [dmarc] * 100 for address in gmail}
    code, _, err = send(blog, capsys)
    assert code == 1 and "the same refusal" in err
    assert recorder.count() == Counter({others[0]: 1})
    # A new post: the old issue reaches the rest, and the new one everyone it can.
    blog.post("2021-03-01-third.md", "---\ntitle: Third Post\ndate: 2021-03-01\n---\nMore.\n")
    code, out, _ = send(blog, capsys, now=NOW + timedelta(hours=1))
    assert code == 1, out
    assert recorder.count() == Counter({address: 2 for address in others})
    assert "failed" not in statuses(blog).values()
    # The held refusals count: each issue gives up on them after max_attempts runs.
    for hours in (2, 3, 4):
        send(blog, capsys, now=NOW + timedelta(hours=hours))
    assert open_issue_count(blog) == 0
    failed = journal_rows(blog, "SELECT subscriber FROM deliveries WHERE status = 'failed'")
    assert sorted(key for (key,) in failed) == sorted(gmail * 2)
    assert journal_rows(blog, "SELECT COUNT(*) FROM roster WHERE status != 'active'") == [(0,)]
    assert recorder.count() == Counter({address: 2 for address in others})


@pytest.mark.parametrize(
    "reply",
    ["451 4.3.0 Temporary system problem, try later",
     "450 4.1.8 <letters@example.com>: Sender address rejected: Domain not found"],
)  # fmt: skip
def test_the_same_temporary_refusal_for_everyone_counts_against_nobody(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str], reply: str
) -> None:
    recorder, port = server
    addresses = setup(blog, port, people=5)
    for address in addresses:
        recorder.plan[address] = [reply] * 100
    code, out, err = send(blog, capsys)
    assert code == 1, out + err
    assert "deferred" not in out.replace("0 deferred", "")
    assert set(statuses(blog).values()) <= {"pending"} and open_issue_count(blog) == 1
    assert journal_rows(blog, "SELECT COALESCE(SUM(refusals), 0) FROM deliveries") == [(0,)]
    recorder.plan.clear()
    code, out, _ = send(blog, capsys)
    assert code == 0, out
    assert recorder.count() == Counter({address: 1 for address in addresses})


def test_an_unsubscribe_during_the_run_is_honoured_before_the_next_message(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    from feeds.delivery.journal import Journal
    from feeds.delivery.suppression import UNSUBSCRIBED, suppress

    recorder, port = server
    addresses = setup(blog, port)

    def leave() -> None:
        # What the one-click endpoint does, from another connection, after the first message.
        if len(recorder.messages) == 1:
            journal = Journal.open(blog.root / "state/journal.sqlite3")
            try:
                suppress(journal, addresses[1], UNSUBSCRIBED, actor="t", how="t", now=NOW)
            finally:
                journal.close()

    recorder.after_message = leave
    code, out, err = send(blog, capsys)
    assert code == 0, out + err
    assert f"not sent: {addresses[1]}: unsubscribed during the run" in out
    assert recorder.count() == Counter({addresses[0]: 1, addresses[2]: 1})
    assert open_issue_count(blog) == 0


def test_a_list_whose_every_address_is_suppressed_freezes_and_announces_nothing(
    blog: Blog, server: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder, port = server
    addresses = setup(blog, port, people=2)
    assert send(blog, capsys)[0] == 0
    for address in addresses:
        run_cli(["subscribers", "remove", address, "--config", str(blog.config)], capsys)
    blog.post("2021-03-01-third.md", "---\ntitle: Third Post\ndate: 2021-03-01\n---\nMore.\n")
    for extra in (("--dry-run",), ()):
        code, out, err = send(blog, capsys, *extra)
        assert code == 2 and out == ""
        assert err.splitlines() == [
            f"error: {blog.root / 'subscribers.csv'}: subscribers: no address to send to (all 2 "
            "are suppressed: 2 unsubscribed); nothing frozen or sent"
        ]
    assert journal_rows(blog, "SELECT COUNT(*) FROM issues") == [(1,)]
    run_cli(["subscribers", "add", addresses[0], "--config", str(blog.config)], capsys)
    assert send(blog, capsys)[0] == 0
    assert [m["Subject"] for m in recorder.parsed(addresses[0])][-1] == "Test Blog: Third Post"


def test_one_click_links_missing_for_want_of_the_secret_are_a_warning_naming_it(
    blog: Blog,
    server: tuple[Recorder, int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder, port = server
    setup(blog, port)
    monkeypatch.delenv("FEEDS_UNSUBSCRIBE_SECRET", raising=False)
    write_subscribers(blog, "email,token\nwith@example.com,t1\nwithout@example.com,\n")
    warning = (
        "warning: 1 subscriber(s) get no one-click unsubscribe link: [delivery] unsubscribe_url "
        "uses {token} and FEEDS_UNSUBSCRIBE_SECRET is not set (set it to the secret "
        "'feeds serve-subscriptions' runs with)"
    )
    code, _, err = send(blog, capsys, "--strict")
    assert code == 2 and warning in err.splitlines()
    assert recorder.messages == [] and journal_rows(blog, "SELECT COUNT(*) FROM issues") == [(0,)]
    code, out, err = send(blog, capsys)
    assert code == 0, out + err
    assert err.splitlines().count(warning) == 1
    (message,) = recorder.parsed("without@example.com")
    assert "List-Unsubscribe-Post" not in message
