"""The subscription endpoint on a real WSGI server (waitress on loopback), driven by an HTTP
client and by headless Chromium, with the send job and a real SMTP server around it."""

from __future__ import annotations

import html.parser
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.config import SECRET_VARIABLE
from feeds.config_reader import load_config
from feeds.delivery.endpoint import Limits, SubscriptionApp
from feeds.delivery.server import Server
from feeds.delivery.tokens import confirm_token, sign, unsubscribe_token

from .cli import run_cli
from .conftest import NOW, ROOT, Blog
from .subscriptions import OTHER_SECRET, SECRET, events, http, sink, statuses
from .test_send import Recorder, free_port, send, setup

__all__ = ["sink"]  # the fixture, imported for the tests below

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIGNUP_URL = "https://example.com/subscribe"


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Endpoint:
    """The blog, its SMTP sink, and the endpoint serving at ``base``."""

    blog: Blog
    recorder: Recorder
    base: str
    clock: Clock
    seen: list[tuple[str, str, str]] = field(default_factory=list)

    def local(self, public_url: str) -> str:
        """A public link (https://example.com/…) as served here, as a reverse proxy would."""
        parts = urlsplit(public_url)
        return f"{self.base}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def recording(app: Callable[..., Any], seen: list[tuple[str, str, str]]) -> Callable[..., Any]:
    """The app, noting each request's method, path and status as the server answers it."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]]) -> Any:
            seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], status.split()[0]))
            return start_response(status, headers)

        return app(environ, start)  # type: ignore[no-any-return]

    return wrapped


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` served by waitress on a free loopback port, in a thread."""
    server = Server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()
        thread.join(timeout=30)
        assert not thread.is_alive()


def configure(blog: Blog, port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_VARIABLE, SECRET)
    setup(blog, port)
    with blog.config.open("a", encoding="utf-8") as settings:
        settings.write(f'signup_url = "{SIGNUP_URL}"\n')


@pytest.fixture
def endpoint(
    blog: Blog, sink: tuple[Recorder, int], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Endpoint]:
    recorder, port = sink
    configure(blog, port, monkeypatch)
    clock = Clock()
    seen: list[tuple[str, str, str]] = []
    app = SubscriptionApp(load_config(blog.config), clock)
    with serving(recording(app, seen)) as base:
        yield Endpoint(blog, recorder, base, clock, seen)


def unsubscribe_link(recorder: Recorder, address: str) -> str:
    (message,) = recorder.parsed(address)
    found = re.search(r"<(https://[^>]+)>", str(message["List-Unsubscribe"]))
    assert found
    return found.group(1)


def add_post(blog: Blog) -> None:
    blog.post("2021-03-01-third.md", "---\ntitle: Third Post\ndate: 2021-03-01\n---\nMore.\n")


class Forms(html.parser.HTMLParser):
    """The forms of a page: each one's method and the inputs and buttons it has."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({"method": values.get("method", "get"), "fields": {}, "buttons": 0})
        elif tag == "input" and self.forms and "name" in values:
            self.forms[-1]["fields"][values["name"]] = values.get("value", "")
        elif tag == "button" and self.forms:
            self.forms[-1]["buttons"] += 1


def forms_of(page: str) -> list[dict[str, Any]]:
    reader = Forms()
    reader.feed(page)
    return reader.forms


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed (CI must run this test; see .ci/run)")
    pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    raise AssertionError("unreachable")


def browse(url: str, *flags: str) -> str:
    """The DOM of ``url`` after headless Chromium loaded it (scripts and all)."""
    result = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, *flags, "--dump-dom", url],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return result.stdout


# One-click unsubscribe


def test_one_click_post_suppresses_the_address_and_the_next_send_skips_it(
    endpoint: Endpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    blog, recorder = endpoint.blog, endpoint.recorder
    assert send(blog, capsys)[0] == 0
    link = unsubscribe_link(recorder, "reader01@example.com")
    # The CSV's token column is not used: the link carries the signed token.
    assert link.startswith("https://example.com/unsubscribe?token=") and "tok1" not in link

    answer = http(endpoint.local(link), b"List-Unsubscribe=One-Click")
    assert (answer.status, answer.body) == (200, "unsubscribed\n")
    assert statuses(blog) == {"reader01@example.com": "unsubscribed"}
    assert events(blog) == [
        ("reader01@example.com", "unsubscribed", "reader (signed link)",
         "one-click POST (RFC 8058)"),
    ]  # fmt: skip

    add_post(blog)
    recorder.messages.clear()
    code, out, _ = send(blog, capsys)
    assert code == 0
    assert sorted(recorder.count()) == ["reader00@example.com", "reader02@example.com"]
    assert "skipped 1 suppressed (1 unsubscribed): never mailed again" in out.splitlines()
    # The CSV still lists reader01; it does not bring the address back.
    assert "reader01@example.com" in (blog.root / "subscribers.csv").read_text(encoding="utf-8")


def test_the_one_click_post_of_rfc_8058_as_multipart_form_data(endpoint: Endpoint) -> None:
    """The body as RFC 8058's example sends it."""
    url = f"{endpoint.base}/unsubscribe?token={unsubscribe_token(SECRET, 'reader02@example.com')}"
    body = (
        b"--XYZ\r\n"
        b'Content-Disposition: form-data; name="List-Unsubscribe"\r\n'
        b"\r\n"
        b"One-Click\r\n"
        b"--XYZ--\r\n"
    )
    answer = http(url, body, {"Content-Type": "multipart/form-data; boundary=XYZ"})
    assert (answer.status, answer.body) == (200, "unsubscribed\n")
    assert events(endpoint.blog)[0][3] == "one-click POST (RFC 8058)"


def test_a_second_one_click_changes_nothing_more(endpoint: Endpoint) -> None:
    url = f"{endpoint.base}/unsubscribe?token={unsubscribe_token(SECRET, 'reader00@example.com')}"
    assert http(url, b"List-Unsubscribe=One-Click").status == 200
    assert http(url, b"List-Unsubscribe=One-Click").status == 200
    assert len(events(endpoint.blog)) == 1


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(unsubscribe_token(OTHER_SECRET, "reader00@example.com"), id="other-secret"),
        pytest.param(unsubscribe_token(SECRET, "reader00@example.com")[:-2] + "AA", id="altered-signature"),
        pytest.param(
            sign(SECRET, "unsubscribe", "reader01@example.com").split(".")[0] + "."
            + unsubscribe_token(SECRET, "reader00@example.com").split(".")[1],
            id="swapped-address",
        ),
        pytest.param(confirm_token(SECRET, "reader00@example.com", "", NOW), id="sign-up-token"),
        pytest.param("reader00@example.com", id="the-address-itself"),
        pytest.param("", id="empty"),
        pytest.param("%00%ff..", id="garbage"),
    ],
)  # fmt: skip
def test_a_forged_or_altered_token_gets_403_and_changes_nothing(
    endpoint: Endpoint, token: str
) -> None:
    url = f"{endpoint.base}/unsubscribe?token={token}"
    for answer in (
        http(url, b"List-Unsubscribe=One-Click"),
        http(url),
        http(url, {"token": token}),
    ):
        assert answer.status == 403
        assert "@" not in answer.body  # no address is shown to someone without its token
    assert statuses(endpoint.blog) == {}


def test_a_get_alone_never_unsubscribes_even_in_a_browser(endpoint: Endpoint) -> None:
    token = unsubscribe_token(SECRET, "reader02@example.com")
    url = f"{endpoint.base}/unsubscribe?token={token}"
    page = browse(url)
    assert "reader02@example.com" in page
    assert http(url).status == 200
    assert statuses(endpoint.blog) == {}
    assert ("GET", "/unsubscribe", "200") in endpoint.seen  # Chromium did reach the server

    # The page's button posts the form as it is on the page.
    (form,) = forms_of(page)
    assert form["method"] == "post" and form["buttons"] == 1
    answer = http(url, form["fields"])
    assert answer.status == 200 and "Unsubscribed" in answer.body
    assert statuses(endpoint.blog) == {"reader02@example.com": "unsubscribed"}
    assert events(endpoint.blog)[0][3] == "unsubscribe page"


def test_pages_tell_browsers_to_keep_the_token_to_themselves(endpoint: Endpoint) -> None:
    answer = http(f"{endpoint.base}/unsubscribe?token={unsubscribe_token(SECRET, 'a@example.com')}")
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert answer.headers["Cache-Control"] == "no-store"
    assert "form-action 'self'" in answer.headers["Content-Security-Policy"]


# Double opt-in


def confirmation_link(recorder: Recorder, address: str) -> str:
    (message,) = recorder.parsed(address)
    body = message.get_body(("plain",))
    assert body is not None
    found = re.search(r"https://example\.com/subscribe\?token=\S+", body.get_content())
    assert found
    return found.group(0)


def test_double_opt_in_adds_only_after_the_link_is_followed(
    endpoint: Endpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    blog, recorder = endpoint.blog, endpoint.recorder
    (form,) = forms_of(browse(f"{endpoint.base}/subscribe"))
    assert {"form", "email", "name"} <= set(form["fields"])
    answer = http(
        f"{endpoint.base}/subscribe",
        {"form": form["fields"]["form"], "email": "new@example.com", "name": "New Reader"},
    )
    assert answer.status == 200 and "Check your inbox" in answer.body
    assert statuses(blog) == {}  # asked, not added

    link = confirmation_link(recorder, "new@example.com")
    page = browse(endpoint.local(link))  # opening the link (a scanner would) adds no one
    assert "new@example.com" in page
    assert statuses(blog) == {}

    (confirm,) = forms_of(page)
    answer = http(endpoint.local(link), confirm["fields"])
    assert answer.status == 200 and "Subscribed" in answer.body
    assert statuses(blog) == {"new@example.com": "active"}
    assert events(blog) == [
        ("new@example.com", "active", "reader (signed link)", "double opt-in confirmed")
    ]

    recorder.messages.clear()
    assert send(blog, capsys)[0] == 0
    (message,) = recorder.parsed("new@example.com")
    assert message["To"] == "New Reader <new@example.com>"


def test_a_confirmation_link_expires(endpoint: Endpoint) -> None:
    token = confirm_token(SECRET, "late@example.com", "", NOW)
    endpoint.clock.now = NOW + timedelta(days=3)
    url = f"{endpoint.base}/subscribe?token={token}"
    assert http(url).status == 403
    assert http(url, {"token": token}).status == 403
    assert statuses(endpoint.blog) == {}


def test_the_sign_up_answer_does_not_say_who_is_subscribed(endpoint: Endpoint) -> None:
    (form,) = forms_of(http(f"{endpoint.base}/subscribe").body)
    token = form["fields"]["form"]
    run_cli_add(endpoint.blog, "known@example.com")
    known = http(f"{endpoint.base}/subscribe", {"form": token, "email": "known@example.com"})
    unknown = http(f"{endpoint.base}/subscribe", {"form": token, "email": "else@example.com"})
    assert (known.status, known.body) == (unknown.status, unknown.body)


def run_cli_add(blog: Blog, address: str) -> None:
    # The roster through the journal API the CLI uses, without capturing output here.
    from feeds.delivery.journal import Journal
    from feeds.delivery.roster import Change, add

    journal = Journal.open(blog.root / "state/journal.sqlite3")
    try:
        add(journal, address, None, Change("tester", "test", NOW))
    finally:
        journal.close()


def test_the_sign_up_form_needs_its_own_fresh_field(endpoint: Endpoint) -> None:
    url = f"{endpoint.base}/subscribe"
    assert http(url, {"email": "a@example.com"}).status == 403
    assert http(url, {"email": "a@example.com", "form": "forged.token"}).status == 403
    (form,) = forms_of(http(url).body)
    endpoint.clock.now = NOW + timedelta(hours=3)
    assert http(url, {"email": "a@example.com", **form["fields"]}).status == 403
    assert endpoint.recorder.messages == []


def test_another_site_cannot_submit_the_sign_up_form_in_a_browser(
    endpoint: Endpoint, tmp_path: Any
) -> None:
    """A page elsewhere that posts the form in a visitor's browser, with a form field fetched
    by the attacker from the same client address, is refused."""
    (form,) = forms_of(http(f"{endpoint.base}/subscribe").body)
    attack = tmp_path / "attack.html"
    attack.write_text(
        f'<form id="f" method="post" action="{endpoint.base}/subscribe">'
        f'<input name="form" value="{form["fields"]["form"]}">'
        '<input name="email" value="victim@example.com"></form>'
        "<script>document.getElementById('f').submit()</script>",
        encoding="utf-8",
    )
    browse(attack.as_uri(), "--virtual-time-budget=5000")
    assert ("POST", "/subscribe", "403") in endpoint.seen
    assert endpoint.recorder.messages == []


def test_a_bad_address_gets_the_form_again(endpoint: Endpoint) -> None:
    (form,) = forms_of(http(f"{endpoint.base}/subscribe").body)
    answer = http(f"{endpoint.base}/subscribe", {**form["fields"], "email": "not an address"})
    assert answer.status == 400 and "not an email address" in answer.body
    assert endpoint.recorder.messages == []


# Limits


def test_a_client_that_asks_too_often_is_slowed_down(
    blog: Blog, sink: tuple[Recorder, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(blog, sink[1], monkeypatch)
    app = SubscriptionApp(load_config(blog.config), Clock(), limits=Limits(requests=3))
    with serving(app) as base:
        codes = [http(f"{base}/subscribe").status for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_one_click_posts_from_one_mail_provider_are_never_turned_away(
    blog: Blog, sink: tuple[Recorder, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(blog, sink[1], monkeypatch)
    app = SubscriptionApp(load_config(blog.config), Clock(), limits=Limits(requests=2))
    with serving(app) as base:
        codes = [
            http(f"{base}/unsubscribe?token={unsubscribe_token(SECRET, f'r{n}@example.com')}",
                 b"List-Unsubscribe=One-Click").status
            for n in range(6)
        ]  # fmt: skip
    assert codes == [200] * 6
    assert len(statuses(blog)) == 6


def test_a_client_trying_tokens_is_shut_out(
    blog: Blog, sink: tuple[Recorder, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(blog, sink[1], monkeypatch)
    app = SubscriptionApp(load_config(blog.config), Clock(), limits=Limits(refusals=3))
    good = unsubscribe_token(SECRET, "reader00@example.com")
    with serving(app) as base:
        codes = [
            http(f"{base}/unsubscribe?token={good}x{n}", b"List-Unsubscribe=One-Click").status
            for n in range(5)
        ]
        after = http(f"{base}/unsubscribe?token={good}", b"List-Unsubscribe=One-Click").status
    assert codes == [403, 403, 403, 429, 429]
    # A valid one-click POST from the same client is never turned away (README promises it).
    assert after == 200
    assert statuses(blog) == {"reader00@example.com": "unsubscribed"}


def test_behind_a_trusted_proxy_each_reader_has_its_own_limit(
    blog: Blog, sink: tuple[Recorder, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(blog, sink[1], monkeypatch)
    app = SubscriptionApp(load_config(blog.config), Clock(), limits=Limits(requests=1))
    server = Server(app, "127.0.0.1", 0, trusted_proxy="127.0.0.1")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.port}/subscribe"
        codes = [
            http(url, headers={"X-Forwarded-For": reader}).status
            for reader in ("198.51.100.1", "198.51.100.2", "198.51.100.1")
        ]
    finally:
        server.stop()
        thread.join(timeout=30)
    assert codes == [200, 200, 429]


def test_one_address_gets_few_confirmation_messages(endpoint: Endpoint) -> None:
    (form,) = forms_of(http(f"{endpoint.base}/subscribe").body)
    for _ in range(4):
        http(f"{endpoint.base}/subscribe", {**form["fields"], "email": "same@example.com"})
    assert endpoint.recorder.count()["same@example.com"] == Limits().confirmations_per_address


def test_without_a_sign_up_url_there_is_no_form(
    blog: Blog, sink: tuple[Recorder, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_VARIABLE, SECRET)
    setup(blog, sink[1])
    with serving(SubscriptionApp(load_config(blog.config), Clock())) as base:
        assert http(f"{base}/subscribe").status == 404
        assert http(f"{base}/").status == 404


# The command


def test_serve_subscriptions_serves_the_endpoint(
    blog: Blog, sink: tuple[Recorder, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(blog, sink[1], monkeypatch)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "feeds", "serve-subscriptions", "--config", str(blog.config),
         "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/unsubscribe?token={unsubscribe_token(SECRET, 'reader00@example.com')}"
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = http(url, b"List-Unsubscribe=One-Click")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert answer.status == 200
        assert statuses(blog) == {"reader00@example.com": "unsubscribed"}
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


def test_serve_subscriptions_needs_the_secret(
    blog: Blog,
    sink: tuple[Recorder, int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    setup(blog, sink[1])
    code, _, err = run_cli(blog.args("serve-subscriptions"), capsys)
    assert code == 2
    assert err.startswith(f"error: environment: {SECRET_VARIABLE}: not set;")


# Properties, straight through the WSGI interface


def call(app: SubscriptionApp, method: str, path: str, query: str, body: bytes = b"") -> Any:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
        "REMOTE_ADDR": "192.0.2.7", "HTTP_HOST": "example.com",
        "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": io.StringIO(),
    }  # fmt: skip
    answer: dict[str, str] = {}

    def start(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"] = status

    text = b"".join(app(environ, start)).decode()
    return answer["status"], text


@pytest.fixture
def quiet_app(
    blog: Blog, sink: tuple[Recorder, int], monkeypatch: pytest.MonkeyPatch
) -> tuple[Blog, SubscriptionApp]:
    configure(blog, sink[1], monkeypatch)
    limits = Limits(requests=10**9, refusals=10**9)
    return blog, SubscriptionApp(load_config(blog.config), Clock(), limits=limits)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=120), st.sampled_from(["GET", "POST", "HEAD"]))
def test_no_made_up_token_unsubscribes_or_shows_an_address(
    quiet_app: tuple[Blog, SubscriptionApp], token: str, method: str
) -> None:
    blog, app = quiet_app
    query = urlencode({"token": token})
    body = b"List-Unsubscribe=One-Click" if method == "POST" else b""
    status, text = call(app, method, "/unsubscribe", query, body)
    assert status.startswith("403")
    assert "@" not in text
    assert statuses(blog) == {}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.emails(), st.sampled_from(["/unsubscribe", "/subscribe"]), st.sampled_from(["GET", "HEAD"])
)
def test_a_get_with_a_good_token_changes_nothing(
    quiet_app: tuple[Blog, SubscriptionApp], address: str, path: str, method: str
) -> None:
    blog, app = quiet_app
    token = (
        unsubscribe_token(SECRET, address)
        if path == "/unsubscribe"
        else confirm_token(SECRET, address, "", NOW)
    )
    status, _ = call(app, method, path, urlencode({"token": token}))
    assert status.startswith("200")
    assert statuses(blog) == {}


def test_serve_subscriptions_on_a_port_in_use_or_out_of_range_is_one_line(
    blog: Blog,
    sink: tuple[Recorder, int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure(blog, sink[1], monkeypatch)
    app = SubscriptionApp(load_config(blog.config), Clock())
    with serving(app) as base:
        port = urlsplit(base).port
        code, out, err = run_cli(blog.args("serve-subscriptions", "--port", str(port)), capsys)
    assert (code, out) == (1, "")
    assert err.startswith(f"error: cannot listen on 127.0.0.1:{port}: ") and err.count("\n") == 1
    for bad in ("99999", "-1", "\uff18\uff10\uff18\uff11"):
        with pytest.raises(SystemExit) as exit_:
            run_cli(blog.args("serve-subscriptions", "--port", bad), capsys)
        assert exit_.value.code == 2
        assert "is not a port number (0 to 65535)" in capsys.readouterr().err
