"""A plain folder of Markdown: the busiest folder, a title from README."""

from __future__ import annotations

import re
from pathlib import Path

from feeds.init.model import GENERATORS, Choice, Recognised
from feeds.init.readers import (
    first_existing,
    read_text,
)
from feeds.init.recognise.common import (
    NOT_CONTENT,
    NOT_POSTS,
    busiest,
    relative,
    site_guesses,
)


def plain(root: Path) -> Recognised:
    generator = GENERATORS["markdown"]
    suffixes = (".md", ".markdown")
    named = [root / name for name in ("content", "posts", "blog", "_posts", "articles")]
    folder = busiest(named, suffixes) or busiest(
        sorted(p for p in root.iterdir() if p.is_dir() and p.name not in NOT_CONTENT), suffixes
    )
    folder = folder or root
    exclude: tuple[str, ...] = ()
    if folder == root:
        exclude = tuple(sorted({p.name for p in root.iterdir() if p.stem.lower() in NOT_POSTS}))
    readme = first_existing(root, "README.md", "readme.md")
    heading = None
    if readme is not None:
        found = re.search(r"^#\s+(.+)$", read_text(readme), re.MULTILINE)
        heading = found.group(1).strip() if found else None
    guesses = site_guesses(
        generator,
        title=(heading, "README.md: first heading"),
        base_url=(None, "no generator settings"),
        content=relative(folder, root),
        include=generator.include,
        exclude=(exclude, "not posts"),
        permalink=[Choice("/blog/{slug}/", "feeds' default: no generator found; check one post's URL")],
    )  # fmt: skip
    return Recognised(
        generator, "Markdown files", tuple(guesses), (), relative(folder, root),
        generator.include, exclude,
    )  # fmt: skip
