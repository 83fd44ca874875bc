"""What the send job needs of a way to deliver mail. SMTP (``smtp.SmtpTransport``) is the first;
an email provider's HTTP API would be another class with these methods."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Protocol, Self


@dataclass(frozen=True)
class Outcome:
    """``sent``, ``failed`` (permanent: do not retry) or ``deferred`` (try again next run)."""

    status: str
    attempts: int
    error: str | None = None


class Transport(Protocol):
    """Hands one message at a time to a mail service. ``send`` returns the outcome for that
    recipient and raises ``DeliveryError`` when the service cannot be reached at all, so a run
    stops instead of deferring every subscriber."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def send(self, message: EmailMessage, sender: str, recipient: str) -> Outcome: ...
