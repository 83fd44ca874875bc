"""Serving the subscription endpoint with waitress, a production WSGI server in pure Python."""

from __future__ import annotations

from typing import Any

from waitress.server import BaseWSGIServer, create_server
from waitress.wasyncore import close_all


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
        server = create_server(app, **options)
        # One host and port give one listening socket, never waitress's multi-socket server.
        assert isinstance(server, BaseWSGIServer)
        self.waitress = server

    @property
    def port(self) -> int:
        return int(getattr(self.waitress, "effective_port"))  # noqa: B009 - not in the stubs

    def run(self) -> None:
        self.waitress.run()

    def stop(self) -> None:
        """Stop a ``run()`` going in another thread: the sockets are closed by the server's own
        loop (closing them from outside races its ``select``), which then returns."""
        sockets = getattr(self.waitress, "_map")  # noqa: B009 - not in the stubs
        getattr(self.waitress, "trigger").pull_trigger(lambda: close_all(sockets))  # noqa: B009
        self.waitress.task_dispatcher.shutdown()

    def close(self) -> None:
        self.waitress.close()
