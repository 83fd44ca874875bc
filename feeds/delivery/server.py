"""Serving the subscription endpoint with waitress, a production WSGI server in pure Python."""

from __future__ import annotations

import socket
import threading
from typing import Any

from waitress.server import BaseWSGIServer, create_server
from waitress.wasyncore import close_all, loop

# How long one turn of the loop waits for a socket to be ready: the longest a stop waits.
TURN = 0.2


class Server:
    """The endpoint listening on one address: ``run()`` serves until ``stop()``."""

    def __init__(self, app: Any, host: str, port: int, trusted_proxy: str | None = None) -> None:
        """Bind ``host:port`` (port 0: any free one). Behind a reverse proxy at
        ``trusted_proxy``, the client's address comes from its X-Forwarded-For, so the rate
        limits count each reader, not the proxy."""
        options: dict[str, Any] = {"host": host, "port": port, "ident": "feeds", "threads": 4}
        if trusted_proxy:
            options.update(
                trusted_proxy=trusted_proxy,
                trusted_proxy_count=1,
                trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"},
                clear_untrusted_proxy_headers=True,
            )
        check_free(host, port)
        server = create_server(app, **options)
        # One host and port give one listening socket, never waitress's multi-socket server.
        assert isinstance(server, BaseWSGIServer)
        self.waitress = server
        self.stopping = threading.Event()
        self.stopped = threading.Event()

    @property
    def port(self) -> int:
        return int(getattr(self.waitress, "effective_port"))  # noqa: B009 - not in the stubs

    def run(self) -> None:
        """Serve until ``stop()`` (from another thread) or Ctrl-C. waitress's own ``run()``
        cannot be stopped from outside without racing its loop, so the loop is driven here a
        turn at a time, and the sockets are closed in this thread once the workers are done."""
        sockets = getattr(self.waitress, "_map")  # noqa: B009 - not in the stubs
        try:
            while sockets and not self.stopping.is_set():
                loop(timeout=TURN, map=sockets, use_poll=True, count=1)
        finally:
            self.waitress.task_dispatcher.shutdown()
            close_all(sockets)
            self.stopped.set()

    def stop(self) -> None:
        """Ask ``run()`` to finish, and wait until it has (at most ``TURN`` and the requests
        being answered)."""
        self.stopping.set()
        self.stopped.wait(timeout=30)


def check_free(host: str, port: int) -> None:
    """OSError if ``host:port`` cannot be listened on (in use, no such address). Tried here
    first because waitress, failing to bind, leaves its sockets open."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
