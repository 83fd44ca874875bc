"""Slugs: the URL-safe names made from file names, folder names and tags.

``slug_style`` says how a file or bundle-folder name becomes a slug, matching the generator that
serves the blog (each rule below names its source):

- ``default``: lower-case ASCII words joined by ``-`` (python-slugify); this tool's own style.
- ``keep``: the name as written — Eleventy's ``page.fileSlug``, Next.js routes — less a date
  prefix.
- ``raw``: the name exactly as written, date prefix included: Eleventy's default permalink.
- ``hugo``: Hugo's path sanitising (``common/paths`` ``Sanitize``): lower-cased; letters, digits,
  marks and ``. _ ~ + - @ #`` kept; a run of spaces between kept characters becomes one ``-``
  (none beside a ``-``); every other character dropped.
- ``jekyll``: Jekyll's ``slugify`` in ``pretty`` mode, case kept (what ``:title`` gives): letters,
  digits, marks and ``. _ ~ ! $ & ' ( ) + , ; = @`` kept; each run of anything else becomes one
  ``-``; one leading and one trailing ``-`` removed.
- ``astro``: github-slugger, as Astro's content collections use it: lower-cased; letters, digits,
  marks, ``-`` and ``_`` kept; each space becomes ``-``; everything else dropped.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from slugify import slugify

CLEAN_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


HUGO_KEPT = frozenset("._~+-@#")
JEKYLL_PRETTY_KEPT = frozenset("._~!$&'()+,;=@")


def clean_slug(text: str) -> str:
    # Most file names are slugs already; slugify is the slow path for the rest.
    return text if CLEAN_SLUG.fullmatch(text) else slugify(text)


@lru_cache(maxsize=4096)
def tag_slug(name: str) -> str:
    return clean_slug(name.lower()) if name.isascii() else slugify(name)


def styled_slug(text: str, style: str) -> str:
    """``text`` (a file, folder or frontmatter name) as a slug in ``style`` (see above)."""
    if style in ("keep", "raw"):
        return text
    if style == "hugo":
        return hugo_slug(text)
    if style == "jekyll":
        return jekyll_slug(text, pretty=True, cased=True)
    if style == "astro":
        return astro_slug(text)
    return clean_slug(text)


def without_language(name: str, tags: tuple[str, ...]) -> str:
    """``name`` less a trailing ``.<tag>`` of one of ``tags`` (lower-case): Hugo serves
    ``x.fr.md`` as ``x`` in French. A single-language site has no tags: nothing is taken off."""
    stem, dot, suffix = name.rpartition(".")
    return stem if dot and stem and suffix.lower() in tags else name


def is_word_character(char: str) -> bool:
    """A letter, a mark or a decimal digit: what every generator keeps in a name."""
    category = unicodedata.category(char)
    return category[0] in "LM" or category == "Nd"


def hugo_slug(text: str) -> str:
    """Hugo's ``Sanitize``: a run of spaces becomes one ``-`` between kept characters (none at
    either end, none next to a ``-`` already there); other characters are dropped."""
    kept: list[str] = []
    space_before = False
    for char in text.lower():
        if is_word_character(char) or char in HUGO_KEPT:
            if space_before and char != "-" and kept[-1] != "-":
                kept.append("-")
            space_before = False
            kept.append(char)
        elif char.isspace() and kept:
            space_before = True
    return "".join(kept)


def jekyll_slug(text: str, *, pretty: bool, cased: bool) -> str:
    """Jekyll's ``Utils.slugify`` in its ``pretty`` or ``default`` mode: each run of characters
    outside the kept set becomes one ``-``, then one ``-`` is taken off each end."""
    kept = JEKYLL_PRETTY_KEPT if pretty else frozenset()
    pieces: list[str] = []
    for char in text:
        if is_word_character(char) or char in kept:
            pieces.append(char)
        elif not pieces or pieces[-1] != RUN:
            pieces.append(RUN)
    joined = "".join(pieces).replace(RUN, "-").removeprefix("-").removesuffix("-")
    return joined if cased else joined.lower()


# Stands for a run of replaced characters while a Jekyll slug is made; never in a file name.
RUN = "\0"


def astro_slug(text: str) -> str:
    kept = []
    for char in text.lower():
        if char == " ":
            kept.append("-")
        elif char in "-_" or unicodedata.category(char)[0] in "LMN":
            kept.append(char)
    return "".join(kept)
