"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) as bytes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from feeds.config import Person, Site
from feeds.feed.model import FeedEntry, FeedSpec, SelfLink
from feeds.jsontext import indented

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def json_feed(spec: FeedSpec, site: Site, entries: Sequence[FeedEntry], link: SelfLink) -> bytes:
    author = {"name": site.author.name, "url": site.base_url}
    document: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": spec.title,
        "home_page_url": spec.home_url,
        "feed_url": link.url,
        "description": spec.description,
        "language": site.language,
        "authors": [author],
        "items": [_json_item(entry) for entry in entries],
    }
    return indented(document)


def _json_item(entry: FeedEntry) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": entry.entry_id,
        "url": entry.url,
        "title": entry.title,
        "content_html": entry.html,
    }
    if entry.summary:
        item["summary"] = entry.summary
    if entry.image:
        item["image"] = entry.image
    item["date_published"] = entry.published.isoformat()
    if entry.updated:
        item["date_modified"] = entry.last_modified.isoformat()
    if entry.tags:
        item["tags"] = list(entry.tags)
    if entry.authors:
        item["authors"] = [_json_person(person) for person in entry.authors]
    return item


def _json_person(person: Person) -> dict[str, str]:
    # JSON Feed authors have a name, url and avatar, no email; an address is not a page.
    found = {"name": person.name}
    if person.url:
        found["url"] = person.url
    return found
