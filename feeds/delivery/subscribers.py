"""Subscribers: a CSV file (email, optional name and unsubscribe token) or one list address.

An address is taken only if the message builder can put it in ``To:`` and the SMTP envelope
unchanged: plain ASCII (this tool does not speak SMTPUTF8), an RFC 5322 dot-atom local part and
a host name, within RFC 5321's lengths. Anything else is reported with its line when the file is
read — in ``--dry-run`` too — instead of failing at that row in the middle of a send."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from email.errors import HeaderDefect
from email.headerregistry import Address
from pathlib import Path

from feeds.config import DeliverySettings
from feeds.errors import ConfigError

ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
LOCAL_PART = re.compile(rf"{ATOM}(?:\.{ATOM})*")
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
DOMAIN = re.compile(rf"{LABEL}(?:\.{LABEL})+")
# A name is cut here: a From/To line stays far inside RFC 5322's 998 characters.
NAME_LIMIT = 100
# Tokens go into List-Unsubscribe, which is not folded: keep it far inside 998 characters.
TOKEN_LIMIT = 200


@dataclass(frozen=True)
class Subscriber:
    email: str
    name: str = ""
    token: str | None = None

    @property
    def key(self) -> str:
        """Who this is, for the journal: ``address_key``."""
        return address_key(self.email)


def address_key(address: str) -> str:
    """One person per mailbox as mail systems see it: the domain is case-insensitive, and the
    local part is compared in ASCII lower case (what nearly every mail system does; addresses
    are ASCII here, so no Unicode folding can merge 'straße' with 'strasse')."""
    local, _, domain = address.rpartition("@")
    return f"{local.lower()}@{domain.lower()}"


def address_problem(address: str) -> str | None:
    """Why ``address`` cannot be sent to, or None."""
    if not address:
        return "is empty"
    if not address.isascii():
        return "is not plain ASCII (addresses with other characters cannot be sent to here)"
    local, at, domain = address.rpartition("@")
    if not at or not LOCAL_PART.fullmatch(local) or not DOMAIN.fullmatch(domain):
        return "is not an email address like 'jane@example.com'"
    if local.startswith("=?"):
        return "has a local part that mail clients would decode as an encoded word"
    if len(local) > 64 or len(address) > 254:
        return "is longer than SMTP allows (64 characters before the '@', 254 in all)"
    try:
        # The rules the message builder applies to To:.
        Address(addr_spec=address)
    except (HeaderDefect, ValueError, IndexError) as error:
        return f"is refused by the email package: {error}"
    return None


def clean_name(raw: str) -> tuple[str, str | None]:
    """A display name safe in a header, and why it was changed (or None). Line and paragraph
    separators, controls and invisible format characters become spaces; a name that looks like
    an RFC 2047 encoded word is dropped (a mail client would decode it into other addresses);
    a long one is cut."""
    text = "".join(
        " " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Zs") else char
        for char in raw
    )
    name = " ".join(text.split())
    if "=?" in name:
        return "", "the name looks like an encoded word ('=?'); sent without a name"
    if len(name) > NAME_LIMIT:
        return name[:NAME_LIMIT].rstrip(), f"the name is cut to {NAME_LIMIT} characters"
    return name, None


@dataclass(frozen=True)
class SubscriberList:
    subscribers: tuple[Subscriber, ...]
    warnings: tuple[str, ...] = ()


def load_subscribers(delivery: DeliverySettings, override: Path | None = None) -> SubscriberList:
    """The people to send to: ``--subscribers FILE``, else the settings' file or list address."""
    path = override or delivery.subscribers
    if path is None:
        if delivery.list_address:
            problem = address_problem(delivery.list_address)
            if problem:
                raise ConfigError(
                    "delivery", [("list_address", f"{delivery.list_address!r} {problem}")]
                )
            return SubscriberList((Subscriber(email=delivery.list_address),))
        raise ConfigError(
            "delivery",
            [("subscribers", "missing; set [delivery] subscribers = \"subscribers.csv\" "
                             "or list_address, or pass --subscribers FILE")],
        )  # fmt: skip
    return read_csv(path)


def read_csv(path: Path) -> SubscriberList:
    """Rows with a bad address or a duplicate are reported with their line and skipped. Lines
    are split by the csv module itself, so a quoted field may hold any character."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(path, [("file", "not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, [("file", f"cannot be read: {error}")]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        columns = [(name or "").strip().lower() for name in reader.fieldnames or []]
        if "email" not in columns:
            raise ConfigError(path, [("line 1", "needs a header row with an 'email' column "
                                                "(and optionally 'name', 'token')")])  # fmt: skip
        reader.fieldnames = columns
        return read_rows(path, reader)
    except csv.Error as error:
        raise ConfigError(path, [(f"line {reader.line_num}", f"is not CSV: {error}")]) from None


def read_rows(path: Path, reader: csv.DictReader[str]) -> SubscriberList:
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
        problem = address_problem(email)
        if problem:
            warnings.append(f"{path}: line {line}: {email!r} {problem}; skipped")
            continue
        key = address_key(email)
        if key in seen:
            warnings.append(f"{path}: line {line}: {email} is already on line {seen[key]}; skipped")
            continue
        seen[key] = line
        name, changed = clean_name(row.get("name") or "")
        if changed:
            warnings.append(f"{path}: line {line}: {email}: {changed}")
        token = (row.get("token") or "").strip() or None
        if token and len(token) > TOKEN_LIMIT:
            warnings.append(
                f"{path}: line {line}: {email}: the token is longer than {TOKEN_LIMIT} "
                "characters (it would make a header line too long for SMTP); skipped"
            )
            continue
        subscribers.append(Subscriber(email=email, name=name, token=token))
    return SubscriberList(tuple(subscribers), tuple(warnings))
