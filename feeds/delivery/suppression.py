"""The suppression list: who must never be mailed again, and who is mailed at all.

An address that unsubscribed, hard-bounced or complained is suppressed in the journal's roster
and stays so whatever the subscriber CSV says, until it subscribes again on purpose (``feeds
subscribers add``, or a confirmed sign-up). The audience of a send is the CSV (when there is one)
together with the journal's active roster, less every suppressed address: the CSV can bring
new people in, never back.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from feeds.config import DeliverySettings
from feeds.delivery.journal import Journal, RosterRow
from feeds.delivery.subscribers import Subscriber, SubscriberList, load_subscribers

ACTIVE = "active"
UNSUBSCRIBED = "unsubscribed"
BOUNCED = "bounced"
COMPLAINED = "complained"
REASONS = (UNSUBSCRIBED, BOUNCED, COMPLAINED)

# An SMTP reply: its code and, when the server gives one, the enhanced status (RFC 3463).
REPLY = re.compile(r"^(?P<code>[2-5]\d\d)(?:[ -](?P<status>[245]\.\d{1,3}\.\d{1,3}))?")
# Permanent failures about the message rather than the mailbox: media (5.6.x), security and
# policy (5.7.x, e.g. refused as spam) and size (5.2.3, 5.3.4). They fail one message; they
# count as soft bounces, not as an address gone for good.
ABOUT_THE_MESSAGE = re.compile(r"^5\.(?:6\.\d+|7\.\d+|2\.3|3\.4)$")
# X.1.7 and X.1.8 are about the sender's address, never the recipient's.
ABOUT_THE_SENDER = re.compile(r"^5\.1\.[78]$")
# Without an enhanced status, the replies that mean "no such mailbox".
HARD_CODES = frozenset({"550", "551", "553"})


@dataclass(frozen=True)
class Audience:
    """Who gets this issue, and how many were left out for each reason."""

    subscribers: tuple[Subscriber, ...]
    suppressed: tuple[tuple[str, int], ...] = ()

    @property
    def suppressed_count(self) -> int:
        return sum(count for _, count in self.suppressed)


def listed_subscribers(
    delivery: DeliverySettings, override: Path | None, roster: Sequence[RosterRow]
) -> SubscriberList:
    """The CSV (or list address) of the settings; none needed once the journal has a roster."""
    unlisted = override is None and delivery.subscribers is None and not delivery.list_address
    if unlisted and roster:
        return SubscriberList(())
    return load_subscribers(delivery, override)


def without_suppressed(roster: Sequence[RosterRow], listed: Sequence[Subscriber]) -> Audience:
    """``listed`` and the journal's active ``roster``, without anyone suppressed."""
    status = {row.key: row.status for row in roster}
    chosen: dict[str, Subscriber] = {}
    for subscriber in listed:
        chosen.setdefault(subscriber.key, subscriber)
    for row in roster:
        if row.status == ACTIVE and row.key not in chosen:
            chosen[row.key] = Subscriber(email=row.address, name=row.name)
    left_out: Counter[str] = Counter()
    kept = []
    for key, subscriber in chosen.items():
        reason = status.get(key, ACTIVE)
        if reason == ACTIVE:
            kept.append(subscriber)
        else:
            left_out[reason] += 1
    return Audience(tuple(kept), tuple(sorted(left_out.items())))


def describe_suppressed(counts: Sequence[tuple[str, int]]) -> str:
    """E.g. ``2 suppressed (1 bounced, 1 unsubscribed)``."""
    total = sum(count for _, count in counts)
    return f"{total} suppressed ({', '.join(f'{n} {why}' for why, n in counts)})"


def permanent(status: str) -> bool:
    """Whether an enhanced status (``5.1.1``) says the mailbox is gone or refuses for good."""
    return (
        status.startswith("5.")
        and not ABOUT_THE_MESSAGE.match(status)
        and not ABOUT_THE_SENDER.match(status)
    )


def hard_bounce(error: str | None) -> bool:
    """Whether an SMTP refusal at send time says the address is gone (550 5.1.1 and the like)."""
    found = REPLY.match(error or "")
    if found is None or not found["code"].startswith("5"):
        return False
    if found["status"]:
        return permanent(found["status"])
    return found["code"] in HARD_CODES


def suppress(
    journal: Journal, address: str, reason: str, *, actor: str, how: str, now: datetime
) -> bool:
    """Suppress ``address`` for ``reason``; False (and no change) if it already was."""
    key = address.casefold()
    row = journal.roster_row(key)
    if row is not None and row.status != ACTIVE:
        return False
    # The roster keeps the address as it was first written; tokens carry it in lower case.
    known = row.address if row is not None else address
    journal.set_status(key, known, reason, actor=actor, how=how, now=now)
    return True
