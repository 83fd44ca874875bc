"""Signed link tokens: what one secret signs for one purpose verifies; nothing else does."""

from __future__ import annotations

import string
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from feeds.delivery.tokens import (
    confirm_token,
    confirmed_sign_up,
    form_token,
    form_token_fresh,
    sign,
    unsubscribe_address,
    unsubscribe_token,
    verify,
)

from .conftest import NOW
from .subscriptions import OTHER_SECRET, SECRET

addresses = st.emails()
TOKEN_CHARS = string.ascii_letters + string.digits + "-_."


@given(addresses)
def test_an_unsubscribe_token_names_its_address(address: str) -> None:
    assert unsubscribe_address(SECRET, unsubscribe_token(SECRET, address)) == address.casefold()


@given(addresses, st.data())
def test_any_changed_character_makes_a_token_invalid(address: str, data: st.DataObject) -> None:
    token = unsubscribe_token(SECRET, address)
    at = data.draw(st.integers(0, len(token) - 1))
    other = data.draw(st.sampled_from(TOKEN_CHARS).filter(lambda c: c != token[at]))
    assert unsubscribe_address(SECRET, token[:at] + other + token[at + 1 :]) is None


@given(addresses, st.text(TOKEN_CHARS, max_size=3))
def test_a_token_cut_short_or_lengthened_is_invalid(address: str, extra: str) -> None:
    token = unsubscribe_token(SECRET, address)
    assert unsubscribe_address(SECRET, token[:-1]) is None
    if extra:
        assert unsubscribe_address(SECRET, token + extra) is None


@given(addresses)
def test_another_secret_signs_nothing_this_one_accepts(address: str) -> None:
    assert unsubscribe_address(SECRET, unsubscribe_token(OTHER_SECRET, address)) is None


@given(addresses, addresses)
def test_a_signature_does_not_move_to_another_address(first: str, second: str) -> None:
    payload = unsubscribe_token(SECRET, second).split(".")[0]
    signature = unsubscribe_token(SECRET, first).split(".")[1]
    forged = f"{payload}.{signature}"
    assert unsubscribe_address(SECRET, forged) in (None, first.casefold())
    if first.casefold() != second.casefold():
        assert unsubscribe_address(SECRET, forged) is None


@given(st.text(max_size=80))
def test_arbitrary_text_is_never_a_token(text: str) -> None:
    assert verify(SECRET, "unsubscribe", text) is None


def test_a_token_made_for_one_purpose_is_refused_for_another() -> None:
    confirm = confirm_token(SECRET, "a@example.com", "A", NOW)
    assert unsubscribe_address(SECRET, confirm) is None
    assert (
        confirmed_sign_up(
            SECRET, unsubscribe_token(SECRET, "a@example.com"), NOW, timedelta(days=2)
        )
        is None
    )
    assert verify(SECRET, "confirm-subscription", sign(SECRET, "unsubscribe", "x")) is None


def test_a_confirmation_is_good_for_its_time_only() -> None:
    token = confirm_token(SECRET, "a@example.com", "Ada", NOW)
    window = timedelta(days=2)
    assert confirmed_sign_up(SECRET, token, NOW + timedelta(days=1), window) == (
        "a@example.com",
        "Ada",
    )
    assert confirmed_sign_up(SECRET, token, NOW + timedelta(days=3), window) is None
    assert confirmed_sign_up(SECRET, token, NOW - timedelta(minutes=1), window) is None


def test_a_form_field_is_bound_to_its_client_and_its_time() -> None:
    token = form_token(SECRET, "192.0.2.1", NOW)
    window = timedelta(hours=2)
    assert form_token_fresh(SECRET, token, "192.0.2.1", NOW, window)
    assert not form_token_fresh(SECRET, token, "192.0.2.2", NOW, window)
    assert not form_token_fresh(SECRET, token, "192.0.2.1", NOW + timedelta(hours=3), window)
