"""Frontmatter fields: what each value may be, how it is read, and the one-line problem when it
is not. ``post_from_metadata`` turns one file's mapping into a ``Post``."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from typing import Any

from feeds import checks
from feeds.config import ContentOptions, Person
from feeds.content.model import Post
from feeds.content.permalinks import Place, PlaceError, post_path
from feeds.content.slugs import styled_slug, tag_slug
from feeds.content.source import XML_ILLEGAL
from feeds.errors import ContentError, ContentErrors

FILENAME_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
# Jekyll also accepts one-digit months and days: 2021-2-3-short-date.md.
JEKYLL_FILENAME_DATE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})-(.+)$")


EXPLICIT_SLUG = re.compile(r"^[\w][\w.-]*$")


URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


# Jekyll writes "2019-05-30 9:00:00 +0000": a one-digit hour, a space, an offset without a colon.
LOOSE_DATETIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{1,2})(:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?$"
)


DATE_HINT = "(use 2021-12-09 or 2021-12-09T08:30:00+01:00)"


# A complete character reference: named, decimal or hexadecimal, with its semicolon. Text
# without the semicolon ("AT&T", "&copy2024") is left as written.
CHARACTER_REFERENCE = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)


# An id names an [authors] entry: one word. Anything with a space is a person's name.
AUTHOR_ID = re.compile(r"^\S+$")


AUTHOR_URL_KEYS = ("url", "uri", "link", "website")


AUTHOR_HINT = (
    "write a name, an id from [authors], a list of them, or a mapping "
    'like {name: "Jane Doe", email: "jane@example.com", url: "https://…"}'
)


DEFAULT_OPTIONS = ContentOptions()


def pick(meta: dict[str, Any], names: Sequence[str]) -> tuple[str, Any]:
    """The first of ``names`` present in ``meta`` (a boolean ``published`` is Jekyll's draft
    switch, not a date), as (name used, value); (first name, None) when none is."""
    for name in names:
        value = meta.get(name)
        if value is not None and not (name == "published" and isinstance(value, bool)):
            return name, value
    return names[0], None


def post_from_metadata(
    path: Path,
    meta: dict[str, Any],
    body: str | None,
    tz: tzinfo,
    options: ContentOptions = DEFAULT_OPTIONS,
    digest: str = "",
    relative: str | None = None,
) -> tuple[Post, list[str]]:
    """The post of one file's frontmatter, with its URL path; ``relative`` is the file's path
    below the content folder (its folder is ``{dir}`` in the permalink pattern)."""
    errors: list[ContentError] = []
    warnings: list[str] = []

    def check(field_name: str, parse: Any, *args: Any) -> Any:
        name, value = pick(meta, options.names(field_name))
        try:
            return parse(value, *args)
        except ValueError as error:
            errors.append(ContentError(path, name, str(error)))
            return None

    style = options.slug_style
    name_date, file_name = filename_parts(path, style)
    title = check("title", prose_field, True)
    date_name, date_value = pick(meta, options.names("date"))
    posted = check("date", date_field, tz)
    if date_value is None:
        if name_date is None:
            errors.append(ContentError(path, date_name, f"missing {DATE_HINT}"))
        else:
            posted = datetime.combine(name_date, time(0), tz)
    elif posted is not None and name_date is not None and posted.astimezone(tz).date() != name_date:
        warnings.append(
            f"{path}: {date_name}: {posted.astimezone(tz).date()} differs from the date in the "
            f"file name ({name_date}); using {date_name}"
        )
    given_slug = check("slug", slug_field, style)
    slug = (given_slug if style == "default" else styled_slug(given_slug or "", style)) or (
        styled_slug(file_name, style)
    )
    if not slug:
        errors.append(ContentError(path, "slug", "cannot be made from the file name; set slug:"))
    values = {
        "updated": check("updated", date_field, tz),
        "description": check("description", prose_field, False),
        "top": check("top", flag_field),
        "draft": check("draft", flag_field) or meta.get("published") is False,
        "image": check("image", image_field),
        "tags": merged_tags(path, meta, options, errors),
        "pinned_id": check("id", id_field),
        "authors": check("authors", authors_field, dict(options.authors)) or (),
    }
    if errors:
        raise ContentErrors(errors)
    place = Place(
        slug, given_slug or file_name, folder_of(path, relative), posted.astimezone(tz), meta
    )
    try:
        url_path, notes = post_path(place, options.permalink, style)
    except PlaceError as error:
        raise ContentErrors([ContentError(path, error.field, str(error))]) from None
    warnings.extend(f"{path}: {note}" for note in notes)
    post = Post(
        source=path, slug=slug, title=title, date=posted, body=body, source_digest=digest,
        path=url_path, **values,
    )  # fmt: skip
    return post, warnings


def folder_of(path: Path, relative: str | None) -> str:
    """The folder holding the post, or for a bundle ``<name>/index.*`` the one holding the
    bundle; relative to the content folder, "" at the top."""
    if relative is None:
        return ""
    parts = relative.split("/")[:-1]
    if path.stem == "index" and parts:
        parts = parts[:-1]
    return "/".join(parts)


def merged_tags(
    path: Path, meta: dict[str, Any], options: ContentOptions, errors: list[ContentError]
) -> tuple[str, ...]:
    """Tags from every name that holds them (Hugo posts often have tags and categories)."""
    tags: list[str] = []
    for name in options.names("tags"):
        try:
            for tag in tags_field(meta.get(name)):
                if tag.casefold() not in (known.casefold() for known in tags):
                    tags.append(tag)
        except ValueError as error:
            errors.append(ContentError(path, name, str(error)))
    return tuple(tags)


def image_field(value: Any) -> str | None:
    # Hugo themes write cover: {image: "…", alt: "…"}.
    if isinstance(value, dict):
        value = next((value[key] for key in ("image", "src", "url") if value.get(key)), None)
    return text_field(value, False)


def filename_parts(path: Path, style: str = "default") -> tuple[date | None, str]:
    """The date a file name starts with, if any, and the name's own part (a bundle's
    ``index`` file takes its folder's name). Hugo keeps the date in the name."""
    stem = path.parent.name if path.stem == "index" else path.stem
    found = (JEKYLL_FILENAME_DATE if style == "jekyll" else FILENAME_DATE).match(stem)
    if not found:
        return None, stem
    try:
        year, month, day = (int(part) for part in found.group(1).split("-"))
        posted = date(year, month, day)
    except ValueError:
        return None, stem
    if style == "hugo":
        return posted, stem
    # Jekyll takes off only the last extension and then any trailing dots: a.aspx.md → a.aspx.
    return posted, found.group(2).rstrip(".") if style == "jekyll" else found.group(2)


def text_field(value: Any, required: bool) -> str | None:
    if value is None or value == "":
        if required:
            raise ValueError("missing; every post needs one")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{value!r} must be text")
    text = " ".join(XML_ILLEGAL.sub("", str(value)).split())
    if not text and required:
        raise ValueError("is empty; every post needs one")
    return text or None


def prose_field(value: Any, required: bool) -> str | None:
    """Text readers see (titles, descriptions): HTML character references written in it
    (``It&rsquo;s``) become the characters they stand for, as the site's own pages show them."""
    if isinstance(value, str):
        value = decode_references(value)
    return text_field(value, required)


def decode_references(text: str) -> str:
    return CHARACTER_REFERENCE.sub(lambda found: html.unescape(found.group(0)), text)


def authors_field(value: Any, people: dict[str, Person]) -> tuple[Person, ...]:
    """``author: Jane Doe``, ``authors: [jane, bob]`` (ids from [authors]), a mapping with name,
    email and url, or a list mixing them; the same person named twice counts once."""
    if value is None or value == "":
        return ()
    items = value if isinstance(value, list) else [value]
    found: list[Person] = []
    for item in items:
        person = one_author(item, people)
        if person is not None and person not in found:
            found.append(person)
    return tuple(found)


def one_author(item: Any, people: dict[str, Person]) -> Person | None:
    if isinstance(item, dict):
        return author_mapping(item)
    if isinstance(item, bool) or not isinstance(item, str):
        raise ValueError(f"{item!r} is not an author ({AUTHOR_HINT})")
    name = prose_field(item, False)
    if name is None:
        return None
    if item.strip() in people:
        return people[item.strip()]
    if people and AUTHOR_ID.match(name):
        raise ValueError(
            f"{name!r} is not an id in [authors] (add [authors.{name}] with "
            f'name = "…" to the settings, or write the author\'s full name)'
        )
    return Person(name=name)


def author_mapping(item: dict[str, Any]) -> Person:
    name = prose_field(item.get("name"), False)
    if name is None:
        raise ValueError(f"{item!r} has no name ({AUTHOR_HINT})")
    email = item.get("email") or None
    if email is not None and checks.email(email):
        raise ValueError(f"email {email!r} is not an email address (use jane@example.com)")
    url = next((item[key] for key in AUTHOR_URL_KEYS if item.get(key)), None)
    if url is not None and checks.web_url(url):
        raise ValueError(f"url {url!r} is not an absolute URL (use https://example.com/about/)")
    return Person(name=name, email=email, url=url)


def date_field(value: Any, tz: tzinfo) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tz)
    if isinstance(value, str):
        parsed = parse_date_text(value.strip(), tz)
        if parsed is not None:
            return parsed
    raise ValueError(f"{str(value)!r} is not a date {DATE_HINT}")


def parse_date_text(text: str, tz: tzinfo) -> datetime | None:
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tz)
        loose = LOOSE_DATETIME.match(text)
        if loose:
            day, hour, rest, offset = loose.groups()
            text = f"{day}T{int(hour):02d}{rest}{offset or ''}"
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def flag_field(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} must be true or false")
    return value


def tags_field(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list):
        items = value
    else:
        raise ValueError(f"{value!r} must be a list of tags or one comma-separated string")
    tags: list[str] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise ValueError(f"{item!r} is not a tag name (tags are text)")
        name = " ".join(decode_references(str(item)).split())
        if name and not tag_slug(name):
            raise ValueError(f"{name!r} has no letters or digits to name its feed folder")
        if name and name.casefold() not in (tag.casefold() for tag in tags):
            tags.append(name)
    return tuple(tags)


def slug_field(value: Any, style: str = "default") -> str | None:
    if value is None:
        return None
    if style != "default" and isinstance(value, str | int | float) and not isinstance(value, bool):
        # The generator makes a slug of it (see ``slugs``); it must not climb out of a folder.
        text = str(value).strip()
        if text and ".." not in text.split("/"):
            return text
    elif isinstance(value, str) and EXPLICIT_SLUG.match(value) and ".." not in value:
        return value
    raise ValueError(
        f"{value!r} must be letters, digits, '-', '_' or '.', with no '/' or '..' "
        "(e.g. slug: my-first-post)"
    )


def id_field(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not URI_SCHEME.match(value):
        raise ValueError(f"{value!r} must be a URI, e.g. id: tag:example.com,2021:my-post")
    return value
