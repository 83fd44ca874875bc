"""Eleventy: its config file, ``_data/metadata``, directory data files and their ``permalink``."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from feeds.init.model import GENERATORS, Choice, Recognised
from feeds.init.readers import (
    first_existing,
    js_string,
    read_data,
    read_text,
)
from feeds.init.recognise.common import (
    NOT_CONTENT,
    author_of,
    busiest,
    dependencies,
    join_url,
    language_tag,
    nested_folders,
    package_json,
    post_files,
    relative,
    site_guesses,
    text,
    translate,
    with_dir,
)

ELEVENTY_CONFIGS = (
    "eleventy.config.js", "eleventy.config.mjs", "eleventy.config.cjs", "eleventy.config.ts",
    ".eleventy.js",
)  # fmt: skip
ELEVENTY_TOKENS = {
    "page.fileSlug": "{slug}", "page.fileSlug | slugify": "{slug}", "page.fileSlug | slug": "{slug}",
}  # fmt: skip


def eleventy(root: Path) -> Recognised | None:
    path = first_existing(root, *ELEVENTY_CONFIGS)
    package = package_json(root)
    if path is None and "@11ty/eleventy" not in dependencies(package):
        return None
    generator = GENERATORS["eleventy"]
    code = read_text(path) if path else ""
    src = path.name if path else "package.json"
    source_dir = root / (js_string(code, "input") or ".")
    data_dir = Path(os.path.normpath(source_dir / (js_string(code, "data") or "_data")))
    meta, meta_src = eleventy_metadata(data_dir, root)
    folder, permalink_template, data_src = eleventy_posts(source_dir, root)
    notes: list[str] = []
    nested = nested_folders(folder, (".md",))
    in_site = relative(folder, source_dir)
    prefix = "/" if in_site == "." else f"/{in_site}/"
    style: tuple[str, str] | None = None
    if permalink_template is None:
        source = "Eleventy's default URL: /<folder>/<file name>/"
        permalink: list[Choice] | str = with_dir(prefix, "/", f"{prefix}{{slug}}/", source, nested)
        style = ("raw", "Eleventy's default URL keeps the file name as written, date included")
    elif permalink_template == COMPUTED:
        permalink = f"{data_src} computes the permalink in JavaScript: write the posts' URL"
    else:
        template = re.sub(r"index\.html$", "", permalink_template.strip())
        permalink = translate(
            template, r"{{\s*(.*?)\s*}}", ELEVENTY_TOKENS, f"{data_src}: permalink"
        )
        if re.search(r"fileSlug\s*\|\s*slug", template):
            style = ("default", f"{data_src}: the slugify filter")
    name, email = author_of(meta.get("author"))
    guesses = site_guesses(
        generator,
        title=(text(meta.get("title")), f"{meta_src}: title"),
        base_url=(join_url(text(meta.get("url")), None), f"{meta_src}: url"),
        description=(text(meta.get("description")), f"{meta_src}: description"),
        language=(language_tag(meta.get("language")), f"{meta_src}: language"),
        author=(name, f"{meta_src}: author"),
        email=(email, f"{meta_src}: author.email"),
        content=relative(folder, root),
        include=("**/*.md",),
        permalink=permalink,
        slug_style=style,
    )  # fmt: skip
    return Recognised(
        generator, src, tuple(guesses), tuple(notes), relative(folder, root), ("**/*.md",)
    )


def eleventy_metadata(data_dir: Path, root: Path) -> tuple[dict[str, Any], str]:
    """The site's metadata from ``_data/metadata.json`` (or a careful read of ``.js``)."""
    path = first_existing(data_dir, "metadata.json", "site.json")
    if path is not None:
        return read_data(path), relative(path, root)
    path = first_existing(data_dir, "metadata.js", "metadata.mjs", "site.js")
    if path is None:
        return {}, "_data/metadata.json (missing)"
    code = read_text(path)
    found: dict[str, Any] = {
        key: js_string(code, key) for key in ("title", "url", "language", "description")
    }
    found["author"] = {"name": js_string(code, "name"), "email": js_string(code, "email")}
    return found, relative(path, root)


COMPUTED = "(computed)"


def eleventy_posts(source_dir: Path, root: Path) -> tuple[Path, str | None, str]:
    """The posts folder (the one with a directory data file, or the busiest), the permalink
    template its data file sets, and that file's name."""
    for folder in sorted(
        p for p in source_dir.iterdir() if p.is_dir() and p.name not in NOT_CONTENT
    ):
        for name in (f"{folder.name}.json", f"{folder.name}.11tydata.json"):
            if (folder / name).is_file() and post_files(folder, (".md",)):
                data = read_data(folder / name)
                return folder, text(data.get("permalink")), relative(folder / name, root)
        for name in (f"{folder.name}.11tydata.js", f"{folder.name}.11tydata.mjs"):
            if (folder / name).is_file() and post_files(folder, (".md",)):
                code = read_text(folder / name)
                found = js_string(code, "permalink")
                # A permalink computed in JavaScript cannot be read: say so rather than guess.
                if found is None and "permalink" in code:
                    found = COMPUTED
                return folder, found, relative(folder / name, root)
    candidates = sorted(p for p in source_dir.iterdir() if p.is_dir() and p.name not in NOT_CONTENT)
    return busiest(candidates, (".md",)) or source_dir, None, ""
