"""Slugs: the URL-safe names made from file names and tags."""

from __future__ import annotations

import re
from functools import lru_cache

from slugify import slugify

CLEAN_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def clean_slug(text: str) -> str:
    # Most file names are slugs already; slugify is the slow path for the rest.
    return text if CLEAN_SLUG.fullmatch(text) else slugify(text)


@lru_cache(maxsize=4096)
def tag_slug(name: str) -> str:
    return clean_slug(name.lower()) if name.isascii() else slugify(name)
