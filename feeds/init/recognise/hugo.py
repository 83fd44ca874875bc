"""Hugo: ``hugo.*`` / ``config.*`` / ``config/_default/``, sections, ``permalinks``, languages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from feeds.init.model import GENERATORS, Guess, Recognised
from feeds.init.readers import (
    first_existing,
    lower_keys,
    read_data,
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
    text,
    translate,
    with_dir,
)

HUGO_FILES = [
    f"{stem}.{ext}" for stem in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json")
]
HUGO_TOKENS = {
    "year": "{year}", "month": "{month}", "day": "{day}", "slug": "{slug}", "title": "{slug}",
    "slugorfilename": "{slug}", "filename": "{slug}", "contentbasename": "{slug}",
    "slugorcontentbasename": "{slug}",
}  # fmt: skip


def ci(mapping: Any, *keys: str) -> Any:
    """A value of a Hugo mapping, whose keys are case-insensitive."""
    if not isinstance(mapping, Mapping):
        return None
    lowered = lower_keys(dict(mapping))
    return next((lowered[key] for key in keys if key in lowered), None)


def hugo_config(root: Path) -> tuple[dict[str, Any], str] | None:
    """Hugo's settings: one root file (hugo.toml, config.yaml, …) and/or config/_default/,
    whose files other than hugo.* / config.* are the tables named after them."""
    data: dict[str, Any] = {}
    sources = []
    path = first_existing(root, *HUGO_FILES)
    if path is not None:
        found = lower_keys(read_data(path))
        hugo_folders = any((root / name).is_dir() for name in ("archetypes", "layouts", "themes"))
        if path.stem == "config" and "baseurl" not in found and not hugo_folders:
            return None
        data.update(found)
        sources.append(path.name)
    folder = root / "config" / "_default"
    if folder.is_dir():
        for file in sorted(folder.iterdir()):
            if file.suffix not in (".toml", ".yaml", ".yml", ".json"):
                continue
            found = lower_keys(read_data(file))
            if file.stem.lower() in ("hugo", "config"):
                data.update(found)
            else:
                data[file.stem.lower()] = found
        sources.append("config/_default/")
    return (data, " + ".join(sources)) if sources else None


def hugo(root: Path) -> Recognised | None:
    found = hugo_config(root)
    if found is None:
        return None
    config, src = found
    generator = GENERATORS["hugo"]
    notes: list[str] = []
    params = ci(config, "params") or {}
    languages = ci(config, "languages") or {}
    default = text(ci(config, "defaultcontentlanguage")) or "en"
    own = ci(languages, default) or {}
    content_root = text(ci(own, "contentdir")) or text(ci(config, "contentdir")) or "content"
    others = sorted(str(lang) for lang in languages if str(lang).lower() != default.lower())
    exclude = tuple(f"**/*.{lang}.{ext}" for lang in others for ext in ("md", "markdown"))
    if others:
        notes.append(
            f"only the {default} posts are in the feeds; Hugo also publishes "
            f"{', '.join(others)} under /<language>/ (needs a newer feeds)"
        )
    if others and any(
        path.name.lower().endswith(f".{default.lower()}.md")
        for path in post_files(root / content_root, (".md",))
    ):
        notes.append(
            f"posts named x.{default}.md get the slug x-{default} in feeds (Hugo's is x): give "
            "them slug:"
        )
    section_dir = busiest(
        sorted(p for p in (root / content_root).glob("*") if p.is_dir()), (".md",)
    )
    content_dir = section_dir or root / content_root
    section = section_dir.name if section_dir else ""
    permalinks = ci(config, "permalinks") or {}
    if isinstance(ci(permalinks, "page"), Mapping):
        permalinks = ci(permalinks, "page")
    pattern = text(ci(permalinks, section.lower())) if section else None
    nested = nested_folders(content_dir, (".md", ".markdown"))
    if pattern:
        tokens = {**HUGO_TOKENS, "section": section, "sections": section}
        permalink = translate(pattern, r":([a-z]+)", tokens, f"{src}: permalinks.{section}")
        if re.search(r":(slug|title)(?![a-z])", pattern):
            notes.append(
                "Hugo's :slug and :title come from the title when a post has no slug:; feeds "
                "uses the file name"
            )
    else:
        ugly = ci(config, "uglyurls") is True
        end = ".html" if ugly else "/"
        prefix = f"/{section}/" if section else "/"
        source = "Hugo's default URL: /<section>/<file name>/"
        permalink = with_dir(prefix, end, f"{prefix}{{slug}}{end}", source, nested)
    if nested:
        notes.append(
            f"Hugo puts sub-folders of {relative(content_dir, root)} in the URL "
            f"({', '.join(nested[:3])}); needs {{dir}} in the permalink (a newer feeds)"
        )
    name, email = author_of(ci(params, "author") or ci(config, "author"))
    language = text(ci(own, "languagecode")) or text(ci(config, "languagecode")) or default
    guesses = site_guesses(
        generator,
        title=(text(ci(own, "title")) or text(ci(config, "title")), f"{src}: title"),
        base_url=(join_url(text(ci(config, "baseurl")), None), f"{src}: baseURL"),
        description=(text(ci(params, "description")) or text(ci(config, "description")), f"{src}: params.description"),
        language=(language_tag(language), f"{src}: languageCode / defaultContentLanguage"),
        timezone=(text(ci(config, "timezone")), f"{src}: timeZone"),
        author=(name, f"{src}: params.author"),
        email=(email or text(ci(params, "email")), f"{src}: params.author email"),
        content=relative(content_dir, root),
        include=generator.include,
        exclude=(exclude, f"the other languages' files ({', '.join(others)})"),
        permalink=permalink,
    )  # fmt: skip
    if len(languages) > 1:
        codes = tuple(sorted(str(lang) for lang in languages))
        guesses.append(Guess.of("site", "languages", codes, f"{src}: languages"))
    return Recognised(
        generator, src, tuple(guesses), tuple(notes), relative(content_dir, root),
        generator.include, exclude, text(ci(config, "timezone")) or "UTC",
    )  # fmt: skip
