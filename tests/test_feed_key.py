"""A feed's cache key covers everything its writers read: the writers are given a FeedSpec, the
Site and FeedEntry values only, and the key hashes every field of each. Change any one and the
cached build must rebuild that feed."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from feeds.feed import jsonfeed, xml
from feeds.feed.build import feed_key
from feeds.feed.formats import FORMATS
from feeds.feed.model import FeedEntry, FeedSpec

from .conftest import make_site

ENTRY = FeedEntry(
    entry_id="tag:example.com,2020:a",
    url="https://example.com/blog/a/",
    title="A",
    published=datetime(2021, 1, 1, tzinfo=UTC),
    updated=None,
    summary="Sum.",
    html="<p>Body</p>",
    image=None,
    tags=("x",),
)
SPEC = FeedSpec("T", "D", "https://example.com/", "", "tag:example.com,2020:feed")


def changed(value: Any) -> Any:
    """Another value of the same kind."""
    if isinstance(value, str):
        return value + "!"
    if isinstance(value, datetime):
        return value + timedelta(seconds=1)
    if isinstance(value, tuple):
        return (*value, "more")
    raise AssertionError(f"no other value for {value!r}")


@pytest.mark.parametrize("name", [item.name for item in dataclasses.fields(FeedEntry)])
def test_every_entry_field_is_in_the_key(name: str, tmp_path: Path) -> None:
    site = make_site(tmp_path)
    # The two optional fields are None in ENTRY; each gets a value of its own kind.
    others: dict[str, Any] = {
        "updated": datetime(2022, 1, 1, tzinfo=UTC),
        "image": "https://example.com/i.png",
    }
    other = others[name] if name in others else changed(getattr(ENTRY, name))
    edited = dataclasses.replace(ENTRY, **{name: other})
    assert feed_key(SPEC, site, [edited]) != feed_key(SPEC, site, [ENTRY])


@pytest.mark.parametrize("name", [item.name for item in dataclasses.fields(FeedSpec)])
def test_every_spec_field_is_in_the_key(name: str, tmp_path: Path) -> None:
    site = make_site(tmp_path)
    edited = dataclasses.replace(SPEC, **{name: getattr(SPEC, name) + "!"})
    assert feed_key(edited, site, [ENTRY]) != feed_key(SPEC, site, [ENTRY])


def test_a_site_setting_is_in_the_key(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    other = dataclasses.replace(site, language="de")
    assert feed_key(SPEC, other, [ENTRY]) != feed_key(SPEC, site, [ENTRY])


@pytest.mark.parametrize("kind", FORMATS, ids=lambda kind: kind.name)
def test_writers_are_given_nothing_but_spec_site_entries_and_self_link(kind: Any) -> None:
    """A writer that took a Post or a RenderedPost could read fields the key does not cover."""
    parameters = list(inspect.signature(kind.write).parameters.values())
    annotations = [str(parameter.annotation) for parameter in parameters]
    assert annotations == ["FeedSpec", "Site", "Sequence[FeedEntry]", "SelfLink"]
    assert inspect.getmodule(kind.write) in (xml, jsonfeed)
