"""What the send job needs of a way to deliver mail. SMTP (``smtp.SmtpTransport``) is the first;
an email provider's HTTP API would be another class with these methods."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Protocol, Self


@dataclass(frozen=True)
class Outcome:
    """``sent``; ``failed`` (the recipient refused for good: do not retry); ``deferred`` (try
    again next run); ``unconfirmed`` (the message went out, the server's answer was lost: it may
    have arrived, so it is not retried in this run). ``refusals`` counts the recipient's own
    temporary refusals (4xx to RCPT TO or DATA), which bound how long it is retried."""

    status: str
    attempts: int
    error: str | None = None
    refusals: int = 0


class Transport(Protocol):
    """Hands one message at a time to a mail service. ``send`` returns the outcome for that
    recipient and raises ``DeliveryError`` when the service cannot be reached at all or refuses
    the sender, so a run stops instead of deferring or failing every subscriber."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def send(self, message: EmailMessage, sender: str, recipient: str) -> Outcome: ...
