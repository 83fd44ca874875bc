"""Handing messages to an SMTP server: one connection reused, reconnected when it drops, a rate
limit, and retries with backoff for what may pass (4xx, a dropped line, a timeout) — never for
what will not (5xx).

Each transaction is spoken step by step (MAIL FROM, RCPT TO, DATA) so that a failure is classed
by where it happened: the connection, EHLO, AUTH and MAIL FROM concern every recipient and stop
the run (``ServerRefused``); RCPT TO and the end of DATA concern this recipient; and a line lost
after the whole message went out is "unconfirmed" — it may well have arrived, so it is never
retried in the same run."""

from __future__ import annotations

import re
import smtplib
import ssl
import time
from collections.abc import Callable
from email.generator import BytesGenerator
from email.message import EmailMessage
from io import BytesIO
from types import TracebackType

from feeds.config import SmtpSettings
from feeds.delivery.transport import Outcome
from feeds.errors import DeliveryError

CRLF = b"\r\n"


class ServerRefused(DeliveryError):
    """The server refused us, not a recipient (login, sender, greeting): retrying is no use."""


class Refused(Exception):
    """A reply other than the one wanted, at ``stage``."""

    def __init__(self, stage: str, code: int, reply: bytes | str) -> None:
        super().__init__(f"{code} {reply_text(reply)}")
        self.stage = stage
        self.code = code


class Unconfirmed(Exception):
    """The whole message went out and the reply to it was lost."""


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
        """An open, greeted, authenticated connection; DeliveryError if the server cannot be
        reached, ServerRefused if it refuses the greeting or the login."""
        if self.connection is not None:
            return self.connection
        settings = self.settings
        if settings.user and settings.security == "none" and not settings.allow_plaintext_auth:
            raise ServerRefused(
                f"refusing to send the password for {settings.user!r} to {self.where()} without "
                'TLS (set [smtp] security = "starttls" or "ssl", or allow_plaintext_auth = true)'
            )
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
            connection.ehlo_or_helo_if_needed()
            if settings.user:
                connection.login(settings.user, settings.password or "")
        except smtplib.SMTPAuthenticationError as error:
            close_quietly(connection)
            # The server's reply only: the password never appears in a message.
            raise ServerRefused(
                f"SMTP server {self.where()} refused the login of {settings.user!r}: "
                f"{error.smtp_code} {reply_text(error.smtp_error)} (check FEEDS_SMTP_PASSWORD)"
            ) from None
        except smtplib.SMTPHeloError as error:
            close_quietly(connection)
            raise ServerRefused(
                f"SMTP server {self.where()} refused the greeting: "
                f"{error.smtp_code} {reply_text(error.smtp_error)}"
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
        cannot be reached or refuses the sender, so a run stops instead of failing everyone."""
        data = wire_bytes(message)
        attempts = refusals = 0
        error = ""
        for attempt in range(self.settings.retries + 1):
            if attempt:
                self.sleep(self.settings.retry_delay * 2 ** (attempt - 1))
            self.wait_for_rate()
            attempts += 1
            try:
                connection = self.connect_with_retry(attempt)
                self.last_send = self.clock()
                transact(connection, sender, recipient, data)
                return Outcome("sent", attempts, refusals=refusals)
            except Refused as refused:
                error = str(refused)
                self.reset()
                if refused.code == 421:
                    self.drop()
                elif refused.stage == "MAIL FROM" or refuses_us(error, sender):
                    # A refusal of the sender or of our right to relay, whatever the stage,
                    # concerns every recipient: never a recipient's failure or refusal count.
                    if refused.code >= 500 or attempt >= self.settings.retries:
                        raise ServerRefused(
                            f"SMTP server {self.where()} refused the sender {sender} at "
                            f"{refused.stage}: {error}"
                        ) from None
                elif not 400 <= refused.code < 500:
                    return Outcome("failed", attempts, error, refusals=refusals)
                else:
                    refusals += 1
            except Unconfirmed as lost:
                self.drop()
                return Outcome(
                    "unconfirmed", attempts,
                    f"the line was lost after the message was sent ({lost}); it may have arrived",
                    refusals=refusals,
                )  # fmt: skip
            except (smtplib.SMTPException, OSError) as network:
                # A dropped line or a timeout (OSError covers both): reconnect and retry.
                error = describe(network)
                self.drop()
        return Outcome("deferred", attempts, error, refusals=refusals)

    def connect_with_retry(self, attempt: int) -> smtplib.SMTP:
        # A line that dropped mid-run gets reconnected; a server unreachable on the last
        # attempt ends the run, and one that refuses us ends it at once.
        try:
            return self.connect()
        except ServerRefused:
            raise
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


def wire_bytes(message: EmailMessage) -> bytes:
    """The message as it goes after DATA: CRLF lines, leading dots doubled, the final dot."""
    buffer = BytesIO()
    BytesGenerator(buffer, policy=message.policy.clone(linesep="\r\n")).flatten(message)
    data = re.sub(rb"(?m)^\.", b"..", buffer.getvalue())
    if not data.endswith(CRLF):
        data += CRLF
    return data + b"." + CRLF


def transact(connection: smtplib.SMTP, sender: str, recipient: str, data: bytes) -> None:
    code, reply = connection.mail(sender)
    if code != 250:
        raise Refused("MAIL FROM", code, reply)
    code, reply = connection.rcpt(recipient)
    if code not in (250, 251):
        raise Refused("RCPT TO", code, reply)
    code, reply = connection.docmd("DATA")
    if code != 354:
        raise Refused("DATA", code, reply)
    connection.send(data)
    try:
        code, reply = connection.getreply()
    except (smtplib.SMTPServerDisconnected, OSError) as lost:
        raise Unconfirmed(describe(lost)) from None
    if code != 250:
        raise Refused("DATA", code, reply)


# Enhanced statuses about the sender (RFC 3463): X.1.7 bad sender mailbox syntax, X.1.8 bad
# sender system address.
SENDER_STATUS = re.compile(r"^\d{3}[ -][45]\.1\.[78]\b")
SENDER_WORDS = re.compile(
    r"\bsender address rejected\b|\bsender (?:domain|address) (?:is )?(?:unknown|invalid)", re.I
)
# Relaying refused (X.7.1 with "relay"): the server's or our configuration, not the recipient.
RELAY = re.compile(
    r"\brelay(?:ing)?\b.{0,20}\b(?:denied|not permitted|not allowed|refused)\b"
    r"|\bunable to relay\b",
    re.I,
)


def refuses_us(reply: str, sender: str) -> bool:
    """Whether a refusal at RCPT TO or DATA is about the sender or our right to relay (it names
    the sender, carries X.1.7/X.1.8, says "Sender address rejected" or "Relay access denied"),
    so it is the same for every recipient and no recipient's own."""
    return bool(
        SENDER_STATUS.match(reply)
        or (sender and sender.lower() in reply.lower())
        or SENDER_WORDS.search(reply)
        or RELAY.search(reply)
    )


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
