"""Loading posts: every post file's frontmatter read into a ``Post``, validated and ordered,
taken from the build cache where a file is unchanged and parsed in worker processes when there
are many. Only the frontmatter is interpreted here; bodies are read when a post is rendered, and
only for the posts that reach an output, so a large blog costs little to load.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import partial
from pathlib import Path
from typing import Any

from feeds.cache import BuildCache
from feeds.config import ContentOptions, Person, Site
from feeds.content.fields import DEFAULT_OPTIONS, pick, post_from_metadata
from feeds.content.files import FoundFile, find_posts
from feeds.content.model import LoadedPosts, Post, newest_first
from feeds.content.permalinks import assign_ids, id_base
from feeds.content.slugs import without_language
from feeds.content.source import read_source
from feeds.errors import ContentError, ContentErrors
from feeds.workers import bulk_allocation, spread

SECTION_FILES = {"_index"}


LISTING_FILES = {"index"}


def load_posts(
    content_dir: Path,
    tz: tzinfo,
    options: ContentOptions = DEFAULT_OPTIONS,
    *,
    keep_going: bool = False,
    cache: BuildCache | None = None,
    workers: int = 1,
    found: Sequence[FoundFile] | None = None,
    ids: str = "",
) -> LoadedPosts:
    """Read every post below ``content_dir``. ``ids`` is what computed feed ids start with
    (``permalinks.id_base``); a pinned id that equals a computed one is only caught with it. Every problem is collected, then raised together
    as ``ContentErrors`` — unless ``keep_going``, when the bad posts are left out and their
    problems travel in ``LoadedPosts.errors``. Files the ``cache`` knows unchanged are not read;
    the rest are parsed in ``workers`` processes when there are enough of them."""
    if not content_dir.is_dir():
        raise ContentErrors([ContentError(content_dir, None, "content folder not found")])
    with bulk_allocation():
        return _load(content_dir, tz, options, keep_going, cache, workers, found, ids)


def _load(
    content_dir: Path,
    tz: tzinfo,
    options: ContentOptions,
    keep_going: bool,
    cache: BuildCache | None,
    workers: int,
    found: Sequence[FoundFile] | None,
    ids: str,
) -> LoadedPosts:
    if found is None:
        # Without a cache to compare with, sizes and times come from reading the files.
        found = find_posts(content_dir, options, stat=cache is not None)
    # Each file's result in the order found; None where it is still to be parsed.
    results: list[FileResult | None] = []
    todo = []
    for item in found:
        if not item.readable:
            results.append(FileResult(source=item.path, warnings=(unreadable(item),)))
            continue
        result = cached_result(cache, item)
        if result is None:
            todo.append(item)
        results.append(result)
    crowded = folders_with_several([item for item in found if item.readable])
    parsed = iter(zip(todo, parse_files(todo, tz, options, crowded, workers), strict=True))
    # What the files gave, in the order found (warnings are shown in that order); a parsed
    # file's values go straight into these, without a FileResult each.
    gathered = Gathered()
    for result in results:
        if result is not None:
            gathered.add(result.source, result.post, result.skipped, result.warnings, result.errors)
            continue
        item, (values, skipped, warnings, errors, size, mtime_ns) = next(parsed)
        post = post_from_values(values, item.path) if values else None
        gathered.add(item.path, post, skipped, warnings, errors)
        if cache is not None and not errors:
            record = partial(file_record, values, skipped, warnings)
            cache.remember(item.relative, size, mtime_ns, record)
    if cache is not None:
        cache.forget_missing(found)
    return assemble(gathered, keep_going, ids)


@dataclass
class Gathered:
    """What the files of a folder gave, file by file in the order found."""

    posts: list[Post] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)

    def add(
        self,
        source: Path,
        post: Post | None,
        skipped: bool,
        warnings: Sequence[str],
        errors: Sequence[tuple[str, str | None, str]],
    ) -> None:
        if post is not None:
            self.posts.append(post)
        if skipped:
            self.skipped.append(source)
        if warnings:
            self.warnings.extend(warnings)
        if errors:
            self.errors.extend(ContentError(*error) for error in errors)


def unreadable(item: FoundFile) -> str:
    return (
        f"{item.path}: matched by include, but only .md, .markdown and .mdx files are read as "
        "posts; left out (narrow include or add it to exclude)"
    )


def cached_result(cache: BuildCache | None, item: FoundFile) -> FileResult | None:
    """What the cache knows of an unchanged file; None to parse it again, also when its
    record does not have the shape this release writes."""
    known = cache.lookup(item) if cache is not None else None
    if known is None:
        return None
    try:
        return FileResult.from_record(known, source=item.path)
    except (TypeError, KeyError, ValueError, AttributeError):
        return None


def assemble(gathered: Gathered, keep_going: bool, ids: str = "") -> LoadedPosts:
    posts, errors = gathered.posts, list(gathered.errors)
    posts, clashes, clashing = assign_ids(posts, ids)
    if clashes and keep_going:
        posts = [post for post in posts if post.source not in clashing]
    errors.extend(clashes)
    if errors and not keep_going:
        raise ContentErrors(errors)
    return LoadedPosts(
        posts=tuple(newest_first(posts)),
        warnings=tuple(gathered.warnings),
        skipped=tuple(gathered.skipped),
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
        ids=id_base(site),
    )


@dataclass(frozen=True)
class FileResult:
    """What one file the cache knows (or one that cannot be read) gave: a post, or a section
    page skipped, or errors."""

    source: Path
    post: Post | None = None
    skipped: bool = False
    warnings: tuple[str, ...] = ()
    errors: tuple[tuple[str, str | None, str], ...] = ()

    @classmethod
    def from_record(cls, record: dict[str, Any], source: Path) -> FileResult:
        """The result a record describes; ValueError when the record does not have exactly
        the shape ``file_record`` writes (then the file is parsed again)."""
        if not isinstance(record, dict) or set(record) != {"post", "skipped", "warnings"}:
            raise ValueError("not a file record")
        post, skipped, warnings = record["post"], record["skipped"], record["warnings"]
        if not isinstance(skipped, bool) or not is_list_of(warnings, str):
            raise ValueError("not a file record")
        if post is not None and not isinstance(post, dict):
            raise ValueError("not a post record")
        return cls(
            source=source,
            post=post_from_record(post, source) if post else None,
            skipped=skipped,
            warnings=tuple(warnings),
        )


def file_record(
    values: PostValues | None, skipped: bool, warnings: Sequence[str]
) -> dict[str, Any]:
    """A file's cache record, as ``FileResult.from_record`` reads it."""
    post = dict(zip(RECORD_FIELDS, values, strict=True)) if values else None
    return {"skipped": skipped, "warnings": list(warnings), "post": post}


def post_to_record(post: Post) -> dict[str, Any]:
    return dict(zip(RECORD_FIELDS, post_values(post), strict=True))


def post_values(post: Post) -> PostValues:
    """A post's record as a tuple in RECORD_FIELDS order: how a worker sends it (a tuple
    crosses the process boundary ten times faster than a dict of the same values)."""
    return (
        post.slug,
        post.title,
        post.date.isoformat(),
        post.description,
        post.updated.isoformat() if post.updated else None,
        post.top,
        post.draft,
        post.image,
        list(post.tags),
        post.pinned_id,
        [[person.name, person.email, person.url] for person in post.authors],
        post.path,
    )


# A post record's values in RECORD_FIELDS order (see ``post_values``).
PostValues = tuple[
    str, str, str, str | None, str | None, bool, bool, str | None,
    list[str], str | None, list[list[Any]], str,
]  # fmt: skip

# Each field of a post record and the kinds of value it may hold: a record with another key or
# another kind (``tags`` stored as a string, say) is not used, so it can never change an output.
RECORD_FIELDS: dict[str, tuple[type, ...]] = {
    "slug": (str,),
    "title": (str,),
    "date": (str,),
    "description": (str, type(None)),
    "updated": (str, type(None)),
    "top": (bool,),
    "draft": (bool,),
    "image": (str, type(None)),
    "tags": (list,),
    "pinned_id": (str, type(None)),
    "authors": (list,),
    "path": (str,),
}


def is_person_record(value: Any) -> bool:
    """``[name, email or None, url or None]``, as ``post_to_record`` writes an author."""
    return (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and all(part is None or isinstance(part, str) for part in value[1:])
    )


def is_list_of(value: Any, kind: type) -> bool:
    return isinstance(value, list) and all(isinstance(item, kind) for item in value)


def post_from_record(record: dict[str, Any], source: Path) -> Post:
    """The post a cache record describes; ValueError unless every field has its kind."""
    if set(record) != set(RECORD_FIELDS):
        raise ValueError("not a post record")
    for name, kinds in RECORD_FIELDS.items():
        if type(record[name]) not in kinds:
            raise ValueError(f"{name} has the wrong kind of value")
    if not is_list_of(record["tags"], str) or not record["slug"] or not record["title"]:
        raise ValueError("not a post record")
    if not all(is_person_record(person) for person in record["authors"]):
        raise ValueError("authors has the wrong kind of value")
    post = post_from_values(tuple(record[name] for name in RECORD_FIELDS), source)
    if post.date.tzinfo is None or (post.updated is not None and post.updated.tzinfo is None):
        raise ValueError("a date without an offset")
    return post


def post_from_values(values: PostValues, source: Path) -> Post:
    """The post ``post_values`` describes, unchecked: for values a worker of this build has
    just made, or a cache record ``post_from_record`` has checked."""
    slug, title, date, description, updated, top, draft, image, tags, pinned, authors, path = values
    return Post(
        source=source,
        slug=slug,
        title=title,
        date=datetime.fromisoformat(date),
        description=description,
        updated=datetime.fromisoformat(updated) if updated is not None else None,
        top=top,
        draft=draft,
        image=image,
        tags=tuple(tags),
        pinned_id=pinned,
        authors=tuple(Person(*person) for person in authors),
        path=path,
    )


# Below this many files, starting worker processes costs more than it saves.
PARALLEL_FROM = 1000


# What a worker sends back for one file: plain data (the post's values, whether the file is a
# section page, its warnings, the problems, its size and modification time as read), which
# crosses the process boundary several times faster than objects would.
Parsed = tuple[
    PostValues | None, bool, tuple[str, ...], tuple[tuple[str, str | None, str], ...], int, int
]


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
    starts = [(start, start + size) for start in range(0, len(items), size)]
    # The files travel once (forked workers inherit them), each task only where it starts.
    # A worker process per core, and the main process's share on top: between its own chunks
    # the main process hands out tasks and takes in results, and with only cores - 1 workers
    # a core sat idle meanwhile (at 10,000 posts this phase took a fifth longer).
    parts = spread(parse_range, (items, tz, options, crowded), starts, workers + 1)
    return [result for part in parts for result in part]


def parse_range(
    shared: tuple[Sequence[FoundFile], tzinfo, ContentOptions, frozenset[str]],
    bounds: tuple[int, int],
) -> list[Parsed]:
    items, tz, options, crowded = shared
    return parse_chunk(items[bounds[0] : bounds[1]], tz, options, crowded)


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
        if is_section(item, source.metadata, options, crowded) or has_no_page(source.metadata):
            return None, True, (), (), source.size, source.mtime_ns
        post, notes = post_from_metadata(
            path, source.metadata, None, tz, options, relative=item.relative
        )
    except ContentErrors as bad:
        return None, False, (), tuple((e.path, e.field, e.reason) for e in bad.errors), -1, -1
    warnings = (*source.warnings, *notes)
    return post_values(post), False, warnings, (), source.size, source.mtime_ns


def has_no_page(meta: dict[str, Any]) -> bool:
    """Eleventy's ``permalink: false``: the file is never written as a page."""
    return meta.get("permalink") is False


def folders_with_several(found: Sequence[FoundFile]) -> frozenset[str]:
    """Folders (relative, '' for the top) holding more than one post file at any depth."""
    counts: dict[str, int] = defaultdict(int)
    for item in found:
        parts = item.relative.split("/")[:-1]
        for depth in range(len(parts) + 1):
            counts["/".join(parts[:depth])] += 1
    return frozenset(folder for folder, count in counts.items() if count > 1)


def is_section(
    item: FoundFile, meta: dict[str, Any], options: ContentOptions, crowded: frozenset[str]
) -> bool:
    """Hugo's ``_index.md``, and an ``index.md`` without a date above other posts (a listing,
    rather than a page bundle's own post), are pages about posts, not posts; so are their
    translations (``_index.fr.md``)."""
    stem = without_language(item.path.stem.lower(), options.name_languages)
    if stem in SECTION_FILES:
        return True
    if stem not in LISTING_FILES or pick(meta, options.names("date"))[1] is not None:
        return False
    folder = item.relative.rpartition("/")[0]
    return folder in crowded
