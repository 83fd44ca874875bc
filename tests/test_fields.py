"""The quick paths in ``content.fields`` give what the general ones give."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.content.fields import (
    FIRST_YEAR,
    LAST_YEAR,
    known_tag_name,
    one_line,
    representable,
    tag_name,
    tags_field,
)
from feeds.content.source import XML_ILLEGAL

# Spaces, line breaks and controls of every kind, among letters and the usual punctuation.
AWKWARD = st.text(
    alphabet=st.sampled_from(
        [*"ab é-&;#", "\t", "\n", "\r", "\x0b", "\x1f", "\x85", "\xa0", "\u2028", "\u3000",
         "\ufeff", "\ufffe", "\u200b", "\x00", "\x7f", "\U0001f600"]
    ),
    max_size=12,
)  # fmt: skip


@given(st.one_of(AWKWARD, st.text(max_size=12)))
@settings(max_examples=500)
def test_one_line_is_the_general_normalisation(text: str) -> None:
    assert one_line(text) == " ".join(XML_ILLEGAL.sub("", text).split())


@given(st.one_of(AWKWARD, st.text(max_size=12)))
@settings(max_examples=300)
def test_a_remembered_tag_name_is_the_one_worked_out(text: str) -> None:
    try:
        expected: str | Exception = tag_name(text)
    except ValueError as error:
        expected = error
    for _ in range(2):  # the second time from the cache, or raising again
        try:
            assert known_tag_name(text) == expected
        except ValueError as error:
            assert isinstance(expected, ValueError) and str(error) == str(expected)


def test_a_bad_tag_is_refused_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match="no letters or digits"):
            tags_field(["Good", "!!!"])
    assert tags_field(["Good", " good ", "It&rsquo;s"]) == ("Good", "It\u2019s")


ZONES = [UTC, ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Pacific/Pago_Pago"),
         timezone(timedelta(hours=23, minutes=59)), timezone(-timedelta(hours=23, minutes=59))]  # fmt: skip


def every_year_fits(moment: datetime, tz: timezone | ZoneInfo) -> bool:
    """``representable`` worked out in full, for each moment."""
    try:
        years = (moment.year, moment.astimezone(UTC).year, moment.astimezone(tz).year)
    except (OverflowError, ValueError):
        return False
    return all(FIRST_YEAR <= year <= LAST_YEAR for year in years)


# Moments anywhere, and many at the turn of the years the bounds allow.
NEAR_BOUNDS = st.builds(
    datetime,
    st.sampled_from([FIRST_YEAR - 1, FIRST_YEAR, FIRST_YEAR + 1, LAST_YEAR - 1, LAST_YEAR]),
    st.sampled_from([1, 12]),
    st.sampled_from([1, 2, 30, 31]),
    st.integers(0, 23),
    st.integers(0, 59),
)
MOMENTS = NEAR_BOUNDS | st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))


@given(MOMENTS, st.sampled_from(ZONES), st.sampled_from(ZONES))
@settings(max_examples=500)
def test_representable_agrees_with_every_conversion(
    moment: datetime, own: timezone | ZoneInfo, site: timezone | ZoneInfo
) -> None:
    aware = moment.replace(tzinfo=own)
    assert representable(aware, site) == every_year_fits(aware, site)
