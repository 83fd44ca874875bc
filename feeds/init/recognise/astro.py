"""Astro: ``astro.config.*``, content collections and the route that serves them."""

from __future__ import annotations

import os
import re
from pathlib import Path

from feeds.init.model import GENERATORS, Choice, Recognised
from feeds.init.readers import (
    first_existing,
    js_string,
    read_text,
)
from feeds.init.recognise.common import (
    author_of,
    busiest,
    join_url,
    language_tag,
    nested_folders,
    post_files,
    relative,
    site_guesses,
    with_dir,
)


def astro(root: Path) -> Recognised | None:
    path = first_existing(
        root, "astro.config.mjs", "astro.config.ts", "astro.config.js", "astro.config.mts"
    )
    if path is None:
        return None
    generator = GENERATORS["astro"]
    code = read_text(path)
    suffixes = (".md", ".mdx")
    folder = astro_collection(root, suffixes)
    notes: list[str] = []
    permalink: list[Choice] | str
    if folder is None:
        folder = root / "src" / "content"
        permalink = "no content collection with Markdown found: write the posts' URL"
    else:
        route = astro_route(root, folder.name)
        end = "" if js_string(code, "trailingSlash") == "never" else "/"
        source = f"src/pages/{route.strip('/')}/[...slug].astro: /{route.strip('/')}/<post id>/"
        nested = nested_folders(folder, suffixes)
        permalink = with_dir(route, end, f"{route}{{slug}}{end}", source, nested)
    consts_path = first_existing(root, "src/consts.ts", "src/consts.js", "src/config.ts")
    consts = read_text(consts_path) if consts_path else ""
    csrc = relative(consts_path, root) if consts_path else "src/consts.ts (missing)"
    name, email = author_of(js_string(consts, "SITE_AUTHOR", "AUTHOR", "author"))
    guesses = site_guesses(
        generator,
        title=(js_string(consts, "SITE_TITLE", "title"), f"{csrc}: SITE_TITLE"),
        base_url=(join_url(js_string(code, "site"), js_string(code, "base")), f"{path.name}: site + base"),
        description=(js_string(consts, "SITE_DESCRIPTION", "description"), f"{csrc}: SITE_DESCRIPTION"),
        language=(language_tag(js_string(consts, "SITE_LANGUAGE", "lang", "language")), f"{csrc}: language"),
        author=(name, f"{csrc}: author"),
        email=(email or js_string(consts, "SITE_EMAIL", "email"), f"{csrc}: email"),
        content=relative(folder, root),
        include=generator.include,
        permalink=permalink,
    )  # fmt: skip
    return Recognised(
        generator, path.name, tuple(guesses), tuple(notes), relative(folder, root),
        generator.include,
    )  # fmt: skip


def astro_collection(root: Path, suffixes: tuple[str, ...]) -> Path | None:
    """The posts' collection: a glob loader's ``base`` in the content config, or a folder of
    ``src/content/``; "blog" or "posts" first, else the one with the most Markdown."""
    candidates: list[Path] = []
    config = first_existing(
        root, "src/content.config.ts", "src/content.config.mjs", "src/content.config.js",
        "src/content/config.ts", "src/content/config.js",
    )  # fmt: skip
    if config is not None:
        bases = re.findall(r"\bbase\s*:\s*[\"']([^\"']+)[\"']", read_text(config))
        candidates.extend(Path(os.path.normpath(root / base)) for base in bases)
    content = root / "src" / "content"
    if content.is_dir():
        candidates.extend(sorted(p for p in content.iterdir() if p.is_dir()))
    with_posts = [c for c in candidates if c.is_dir() and post_files(c, suffixes)]
    named = [c for c in with_posts if c.name in ("blog", "posts", "post", "articles")]
    return named[0] if named else busiest(with_posts, suffixes)


def astro_route(root: Path, collection: str) -> str:
    pages = root / "src" / "pages"
    routes = sorted(pages.glob("**/[[]*slug[]].astro")) if pages.is_dir() else []
    for route in routes:
        if route.parent.name == collection:
            return "/" + relative(route.parent, pages) + "/"
    if routes:
        found = relative(routes[0].parent, pages)
        return "/" if found == "." else f"/{found}/"
    return f"/{collection}/"
