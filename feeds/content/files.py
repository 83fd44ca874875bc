"""Finding the post files: one walk of the content folder, with each file's size and mtime.
Standard library only, so a rebuild that finds nothing changed stays cheap."""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from feeds.config import ContentOptions

SUFFIXES = (".md", ".markdown", ".mdx")
# Formats other generators write posts in, which this tool cannot read: a file of one of these
# kinds matched by ``include`` gets a warning, as does any file an include pattern names by
# its extension (``**/*.adoc``). Other files a folder pattern (``posts/**``) matches — a page
# bundle's images, say — are resources and pass quietly.
POST_LIKE = (
    ".adoc", ".asciidoc", ".htm", ".html", ".ipynb", ".liquid", ".markdoc", ".mdoc", ".mmark",
    ".njk", ".org", ".pandoc", ".rmd", ".rst", ".textile",
)  # fmt: skip


@dataclass(frozen=True)
class FoundFile:
    path: Path
    relative: str
    # -1 when the walk was asked not to look (``find_posts(stat=False)``).
    size: int
    mtime_ns: int
    # False: matched by ``include`` but not a kind of file this tool reads as a post.
    readable: bool = True


def find_posts(content_dir: Path, options: ContentOptions, stat: bool = True) -> list[FoundFile]:
    """Markdown files below ``content_dir`` matching an include pattern and no exclude pattern,
    sorted by path; hidden files and folders are never posts. Files ``include`` matches that
    are not Markdown come along marked ``readable=False`` (see ``is_unreadable_match``).
    Symbolic links are followed, but a folder reached again through one (a link to a parent
    makes a loop) is read only once, and a link that cannot be followed (broken, or pointing at
    itself) is passed over. With ``stat`` False, sizes and times are not read (-1): a first
    build has no cache to compare them with, and reading a file tells them anyway."""
    found: list[FoundFile] = []
    pending = [(content_dir, "")]
    seen: set[tuple[int, int]] = set()
    while pending:
        folder, prefix = pending.pop()
        try:
            info = folder.stat()
            entries = list(os.scandir(folder))
        except OSError:
            continue
        if (info.st_dev, info.st_ino) in seen:
            continue
        seen.add((info.st_dev, info.st_ino))
        for entry in entries:
            if entry.name.startswith("."):
                continue
            relative = prefix + entry.name
            try:
                if entry.is_dir():
                    pending.append((folder / entry.name, relative + "/"))
                elif is_post_file(entry, relative, options):
                    status = entry.stat() if stat else None
                    size, mtime = (status.st_size, status.st_mtime_ns) if status else (-1, -1)
                    found.append(FoundFile(folder / entry.name, relative, size, mtime))
                elif is_unreadable_match(entry, relative, options):
                    found.append(FoundFile(folder / entry.name, relative, 0, 0, readable=False))
            except OSError:
                continue
    return sorted(found, key=lambda item: item.relative)


def is_post_file(entry: os.DirEntry[str], relative: str, options: ContentOptions) -> bool:
    return (
        entry.name.lower().endswith(SUFFIXES)
        and entry.is_file()
        and matches(relative, options.include)
        and not matches(relative, options.exclude)
    )


def is_unreadable_match(entry: os.DirEntry[str], relative: str, options: ContentOptions) -> bool:
    """A file ``include`` asks for that is not Markdown: by its extension's name, or of a
    kind other generators write posts in."""
    patterns = [pattern for pattern in options.include if matches(relative, [pattern])]
    if not patterns or matches(relative, options.exclude) or not entry.is_file():
        return False
    named = any(pattern.rsplit("/", 1)[-1].strip("*") for pattern in patterns)
    return named or entry.name.lower().endswith(POST_LIKE)


def matches(relative: str, patterns: Sequence[str]) -> bool:
    return pattern_set(tuple(patterns)).match(relative) is not None


@functools.lru_cache(maxsize=64)
def pattern_set(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regular expression for the patterns together: asked once per file found, it costs
    a tenth of trying fnmatch pattern by pattern. fnmatch's '*' also crosses '/', so '**/'
    only needs to allow "no folder at all" too."""
    shapes = [*patterns, *(pattern[3:] for pattern in patterns if pattern.startswith("**/"))]
    if not shapes:
        return re.compile("(?!)")
    return re.compile("|".join(fnmatch.translate(shape) for shape in shapes))
