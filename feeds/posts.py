"""Posts: read every Markdown file's frontmatter into a frozen ``Post``, validate, order.

Only the frontmatter is interpreted here; the Markdown body is kept as text and rendered
later, and only for the posts that reach an output, so a large blog costs little to load.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from typing import Any, ClassVar

import frontmatter
import yaml
from frontmatter.default_handlers import YAMLHandler
from slugify import slugify

from feeds.errors import ContentError, ContentErrors

# XML 1.0 forbids these; one of them in a post would make every feed that carries it unreadable.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FILENAME_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
EXPLICIT_SLUG = re.compile(r"^[\w][\w.-]*$")
URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
# Jekyll writes "2019-05-30 9:00:00 +0000": a one-digit hour, a space, an offset without a colon.
LOOSE_DATETIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{1,2})(:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?$"
)
DATE_HINT = "(use 2021-12-09 or 2021-12-09T08:30:00+01:00)"
YAML_TIMESTAMP = "tag:yaml.org,2002:timestamp"
BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrontmatterLoader(BaseLoader):  # type: ignore[misc,valid-type]
    """YAML's safe loader with dates left as text, so that one parser reads every date and
    an impossible one ("2021-02-30") is reported against its field rather than the file."""

    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, Any]]]] = {
        first: [(tag, rule) for tag, rule in resolvers if tag != YAML_TIMESTAMP]
        for first, resolvers in BaseLoader.yaml_implicit_resolvers.items()
    }


@dataclass(frozen=True)
class Post:
    """One post as its frontmatter describes it; ``body`` is the Markdown source."""

    source: Path
    slug: str
    title: str
    date: datetime
    body: str
    description: str | None = None
    updated: datetime | None = None
    top: bool = False
    draft: bool = False
    image: str | None = None
    tags: tuple[str, ...] = ()
    pinned_id: str | None = None

    @property
    def last_modified(self) -> datetime:
        return max(self.date, self.updated) if self.updated else self.date


@dataclass(frozen=True)
class LoadedPosts:
    posts: tuple[Post, ...]
    warnings: tuple[str, ...] = field(default=())


def load_posts(content_dir: Path, tz: tzinfo) -> LoadedPosts:
    """Read every ``*.md`` below ``content_dir``; raise ``ContentErrors`` listing all problems."""
    if not content_dir.is_dir():
        raise ContentErrors([ContentError(content_dir, None, "content folder not found")])
    posts: list[Post] = []
    errors: list[ContentError] = []
    warnings: list[str] = []
    for path in markdown_files(content_dir):
        try:
            post, post_warnings = read_post(path, tz)
        except ContentErrors as bad:
            errors.extend(bad.errors)
            continue
        posts.append(post)
        warnings.extend(post_warnings)
    errors.extend(duplicate_slugs(posts))
    if errors:
        raise ContentErrors(errors)
    return LoadedPosts(posts=tuple(newest_first(posts)), warnings=tuple(warnings))


def markdown_files(content_dir: Path) -> list[Path]:
    return sorted(
        path
        for path in content_dir.rglob("*.md")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(content_dir).parts)
    )


def read_post(path: Path, tz: tzinfo) -> tuple[Post, list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ContentErrors(
            [ContentError(path, None, f"cannot be read: {error.strerror}")]
        ) from None
    text, warnings = decode(raw, path)
    metadata, body = split_frontmatter(text, path)
    return post_from_metadata(path, metadata, body, tz), warnings


def decode(raw: bytes, path: Path) -> tuple[str, list[str]]:
    """UTF-8 text, NFC-normalised, LF line ends, with characters XML forbids removed."""
    if not raw.strip():
        raise ContentErrors(
            [ContentError(path, None, "file is empty (a post needs title and date)")]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ContentErrors(
            [
                ContentError(
                    path, None, f"is not UTF-8 (bad byte at offset {error.start}); save it as UTF-8"
                )
            ]
        ) from None
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    warnings = []
    found = XML_ILLEGAL.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        count = len(XML_ILLEGAL.findall(text))
        warnings.append(
            f"{path}: removed {count} character(s) that XML forbids "
            f"(first: U+{ord(found.group()):04X} on line {line})"
        )
        text = XML_ILLEGAL.sub("", text)
    return text, warnings


def split_frontmatter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    """The metadata mapping and the Markdown body. A file without frontmatter is all body."""
    handler = frontmatter.detect_format(text, frontmatter.handlers)
    if handler is None:
        return {}, text
    try:
        block, body = handler.split(text)
        if isinstance(handler, YAMLHandler):
            metadata = handler.load(block, Loader=FrontmatterLoader)
        else:
            metadata = handler.load(block)
    except yaml.YAMLError as error:
        first_line = text.count("\n", 0, text.find(block)) + 1
        raise ContentErrors(
            [ContentError(path, "frontmatter", yaml_problem(error, first_line))]
        ) from None
    except ValueError as error:
        raise ContentErrors(
            [ContentError(path, "frontmatter", f"cannot be parsed: {error}")]
        ) from None
    if metadata is None:
        return {}, body
    # python-frontmatter quietly drops metadata that is not a mapping; that hides a mistake.
    if not isinstance(metadata, dict):
        raise ContentErrors([ContentError(path, "frontmatter", "must be a mapping of fields")])
    return metadata, body


def yaml_problem(error: yaml.YAMLError, first_line: int) -> str:
    """The parser's message with its line numbers counted in the file, not in the YAML block."""
    problem = getattr(error, "problem", None) or "cannot be parsed"
    mark = getattr(error, "problem_mark", None)
    message = f"YAML {problem}" + (f" on line {mark.line + first_line}" if mark else "")
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and context_mark:
        message += f" ({context} started on line {context_mark.line + first_line})"
    return message


def post_from_metadata(path: Path, meta: dict[str, Any], body: str, tz: tzinfo) -> Post:
    errors: list[ContentError] = []

    def check(name: str, parse: Any, *args: Any) -> Any:
        try:
            return parse(meta.get(name), *args)
        except ValueError as error:
            errors.append(ContentError(path, name, str(error)))
            return None

    name_date, name_slug = filename_parts(path)
    title = check("title", text_field, True)
    posted = check("date", date_field, tz)
    if meta.get("date") is None:
        if name_date is None:
            errors.append(ContentError(path, "date", f"missing {DATE_HINT}"))
        else:
            posted = datetime.combine(name_date, time(0), tz)
    slug = check("slug", slug_field) or name_slug
    if not slug:
        errors.append(ContentError(path, "slug", "cannot be made from the file name; set slug:"))
    values = {
        "updated": check("updated", date_field, tz),
        "description": check("description", text_field, False),
        "top": check("topPost", flag_field),
        "draft": check("draft", flag_field),
        "image": check("image", text_field, False),
        "tags": check("tags", tags_field),
        "pinned_id": check("id", id_field),
    }
    if errors:
        raise ContentErrors(errors)
    return Post(source=path, slug=slug, title=title, date=posted, body=body, **values)


def filename_parts(path: Path) -> tuple[date | None, str]:
    stem = path.parent.name if path.stem == "index" else path.stem
    found = FILENAME_DATE.match(stem)
    if not found:
        return None, slugify(stem)
    try:
        return date.fromisoformat(found.group(1)), slugify(found.group(2))
    except ValueError:
        return None, slugify(stem)


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
        name = " ".join(str(item).split())
        if name and not slugify(name):
            raise ValueError(f"{name!r} has no letters or digits to name its feed folder")
        if name and name.casefold() not in (tag.casefold() for tag in tags):
            tags.append(name)
    return tuple(tags)


def slug_field(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not EXPLICIT_SLUG.match(value) or ".." in value:
        raise ValueError(
            f"{value!r} must be letters, digits, '-', '_' or '.', with no '/' or '..' "
            "(e.g. slug: my-first-post)"
        )
    return value


def id_field(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not URI_SCHEME.match(value):
        raise ValueError(f"{value!r} must be a URI, e.g. id: tag:example.com,2021:my-post")
    return value


def duplicate_slugs(posts: Iterable[Post]) -> list[ContentError]:
    by_slug: dict[str, list[Path]] = defaultdict(list)
    for post in posts:
        by_slug[post.slug.casefold()].append(post.source)
    errors: list[ContentError] = []
    for paths in by_slug.values():
        first, *others = sorted(paths)
        errors.extend(
            ContentError(
                other, "slug", f"is also the slug of {first}; give one of them another slug:"
            )
            for other in others
        )
    return errors


def newest_first(posts: Iterable[Post]) -> list[Post]:
    """Newest first; equal dates by slug, so the order never changes between runs."""
    by_slug = sorted(posts, key=lambda post: post.slug)
    return sorted(by_slug, key=lambda post: post.date, reverse=True)


def published(
    posts: Sequence[Post], now: datetime, *, drafts: bool = False, future: bool = False
) -> list[Post]:
    """The posts a reader may see at ``now``: no drafts or future posts unless asked for."""
    return [post for post in posts if (drafts or not post.draft) and (future or post.date <= now)]


@dataclass(frozen=True)
class Tag:
    """A tag's display name (as first written, newest post first), its folder slug, its posts."""

    name: str
    slug: str
    posts: tuple[Post, ...]


def tag_slug(name: str) -> str:
    return slugify(name)


def group_by_tag(posts: Sequence[Post]) -> tuple[list[Tag], list[str]]:
    """Tags of ``posts`` (newest first), merged when their slugs match, with a warning
    where differently spelled tags (not just differently cased) end up in one feed."""
    names: dict[str, list[str]] = defaultdict(list)
    members: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        for name in post.tags:
            slug = tag_slug(name)
            if name not in names[slug]:
                names[slug].append(name)
            if not members[slug] or members[slug][-1] is not post:
                members[slug].append(post)
    warnings = []
    for slug, spellings in sorted(names.items()):
        distinct = sorted({name.casefold() for name in spellings})
        if len(distinct) > 1:
            listed = ", ".join(repr(name) for name in sorted(spellings))
            warnings.append(f"tags {listed} share the feed folder tags/{slug}/ and are merged")
    tags = [
        Tag(name=names[slug][0], slug=slug, posts=tuple(members[slug])) for slug in sorted(names)
    ]
    return tags, warnings
