"""Signed tokens for the links in mail: an unsubscribe link names its address and carries an
HMAC-SHA256 of it under a secret that lives only in the environment (FEEDS_UNSUBSCRIBE_SECRET).
Nobody without the secret can make a token for another address, change one, or guess one, and
the journal needs no token column: the signature is checked, not looked up.

A token is ``<payload>.<signature>``, both unpadded base64url. The payload is the token's fields
joined by a unit separator; the signature covers a purpose as well, so a token made for one use
(unsubscribing) is refused for another (confirming a sign-up).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import datetime, timedelta

SEPARATOR = "\x1f"

UNSUBSCRIBE = "unsubscribe"
CONFIRM = "confirm-subscription"
FORM = "sign-up-form"


def sign(secret: str, purpose: str, *fields: str) -> str:
    payload = SEPARATOR.join(fields).encode("utf-8")
    return f"{encode(payload)}.{encode(mac(secret, purpose, payload))}"


def verify(secret: str, purpose: str, token: str) -> tuple[str, ...] | None:
    """The fields of ``token`` if it was signed with ``secret`` for ``purpose``, else None."""
    head, dot, tail = token.partition(".")
    if not dot:
        return None
    try:
        payload = decode(head)
        signature = decode(tail)
        fields = tuple(payload.decode("utf-8").split(SEPARATOR))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    # Re-encoding must give the same text: two spellings of one token would be one too many.
    if encode(payload) != head or encode(signature) != tail:
        return None
    if not hmac.compare_digest(signature, mac(secret, purpose, payload)):
        return None
    return fields


def unsubscribe_token(secret: str, address: str) -> str:
    """The token of the unsubscribe link of ``address`` (its key: case does not matter)."""
    return sign(secret, UNSUBSCRIBE, address.casefold())


def unsubscribe_address(secret: str, token: str) -> str | None:
    fields = verify(secret, UNSUBSCRIBE, token)
    return fields[0] if fields is not None and len(fields) == 1 and fields[0] else None


def confirm_token(secret: str, address: str, name: str, now: datetime) -> str:
    return sign(secret, CONFIRM, address, name, str(int(now.timestamp())))


def confirmed_sign_up(
    secret: str, token: str, now: datetime, valid_for: timedelta
) -> tuple[str, str] | None:
    """(address, name) of a sign-up confirmation token made less than ``valid_for`` ago."""
    fields = verify(secret, CONFIRM, token)
    if fields is None or len(fields) != 3 or not fields[2].isdigit():
        return None
    made = datetime.fromtimestamp(int(fields[2]), tz=now.tzinfo)
    if not timedelta(0) <= now - made <= valid_for:
        return None
    return fields[0], fields[1]


def form_token(secret: str, client: str, now: datetime) -> str:
    """The hidden field of the sign-up form: proves a POST came from a form this server made
    for the same client, recently."""
    return sign(secret, FORM, client, str(int(now.timestamp())))


def form_token_fresh(
    secret: str, token: str, client: str, now: datetime, valid_for: timedelta
) -> bool:
    fields = verify(secret, FORM, token)
    if fields is None or len(fields) != 2 or fields[0] != client or not fields[1].isdigit():
        return False
    made = datetime.fromtimestamp(int(fields[1]), tz=now.tzinfo)
    return timedelta(0) <= now - made <= valid_for


def mac(secret: str, purpose: str, payload: bytes) -> bytes:
    message = purpose.encode("utf-8") + b"\0" + payload
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()


def encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode(text: str) -> bytes:
    if not text or not text.isascii():
        raise ValueError("empty or not ASCII")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
