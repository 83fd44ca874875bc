"""``feeds bounces``: read the return-path mailbox (Maildir or mbox) and act on what is there.

- Delivery-status notifications (RFC 3464, ``multipart/report; report-type=delivery-status``):
  a permanent failure of the mailbox (5.x.x, see ``permanent``) suppresses the address at once;
  a temporary one (4.x.x), or a permanent one about the message rather than the mailbox (too
  big, refused by policy), counts as a soft bounce, and ``soft_bounce_limit`` of them in a row
  suppress it. A ``delivered`` or ``relayed`` report ends the run of soft bounces.
- Complaints (RFC 5965 feedback reports): the address is suppressed as ``complained``.
- Mail to the List-Unsubscribe mailto address: its sender is unsubscribed.

Each message is handled once: its digest is kept in the journal, so the command can run from
cron over a mailbox that keeps its messages.
"""

from __future__ import annotations

import email.policy
import hashlib
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.parser import BytesParser, HeaderParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from feeds.config import DeliverySettings
from feeds.delivery.journal import Journal
from feeds.delivery.suppression import BOUNCED, COMPLAINED, UNSUBSCRIBED, permanent, suppress
from feeds.errors import UsageError

STATUS = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")
ACTOR = "feeds bounces"


@dataclass(frozen=True)
class Report:
    """What one message says: ``kind`` is hard, soft, delivered, complaint or unsubscribe."""

    kind: str
    address: str
    detail: str


@dataclass
class BounceSummary:
    read: int = 0
    already_read: int = 0
    ignored: int = 0
    suppressed: list[tuple[str, str]] = field(default_factory=list)
    soft: list[tuple[str, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Reports that return no message of ours to that address: forged, or too terse to trust.
    unverified: int = 0


def process_mailbox(
    path: Path, journal: Journal, delivery: DeliverySettings, now: datetime
) -> BounceSummary:
    summary = BounceSummary()
    for digest, label, message in messages(path, summary.warnings):
        if journal.mail_was_read(digest):
            summary.already_read += 1
            continue
        summary.read += 1
        reports = read_message(message, delivery.unsubscribe_mailto)
        if not reports:
            summary.ignored += 1
        for report in reports:
            if report.kind != "unsubscribe" and not about_our_message(journal, message, report):
                # Anyone can mail the return path: a report counts only when it returns a
                # message we sent to that very address.
                summary.unverified += 1
                summary.warnings.append(
                    f"{label}: a {report.kind} report for {report.address} that returns no "
                    "message feeds sent to that address (no matching Message-ID); ignored"
                )
                continue
            apply(journal, report, label, delivery.soft_bounce_limit, now, summary)
        journal.mark_mail_read(digest, now)
    return summary


def apply(
    journal: Journal, report: Report, label: str, limit: int, now: datetime, summary: BounceSummary
) -> None:
    key = report.address.casefold()
    how = f"{report.detail} ({label})"
    if report.kind == "delivered":
        journal.clear_soft_bounces(key)
        return
    if report.kind == "soft":
        count = journal.soft_bounce(key, now)
        summary.soft.append((report.address, count))
        if count < limit:
            return
        how = f"{count} soft bounces in a row, the last {how}"
    reason = {"complaint": COMPLAINED, "unsubscribe": UNSUBSCRIBED}.get(report.kind, BOUNCED)
    if suppress(journal, report.address, reason, actor=ACTOR, how=how, now=now):
        summary.suppressed.append((report.address, reason))


def about_our_message(journal: Journal, message: EmailMessage, report: Report) -> bool:
    """Whether ``message`` (a DSN or complaint) returns the headers of a message the send job
    delivered to ``report.address``: its Message-ID is in the journal, for that address."""
    for original in returned_message_ids(message):
        address = journal.sent_to(original)
        if address is not None and address.casefold() == report.address.casefold():
            return True
    return False


def returned_message_ids(message: EmailMessage) -> list[str]:
    """The Message-IDs of the message(s) a report returns (its message/rfc822 or
    text/rfc822-headers part)."""
    found = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind not in ("message/rfc822", "text/rfc822-headers"):
            continue
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        headers = inner if isinstance(inner, Message) else HeaderParser().parsestr(str(payload))
        value = str(headers["Message-ID"] or "").strip()
        if value:
            found.append(value)
    return found


def messages(path: Path, warnings: list[str]) -> Iterator[tuple[str, str, EmailMessage]]:
    """Each message of the Maildir or mbox at ``path``, oldest first (by its Date header), with
    a digest of its bytes and a label saying where it is. A message that vanishes while the
    folder is read (a mail client or another run moved it) is skipped with a warning."""
    box = open_mailbox(path)
    parser = BytesParser(policy=email.policy.default)
    found = []
    try:
        for key in box.iterkeys():
            try:
                data = box.get_bytes(key)
            except (KeyError, FileNotFoundError):
                warnings.append(f"{path}: message {key} vanished while it was read; skipped")
                continue
            message = parser.parsebytes(data)
            found.append((sent_at(message), str(key), hashlib.sha256(data).hexdigest(), message))
    finally:
        box.close()
    found.sort(key=lambda item: (item[0], item[1]))
    for _, key, digest, message in found:
        label = f"{path.name} {key}"
        if message["Message-ID"]:
            label = f"{label}, {str(message['Message-ID']).strip()}"
        yield digest, label, message


def open_mailbox(path: Path) -> mailbox.Mailbox:
    if path.is_dir():
        if not (path / "cur").is_dir() or not (path / "new").is_dir():
            raise UsageError(f"{path}: is a folder but not a Maildir (it needs cur/ and new/)")
        return mailbox.Maildir(path, factory=None, create=False)
    if path.is_file():
        return mailbox.mbox(path, create=False)
    raise UsageError(f"{path}: no such Maildir or mbox file")


def sent_at(message: Message) -> datetime:
    try:
        when = parsedate_to_datetime(str(message["Date"] or ""))
    except (TypeError, ValueError):
        return datetime.min.replace(tzinfo=UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def read_message(message: EmailMessage, unsubscribe_mailto: str | None) -> list[Report]:
    if message.get_content_type() == "multipart/report":
        kind = str(message.get_param("report-type", "")).lower()
        if kind == "delivery-status":
            return delivery_reports(message)
        if kind == "feedback-report":
            return complaint_reports(message)
        return []
    return unsubscribe_request(message, unsubscribe_mailto)


def delivery_reports(message: EmailMessage) -> list[Report]:
    reports = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in field_blocks(part)[1:]:
            report = recipient_report(block)
            if report is not None:
                reports.append(report)
    return reports


def recipient_report(block: Message) -> Report | None:
    """One per-recipient block of a DSN: Original-Recipient (the address we sent to) or
    Final-Recipient, Action and Status."""
    address = typed_address(block["Original-Recipient"]) or typed_address(block["Final-Recipient"])
    action = str(block["Action"] or "").strip().lower()
    status = str(block["Status"] or "").strip().split(" ")[0]
    if not address:
        return None
    if action in ("delivered", "relayed", "expanded"):
        return Report("delivered", address, f"DSN {action}")
    if not STATUS.match(status) or action not in ("failed", "delayed"):
        return None
    diagnostic = " ".join(str(block["Diagnostic-Code"] or "").split())
    detail = f"DSN {action} {status}" + (f": {diagnostic}" if diagnostic else "")
    if action == "failed" and permanent(status):
        return Report("hard", address, detail)
    return Report("soft", address, detail)


def field_blocks(part: Message) -> list[Message]:
    """The field blocks of a message/delivery-status part, however the parser left them."""
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = [item for item in payload if isinstance(item, Message)]
        if blocks:
            return blocks
    text = part.get_payload(decode=True)
    raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(payload)
    chunks = re.split(r"\r?\n\s*\r?\n", raw.strip())
    return [HeaderParser().parsestr(chunk) for chunk in chunks if chunk.strip()]


def typed_address(value: object) -> str | None:
    """``rfc822; reader@example.com`` → ``reader@example.com``."""
    if value is None:
        return None
    kind, _, address = str(value).partition(";")
    if not address:
        address, kind = kind, "rfc822"
    address = address.strip().strip("<>")
    return address if kind.strip().lower() == "rfc822" and "@" in address else None


def complaint_reports(message: EmailMessage) -> list[Report]:
    for part in message.walk():
        if part.get_content_type() == "message/feedback-report":
            for block in field_blocks(part):
                address = typed_address(block["Original-Rcpt-To"])
                if address:
                    return [Report("complaint", address, "complaint (feedback report)")]
    for part in message.walk():
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
            original = part.get_payload()
            inner = original[0] if isinstance(original, list) and original else None
            headers = (
                inner if isinstance(inner, Message) else HeaderParser().parsestr(str(original))
            )
            found = [addr for _, addr in getaddresses([str(headers["To"] or "")]) if "@" in addr]
            if len(found) == 1:
                return [Report("complaint", found[0], "complaint (feedback report)")]
    return []


def unsubscribe_request(message: EmailMessage, mailto: str | None) -> list[Report]:
    """Mail sent to the List-Unsubscribe mailto: its sender leaves. Without the setting, any
    ``unsubscribe@`` address counts."""
    recipients = getaddresses(
        [str(message[name] or "") for name in ("To", "Cc", "Delivered-To", "X-Original-To")]
    )
    wanted = (mailto or "").casefold()
    if not any(
        addr.casefold() == wanted or (not wanted and addr.casefold().startswith("unsubscribe@"))
        for _, addr in recipients
    ):
        return []
    senders = [addr for _, addr in getaddresses([str(message["From"] or "")]) if "@" in addr]
    if len(senders) != 1:
        return []
    return [Report("unsubscribe", senders[0], "mailto unsubscribe request")]
