"""Serving the subscription endpoint with waitress, a production WSGI server with no C parts."""

from __future__ import annotations

from typing import Any

from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from feeds.delivery.endpoint import SubscriptionApp


def make_server(
    app: SubscriptionApp, host: str, port: int, trusted_proxy: str | None = None
) -> BaseWSGIServer | MultiSocketServer:
    """A server bound to ``host:port`` (port 0: any free one); ``.run()`` serves until
    ``.close()``. Behind a reverse proxy at ``trusted_proxy``, the client address and scheme
    come from its X-Forwarded-For / X-Forwarded-Proto headers (so rate limits are per reader)."""
    options: dict[str, Any] = {"host": host, "port": port, "ident": "feeds", "threads": 4}
    if trusted_proxy:
        options.update(
            trusted_proxy=trusted_proxy,
            trusted_proxy_count=1,
            trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"},
            clear_untrusted_proxy_headers=True,
        )
    server: BaseWSGIServer | MultiSocketServer = create_server(app, **options)
    return server
