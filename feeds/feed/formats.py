"""The one table of feed formats: each format's name, file name, media type and writer.
To add a format, write its writer (``spec, site, entries -> bytes``) and add a row here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from feeds.config import Site
from feeds.feed.jsonfeed import json_feed
from feeds.feed.model import FeedEntry, FeedSpec, SelfLink
from feeds.feed.xml import atom, rss

Writer = Callable[[FeedSpec, Site, Sequence[FeedEntry], SelfLink], bytes]


@dataclass(frozen=True)
class FeedFormat:
    name: str
    file_name: str
    media_type: str
    write: Writer


FORMATS: tuple[FeedFormat, ...] = (
    FeedFormat("rss", "rss.xml", "application/rss+xml", rss),
    FeedFormat("atom", "atom.xml", "application/atom+xml", atom),
    FeedFormat("json", "feed.json", "application/feed+json", json_feed),
)
FILE_NAMES = tuple(kind.file_name for kind in FORMATS)
