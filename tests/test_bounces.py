"""``feeds bounces``: delivery-status notifications, complaints and mailto unsubscribes read from
a Maildir or an mbox, and the send that follows skipping whom they suppressed."""

from __future__ import annotations

import email.parser
import email.policy
import mailbox
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.delivery.bounces import read_message

from .cli import run_cli
from .conftest import Blog
from .subscriptions import events, sink, statuses
from .test_send import Recorder, send, setup

__all__ = ["sink"]

_serial = iter(range(1, 10_000))


def dsn(
    recipient: str,
    status: str,
    action: str = "failed",
    day: int = 1,
    diagnostic: str = "smtp; 550 5.1.1 <{r}>: Recipient address rejected: User unknown",
    returned: str = "<not-ours@example.com>",
) -> bytes:
    """A delivery-status notification (RFC 3464) as a mail system sends it back."""
    serial = next(_serial)
    return f"""\
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: letters@example.com
Subject: Undelivered Mail Returned to Sender
Date: Mon, {day:02d} Mar 2021 10:00:{serial % 60:02d} +0000
Message-ID: <dsn-{serial}@mx.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="REPORT"

--REPORT
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered.

--REPORT
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Arrival-Date: Mon, {day:02d} Mar 2021 09:59:58 +0000

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Diagnostic-Code: {diagnostic.format(r=recipient)}

--REPORT
Content-Type: text/rfc822-headers

From: Test Letters <letters@example.com>
To: {recipient}
Subject: Test Blog: Second Post
Message-ID: {returned}

--REPORT--
""".replace("\n", "\r\n").encode()


def complaint(recipient: str, returned: str = "<not-ours@example.com>") -> bytes:
    """An abuse report (RFC 5965) from a mailbox provider's feedback loop."""
    return f"""\
From: feedback@provider.example.net
To: abuse@example.com
Subject: Abuse report
Date: Tue, 02 Mar 2021 08:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="ARF"

--ARF
Content-Type: text/plain

This is an email abuse report.

--ARF
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: provider-fbl/1.0
Version: 1
Original-Rcpt-To: <{recipient}>

--ARF
Content-Type: text/rfc822-headers

From: letters@example.com
To: {recipient}
Message-ID: {returned}

--ARF--
""".encode()


def plain(sender: str, to: str, subject: str) -> bytes:
    return (
        f"From: {sender}\nTo: {to}\nSubject: {subject}\nDate: Wed, 03 Mar 2021 08:00:00 +0000\n\n\n"
    ).encode()


def sent_id(blog: Blog, address: str) -> str:
    """The Message-ID of the copy the send job delivered to ``address``."""
    with sqlite3.connect(blog.root / "state/journal.sqlite3") as db:
        (found,) = db.execute(
            "SELECT message_id FROM deliveries WHERE address = ? AND message_id IS NOT NULL",
            (address,),
        ).fetchone()
    return str(found)


def maildir(root: Path, *messages: bytes) -> Path:
    box = mailbox.Maildir(root / "Maildir", create=True)
    for message in messages:
        box.add(message)
    box.close()
    return root / "Maildir"


def mbox(root: Path, *messages: bytes) -> Path:
    box = mailbox.mbox(root / "bounces.mbox", create=True)
    for message in messages:
        box.add(message)
    box.close()
    return root / "bounces.mbox"


def bounces(blog: Blog, path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(blog.args("bounces", str(path)), capsys)


@pytest.mark.parametrize("kind", [maildir, mbox])
def test_a_5_1_1_dsn_suppresses_the_address_and_the_next_send_skips_it(
    blog: Blog, sink: tuple[Recorder, int], capsys: pytest.CaptureFixture[str], kind: object
) -> None:
    recorder, port = sink
    setup(blog, port)
    assert send(blog, capsys)[0] == 0
    returned = sent_id(blog, "reader01@example.com")
    box = kind(blog.root, dsn("reader01@example.com", "5.1.1", returned=returned))  # type: ignore[operator]

    code, out, _ = bounces(blog, box, capsys)
    assert code == 0
    assert out.splitlines() == [
        "  suppressed: reader01@example.com (bounced)",
        "1 message(s) read, 0 read before, 0 not a bounce; 1 address(es) suppressed",
    ]
    assert statuses(blog) == {"reader01@example.com": "bounced"}
    ((_, status, actor, how),) = events(blog)
    assert (status, actor) == ("bounced", "feeds bounces")
    assert how.startswith("DSN failed 5.1.1: smtp; 550 5.1.1")

    blog.post("2021-03-01-third.md", "---\ntitle: Third\ndate: 2021-03-01\n---\nMore.\n")
    recorder.messages.clear()
    code, out, _ = send(blog, capsys)
    assert code == 0
    assert sorted(recorder.count()) == ["reader00@example.com", "reader02@example.com"]
    assert "skipped 1 suppressed (1 bounced): never mailed again" in out


def test_each_message_is_read_once(
    blog: Blog, sink: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    setup(blog, sink[1])
    box = maildir(blog.root, dsn("reader00@example.com", "4.2.2", action="delayed"))
    assert bounces(blog, box, capsys)[1].endswith(
        "1 message(s) read, 0 read before, 0 not a bounce; 0 address(es) suppressed\n"
    )
    out = bounces(blog, box, capsys)[1]
    assert out == "0 message(s) read, 1 read before, 0 not a bounce; 0 address(es) suppressed\n"


def test_soft_bounces_suppress_after_the_limit_in_a_row(
    blog: Blog, sink: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    setup(blog, sink[1])
    with blog.config.open("a", encoding="utf-8") as settings_file:
        settings_file.write("soft_bounce_limit = 2\n")
    assert send(blog, capsys)[0] == 0
    ours = sent_id(blog, "reader00@example.com")
    full = dsn("reader00@example.com", "4.2.2", day=1, diagnostic="smtp; 452 4.2.2 Mailbox full",
               returned=ours)  # fmt: skip
    delivered = dsn("reader00@example.com", "2.0.0", action="delivered", day=2, returned=ours)
    again = dsn("reader00@example.com", "4.2.2", day=3, diagnostic="smtp; 452 4.2.2 Mailbox full",
                returned=ours)  # fmt: skip
    # A permanent refusal of the message (policy), not of the mailbox, counts as soft too.
    policy = dsn("reader00@example.com", "5.7.1", day=4, diagnostic="smtp; 554 5.7.1 spam",
                 returned=ours)  # fmt: skip

    bounces(blog, maildir(blog.root, full, delivered, again), capsys)
    assert statuses(blog) == {}  # the delivery between them broke the run
    out = bounces(blog, maildir(blog.root, policy), capsys)[1]
    assert "  soft bounce: reader00@example.com (2 in a row)" in out
    assert statuses(blog) == {"reader00@example.com": "bounced"}
    assert events(blog)[0][3].startswith("2 soft bounces in a row, the last DSN failed 5.7.1")


def test_complaints_and_mailto_unsubscribes_are_honoured(
    blog: Blog, sink: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    setup(blog, sink[1])  # unsubscribe_mailto = "leave@example.com"
    assert send(blog, capsys)[0] == 0
    box = mbox(
        blog.root,
        complaint("reader00@example.com", sent_id(blog, "reader00@example.com")),
        plain("Reader 2 <reader02@example.com>", "leave@example.com",
              "unsubscribe reader02@example.com"),
        plain("someone@example.org", "letters@example.com", "Nice post!"),
    )  # fmt: skip
    code, out, _ = bounces(blog, box, capsys)
    assert code == 0
    assert statuses(blog) == {
        "reader00@example.com": "complained",
        "reader02@example.com": "unsubscribed",
    }
    assert out.splitlines()[-1] == (
        "3 message(s) read, 0 read before, 1 not a bounce; 2 address(es) suppressed"
    )


def test_a_suppressed_address_keeps_its_first_reason(
    blog: Blog, sink: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    setup(blog, sink[1])
    assert send(blog, capsys)[0] == 0
    ours = sent_id(blog, "reader01@example.com")
    box = maildir(
        blog.root,
        dsn("reader01@example.com", "5.1.1", day=1, returned=ours),
        complaint("reader01@example.com", ours),
    )
    bounces(blog, box, capsys)
    assert statuses(blog) == {"reader01@example.com": "bounced"}
    assert len(events(blog)) == 1


def test_a_path_that_is_no_mailbox_is_one_error_line(
    blog: Blog, sink: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    setup(blog, sink[1])
    (blog.root / "folder").mkdir()
    code, _, err = bounces(blog, blog.root / "folder", capsys)
    assert (code, err) == (
        2, f"error: {blog.root / 'folder'}: is a folder but not a Maildir (it needs cur/ and new/)\n"
    )  # fmt: skip
    code, _, err = bounces(blog, blog.root / "missing", capsys)
    assert code == 2 and "no such Maildir or mbox file" in err


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=600),
    st.sampled_from(
        [
            b"",
            b"Content-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\n",
        ]
    ),
)
def test_any_bytes_in_the_mailbox_are_read_without_an_error(data: bytes, head: bytes) -> None:
    message = email.parser.BytesParser(policy=email.policy.default).parsebytes(head + data)
    for report in read_message(message, "leave@example.com"):
        assert "@" in report.address


def test_a_maildir_message_that_vanishes_while_read_is_skipped_with_a_warning(
    blog: Blog,
    sink: tuple[Recorder, int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    setup(blog, sink[1])
    assert send(blog, capsys)[0] == 0
    box = maildir(
        blog.root,
        dsn("reader01@example.com", "5.1.1", returned=sent_id(blog, "reader01@example.com")),
        dsn("reader02@example.com", "5.1.1", returned=sent_id(blog, "reader02@example.com")),
    )
    read = mailbox.Maildir.get_bytes
    gone: list[str] = []

    def moved_away(self: mailbox.Maildir, key: str) -> bytes:
        # A mail client moves the first message away between the listing and the read.
        if not gone:
            gone.append(key)
            (Path(self._path) / self._lookup(key)).unlink()  # type: ignore[attr-defined]
        return read(self, key)

    monkeypatch.setattr(mailbox.Maildir, "get_bytes", moved_away)
    code, out, err = bounces(blog, box, capsys)
    assert code == 0, err
    assert err == f"warning: {box}: message {gone[0]} vanished while it was read; skipped\n"
    assert out.splitlines()[-1] == (
        "1 message(s) read, 0 read before, 0 not a bounce; 1 address(es) suppressed"
    )


def test_a_report_that_returns_no_message_of_ours_changes_nothing(
    blog: Blog, sink: tuple[Recorder, int], capsys: pytest.CaptureFixture[str]
) -> None:
    """Anyone can mail the return path: a forged DSN or complaint (no Message-ID we sent, or
    one we sent to somebody else) suppresses nobody."""
    setup(blog, sink[1])
    assert send(blog, capsys)[0] == 0
    someone_elses = sent_id(blog, "reader02@example.com")
    box = mbox(
        blog.root,
        dsn("reader01@example.com", "5.1.1"),
        dsn("reader01@example.com", "5.1.1", returned=someone_elses),
        complaint("reader00@example.com"),
    )
    code, out, err = bounces(blog, box, capsys)
    assert code == 0
    assert statuses(blog) == {}
    assert len(err.splitlines()) == 3
    assert all("no matching Message-ID); ignored" in line for line in err.splitlines())
    assert out.splitlines()[-1] == (
        "3 message(s) read, 0 read before, 0 not a bounce; 0 address(es) suppressed"
    )
