"""Frontmatter fields: what each value may be, how it is read, and the one-line problem when it
is not. ``post_from_metadata`` turns one file's mapping into a ``Post``."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from feeds import checks
from feeds.config import ContentOptions, Person
from feeds.content.model import Post
from feeds.content.permalinks import Place, PlaceError, post_path
from feeds.content.sanitize import allowed_url
from feeds.content.slugs import styled_slug, tag_slug, without_language
from feeds.content.source import XML_ILLEGAL
from feeds.errors import ContentError, ContentErrors, shown

FILENAME_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
# Jekyll also accepts one-digit months and days: 2021-2-3-short-date.md.
JEKYLL_FILENAME_DATE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})-(.+)$")


EXPLICIT_SLUG = re.compile(r"[\w][\w.-]*")


URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


# Per-post bounds: what one post may cost is bounded, however hostile its frontmatter. Each is
# far above what a real post uses; a value past one is an error that names the bound.
MAX_TITLE = 1_000
MAX_DESCRIPTION = 10_000
MAX_TAGS = 100
MAX_TAG_NAME = 100
# A tag's slug names its feed folder; file systems allow 255 bytes per name.
MAX_TAG_SLUG_BYTES = 200
MAX_SLUG = 200
MAX_ID = 500
MAX_IMAGE = 2_000
# Feeds write four-digit years (RFC 822, RFC 3339); the bounds also keep every time zone
# conversion of a date inside what Python's datetime can hold.
FIRST_YEAR, LAST_YEAR = 1000, 9999


# Jekyll writes "2019-05-30 9:00:00 +0000": a one-digit hour, a space, an offset without a colon.
LOOSE_DATETIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{1,2})(:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?$"
)


DATE_HINT = "(use 2021-12-09 or 2021-12-09T08:30:00+01:00)"


# A complete character reference: named, decimal or hexadecimal, with its semicolon. Text
# without the semicolon ("AT&T", "&copy2024") is left as written.
CHARACTER_REFERENCE = re.compile(
    # Numeric references of any length: one past U+10FFFF is U+FFFD, as in HTML, rather than
    # reaching readers as markup (the text is bounded before this runs).
    r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});"
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
    name_date, file_name, bad_name_date = filename_parts(path, style, options.name_languages)
    title = check("title", prose_field, True, MAX_TITLE)
    date_name, date_value = pick(meta, options.names("date"))
    posted = check("date", date_field, tz)
    if date_value is None:
        if bad_name_date:
            errors.append(
                ContentError(
                    path,
                    date_name,
                    f"missing, and the date in the file name ({bad_name_date}) is not a real "
                    "date (fix the file name, or set date:)",
                )
            )
        elif name_date is None:
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
        "description": check("description", prose_field, False, MAX_DESCRIPTION),
        "top": check("top", flag_field),
        "draft": check("draft", flag_field) or meta.get("published") is False,
        "image": check("image", image_field),
        "tags": merged_tags(path, meta, options, errors),
        "pinned_id": check("id", id_field),
        "authors": check("authors", authors_field, dict(options.authors)) or (),
    }
    if errors:
        raise ContentErrors(errors)
    # Hugo makes a URL's date parts from the date as written, in its own offset; Jekyll (and
    # this tool's other styles) from the date in the site's time zone.
    url_date = posted if style == "hugo" else posted.astimezone(tz)
    place = Place(
        slug, given_slug or file_name, folder_of(path, relative, options.name_languages), url_date, meta,
        title=title or "", slug_given=given_slug is not None,
    )  # fmt: skip
    try:
        url_path, notes = post_path(place, options.permalink, style)
    except PlaceError as error:
        raise ContentErrors([ContentError(path, error.field, str(error))]) from None
    warnings.extend(f"{path}: {note}" for note in notes)
    post = Post(
        source=path, slug=slug, title=title, date=posted, body=body, path=url_path, **values,
    )  # fmt: skip
    return post, warnings


def folder_of(path: Path, relative: str | None, languages: tuple[str, ...] = ()) -> str:
    """The folder holding the post, or for a bundle ``<name>/index.*`` (``index.fr.md`` too)
    the one holding the bundle; relative to the content folder, "" at the top."""
    if relative is None:
        return ""
    parts = relative.split("/")[:-1]
    if without_language(path.stem, languages) == "index" and parts:
        parts = parts[:-1]
    return "/".join(parts)


def merged_tags(
    path: Path, meta: dict[str, Any], options: ContentOptions, errors: list[ContentError]
) -> tuple[str, ...]:
    """Tags from every name that holds them (Hugo posts often have tags and categories)."""
    tags: dict[str, str] = {}
    for name in options.names("tags"):
        value = meta.get(name)
        if value is None:
            continue
        try:
            for tag in tags_field(value):
                tags.setdefault(tag.casefold(), tag)
        except ValueError as error:
            errors.append(ContentError(path, name, str(error)))
    if len(tags) > MAX_TAGS:
        name = options.names("tags")[0]
        errors.append(ContentError(path, name, f"{len(tags)} tags; a post may have {MAX_TAGS}"))
    return tuple(tags.values())


def image_field(value: Any) -> str | None:
    # Hugo themes write cover: {image: "…", alt: "…"}.
    if isinstance(value, dict):
        value = next((value[key] for key in ("image", "src", "url") if value.get(key)), None)
    text = text_field(value, False, MAX_IMAGE)
    # "my photo.png" is a common file name; a URL writes its spaces as %20.
    text = text.replace(" ", "%20") if text is not None else None
    if text is not None and not safe_image(text):
        raise ValueError(
            f"{shown(text)} must be an http(s) URL or a path relative to the post "
            "(e.g. image: /img/cover.png)"
        )
    return text


PLAIN_LINK = re.compile(r"(?:https?://[A-Za-z0-9][A-Za-z0-9.-]*)?[A-Za-z0-9._~/%-]*")


def safe_image(url: str) -> bool:
    """An ``image:`` that may leave the tool: relative, or absolute under the same policy as
    every URL in a body (``sanitize.allowed_url``); no spaces or control characters."""
    # The usual shapes (a site path, a file beside the post, a plain http(s) URL) pass
    # without parsing; the rest take the careful way.
    if PLAIN_LINK.fullmatch(url) and not url.startswith("//"):
        return True
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        return False
    if not parts.scheme:
        return not url.startswith("//") or bool(parts.hostname)
    return allowed_url("src", url)


def filename_parts(
    path: Path, style: str = "default", languages: tuple[str, ...] = ()
) -> tuple[date | None, str, str | None]:
    """The date a file name starts with, if any, the name's own part (a bundle's ``index``
    file takes its folder's name; Hugo and "raw" keep the date in the name; a trailing
    ``.<tag>`` of one of ``languages`` is taken off), and the date text when it is not a real
    date."""
    stem = without_language(path.stem, languages)
    if stem == "index":
        stem = without_language(path.parent.name, languages)
    found = (JEKYLL_FILENAME_DATE if style == "jekyll" else FILENAME_DATE).match(stem)
    if not found:
        return None, stem, None
    try:
        year, month, day = (int(part) for part in found.group(1).split("-"))
        posted = date(year, month, day)
    except ValueError:
        return None, stem, found.group(1)
    # Hugo, Astro (the entry id is the file's path) and Eleventy's default permalink keep it.
    if style in ("hugo", "raw", "astro"):
        return posted, stem, None
    # Jekyll takes off only the last extension and then any trailing dots: a.aspx.md → a.aspx.
    return posted, found.group(2).rstrip(".") if style == "jekyll" else found.group(2), None


def text_field(value: Any, required: bool, longest: int = MAX_TITLE) -> str | None:
    if value is None or value == "":
        if required:
            raise ValueError("missing; every post needs one")
        return None
    if isinstance(value, bool):
        raise ValueError(
            f"{value} is not text: YAML reads an unquoted yes, no, on, off, true or false as "
            'true/false (put the text in quotes, e.g. title: "On")'
        )
    if not isinstance(value, str | int | float):
        raise ValueError(f"{shown(value)} must be text")
    raw = str(value)
    if len(raw) > 4 * longest:
        raise ValueError(f"is {len(raw):,} characters long; at most {longest:,} are allowed")
    text = one_line(raw)
    if not text and required:
        raise ValueError("is empty; every post needs one")
    if len(text) > longest:
        raise ValueError(f"is {len(text):,} characters long; at most {longest:,} are allowed")
    return text or None


def prose_field(value: Any, required: bool, longest: int = MAX_TITLE) -> str | None:
    """Text readers see (titles, descriptions): HTML character references written in it
    (``It&rsquo;s``) become the characters they stand for, as the site's own pages show them."""
    if isinstance(value, str):
        value = decode_references(value)
    return text_field(value, required, longest)


def decode_references(text: str) -> str:
    if "&" not in text:
        return text  # the common case, without starting the regex engine
    return CHARACTER_REFERENCE.sub(lambda found: html.unescape(found.group(0)), text)


def one_line(text: str) -> str:
    """``text`` without the characters XML forbids, its runs of white space made one space,
    none at either end."""
    # Printable text holds neither a forbidden character nor white space other than " "
    # (str.isprintable is false for every other space, line break and control character): a
    # title already written on one line with single spaces needs no new string.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(XML_ILLEGAL.sub("", text).split())


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
    parsed: datetime | None = None
    if isinstance(value, datetime):
        parsed = value if value.tzinfo else value.replace(tzinfo=tz)
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(0), tz)
    elif isinstance(value, str) and len(value) <= 64:
        parsed = parse_date_text(value.strip(), tz)
    if parsed is None:
        raise ValueError(f"{shown(str(value))} is not a date {DATE_HINT}")
    if not representable(parsed, tz):
        raise ValueError(
            f"{shown(str(value))} is outside the years {FIRST_YEAR}-{LAST_YEAR} that feeds "
            f"can carry {DATE_HINT}"
        )
    return parsed


def representable(moment: datetime, tz: tzinfo) -> bool:
    """True when ``moment`` has a four-digit year as given, in UTC and in the site's zone."""
    # An offset is less than a day: away from the bounds' own years, no zone can cross them.
    if FIRST_YEAR < moment.year < LAST_YEAR:
        return True
    try:
        years = (moment.year, moment.astimezone(UTC).year, moment.astimezone(tz).year)
    except (OverflowError, ValueError):
        return False
    return all(FIRST_YEAR <= year <= LAST_YEAR for year in years)


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
        raise ValueError(f"{shown(value)} must be true or false")
    return value


def tags_field(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        if len(value) > MAX_TAGS * (MAX_TAG_NAME + 2):
            raise ValueError(f"is {len(value):,} characters long; a post may have {MAX_TAGS} tags")
        items: list[Any] = value.split(",")
    elif isinstance(value, list):
        items = value
    else:
        raise ValueError(f"{shown(value)} must be a list of tags or one comma-separated string")
    if len(items) > MAX_TAGS:
        raise ValueError(f"{len(items):,} tags; a post may have {MAX_TAGS}")
    tags: dict[str, str] = {}
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise ValueError(f"{shown(item)} is not a tag name (tags are text)")
        text = str(item)
        name = known_tag_name(text) if len(text) <= MAX_TAG_NAME else tag_name(text)
        if name:
            tags.setdefault(name.casefold(), name)
    return tuple(tags.values())


def tag_name(text: str) -> str:
    """A tag as its feed shows it ("" for a blank one); ValueError when it cannot be one."""
    name = one_line(decode_references(text))
    if len(name) > MAX_TAG_NAME:
        raise ValueError(
            f"{shown(name)} is {len(name):,} characters long; a tag may have {MAX_TAG_NAME}"
        )
    if not name:
        return name
    slug = tag_slug(name)
    if not slug:
        raise ValueError(f"{shown(name)} has no letters or digits to name its feed folder")
    if len(slug.encode("utf-8")) > MAX_TAG_SLUG_BYTES:
        raise ValueError(
            f"{shown(name)} makes a feed folder name longer than {MAX_TAG_SLUG_BYTES} bytes "
            "(shorten the tag)"
        )
    return name


# A blog has a few dozen tags, each on hundreds of posts: each is checked once. Only short
# texts are kept, so what the cache holds stays small.
known_tag_name = lru_cache(maxsize=4096)(tag_name)


def slug_field(value: Any, style: str = "default") -> str | None:
    if value is None:
        return None
    if style != "default" and isinstance(value, str | int | float) and not isinstance(value, bool):
        # The generator makes a slug of it (see ``slugs``); it must not climb out of a folder,
        # nor hold a line break or control character.
        text = str(value).strip()
        if text and ".." not in text.split("/") and text.isprintable():
            if len(text) > MAX_SLUG:
                raise ValueError(
                    f"is {len(text):,} characters long; at most {MAX_SLUG} are allowed"
                )
            return text
    # fullmatch, not match with "$": "$" also matches before a final line break ("abc\n").
    elif isinstance(value, str) and EXPLICIT_SLUG.fullmatch(value) and ".." not in value:
        if len(value) > MAX_SLUG:
            raise ValueError(f"is {len(value):,} characters long; at most {MAX_SLUG} are allowed")
        return value
    raise ValueError(
        f"{shown(value)} must be letters, digits, '-', '_' or '.', with no '/' or '..' "
        "(e.g. slug: my-first-post)"
    )


def id_field(value: Any) -> str | None:
    if value is None:
        return None
    # printable: no control characters (YAML escapes can make them), which XML cannot carry.
    if not isinstance(value, str) or not URI_SCHEME.fullmatch(value) or not value.isprintable():
        raise ValueError(f"{shown(value)} must be a URI, e.g. id: tag:example.com,2021:my-post")
    if len(value) > MAX_ID:
        raise ValueError(f"is {len(value):,} characters long; at most {MAX_ID} are allowed")
    return value
