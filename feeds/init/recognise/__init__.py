"""Recognising a blog's generator and reading what its own files say: one module per
generator, tried in the order of ``RECOGNISERS``; a plain folder of Markdown is the fallback.

Each recogniser returns ``Recognised``: guesses for the settings, each with its source, and
notes on what the settings cannot express. URL rules follow each generator's documented and
source-checked behaviour (Jekyll's URL placeholders, Hugo's sections and ``permalinks``,
Eleventy's ``fileSlug`` and directory data, Next.js routes, Astro collections, Pelican's
``ARTICLE_URL``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from feeds.init.model import Recognised
from feeds.init.recognise.astro import astro
from feeds.init.recognise.eleventy import eleventy
from feeds.init.recognise.hugo import hugo
from feeds.init.recognise.jekyll import jekyll
from feeds.init.recognise.nextjs import next_js
from feeds.init.recognise.pelican import pelican
from feeds.init.recognise.plain import plain

# Most specific first: a Hugo or Eleventy site may also have a package.json.
RECOGNISERS: tuple[Callable[[Path], Recognised | None], ...] = (
    jekyll, hugo, eleventy, astro, next_js, pelican,
)  # fmt: skip


def recognise(root: Path) -> Recognised:
    for recogniser in RECOGNISERS:
        found = recogniser(root)
        if found is not None:
            return found
    return plain(root)
