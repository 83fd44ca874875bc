"""The MIME message of a newsletter issue, built with the standard library's ``email`` package."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, EmailPolicy
from email.utils import format_datetime
from typing import Any

from feeds.config import NewsletterSettings, Site
from feeds.errors import ConfigError
from feeds.newsletter.issue import Issue

# Headers of free text (a subject, names) are folded at RFC 5322's recommended 78 characters.
# The others may run to the hard limit of 998: with 78, the email package turns an unbreakable
# token, such as a long List-Unsubscribe URL, into an RFC 2047 encoded word, which mail clients
# do not decode in that header, so the unsubscribe link would silently break.
FOLDED_HEADERS = frozenset({"subject", "from", "to"})
FOLDED = SMTP.clone(max_line_length=78)
LONG = SMTP.clone(max_line_length=998)


class HeaderPolicy(EmailPolicy):
    """SMTP's policy, with the line length chosen per header (see ``FOLDED_HEADERS``)."""

    def fold(self, name: str, value: Any) -> str:
        return str(self.for_header(name).fold(name, value))

    def fold_binary(self, name: str, value: Any) -> bytes:
        return bytes(self.for_header(name).fold_binary(name, value))

    def for_header(self, name: str) -> EmailPolicy[EmailMessage]:
        return FOLDED if name.lower() in FOLDED_HEADERS else LONG


POLICY = HeaderPolicy(linesep="\r\n", max_line_length=998)
# The email package wraps quoted-printable at the policy's length; SMTP's 78 is two more than
# RFC 2045 allows.
BODY_POLICY = SMTP.clone(max_line_length=76)


def one_line(value: str) -> str:
    """Header text on one line: a newline in a title must never start a header of its own."""
    return " ".join(value.split())


def build_message(
    *,
    subject: str,
    sender_name: str,
    sender_address: str,
    html: str,
    text: str,
    date: datetime,
    message_id: str,
    to: Address | str | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A ``multipart/alternative`` message: the plain text first, the HTML preferred."""
    message = EmailMessage(policy=BODY_POLICY)
    message["Subject"] = one_line(subject)
    message["From"] = sender(sender_name, sender_address)
    if to:
        message["To"] = to
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    for name, value in (extra_headers or {}).items():
        message[name] = one_line(value)
    message.set_content(text, subtype="plain", cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    # The email package picks a random boundary; one derived from the Message-ID keeps the
    # same issue byte-identical between runs.
    token = hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:32]
    message.set_boundary(f"=_{token}")
    # The parts above were encoded within RFC 2045's 76 columns; the headers are written with
    # the longer limit.
    message.policy = POLICY
    return message


def sender(name: str, address: str) -> Address:
    try:
        return Address(display_name=one_line(name), addr_spec=address)
    except (ValueError, IndexError) as error:
        raise ConfigError(
            "newsletter", [("from_address", f"{address!r} is not usable: {error}")]
        ) from None


def stable_message_id(*parts: str, domain: str) -> str:
    """A Message-ID made from the message's content, so rebuilding it gives the same bytes."""
    digest = hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:24]
    safe_domain = re.sub(r"[^A-Za-z0-9.-]", "", domain) or "localhost"
    return f"<{digest}@{safe_domain}>"


def require_sender(settings: NewsletterSettings) -> str:
    if not settings.from_address:
        raise ConfigError(
            "newsletter",
            [("from_address", "missing; set [newsletter] from_address or [site.author] email")],
        )
    return settings.from_address


def issue_message(issue: Issue, site: Site, settings: NewsletterSettings) -> EmailMessage:
    """The MIME message of a newsletter issue, as written beside its HTML and text."""
    return build_message(
        subject=issue.subject,
        sender_name=settings.from_name,
        sender_address=require_sender(settings),
        html=issue.html,
        text=issue.text,
        date=issue.date,
        message_id=stable_message_id(issue.stem, issue.html, issue.text, domain=site.domain),
    )
