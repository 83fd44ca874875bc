"""`feeds init`: recognise the blog, read its posts with the project's own loader, write
``feeds.toml`` (never over an existing one unless asked), and report how the result works."""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feeds.config import DEFAULT_FIELDS, ContentOptions
from feeds.content.files import find_posts
from feeds.content.loader import load_posts
from feeds.content.model import LoadedPosts
from feeds.content.siteroot import find_site_root, kind_of
from feeds.content.source import read_source
from feeds.errors import ContentErrors, UsageError
from feeds.init.model import Guess, Recognised
from feeds.init.recognise import recognise
from feeds.init.report import relative, report
from feeds.init.settings_file import fields_guess, render
from feeds.newsletter.templates import BUILT_IN

SETTINGS_NAME = "feeds.toml"
TEMPLATES_NAME = "templates"
# Other frontmatter names for a post's fields, as generators and themes write them; those a
# blog uses and the defaults lack are added to [fields].
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("pubDate", "published", "publishDate", "date_published", "created", "pub_date"),
    "updated": ("updatedDate", "lastmod", "modified", "last_modified_at", "updated_at",
                "dateModified", "lastUpdated"),
    "description": ("summary", "excerpt", "subtitle", "abstract"),
    "image": ("heroImage", "cover", "thumbnail", "featured_image", "coverImage", "og_image"),
    "tags": ("categories", "category", "topics"),
}  # fmt: skip
# Reading every frontmatter of a very large blog only to name its fields is not worth the time.
SCAN_LIMIT = 2000


@dataclass(frozen=True)
class InitRequest:
    folder: Path = Path(".")
    force: bool = False
    print_only: bool = False
    templates: bool = False


@dataclass(frozen=True)
class InitResult:
    settings: Path
    text: str
    written: bool
    generator: str
    report: tuple[str, ...]


def run_init(request: InitRequest, now: datetime) -> InitResult:
    root = request.folder
    if not root.is_dir():
        raise UsageError(f"{root}: not a folder (give the blog's folder: feeds init DIR)")
    target = root / SETTINGS_NAME
    if target.exists() and not (request.force or request.print_only):
        raise UsageError(f"{target}: already exists; --force replaces it, --print only shows it")
    found = recognise(root)
    tz = zone(found.timezone)
    counts, scanned = frontmatter_names(root, found)
    fields = field_guesses(counts, scanned)
    options = content_options(found, fields)
    loaded = load_quietly(root / found.content, tz, options)
    guesses = [*found.guesses, *root_guess(root, found), since_guess(loaded, root), *fields]
    if request.templates:
        guesses.append(
            Guess.of("newsletter", "templates", TEMPLATES_NAME, "copied by feeds init --templates")
        )
    header = header_lines(found)
    made = render(guesses, header)
    preview = render(guesses, header, placeholders=True)
    kept: list[str] = []
    if not request.print_only:
        write_text(target, made.text)
        if request.templates:
            kept = copy_templates(root / TEMPLATES_NAME, request.force)
    lines = report(made.text, preview.text, target, root, found.generator.built, now)
    lines += [
        f"note: {note}" for note in (*found.notes, *own_url_notes(counts, options.slug_style))
    ]
    if request.templates and not request.print_only:
        lines.append(f"newsletter templates copied to {root / TEMPLATES_NAME}")
        lines += [f"  kept your {name} (--force replaces it)" for name in kept]
    lines += [f"needs a newer feeds (written as a comment): {item}" for item in made.pending]
    return InitResult(target, made.text, not request.print_only, found.generator.name, tuple(lines))


def header_lines(found: Recognised) -> list[str]:
    lines = [
        f"Settings for feeds, written by `feeds init` from a {found.generator.name} blog "
        f"({found.evidence}).",
        "Each value says where it came from. A TODO is yours to fill in: `feeds build` names",
        'it until you do. A line marked "needs a newer feeds" is what this blog needs but this',
        "version of feeds cannot set yet.",
    ]
    sources = " ".join(choice.source for guess in found.guesses for choice in guess.choices)
    if re.search(r"\.(js|mjs|cjs|ts|mts)\b", sources):
        lines.append(
            "Values from JavaScript files were found by pattern, not by running them: check them."
        )
    return lines


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def content_options(found: Recognised, fields: list[Guess]) -> ContentOptions:
    names = dict(DEFAULT_FIELDS)
    for guess in fields:
        value = guess.choices[0].value
        assert isinstance(value, tuple)
        names[guess.key] = value
    return ContentOptions(
        include=found.include or ContentOptions().include,
        exclude=found.exclude,
        fields=tuple(names.items()),
    )


def frontmatter_names(root: Path, found: Recognised) -> tuple[Counter[str], int]:
    """How many posts use each frontmatter name, and how many posts were read."""
    folder = root / found.content
    counts: Counter[str] = Counter()
    if not folder.is_dir():
        return counts, 0
    files = find_posts(folder, content_options(found, []))[:SCAN_LIMIT]
    for item in files:
        try:
            counts.update(str(key) for key in read_source(item.path).metadata)
        except ContentErrors:
            continue
    return counts, len(files)


def field_guesses(counts: Counter[str], scanned: int) -> list[Guess]:
    """[fields] entries for the frontmatter names the posts use that the defaults lack."""
    guesses = []
    for key, aliases in FIELD_ALIASES.items():
        extra = [name for name in aliases if counts[name] and name not in DEFAULT_FIELDS[key]]
        if extra:
            guesses.append(fields_guess(key, extra, dict(counts), scanned))
    return guesses


def own_url_notes(counts: Counter[str], slug_style: str) -> list[str]:
    """Posts that set their own URL in frontmatter: it is their feed link, not the pattern's
    (``url:`` only in Hugo's style: elsewhere it is the page a link post points to)."""
    names = ("permalink", "url") if slug_style == "hugo" else ("permalink",)
    return [
        f"{counts[name]} post(s) set their own {name}:, which is their feed link (a template "
        "in it cannot be followed: the build names those)"
        for name in names
        if counts[name]
    ]


# The generators whose templates a build renders, as content.siteroot names them.
TEMPLATE_KINDS = {"Jekyll": "jekyll", "Hugo": "hugo", "Eleventy": "eleventy"}


def root_guess(root: Path, found: Recognised) -> list[Guess]:
    """``root``, only when a build would not find the blog's folder by itself (the walk up
    from the content folder stops at another generator's settings or a repository's top)."""
    kind = TEMPLATE_KINDS.get(found.generator.name)
    if kind is None or kind_of(root) != kind:
        return []
    located = find_site_root(root / found.content)
    if located is not None and located.path == root.resolve():
        return []
    return [
        Guess.of(
            "site", "root", ".", f"the {found.generator.name} site's folder ({found.evidence})"
        )
    ]


def load_quietly(folder: Path, tz: ZoneInfo, options: ContentOptions) -> LoadedPosts | None:
    try:
        return load_posts(folder, tz, options, keep_going=True)
    except ContentErrors:
        return None


def since_guess(loaded: LoadedPosts | None, root: Path) -> Guess:
    """``since``: the year of the earliest post — the site owned its domain by then."""
    posts = [post for post in loaded.posts if not post.draft] if loaded else []
    if not posts:
        return Guess("site", "since", todo="the year the site began; no dated post was found")
    first = min(posts, key=lambda post: (post.date, post.slug))
    source = f"the earliest post: {relative(first.source, root)} ({first.date.date()})"
    return Guess.of("site", "since", first.date.year, source)


def write_text(target: Path, text: str) -> None:
    """Written whole or not at all: a temporary file renamed into place."""
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)


def copy_templates(folder: Path, force: bool) -> list[str]:
    """Copy the built-in templates; an edited copy already there is kept unless forced.
    Returns the names kept."""
    folder.mkdir(exist_ok=True)
    kept = []
    for template in sorted(BUILT_IN.iterdir()):
        copy = folder / template.name
        if copy.exists() and not force:
            kept.append(template.name)
        else:
            shutil.copyfile(template, copy)
    return kept
