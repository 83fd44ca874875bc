"""How a subscriber leaves: the List-Unsubscribe headers (RFC 2369, RFC 8058's one-click) and
the link that takes the place of a template's ``unsubscribe_url`` in their copy."""

from __future__ import annotations

from urllib.parse import quote

from feeds.config import Config, DeliverySettings
from feeds.delivery.subscribers import Subscriber
from feeds.delivery.tokens import unsubscribe_token


def personal_unsubscribe_link(config: Config, subscriber: Subscriber) -> str:
    """The link a template's ``unsubscribe_url`` becomes for this subscriber: their one-click
    URL, else the mailto, else the site (a subscriber without a token, with no mailto set)."""
    delivery = config.delivery
    url = unsubscribe_url(delivery, subscriber)
    if url:
        return url
    if delivery.unsubscribe_mailto:
        return mailto(delivery.unsubscribe_mailto, subscriber)
    return config.site.base_url


def mailto(address: str, subscriber: Subscriber) -> str:
    return f"mailto:{address}?subject={quote(f'unsubscribe {subscriber.email}')}"


def unsubscribe_headers(delivery: DeliverySettings, subscriber: Subscriber) -> dict[str, str]:
    """List-Unsubscribe (RFC 2369) with a mailto and/or an HTTPS link, and RFC 8058's one-click
    List-Unsubscribe-Post when there is a link."""
    targets = []
    if delivery.unsubscribe_mailto:
        targets.append(f"<{mailto(delivery.unsubscribe_mailto, subscriber)}>")
    url = unsubscribe_url(delivery, subscriber)
    if url:
        targets.append(f"<{url}>")
    headers = {"List-Unsubscribe": ", ".join(targets)} if targets else {}
    if url:
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def unsubscribe_url(delivery: DeliverySettings, subscriber: Subscriber) -> str | None:
    pattern = delivery.unsubscribe_url
    # With FEEDS_UNSUBSCRIBE_SECRET the token is signed (feeds serve-subscriptions checks it);
    # without, it is the CSV's token column, for an endpoint of your own.
    token = (
        unsubscribe_token(delivery.secret, subscriber.email)
        if delivery.secret
        else subscriber.token
    )
    if not pattern or ("{token}" in pattern and not token):
        return None
    return pattern.format(
        email=quote(subscriber.email, safe="@"), token=quote(token or "", safe="")
    )
