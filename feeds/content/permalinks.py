"""Where a post lives: its URL path and its permanent feed id.

A post's path comes, first match first, from its frontmatter ``url:`` (Hugo, so only with
``slug_style = "hugo"``: Jekyll link posts use ``url:`` for the page they link to),
its frontmatter ``permalink:`` (Jekyll and Eleventy: literal, or with Jekyll's ``:year``-style
placeholders), or the site's ``permalink`` pattern (``{slug}``, ``{slug_or_title}``,
``{year}``, ``{month}``, ``{day}``, ``{dir}`` and any frontmatter field by name).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from feeds.checks import PLACEHOLDER
from feeds.config import Site
from feeds.content.model import Post
from feeds.content.slugs import jekyll_slug, styled_slug
from feeds.errors import ContentError

# Characters RFC 3986 allows in a path as they are; everything else is percent-encoded, as
# Jekyll and Hugo do (``Café`` → ``Caf%C3%A9``, ``#`` → ``%23``).
PATH_SAFE = "/!$&'()*+,;=:@~"
JEKYLL_PLACEHOLDER = re.compile(
    r":(categories|short_year|i_month|i_day|output_ext|title|slug|year|month|day|hour|minute"
    r"|second)(?![A-Za-z0-9_])"
)
TEMPLATE_MARKS = ("{{", "{%")
PERCENT_ESCAPE = re.compile("(%[0-9A-Fa-f]{2})")


class PlaceError(ValueError):
    """A post whose URL cannot be made: the field at fault and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Place:
    """What a post's URL is made from."""

    slug: str
    # The frontmatter slug or the file name's own part, as written: Jekyll's ``:title`` and
    # ``:slug`` are made from it.
    name: str
    # The folder holding the post (for a bundle ``<name>/index.md``, the folder holding the
    # bundle), relative to the content folder, as written; "" at the top.
    folder: str
    # The date in the time zone the generator makes URLs in: the site's (Jekyll, and this
    # tool's default), or the date's own offset as written (Hugo).
    date: datetime
    meta: Mapping[str, Any]
    # The post's title, and whether its slug came from frontmatter ``slug:``: Hugo's ``:slug``
    # is the slug when one is given, else the title (``{slug_or_title}``).
    title: str = ""
    slug_given: bool = False


def post_path(place: Place, pattern: str, style: str) -> tuple[str, list[str]]:
    """The post's URL path and any warnings; a ``PlaceError`` when it cannot be made."""
    own_url = place.meta.get("url")
    if own_url is not None and style == "hugo":
        return hugo_url(own_url), []
    own = place.meta.get("permalink")
    if own is not None and not isinstance(own, bool):
        if not isinstance(own, str) or not own.strip():
            raise PlaceError("permalink", f"{own!r} must be a path like /blog/my-post/")
        if not any(mark in own for mark in TEMPLATE_MARKS):
            return jekyll_path(own.strip(), place), []
        warning = (
            f"permalink: {own!r} is a template this tool cannot evaluate; the post's URL comes "
            "from [site] permalink instead"
        )
        return pattern_path(pattern, place, style), [warning]
    return pattern_path(pattern, place, style), []


def pattern_path(pattern: str, place: Place, style: str) -> str:
    """The site's pattern filled in; segments left empty (``{dir}`` at the top) collapse."""

    def fill_name(name: str) -> str:
        if name == "slug":
            return encode(place.slug)
        if name == "slug_or_title":
            return encode(slug_or_title(place, style))
        if name in ("year", "month", "day"):
            return date_part(place.date, name)
        if name == "dir":
            return encode(styled_path(place.folder.split("/"), style))
        return encode(styled_path(field_values(place, name, pattern), style))

    # The pattern's own text is encoded as the values are; the names between braces are not
    # text (split gives text, name, text, …).
    pieces = PLACEHOLDER.split(pattern)
    return squeeze(
        "".join(
            fill_name(piece) if index % 2 else encode_literal(piece)
            for index, piece in enumerate(pieces)
        )
    )


def slug_or_title(place: Place, style: str) -> str:
    """Hugo's ``:slug``: the frontmatter slug when there is one, else the title made a slug
    (Hugo urlizes it: its path rules, lower-cased); the file's slug when the title makes none."""
    if place.slug_given:
        return place.slug
    return styled_slug(place.title, style) or place.slug


def field_values(place: Place, name: str, pattern: str) -> list[str]:
    value = place.meta.get(name)
    items = value if isinstance(value, list) else [value]
    texts = [str(item).strip() for item in items if item is not None and not isinstance(item, dict)]
    if not any(texts):
        raise PlaceError(
            name, f"missing; the permalink pattern {pattern} needs it (add {name}: to the post)"
        )
    return texts


def styled_path(parts: Iterable[str], style: str) -> str:
    return "/".join(styled_slug(part, style) for part in parts if part)


def date_part(date: datetime, name: str) -> str:
    if name == "year":
        return f"{date.year:04d}"
    return f"{date.month:02d}" if name == "month" else f"{date.day:02d}"


def jekyll_path(permalink: str, place: Place) -> str:
    """A Jekyll (or Eleventy, literal) ``permalink:`` with Jekyll's placeholders filled in."""
    date = place.date
    values = {
        "year": f"{date.year:04d}",
        "month": f"{date.month:02d}",
        "day": f"{date.day:02d}",
        "i_month": str(date.month),
        "i_day": str(date.day),
        "short_year": f"{date.year % 100:02d}",
        "hour": f"{date.hour:02d}",
        "minute": f"{date.minute:02d}",
        "second": f"{date.second:02d}",
        "title": jekyll_slug(place.name, pretty=True, cased=True),
        "slug": jekyll_slug(place.name, pretty=False, cased=False),
        "categories": "/".join(category.lower() for category in jekyll_categories(place)),
        "output_ext": ".html",
    }
    pieces = JEKYLL_PLACEHOLDER.split(permalink)
    filled = "".join(
        encode(values[piece]) if index % 2 else encode_literal(piece)
        for index, piece in enumerate(pieces)
    )
    return squeeze("/" + filled.lstrip("/"))


def jekyll_categories(place: Place) -> list[str]:
    """Jekyll's categories: the folders above ``_posts``, then the frontmatter's."""
    parts = place.folder.split("/")
    found = parts[: parts.index("_posts")] if "_posts" in parts else []
    for name in ("category", "categories"):
        value = place.meta.get(name)
        items = value.split() if isinstance(value, str) else value
        if isinstance(items, list):
            found.extend(str(item) for item in items if str(item) not in found)
    return [item for item in found if item]


def hugo_url(value: Any) -> str:
    """Hugo's ``url:``, used as written but percent-encoded, without its query or fragment (the
    page is served at the path); without a file extension it ends in ``/``."""
    if not isinstance(value, str) or not value.strip():
        raise PlaceError("url", f"{value!r} must be a path like /about/ (Hugo's url:)")
    text = value.strip()
    if "://" in text:
        return text
    text = encode_literal("/" + re.split("[?#]", text, maxsplit=1)[0].lstrip("/"))
    last = text.rsplit("/", 1)[1]
    return text if not last or "." in last else text + "/"


def encode(value: str) -> str:
    # Most slugs need no escape; quote() is the slow path for the rest.
    if UNRESERVED.fullmatch(value):
        return value
    return quote(value, safe=PATH_SAFE)


@lru_cache(maxsize=1024)
def encode_literal(text: str) -> str:
    """Path text written by a person (a pattern, ``permalink:``, ``url:``) encoded like a value,
    except an escape already written (``%C3%A9``), kept, in capitals: ``/a/café/`` and
    ``/a/caf%c3%a9/`` are one URL, which the clash check then sees."""
    pieces = PERCENT_ESCAPE.split(text)
    return "".join(
        piece.upper() if index % 2 else encode(piece) for index, piece in enumerate(pieces)
    )


# RFC 3986's unreserved characters and "/": text made only of them is its own encoding.
UNRESERVED = re.compile(r"[A-Za-z0-9._~/-]*")


def squeeze(path: str) -> str:
    return re.sub("/{2,}", "/", path)


def post_url(post: Post, site: Site) -> str:
    path = post.path or pattern_path(
        site.content.permalink,
        Place(post.slug, post.slug, "", post.date.astimezone(site.tz), {}),
        site.content.slug_style,
    )
    return site_url(site.base_url, path.lstrip("/"))


# A relative path urljoin only puts after its base: characters it gives no meaning (no
# scheme, query, fragment, parameters, backslash or white space) ...
PLAIN_RELATIVE = re.compile(r"[A-Za-z0-9._~%!$&'()*+,=@-][A-Za-z0-9._~%!$&'()*+,=@/-]*")
# The same as the path of a base URL, which starts with "/".
PLAIN_PATH = re.compile(r"/[A-Za-z0-9._~%!$&'()*+,=@/-]*")
# ... and no empty or dot segment, which it would remove or resolve.
SEGMENT_WORK = re.compile(r"//|(?:^|/)\.\.?(?:/|$)")


def site_url(base: str, relative: str) -> str:
    """``urljoin(base, relative)`` for a site's base URL and a path below it; most are simply
    the two put together, without urljoin's parsing (a post's URL is made several times in a
    build)."""
    if (
        plain_base(base)
        and PLAIN_RELATIVE.fullmatch(relative)
        and not SEGMENT_WORK.search(relative)
    ):
        return base + relative
    return urljoin(base, relative)


@lru_cache(maxsize=16)
def plain_base(base: str) -> bool:
    """A base URL whose path ends in "/" and which urljoin leaves as it is."""
    path = urlsplit(base).path
    return (
        base.endswith("/")
        and PLAIN_PATH.fullmatch(path) is not None
        and not SEGMENT_WORK.search(path)
        and urljoin(base, "x") == base + "x"
    )


def id_base(site: Site) -> str:
    """What every computed id starts with: the domain, ``since``, and for a language other
    than the default one its folder (its posts are other entries than their translations)."""
    return f"tag:{site.domain},{site.since}:{site.language_folder}"


def entry_id(post: Post, site: Site) -> str:
    """An RFC 4151 tag URI built from what never changes with an edit: the domain, the site's
    ``since`` date and the slug. The scheme is left out, so moving to https keeps every id."""
    return post_id(post, id_base(site))


def post_id(post: Post, base: str) -> str:
    """The pinned id, or ``base`` and the slug (or id name) percent-encoded as quote() does."""
    if post.pinned_id:
        return post.pinned_id
    name = post.id_name or post.slug
    # quote() leaves exactly these characters alone; most slugs have no other.
    return base + (name if UNRESERVED.fullmatch(name) else quote(name))


def assign_ids(
    posts: Sequence[Post], base: str
) -> tuple[list[Post], list[ContentError], set[Path]]:
    """Ids for posts that share a slug, and the posts that share a URL or an id.

    A slug used by one post keeps the id it always had (``tag:…:<slug>``). Of the posts that
    share a slug, the oldest (by date, then file) keeps that id too, and each of the others
    takes its URL path instead (``tag:…:blog/2022/intro/``): adding a newer namesake never
    changes an id readers already have. Two posts with one URL, or one id, are an error naming
    both files; the third value is every file involved in such a clash."""
    by_slug: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        by_slug[post.slug.casefold()].append(post)
    named: list[Post] = []
    for group in by_slug.values():
        if len(group) == 1:
            named.append(group[0])
            continue
        ordered = sorted(group, key=lambda post: (post.date, str(post.source)))
        named.append(ordered[0])
        named.extend(replace(post, id_name=post.path.lstrip("/")) for post in ordered[1:])
    errors: list[ContentError] = []
    involved: set[Path] = set()
    for field, what, key in (
        ("URL", "URL", lambda post: post.path),
        ("id", "feed id", lambda post: post_id(post, base)),
    ):
        errors.extend(clashes(named, key, field, what, involved))
    return named, errors, involved


def clashes(
    posts: Sequence[Post],
    key: Callable[[Post], str],
    field: str,
    what: str,
    involved: set[Path],
) -> list[ContentError]:
    values = [key(post) for post in posts]
    if len(set(values)) == len(values):
        return []  # the common case: every value once, no group to make
    groups: dict[str, list[Post]] = defaultdict(list)
    for post, value in zip(posts, values, strict=True):
        if value:
            groups[value].append(post)
    fix = "slug: or permalink:" if field == "URL" else "id:"
    errors: list[ContentError] = []
    for value, group in groups.items():
        if len(group) < 2:
            continue
        first, *others = sorted(group, key=lambda post: str(post.source))
        involved.update(post.source for post in group)
        errors.extend(
            ContentError(
                other.source, field,
                f"{value} is also the {what} of {first.source}; give one of them another {fix}",
            )
            for other in others
        )  # fmt: skip
    return errors
