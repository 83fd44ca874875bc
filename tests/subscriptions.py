"""What the subscription tests share: the link-signing secret, a blog set up to send (with the
SMTP sink of test_send), the journal's roster, and a tiny HTTP client."""

from __future__ import annotations

import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller

from .conftest import Blog
from .test_send import Recorder, free_port

SECRET = "test-secret-0123456789-abcdefghijklmnop"
OTHER_SECRET = "another-secret-0123456789-abcdefghijkl"


@pytest.fixture
def sink() -> Iterator[tuple[Recorder, int]]:
    """A real SMTP server on loopback that keeps what it gets."""
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


def statuses(blog: Blog) -> dict[str, str]:
    """Each address the journal's roster knows, and its status."""
    path = blog.root / "state/journal.sqlite3"
    if not path.exists():
        return {}
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT subscriber, status FROM roster").fetchall())


def events(blog: Blog) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(blog.root / "state/journal.sqlite3") as db:
        return db.execute(
            "SELECT subscriber, status, actor, how FROM roster_events ORDER BY id"
        ).fetchall()


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    headers: dict[str, str]


def http(
    url: str, data: dict[str, str] | bytes | None = None, headers: dict[str, str] | None = None
) -> Response:
    """GET (no data) or POST (form data) ``url``; any status comes back, none raises."""
    body = None
    if isinstance(data, dict):
        body = "&".join(f"{quote(k)}={quote(v)}" for k, v in data.items()).encode()
    elif isinstance(data, bytes):
        body = data
    request = urllib.request.Request(url, data=body, headers=headers or {})
    if body is not None and not request.has_header("Content-type"):
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return Response(answer.status, answer.read().decode(), dict(answer.headers))
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read().decode(), dict(error.headers))


def journal_file(blog: Blog) -> Path:
    return blog.root / "state/journal.sqlite3"
