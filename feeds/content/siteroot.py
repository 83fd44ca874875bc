"""The blog's site root: the folder of the generator's own settings (Jekyll's ``_config.yml``,
Hugo's ``hugo.toml`` or ``config/_default/``, Eleventy's config file), found by walking up from
the content folder, and what templates read from it (settings, data files, includes).

Every file is read through ``read_inside``: a path that leads outside the root (``..``, an
absolute path, a symbolic link pointing elsewhere) is refused, so a template reads nothing but
the site's own files. Standard library only (YAML goes through ``source``), and cheap to call:
``dependency_stamp`` runs on every build, including the ones that find nothing to do.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JEKYLL_MARKERS = ("_config.yml", "_config.yaml", "_config.toml")
HUGO_MARKERS = tuple(
    f"{stem}.{ext}" for stem in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json")
)
# "config.toml" is a common name: it marks a Hugo site only beside one of Hugo's folders.
HUGO_FOLDERS = ("content", "layouts", "archetypes", "themes")
ELEVENTY_MARKERS = tuple(
    f"{stem}.{ext}"
    for stem in (".eleventy", "eleventy.config")
    for ext in ("js", "cjs", "mjs", "ts", "cts", "mts")
)
# Folders whose files a render reads: a change to any of them changes what posts show.
DEPENDENCY_FOLDERS = {
    "jekyll": ("_data", "_includes"),
    "eleventy": ("_data", "_includes", "src/_data", "src/_includes"),
    "hugo": ("config/_default", "layouts/shortcodes", "data"),
}
DATA_SUFFIXES = (".yml", ".yaml", ".json", ".csv", ".tsv", ".toml")
# A template file larger than this is refused: no real include or data file comes near it.
MAX_FILE_BYTES = 4_000_000


@dataclass(frozen=True)
class SiteRoot:
    """Where the site lives and which generator it is for: jekyll, hugo or eleventy."""

    path: Path
    kind: str

    def folder(self, *names: str) -> Path | None:
        """The first of ``names`` that is a folder inside the root."""
        for name in names:
            candidate = self.path / name
            if candidate.is_dir():
                return candidate
        return None


def kind_of(folder: Path) -> str | None:
    """The generator whose settings file ``folder`` holds, if any."""
    if any((folder / name).is_file() for name in JEKYLL_MARKERS):
        return "jekyll"
    if any((folder / f"hugo.{ext}").is_file() for ext in ("toml", "yaml", "yml", "json")):
        return "hugo"
    if any((folder / name).is_dir() for name in HUGO_FOLDERS) and (
        any((folder / name).is_file() for name in HUGO_MARKERS)
        or (folder / "config" / "_default").is_dir()
    ):
        return "hugo"
    if any((folder / name).is_file() for name in ELEVENTY_MARKERS):
        return "eleventy"
    return None


def find_site_root(content_dir: Path, given: Path | None = None) -> SiteRoot | None:
    """The root set in the settings, or the nearest folder at or above ``content_dir`` with a
    generator's settings file. The walk stops at a repository's top (a ``.git`` entry): a site
    never reaches above its own repository."""
    if given is not None:
        path = given.resolve()
        return SiteRoot(path, kind_of(path) or guess_kind(path))
    folder = content_dir.resolve()
    for candidate in (folder, *folder.parents):
        kind = kind_of(candidate)
        if kind is not None:
            return SiteRoot(candidate, kind)
        if (candidate / ".git").exists():
            return None
    return None


def guess_kind(folder: Path) -> str:
    """A root set by hand without a settings file: Hugo if it has shortcodes, else Liquid."""
    return "hugo" if (folder / "layouts" / "shortcodes").is_dir() else "jekyll"


def inside(root: Path, path: Path) -> Path | None:
    """``path`` with every link resolved, if it is a file inside ``root``; otherwise None."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(root.resolve()) or not resolved.is_file():
        return None
    return resolved


def read_inside(root: Path, relative: str | Path, base: Path | None = None) -> str | None:
    """The text of ``relative`` (under ``base``, itself under ``root``), or None when it is
    missing, outside the root, too big or not UTF-8."""
    path = inside(root, (base or root) / relative)
    if path is None:
        return None
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        return path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError):
        return None


def fingerprint(text: str) -> str:
    """A short hash of a file's text: what a cached render remembers of a file it read."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def config_files(root: SiteRoot) -> list[Path]:
    markers = {"jekyll": JEKYLL_MARKERS, "hugo": HUGO_MARKERS, "eleventy": ()}[root.kind]
    return [root.path / name for name in markers if (root.path / name).is_file()]


def dependency_files(root: SiteRoot) -> list[Path]:
    """Every file a render of this site may read besides the post itself, sorted."""
    found = set(config_files(root))
    for name in DEPENDENCY_FOLDERS[root.kind]:
        folder = root.path / name
        if folder.is_dir():
            found.update(path for path in walk(folder) if inside(root.path, path))
    return sorted(found)


def walk(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not any(part.startswith(".") for part in path.parts[-1:]):
            yield path


def dependency_stamp(root: SiteRoot | None) -> str:
    """Names, sizes and modification times of the dependency files: cheap, for the cache key
    (a build that finds no post changed must still notice an edited data file or include)."""
    if root is None:
        return "no site root"
    parts = [f"{root.kind}:{root.path}"]
    for path in dependency_files(root):
        info = path.stat()
        parts.append(f"{path.relative_to(root.path).as_posix()}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(parts)


def dependency_digest(root: SiteRoot | None) -> str:
    """A hash of the dependency files' names and bytes: part of every render's cache key."""
    digest = hashlib.sha256()
    if root is None:
        return "none"
    digest.update(f"{root.kind}:{root.path}".encode())
    for path in dependency_files(root):
        digest.update(path.relative_to(root.path).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def parse_data(name: str, text: str) -> Any:
    """A data file's value from its text, by its suffix. Raises ValueError when it cannot."""
    from feeds.content.source import parse_yaml

    suffix = Path(name).suffix.lower()
    if suffix in (".yml", ".yaml"):
        return parse_yaml(text)
    if suffix == ".json":
        return json.loads(text)
    if suffix == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ValueError(str(error)) from None
    delimiter = "\t" if suffix == ".tsv" else ","
    return [dict(row) for row in csv.DictReader(io.StringIO(text), delimiter=delimiter)]


def load_data(root: Path, folder: Path | None) -> tuple[dict[str, Any], list[str]]:
    """Every data file under ``folder`` by name (sub-folders nest), and a warning for each
    file that cannot be read."""
    data: dict[str, Any] = {}
    warnings: list[str] = []
    if folder is None:
        return data, warnings
    for path in walk(folder):
        if path.suffix.lower() not in DATA_SUFFIXES:
            continue
        text = read_inside(root, path.relative_to(root))
        if text is None:
            warnings.append(f"{path}: not read (outside the site root, too big or not UTF-8)")
            continue
        try:
            value = parse_data(path.name, text)
        except ValueError as error:
            first = str(error).splitlines()[0] if str(error) else "cannot be parsed"
            warnings.append(f"{path}: data file cannot be parsed: {first}")
            continue
        target = data
        for part in path.relative_to(folder).parent.parts:
            nested = target.setdefault(part, {})
            target = nested if isinstance(nested, dict) else {}
        target[path.stem] = value
    return data, warnings


def load_settings(root: SiteRoot) -> tuple[dict[str, Any], list[str]]:
    """The generator's own settings as one mapping (Hugo's ``config/_default/*.toml`` merged in
    under their file names, ``params.toml`` as ``params``)."""
    settings: dict[str, Any] = {}
    warnings: list[str] = []
    files = config_files(root)
    default = root.path / "config" / "_default"
    if root.kind == "hugo" and default.is_dir():
        files.extend(sorted(default.iterdir()))
    for path in files:
        text = read_inside(root.path, path.relative_to(root.path))
        if text is None or path.suffix.lower() not in DATA_SUFFIXES:
            continue
        try:
            value = parse_data(path.name, text)
        except ValueError as error:
            first = str(error).splitlines()[0] if str(error) else "cannot be parsed"
            warnings.append(f"{path}: cannot be parsed: {first}")
            continue
        if not isinstance(value, dict):
            continue
        if path.parent == default and path.stem not in ("hugo", "config"):
            settings.setdefault(path.stem, {}).update(value)
        else:
            settings.update(value)
    return settings, warnings
