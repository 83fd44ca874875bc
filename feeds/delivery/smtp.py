"""Handing messages to an SMTP server: one connection reused, reconnected when it drops, a rate
limit, and retries with backoff for what may pass (4xx, a dropped line, a timeout) — never for
what will not (5xx)."""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from types import TracebackType

from feeds.config import SmtpSettings
from feeds.delivery.transport import Outcome
from feeds.errors import DeliveryError


class SmtpTransport:
    """The ``Transport`` of an SMTP server, with the standard library's smtplib."""

    def __init__(
        self,
        settings: SmtpSettings,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.sleep = sleep
        self.clock = clock
        self.connection: smtplib.SMTP | None = None
        self.last_send = float("-inf")

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def connect(self) -> smtplib.SMTP:
        """An open, authenticated connection; DeliveryError if the server cannot be reached."""
        if self.connection is not None:
            return self.connection
        settings = self.settings
        connection: smtplib.SMTP | None = None
        try:
            if settings.security == "ssl":
                connection = smtplib.SMTP_SSL(
                    settings.host, settings.port, timeout=settings.timeout,
                    context=ssl.create_default_context(),
                )  # fmt: skip
            else:
                connection = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
                if settings.security == "starttls":
                    connection.starttls(context=ssl.create_default_context())
            if settings.user:
                connection.login(settings.user, settings.password or "")
        except smtplib.SMTPAuthenticationError as error:
            close_quietly(connection)
            # The server's reply only: the password never appears in a message.
            raise DeliveryError(
                f"SMTP server {self.where()} refused the login of {settings.user!r}: "
                f"{error.smtp_code} {reply_text(error.smtp_error)} (check FEEDS_SMTP_PASSWORD)"
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            close_quietly(connection)
            raise DeliveryError(
                f"cannot connect to the SMTP server {self.where()}: {describe(error)}"
            ) from None
        self.connection = connection
        return connection

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None

    def send(self, message: EmailMessage, sender: str, recipient: str) -> Outcome:
        """Try to deliver ``message`` to ``recipient``. Raises DeliveryError when the server
        cannot be reached at all, so a run stops instead of deferring every subscriber."""
        attempts = 0
        error = ""
        for attempt in range(self.settings.retries + 1):
            if attempt:
                self.sleep(self.settings.retry_delay * 2 ** (attempt - 1))
            self.wait_for_rate()
            attempts += 1
            try:
                connection = self.connect_with_retry(attempt)
                self.last_send = self.clock()
                connection.send_message(message, from_addr=sender, to_addrs=[recipient])
                return Outcome("sent", attempts)
            except smtplib.SMTPRecipientsRefused as refused:
                code, reply = refused.recipients.get(recipient, (550, b"refused"))
                error = f"{code} {reply_text(reply)}"
                self.reset()
                if not 400 <= code < 500:
                    return Outcome("failed", attempts, error)
            except smtplib.SMTPResponseException as response:
                error = f"{response.smtp_code} {reply_text(response.smtp_error)}"
                self.reset()
                if not 400 <= response.smtp_code < 500:
                    return Outcome("failed", attempts, error)
                if response.smtp_code == 421:
                    self.drop()
            except (smtplib.SMTPServerDisconnected, OSError) as network:
                # A dropped line or a timeout (OSError covers both): reconnect and retry.
                error = describe(network)
                self.drop()
        return Outcome("deferred", attempts, error)

    def connect_with_retry(self, attempt: int) -> smtplib.SMTP:
        # A line that dropped mid-run gets reconnected; a server unreachable on the last
        # attempt ends the run.
        try:
            return self.connect()
        except DeliveryError:
            if attempt >= self.settings.retries:
                raise
            raise ConnectionError("reconnect failed") from None

    def wait_for_rate(self) -> None:
        if self.settings.rate > 0:
            gap = 1.0 / self.settings.rate - (self.clock() - self.last_send)
            if gap > 0:
                self.sleep(gap)

    def reset(self) -> None:
        if self.connection is not None:
            try:
                self.connection.rset()
            except (smtplib.SMTPException, OSError):
                self.drop()

    def drop(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def close_quietly(connection: smtplib.SMTP | None) -> None:
    if connection is not None:
        connection.close()


def reply_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {reply_text(error.smtp_error)}"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
