"""``feeds subscribers``: the roster in the journal, changed only through audited calls, and
the history of those changes.

Each change records who made it (the user running the command, "reader" for a signed link,
"feeds send" or "feeds bounces"), when, and how. Suppressed addresses come back only through
``add`` — a person asking on purpose — never through ``import``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from feeds.delivery.journal import Journal, RosterEvent, RosterRow
from feeds.delivery.subscribers import address_problem, read_csv
from feeds.delivery.suppression import ACTIVE, UNSUBSCRIBED
from feeds.errors import UsageError


@dataclass(frozen=True)
class Change:
    """Who made a change to the roster, and how."""

    actor: str
    how: str
    now: datetime


@dataclass(frozen=True)
class ImportResult:
    added: int
    already: int
    suppressed: tuple[str, ...]
    warnings: tuple[str, ...]


def checked_address(address: str) -> str:
    address = address.strip()
    problem = address_problem(address)
    if problem:
        raise UsageError(f"{address!r} {problem}")
    return address


def add(journal: Journal, address: str, name: str | None, change: Change) -> str | None:
    """Make ``address`` active, even if it was suppressed: someone asked for it on purpose.
    Returns the status it had before (None if new)."""
    address = checked_address(address)
    before = journal.roster_row(address.casefold())
    journal.set_status(
        address.casefold(), address, ACTIVE,
        actor=change.actor, how=change.how, now=change.now, name=name,
    )  # fmt: skip
    return before.status if before else None


def remove(journal: Journal, address: str, change: Change) -> str | None:
    """Unsubscribe ``address``; it stays suppressed whatever a CSV says. Returns the status it
    had before (None if the journal never knew it); a suppressed address keeps its reason."""
    address = checked_address(address)
    before = journal.roster_row(address.casefold())
    if before is not None and before.status != ACTIVE:
        return before.status
    journal.set_status(
        address.casefold(), address, UNSUBSCRIBED,
        actor=change.actor, how=change.how, now=change.now,
    )  # fmt: skip
    return before.status if before else None


def import_csv(journal: Journal, path: Path, change: Change) -> ImportResult:
    """Add the CSV's new addresses; known ones are left as they are, suppressed ones stay so."""
    listed = read_csv(path)
    known = {row.key: row for row in journal.roster()}
    new = []
    already = 0
    suppressed = []
    for subscriber in listed.subscribers:
        row = known.get(subscriber.key)
        if row is None:
            new.append((subscriber.key, subscriber.email, subscriber.name or None))
        elif row.status == ACTIVE:
            already += 1
        else:
            suppressed.append(f"{subscriber.email} ({row.status})")
    journal.set_statuses(new, ACTIVE, actor=change.actor, how=change.how, now=change.now)
    added = len(new)
    return ImportResult(added, already, tuple(suppressed), listed.warnings)


def export_csv(rows: list[RosterRow]) -> str:
    """The roster as CSV, ready for ``import`` elsewhere: email, name, status, changed_at."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["email", "name", "status", "changed_at"])
    for row in rows:
        writer.writerow([row.address, row.name, row.status, row.changed_at.isoformat()])
    return out.getvalue()


def history(events: list[RosterEvent]) -> list[str]:
    """One line per change: when, the address, the status it set, who and how."""
    return [
        f"{event.at.isoformat()}  {event.key}  {event.status}  by {event.actor} ({event.how})"
        for event in events
    ]


def listing(rows: list[RosterRow]) -> list[str]:
    """One line per address: address, status, since when, name."""
    width = max((len(row.address) for row in rows), default=0)
    return [
        f"{row.address:<{width}}  {row.status:<12}  {row.changed_at.date().isoformat()}  {row.name}".rstrip()
        for row in rows
    ]
