"""Subscribers: a CSV file (email, optional name and unsubscribe token) or one list address."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from feeds.config import DeliverySettings
from feeds.errors import ConfigError

ADDRESS = re.compile(
    r"^[^@\s<>(),;:\"\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


@dataclass(frozen=True)
class Subscriber:
    email: str
    name: str = ""
    token: str | None = None

    @property
    def key(self) -> str:
        """Who this is, for the journal: addresses differing only in case are one person."""
        return self.email.casefold()


@dataclass(frozen=True)
class SubscriberList:
    subscribers: tuple[Subscriber, ...]
    warnings: tuple[str, ...] = ()


def load_subscribers(delivery: DeliverySettings, override: Path | None = None) -> SubscriberList:
    """The people to send to: ``--subscribers FILE``, else the settings' file or list address."""
    path = override or delivery.subscribers
    if path is None:
        if delivery.list_address:
            return SubscriberList((Subscriber(email=delivery.list_address),))
        raise ConfigError(
            "delivery",
            [("subscribers", "missing; set [delivery] subscribers = \"subscribers.csv\" "
                             "or list_address, or pass --subscribers FILE")],
        )  # fmt: skip
    return read_csv(path)


def read_csv(path: Path) -> SubscriberList:
    """Rows with a bad address or a duplicate are reported with their line and skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(path, [("file", "not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, [("file", f"cannot be read: {error}")]) from None
    reader = csv.DictReader(text.splitlines())
    columns = [(name or "").strip().lower() for name in reader.fieldnames or []]
    if "email" not in columns:
        raise ConfigError(
            path,
            [
                (
                    "line 1",
                    "needs a header row with an 'email' column (and optionally 'name', 'token')",
                )
            ],
        )
    reader.fieldnames = columns
    subscribers: list[Subscriber] = []
    warnings: list[str] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        email = (row.get("email") or "").strip()
        if not email and not any(
            (value or "").strip() for value in row.values() if isinstance(value, str)
        ):
            continue
        if not ADDRESS.match(email):
            warnings.append(f"{path}: line {line}: {email!r} is not an email address; skipped")
            continue
        if email.casefold() in seen:
            first = seen[email.casefold()]
            warnings.append(f"{path}: line {line}: {email} is already on line {first}; skipped")
            continue
        seen[email.casefold()] = line
        token = (row.get("token") or "").strip() or None
        subscribers.append(
            Subscriber(email=email, name=(row.get("name") or "").strip(), token=token)
        )
    return SubscriberList(tuple(subscribers), tuple(warnings))
