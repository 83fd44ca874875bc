"""Posts: read every Markdown file's frontmatter into a frozen ``Post``, validate, order.

Only the frontmatter is interpreted here; the Markdown body is kept as text and rendered
later, and only for the posts that reach an output, so a large blog costs little to load.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any

from slugify import slugify

from feeds.cache import BuildCache
from feeds.config import ContentOptions, Site
from feeds.discover import FoundFile, find_posts
from feeds.errors import ContentError, ContentErrors
from feeds.source import XML_ILLEGAL, read_body_text, read_source
from feeds.workers import bulk_allocation, process_pool

FILENAME_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
EXPLICIT_SLUG = re.compile(r"^[\w][\w.-]*$")
URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
# Jekyll writes "2019-05-30 9:00:00 +0000": a one-digit hour, a space, an offset without a colon.
LOOSE_DATETIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{1,2})(:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?$"
)
DATE_HINT = "(use 2021-12-09 or 2021-12-09T08:30:00+01:00)"
DEFAULT_OPTIONS = ContentOptions()
SECTION_FILES = {"_index"}
LISTING_FILES = {"index"}


@dataclass(frozen=True)
class Post:
    """One post as its frontmatter describes it; ``body`` is the Markdown source."""

    source: Path
    slug: str
    title: str
    date: datetime
    # None: not kept in memory; ``read_body`` reads it from ``source`` when a post is rendered.
    body: str | None = None
    description: str | None = None
    updated: datetime | None = None
    top: bool = False
    draft: bool = False
    image: str | None = None
    tags: tuple[str, ...] = ()
    pinned_id: str | None = None
    # A hash of the file's bytes: with the URL, the key under which its rendering is cached.
    source_digest: str = field(default="", compare=False)

    @property
    def last_modified(self) -> datetime:
        return max(self.date, self.updated) if self.updated else self.date


@dataclass(frozen=True)
class LoadedPosts:
    posts: tuple[Post, ...]
    warnings: tuple[str, ...] = field(default=())
    skipped: tuple[Path, ...] = field(default=())
    # Only with keep_going: the problems of the posts left out.
    errors: tuple[ContentError, ...] = field(default=())


def load_posts(
    content_dir: Path,
    tz: tzinfo,
    options: ContentOptions = DEFAULT_OPTIONS,
    *,
    keep_going: bool = False,
    cache: BuildCache | None = None,
    workers: int = 1,
    found: Sequence[FoundFile] | None = None,
) -> LoadedPosts:
    """Read every post below ``content_dir``. Every problem is collected, then raised together
    as ``ContentErrors`` — unless ``keep_going``, when the bad posts are left out and their
    problems travel in ``LoadedPosts.errors``. Files the ``cache`` knows unchanged are not read;
    the rest are parsed in ``workers`` processes when there are enough of them."""
    if not content_dir.is_dir():
        raise ContentErrors([ContentError(content_dir, None, "content folder not found")])
    with bulk_allocation():
        return _load(content_dir, tz, options, keep_going, cache, workers, found)


def _load(
    content_dir: Path,
    tz: tzinfo,
    options: ContentOptions,
    keep_going: bool,
    cache: BuildCache | None,
    workers: int,
    found: Sequence[FoundFile] | None,
) -> LoadedPosts:
    if found is None:
        found = find_posts(content_dir, options)
    results: dict[str, FileResult] = {}
    todo = []
    for item in found:
        result = cached_result(cache, item)
        if result is None:
            todo.append(item)
        else:
            results[item.relative] = result
    crowded = folders_with_several(found)
    parsed = parse_files(todo, tz, options, crowded, workers)
    for item, (record, digest, errors) in zip(todo, parsed, strict=True):
        if errors:
            results[item.relative] = FileResult(source=item.path, errors=errors)
            continue
        results[item.relative] = FileResult.from_record(record, digest, item.path)
        if cache is not None:
            cache.remember(item, digest, record)
    if cache is not None:
        cache.forget_missing(found)
    return assemble([results[item.relative] for item in found], keep_going)


def cached_result(cache: BuildCache | None, item: FoundFile) -> FileResult | None:
    """What the cache knows of an unchanged file; None to parse it again, also when its
    record does not have the shape this release writes."""
    known = cache.lookup(item) if cache is not None else None
    if known is None:
        return None
    try:
        return FileResult.from_record(*known, source=item.path)
    except (TypeError, KeyError, ValueError, AttributeError):
        return None


def assemble(results: Sequence[FileResult], keep_going: bool) -> LoadedPosts:
    posts = [result.post for result in results if result.post is not None]
    errors = [ContentError(*error) for result in results for error in result.errors]
    warnings = [warning for result in results for warning in result.warnings]
    skipped = [result.source for result in results if result.skipped]
    duplicates = duplicate_slugs(posts)
    if duplicates and keep_going:
        clashing = {Path(error.path) for error in duplicates}
        posts = [post for post in posts if post.source not in clashing]
    errors.extend(duplicates)
    if errors and not keep_going:
        raise ContentErrors(errors)
    return LoadedPosts(
        posts=tuple(newest_first(posts)),
        warnings=tuple(warnings),
        skipped=tuple(skipped),
        errors=tuple(sorted(errors, key=str)),
    )


def load_site_posts(
    site: Site,
    *,
    keep_going: bool = False,
    cache: BuildCache | None = None,
    workers: int = 1,
    found: Sequence[FoundFile] | None = None,
) -> LoadedPosts:
    return load_posts(
        site.content_dir,
        site.tz,
        site.content,
        keep_going=keep_going,
        cache=cache,
        workers=workers,
        found=found,
    )


@dataclass(frozen=True)
class FileResult:
    """What one file gave: a post, or a section page skipped, or errors; plain data, so it
    crosses process boundaries and goes into the cache as JSON."""

    source: Path
    post: Post | None = None
    skipped: bool = False
    warnings: tuple[str, ...] = ()
    errors: tuple[tuple[str, str | None, str], ...] = ()
    digest: str = ""

    def record(self) -> dict[str, Any]:
        return {
            "skipped": self.skipped,
            "warnings": list(self.warnings),
            "post": post_to_record(self.post) if self.post else None,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any], digest: str, source: Path) -> FileResult:
        post = record.get("post")
        return cls(
            source=source,
            post=post_from_record(post, digest, source) if post else None,
            skipped=bool(record.get("skipped")),
            warnings=tuple(record.get("warnings", ())),
            digest=digest,
        )


def post_to_record(post: Post) -> dict[str, Any]:
    return {
        "slug": post.slug,
        "title": post.title,
        "date": post.date.isoformat(),
        "description": post.description,
        "updated": post.updated.isoformat() if post.updated else None,
        "top": post.top,
        "draft": post.draft,
        "image": post.image,
        "tags": list(post.tags),
        "pinned_id": post.pinned_id,
    }


def post_from_record(record: dict[str, Any], digest: str, source: Path) -> Post:
    return Post(
        source=source,
        slug=record["slug"],
        title=record["title"],
        date=datetime.fromisoformat(record["date"]),
        description=record["description"],
        updated=datetime.fromisoformat(record["updated"]) if record["updated"] else None,
        top=record["top"],
        draft=record["draft"],
        image=record["image"],
        tags=tuple(record["tags"]),
        pinned_id=record["pinned_id"],
        source_digest=digest,
    )


# Below this many files, starting worker processes costs more than it saves.
PARALLEL_FROM = 1000


# What a worker sends back for one file: plain data (the cache record, the content hash, the
# problems), which crosses the process boundary several times faster than objects would.
Parsed = tuple[dict[str, Any], str, tuple[tuple[str, str | None, str], ...]]


def parse_files(
    items: Sequence[FoundFile],
    tz: tzinfo,
    options: ContentOptions,
    crowded: frozenset[str],
    workers: int,
) -> list[Parsed]:
    if workers <= 1 or len(items) < PARALLEL_FROM:
        return parse_chunk(items, tz, options, crowded)
    size = -(-len(items) // (workers * 16))
    chunks = [items[start : start + size] for start in range(0, len(items), size)]
    with process_pool(workers) as pool:
        parts = pool.map(
            parse_chunk, chunks, *[[value] * len(chunks) for value in (tz, options, crowded)]
        )
        return [result for part in parts for result in part]


def parse_chunk(
    items: Sequence[FoundFile], tz: tzinfo, options: ContentOptions, crowded: frozenset[str]
) -> list[Parsed]:
    with bulk_allocation():
        return [parse_file(item, tz, options, crowded) for item in items]


def parse_file(
    item: FoundFile, tz: tzinfo, options: ContentOptions, crowded: frozenset[str]
) -> Parsed:
    path = item.path
    try:
        source = read_source(path)
        if is_section(item, source.metadata, options, crowded):
            return FileResult(source=path, skipped=True).record(), source.digest, ()
        post, warnings = post_from_metadata(path, source.metadata, None, tz, options)
    except ContentErrors as bad:
        return {}, "", tuple((error.path, error.field, error.reason) for error in bad.errors)
    result = FileResult(source=path, post=post, warnings=(*source.warnings, *warnings))
    return result.record(), source.digest, ()


def folders_with_several(found: Sequence[FoundFile]) -> frozenset[str]:
    """Folders (relative, '' for the top) holding more than one post file at any depth."""
    counts: dict[str, int] = defaultdict(int)
    for item in found:
        parts = item.relative.split("/")[:-1]
        for depth in range(len(parts) + 1):
            counts["/".join(parts[:depth])] += 1
    return frozenset(folder for folder, count in counts.items() if count > 1)


def read_body(post: Post) -> str:
    """The Markdown body: loading keeps only the frontmatter, so bodies are read when needed."""
    return post.body if post.body is not None else read_body_text(post.source)


def is_section(
    item: FoundFile, meta: dict[str, Any], options: ContentOptions, crowded: frozenset[str]
) -> bool:
    """Hugo's ``_index.md``, and an ``index.md`` without a date above other posts (a listing,
    rather than a page bundle's own post), are pages about posts, not posts."""
    stem = item.path.stem.lower()
    if stem in SECTION_FILES:
        return True
    if stem not in LISTING_FILES or pick(meta, options.names("date"))[1] is not None:
        return False
    folder = item.relative.rpartition("/")[0]
    return folder in crowded


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
) -> tuple[Post, list[str]]:
    errors: list[ContentError] = []
    warnings: list[str] = []

    def check(field_name: str, parse: Any, *args: Any) -> Any:
        name, value = pick(meta, options.names(field_name))
        try:
            return parse(value, *args)
        except ValueError as error:
            errors.append(ContentError(path, name, str(error)))
            return None

    name_date, name_slug = filename_parts(path)
    title = check("title", text_field, True)
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
    slug = check("slug", slug_field) or name_slug
    if not slug:
        errors.append(ContentError(path, "slug", "cannot be made from the file name; set slug:"))
    values = {
        "updated": check("updated", date_field, tz),
        "description": check("description", text_field, False),
        "top": check("top", flag_field),
        "draft": check("draft", flag_field) or meta.get("published") is False,
        "image": check("image", image_field),
        "tags": merged_tags(path, meta, options, errors),
        "pinned_id": check("id", id_field),
    }
    if errors:
        raise ContentErrors(errors)
    post = Post(
        source=path, slug=slug, title=title, date=posted, body=body, source_digest=digest, **values
    )
    return post, warnings


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


def filename_parts(path: Path) -> tuple[date | None, str]:
    stem = path.parent.name if path.stem == "index" else path.stem
    found = FILENAME_DATE.match(stem)
    if not found:
        return None, clean_slug(stem)
    try:
        return date.fromisoformat(found.group(1)), clean_slug(found.group(2))
    except ValueError:
        return None, clean_slug(stem)


CLEAN_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def clean_slug(text: str) -> str:
    # Most file names are slugs already; slugify is the slow path for the rest.
    return text if CLEAN_SLUG.fullmatch(text) else slugify(text)


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
        if name and not tag_slug(name):
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
        if len(paths) == 1:
            continue
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


@lru_cache(maxsize=4096)
def tag_slug(name: str) -> str:
    return clean_slug(name.lower()) if name.isascii() else slugify(name)


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
