"""What every recogniser shares: reading values, finding post folders, the site guesses,
translating a generator's URL pattern into feeds' ``{…}`` fields."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from feeds.init.model import Choice, Generator, Guess
from feeds.init.readers import read_data

# Folders that never hold a blog's posts.
NOT_CONTENT = {
    "node_modules", "_site", "public", "out", "dist", "output", "resources", "themes",
    "layouts", "_layouts", "_includes", "_data", "static", "assets", "vendor", ".next",
    "_drafts", "archetypes", "i18n", "pages", "app", "components", "lib", "styles",
}  # fmt: skip
NOT_POSTS = {"readme", "license", "licence", "changelog", "contributing", "code_of_conduct"}


def text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def join_url(url: str | None, path: str | None) -> str | None:
    if not url:
        return None
    url = url.rstrip("/") + "/"
    if path and path.strip("/"):
        url += path.strip("/") + "/"
    return url


def language_tag(value: Any) -> str | None:
    # Locales are often written en_US; a language tag is en-US.
    found = text(value)
    return found.replace("_", "-") if found else None


def author_of(value: Any) -> tuple[str | None, str | None]:
    """A name and address from an author string ("Ada <ada@example.com>") or mapping."""
    if isinstance(value, Mapping):
        return text(value.get("name")), text(value.get("email"))
    name = text(value)
    if name is None:
        return None, None
    found = re.fullmatch(r"(.*?)\s*<([^<>\s]+@[^<>\s]+)>(?:\s*\(.*\))?", name)
    return (text(found.group(1)), found.group(2)) if found else (name, None)


def is_post_file(path: Path, suffixes: Iterable[str]) -> bool:
    return (
        path.suffix.lower() in tuple(suffixes)
        and path.stem.lower() not in NOT_POSTS
        and not path.stem.startswith("_")
    )


def post_files(folder: Path, suffixes: Iterable[str], skip: set[str] = NOT_CONTENT) -> list[Path]:
    """Post-like files below ``folder``, hidden and build folders left out; sorted."""
    found: list[Path] = []
    suffixes = tuple(suffixes)
    for current, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith(".") and f not in skip)
        found.extend(Path(current) / name for name in files if is_post_file(Path(name), suffixes))
    return sorted(found)


def busiest(candidates: Iterable[Path], suffixes: Iterable[str]) -> Path | None:
    """The candidate folder holding the most post files (the first of equals)."""
    best, count = None, 0
    for folder in candidates:
        if folder.is_dir():
            found = len(post_files(folder, suffixes))
            if found > count:
                best, count = folder, found
    return best


def direct_folders(files: Iterable[Path]) -> Path | None:
    """The folder that most of ``files`` sit in directly."""
    counts = Counter(path.parent for path in files)
    if not counts:
        return None
    top = max(counts.values())
    return min(folder for folder, count in counts.items() if count == top)


def relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() or "."


def nested_folders(folder: Path, suffixes: Iterable[str]) -> list[str]:
    """Sub-folders of ``folder`` holding posts, page bundles (``x/index.md``) aside: the
    generator puts such folders in the URL, which a fixed permalink cannot."""
    nested = set()
    for path in post_files(folder, suffixes):
        parts = path.relative_to(folder).parts
        depth = len(parts) - (2 if path.stem.lower() == "index" else 1)
        if depth > 0:
            nested.add("/".join(parts[:depth]))
    return sorted(nested)


def with_dir(prefix: str, suffix: str, fixed: str, source: str, nested: list[str]) -> list[Choice]:
    """Permalink choices: with ``{dir}`` first when posts sit in sub-folders, then without."""
    choices = []
    if nested:
        choices.append(Choice(f"{prefix}{{dir}}/{{slug}}{suffix}", f"{source}; sub-folders"))
    choices.append(Choice(fixed, source))
    return choices


def site_guesses(
    generator: Generator,
    *,
    title: tuple[str | None, str],
    base_url: tuple[str | None, str],
    description: tuple[str | None, str] = (None, ""),
    language: tuple[str | None, str] = (None, ""),
    timezone: tuple[str | None, str] = (None, ""),
    author: tuple[str | None, str] = (None, ""),
    email: tuple[str | None, str] = (None, ""),
    content: str,
    include: tuple[str, ...],
    exclude: tuple[tuple[str, ...], str] = ((), ""),
    permalink: list[Choice] | str,
    slug_style: tuple[str, str] | None = None,
) -> list[Guess]:
    """The guesses every generator fills in, in the order they are written."""
    style, style_source = slug_style or (generator.slug_style, generator.slug_source)
    guesses = [
        Guess.of("site", "title", title[0], title[1], "the site's name, e.g. \"My Blog\""),
        Guess.of(
            "site", "base_url", base_url[0], base_url[1],
            "where the site lives, e.g. https://example.com/",
        ),
        Guess.of("site", "description", description[0], description[1], "-"),
        Guess.of("site", "language", language[0], language[1], "-"),
        Guess.of("site", "timezone", timezone[0], timezone[1], "-"),
        Guess.of("site", "content", content, "the folder that holds the posts"),
        Guess.of("site", "include", include, f"{generator.name} post files"),
        Guess.of("site", "exclude", exclude[0], exclude[1], "-"),
        Guess("site", "permalink", tuple(permalink)) if isinstance(permalink, list)
        else Guess("site", "permalink", todo=permalink),
        Guess.of("site", "slug_style", style, style_source),
        Guess.of("site", "markdown", generator.markdown, generator.markdown_source),
        Guess.of("site", "output", generator.output, generator.output_source),
        Guess.of("site.author", "name", author[0], author[1], "the author's name"),
        Guess.of("site.author", "email", email[0], email[1], "-"),
    ]  # fmt: skip
    # Optional values that were not found are simply left to their defaults.
    return [guess for guess in guesses if guess.choices or guess.todo != "-"]


def translate(
    pattern: str, token: str, tokens: Mapping[str, str], source: str
) -> list[Choice] | str:
    """A generator's URL pattern in feeds' ``{…}`` fields; a TODO line when a placeholder has
    no equivalent. ``token`` matches one placeholder, its group 1 being the name."""
    unknown: list[str] = []

    def swap(found: re.Match[str]) -> str:
        name = re.sub(r"\s*\|\s*", " | ", found.group(1).strip())
        if name in tokens:
            return tokens[name]
        unknown.append(found.group(0))
        return found.group(0)

    path = re.sub(token, swap, pattern)
    path = "/" + re.sub(r"/{2,}", "/", path).lstrip("/")
    if unknown:
        return f"{source}: {pattern!r} uses {', '.join(unknown)}, which feeds cannot follow"
    return [Choice(path, f"{source}: {pattern}")]


def package_json(root: Path) -> dict[str, Any]:
    path = root / "package.json"
    return read_data(path) if path.is_file() else {}


def dependencies(package: Mapping[str, Any]) -> set[str]:
    names: set[str] = set()
    for key in ("dependencies", "devDependencies"):
        if isinstance(package.get(key), Mapping):
            names.update(package[key])
    return names
