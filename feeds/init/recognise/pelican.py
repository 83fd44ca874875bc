"""Pelican: ``pelicanconf.py`` and ``publishconf.py`` read with ``ast``; ``ARTICLE_URL``."""

from __future__ import annotations

import re
from pathlib import Path

from feeds.init.model import GENERATORS, Recognised
from feeds.init.readers import (
    python_assignments,
    read_text,
)
from feeds.init.recognise.common import (
    author_of,
    join_url,
    language_tag,
    post_files,
    site_guesses,
    text,
    translate,
)

PELICAN_TOKENS = {
    "slug": "{slug}", "date:%Y": "{year}", "date:%m": "{month}", "date:%d": "{day}",
}  # fmt: skip


def pelican(root: Path) -> Recognised | None:
    path = root / "pelicanconf.py"
    if not path.is_file():
        return None
    generator = GENERATORS["pelican"]
    conf = python_assignments(path)
    publish_path = root / "publishconf.py"
    publish = python_assignments(publish_path) if publish_path.is_file() else {}
    url_src = "publishconf.py" if text(publish.get("SITEURL")) else "pelicanconf.py"
    content = Path(str(conf.get("PATH", ".")))
    paths = conf.get("ARTICLE_PATHS", [""])
    if isinstance(paths, list | tuple) and len(paths) == 1 and text(paths[0]):
        content = content / str(paths[0])
    pages = conf.get("PAGE_PATHS", ["pages"])
    exclude = (
        tuple(f"{page}/**" for page in pages if text(page))
        if isinstance(pages, list | tuple)
        else ()
    )
    pattern = str(conf.get("ARTICLE_URL", "{slug}.html"))
    shown = (
        "pelicanconf.py: ARTICLE_URL" if "ARTICLE_URL" in conf else "Pelican's default ARTICLE_URL"
    )
    permalink = translate(pattern, r"{([^{}]+)}", PELICAN_TOKENS, shown)
    notes = []
    if conf.get("SLUGIFY_SOURCE", "title") == "title":
        notes.append(
            "Pelican makes slugs from titles; feeds from file names (or slug:): give posts "
            "whose file name differs from their title a slug:"
        )
    if native_metadata(root / content):
        notes.append(
            "posts start with Pelican's own 'Title: …' metadata lines, which feeds does not "
            "read (it reads YAML or TOML frontmatter): they are reported as bad posts"
        )
    name, email = author_of(conf.get("AUTHOR"))
    guesses = site_guesses(
        generator,
        title=(text(conf.get("SITENAME")), "pelicanconf.py: SITENAME"),
        base_url=(join_url(text(publish.get("SITEURL")) or text(conf.get("SITEURL")), None), f"{url_src}: SITEURL"),
        description=(text(conf.get("SITESUBTITLE")), "pelicanconf.py: SITESUBTITLE"),
        language=(language_tag(conf.get("DEFAULT_LANG")), "pelicanconf.py: DEFAULT_LANG"),
        timezone=(text(conf.get("TIMEZONE")), "pelicanconf.py: TIMEZONE"),
        author=(name, "pelicanconf.py: AUTHOR"),
        email=(email, "pelicanconf.py: AUTHOR"),
        content=content.as_posix(),
        include=generator.include,
        exclude=(exclude, "pelicanconf.py: PAGE_PATHS (pages, not articles)"),
        permalink=permalink,
    )  # fmt: skip
    return Recognised(
        generator, "pelicanconf.py", tuple(guesses), tuple(notes), content.as_posix(),
        generator.include, exclude, text(conf.get("TIMEZONE")) or "UTC",
    )  # fmt: skip


def native_metadata(folder: Path) -> bool:
    """Whether a post begins with Pelican's ``Key: value`` lines instead of frontmatter."""
    for path in post_files(folder, (".md", ".markdown"))[:50] if folder.is_dir() else []:
        if re.match(r"(?i)title:\s*\S", read_text(path).lstrip("\ufeff")):
            return True
    return False
