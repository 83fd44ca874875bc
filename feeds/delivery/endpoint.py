"""The subscription endpoint: a plain WSGI application (PEP 3333), served by
``feeds serve-subscriptions`` or mounted in a server of your own.

``/unsubscribe?token=T``
    ``POST`` with ``List-Unsubscribe=One-Click`` (RFC 8058): unsubscribed, ``200``, no page.
    ``GET``: a page with a button that posts the same token. A GET never changes anything, so
    link scanners that open every URL in a message unsubscribe nobody.
``/subscribe`` (only when ``[delivery] signup_url`` is set)
    ``GET``: the sign-up form. ``POST``: sends a confirmation email with a signed link and shows
    the same "check your inbox" page whoever asked. ``GET ?token=T``: a page with a confirm
    button; its ``POST`` adds the address. Nobody is added without following that link.

The token is the only credential: no cookies, no sessions. A wrong, altered or expired token
gets ``403`` and changes nothing; no page shows an address to someone without its token. The
sign-up form carries a signed, short-lived field bound to the client's address, and cross-site
posts of it are refused, so another site cannot submit it in a visitor's name. Every client is
rate-limited.
"""

from __future__ import annotations

import email.policy
import html
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import parse_qs, urlencode

from feeds.config import SECRET_VARIABLE, Config
from feeds.delivery.journal import Journal
from feeds.delivery.smtp import SmtpTransport
from feeds.delivery.subscribers import address_problem
from feeds.delivery.suppression import ACTIVE, UNSUBSCRIBED, suppress
from feeds.delivery.tokens import (
    confirm_token,
    confirmed_sign_up,
    form_token,
    form_token_fresh,
    unsubscribe_address,
)
from feeds.delivery.transport import Transport
from feeds.errors import ConfigError, DeliveryError, FeedsError

StartResponse = Callable[..., Any]
Environ = dict[str, Any]

MAX_BODY = 8 * 1024
CONFIRM_VALID_FOR = timedelta(days=2)
FORM_VALID_FOR = timedelta(hours=2)
SECURITY_HEADERS = [
    ("Content-Security-Policy",
     "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
     "frame-ancestors 'none'; base-uri 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),  # the token is in the URL: never pass it on
    ("Cache-Control", "no-store"),
]  # fmt: skip


@dataclass(frozen=True)
class Limits:
    """How often one client may load a page or post a form (``requests`` per ``window``
    seconds), how many refused tokens it may present (``refusals``) before everything it asks
    is refused for a while, and how often one address may be sent a confirmation.

    Unsubscribe POSTs with a good token are not counted: a mailbox provider sends every one-click
    unsubscribe of its users from a few addresses, and none of them may be turned away."""

    requests: int = 30
    window: float = 60.0
    refusals: int = 10
    confirmations_per_address: int = 2
    confirmation_window: float = 3600.0


class RateLimit:
    """A sliding window per key, safe across the server's threads."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.hits: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one call of ``key``; False (and not counted) when it is over the limit."""
        with self.lock:
            hits = self.recent(key)
            if len(hits) >= self.limit:
                return False
            hits.append(self.clock())
            return True

    def exceeded(self, key: str) -> bool:
        with self.lock:
            return len(self.recent(key)) >= self.limit

    def recent(self, key: str) -> deque[float]:
        now = self.clock()
        if len(self.hits) > 10_000:
            self.forget_before(now - self.window)
        hits = self.hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def forget_before(self, moment: float) -> None:
        for key in [k for k, hits in self.hits.items() if not hits or hits[-1] <= moment]:
            del self.hits[key]


@dataclass(frozen=True)
class Reply:
    status: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    extra: tuple[tuple[str, str], ...] = ()


class SubscriptionApp:
    """The WSGI application. ``clock`` gives the time of each request (tokens expire by it);
    ``transport`` makes the mail transport for confirmation messages."""

    def __init__(
        self,
        config: Config,
        clock: Callable[[], datetime],
        *,
        transport: Callable[[], Transport] | None = None,
        limits: Limits = Limits(),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not config.delivery.secret:
            raise ConfigError(
                "environment",
                [(SECRET_VARIABLE, "not set; the links cannot be checked without the secret "
                  "that signed them (the same value 'feeds send' runs with)")],
            )  # fmt: skip
        self.config = config
        self.secret = config.delivery.secret
        self.clock = clock
        self.transport = transport or (lambda: SmtpTransport(config.smtp))
        self.clients = RateLimit(limits.requests, limits.window, monotonic)
        self.refusals = RateLimit(limits.refusals, limits.window, monotonic)
        self.addresses = RateLimit(
            limits.confirmations_per_address, limits.confirmation_window, monotonic
        )

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        reply = self.handle(environ)
        headers = [
            ("Content-Type", reply.content_type),
            ("Content-Length", str(len(reply.body))),
            *SECURITY_HEADERS,
            *reply.extra,
        ]
        start_response(reply.status, headers)
        return [reply.body] if environ.get("REQUEST_METHOD") != "HEAD" else []

    def handle(self, environ: Environ) -> Reply:
        caller = client(environ)
        unsubscribing = (
            environ.get("REQUEST_METHOD") == "POST"
            and str(environ.get("PATH_INFO", "")).rstrip("/") == "/unsubscribe"
        )
        if unsubscribing and self.signed_link(environ):
            # A valid one-click POST is never turned away, whatever else came from its address
            # (a mail provider's one IP posts for many readers, some with mangled links).
            return self.route(environ)
        if self.refusals.exceeded(caller) or not (unsubscribing or self.clients.allow(caller)):
            return too_many()
        reply = self.route(environ)
        if reply.status.startswith("403"):
            # Someone trying tokens: after a few refusals, they get nothing for a while.
            self.refusals.allow(caller)
        return reply

    def signed_link(self, environ: Environ) -> bool:
        """Whether the URL carries a valid unsubscribe token (RFC 8058 puts it in the URL)."""
        query = parse_qs(environ.get("QUERY_STRING", ""))
        return any(unsubscribe_address(self.secret, token) for token in query.get("token", [])[:1])

    def route(self, environ: Environ) -> Reply:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "") or "/"
        if path.rstrip("/") == "/unsubscribe":
            route = self.unsubscribe
        elif path.rstrip("/") == "/subscribe" and self.config.delivery.signup_url:
            route = self.subscribe
        else:
            return page("404 Not Found", "Not found", "There is nothing here.")
        if method not in ("GET", "HEAD", "POST"):
            return page("405 Method Not Allowed", "Not allowed", "Use GET or POST.",
                        extra=(("Allow", "GET, HEAD, POST"),))  # fmt: skip
        try:
            form = read_form(environ) if method == "POST" else {}
        except ValueError as error:
            return page("413 Content Too Large", "Too large", str(error))
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        try:
            return route(method == "POST", query, form, environ)
        except (FeedsError, OSError) as error:
            print(f"feeds serve-subscriptions: {error}", file=environ["wsgi.errors"])
            return page("503 Service Unavailable", "Not now",
                        "Something went wrong on our side; please try again later.")  # fmt: skip

    # /unsubscribe

    def unsubscribe(
        self, post: bool, query: dict[str, str], form: dict[str, str], environ: Environ
    ) -> Reply:
        token = form.get("token") or query.get("token", "")
        address = unsubscribe_address(self.secret, token)
        if address is None:
            return forbidden()
        if not post:
            return page("200 OK", "Unsubscribe?",
                        f"Stop sending {self.title} to {address}?",
                        form=(("token", token),), button="Unsubscribe")  # fmt: skip
        one_click = form.get("List-Unsubscribe") == "One-Click"
        with self.journal() as journal:
            suppress(journal, address, UNSUBSCRIBED, actor="reader (signed link)",
                     how="one-click POST (RFC 8058)" if one_click else "unsubscribe page",
                     now=self.clock())  # fmt: skip
        if one_click:
            return Reply("200 OK", b"unsubscribed\n", "text/plain; charset=utf-8")
        return page("200 OK", "Unsubscribed",
                    f"{address} will get no more mail from {self.title}.")  # fmt: skip

    # /subscribe

    def subscribe(
        self, post: bool, query: dict[str, str], form: dict[str, str], environ: Environ
    ) -> Reply:
        token = form.get("token") or query.get("token")
        if token is not None:
            return self.confirm(post, token, environ)
        if not post:
            return self.sign_up_form(environ)
        if cross_site(environ) or not form_token_fresh(
            self.secret, form.get("form", ""), client(environ), self.clock(), FORM_VALID_FOR
        ):
            return forbidden("This form has expired. Please load the page again.")
        address = form.get("email", "").strip()
        name = " ".join(form.get("name", "").split())[:100]
        if address_problem(address):
            return self.sign_up_form(environ, "That is not an email address.", "400 Bad Request")
        if self.addresses.allow(address.casefold()):
            self.send_confirmation(address, name)
        # The same answer whoever asked: the page never says who is on the list.
        return page("200 OK", "Check your inbox",
                    "If the address can receive mail, a message with a confirmation link is on "
                    "its way. Nothing happens until that link is followed.")  # fmt: skip

    def sign_up_form(self, environ: Environ, note: str = "", status: str = "200 OK") -> Reply:
        fields = (("form", form_token(self.secret, client(environ), self.clock())),)
        return page(status, f"Subscribe to {self.title}", note or f"Get {self.title} by email.",
                    form=fields, inputs=True, button="Subscribe")  # fmt: skip

    def confirm(self, post: bool, token: str, environ: Environ) -> Reply:
        signed = confirmed_sign_up(self.secret, token, self.clock(), CONFIRM_VALID_FOR)
        if signed is None:
            return forbidden("This link is not valid or has expired. Please sign up again.")
        address, name = signed
        if not post:
            return page("200 OK", "Confirm your subscription",
                        f"Send {self.title} to {address}?",
                        form=(("token", token),), button="Confirm")  # fmt: skip
        if cross_site(environ):
            return forbidden()
        with self.journal() as journal:
            row = journal.roster_row(address.casefold())
            if row is None or row.status != ACTIVE:
                journal.set_status(address.casefold(), address, ACTIVE,
                                   actor="reader (signed link)", how="double opt-in confirmed",
                                   now=self.clock(), name=name or None)  # fmt: skip
        return page("200 OK", "Subscribed", f"{address} will get {self.title}. Welcome!")

    def send_confirmation(self, address: str, name: str) -> None:
        now = self.clock()
        link = f"{self.config.delivery.signup_url}?{urlencode({'token': confirm_token(self.secret, address, name, now)})}"
        letter = self.config.newsletter
        message = EmailMessage()
        message["From"] = str(Address(letter.from_name, addr_spec=letter.from_address or ""))
        message["To"] = address
        message["Subject"] = f"Confirm your subscription to {self.title}"
        message["Date"] = format_datetime(now)
        message["Message-ID"] = make_msgid(domain=self.config.site.domain or "localhost")
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(
            f"Someone, hopefully you, asked to get {self.title} by email at {address}.\n\n"
            f"To confirm, open this link within two days:\n\n{link}\n\n"
            "If it was not you, ignore this message: nothing happens without the link.\n"
        )
        with self.transport() as mailer:
            outcome = mailer.send(message, letter.from_address or "", address)
        if outcome.status != "sent":
            raise DeliveryError(f"confirmation to {address} not sent: {outcome.error}")

    @property
    def title(self) -> str:
        return self.config.site.title

    def journal(self) -> OpenJournal:
        return OpenJournal(self.config.delivery.state)


class OpenJournal:
    """A journal connection for one request: SQLite connections stay in their thread."""

    def __init__(self, path: Any) -> None:
        self.path = path
        self.journal: Journal | None = None

    def __enter__(self) -> Journal:
        self.journal = Journal.open(self.path)
        return self.journal

    def __exit__(self, *exc: object) -> None:
        if self.journal is not None:
            self.journal.close()


def client(environ: Environ) -> str:
    """The caller's address (behind a proxy, the server sets it from X-Forwarded-For)."""
    return str(environ.get("REMOTE_ADDR") or "unknown")


def cross_site(environ: Environ) -> bool:
    """A browser post sent from another site's page: refused for the forms."""
    if environ.get("HTTP_SEC_FETCH_SITE", "same-origin") not in ("same-origin", "none"):
        return True
    origin = environ.get("HTTP_ORIGIN")
    if origin is None:
        return False
    host = str(environ.get("HTTP_HOST", ""))
    return origin == "null" or str(origin).split("://", 1)[-1].rstrip("/") != host


def read_form(environ: Environ) -> dict[str, str]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        raise ValueError("The request is too large.")
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    kind = str(environ.get("CONTENT_TYPE") or "")
    if kind.lower().startswith("multipart/form-data"):
        return multipart_fields(body, kind)
    text = body.decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


def multipart_fields(body: bytes, content_type: str) -> dict[str, str]:
    """The text fields of a multipart/form-data body: RFC 8058's example one-click POST is one."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes) and not part.get_filename():
            fields.setdefault(name, payload.decode("utf-8", "replace").strip())
    return fields


def too_many() -> Reply:
    return page("429 Too Many Requests", "Too many requests",
                "Please wait a minute and try again.", extra=(("Retry-After", "60"),))  # fmt: skip


def forbidden(text: str = "This link is not valid.") -> Reply:
    return page("403 Forbidden", "Not valid", text)


def page(
    status: str,
    title: str,
    text: str,
    *,
    form: tuple[tuple[str, str], ...] = (),
    inputs: bool = False,
    button: str = "",
    extra: tuple[tuple[str, str], ...] = (),
) -> Reply:
    return Reply(
        status, render_page(title, text, form, inputs, button).encode("utf-8"), extra=extra
    )


def render_page(
    title: str, text: str, form: tuple[tuple[str, str], ...], inputs: bool, button: str
) -> str:
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex">',
        f"<title>{esc(title)}</title>",
        "<style>body{font:17px/1.5 system-ui,sans-serif;max-width:32em;margin:3em auto;"
        "padding:0 1em;color:#222}button{font:inherit;padding:.5em 1.2em;cursor:pointer}"
        "input{font:inherit;padding:.3em;width:100%;box-sizing:border-box;margin:.2em 0 .8em}"
        "</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f"<p>{esc(text)}</p>",
    ]
    if button:
        parts.append('<form method="post" action="">')
        parts.extend(
            f'<input type="hidden" name="{esc(name)}" value="{esc(value)}">' for name, value in form
        )
        if inputs:
            parts.append(
                '<label for="email">Email address</label>'
                '<input id="email" name="email" type="email" required autocomplete="email">'
                '<label for="name">Name (optional)</label>'
                '<input id="name" name="name" type="text" maxlength="100" autocomplete="name">'
            )
        parts.append(f'<button type="submit">{esc(button)}</button></form>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
