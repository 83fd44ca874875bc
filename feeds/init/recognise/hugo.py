"""Hugo: ``hugo.*`` / ``config.*`` / ``config/_default/``, sections, ``permalinks``, languages."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from feeds import checks
from feeds.init.model import GENERATORS, Choice, Guess, Recognised
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
    "year": "{year}", "month": "{month}", "day": "{day}", "slug": "{slug_or_title}",
    "title": "{title}",
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
    # A language with a contentDir of its own becomes a [languages.<tag>] table; so does one
    # whose posts are named x.<lang>.md beside the default language's: it takes those files
    # (its include) and the site leaves them out (its exclude).
    by_name = [lang for lang in others if not text(ci(ci(languages, lang), "contentdir"))]
    exclude = tuple(f"**/*.{lang}.{ext}" for lang in by_name for ext in ("md", "markdown"))
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
        # Hugo's :slug is the frontmatter slug, else the title ({slug_or_title}); :title is
        # always the title ({title}, made a slug by slug_style).
        permalink = translate(pattern, r":([a-z]+)", tokens, f"{src}: permalinks.{section}")
    else:
        ugly = ci(config, "uglyurls") is True
        end = ".html" if ugly else "/"
        prefix = f"/{section}/" if section else "/"
        source = "Hugo's default URL: /<section>/<file name>/"
        permalink = with_dir(prefix, end, f"{prefix}{{slug}}{end}", source, nested)
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
        exclude=(exclude, f"the other languages' files ({', '.join(by_name)})"),
        permalink=permalink,
    )  # fmt: skip
    subdir = truthy(ci(config, "defaultcontentlanguageinsubdir")) and isinstance(permalink, list)
    if subdir:
        guesses = [in_subdir(guess, default, src) for guess in guesses]
    site_language = language_tag(language) or ""
    # With the default language in a subfolder, "/<lang>" + the site's pattern (a language's
    # default) would hold both prefixes: each language gets its own.
    shared = permalink if subdir and isinstance(permalink, list) else None
    for lang in others:
        guesses += language_guesses(
            root, lang, ci(languages, lang), section, site_language, src, notes, shared,
            content_dir if lang in by_name else None,
        )  # fmt: skip
    return Recognised(
        generator, src, tuple(guesses), tuple(notes), relative(content_dir, root),
        generator.include, exclude, text(ci(config, "timezone")) or "UTC",
    )  # fmt: skip


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def in_subdir(guess: Guess, default: str, src: str) -> Guess:
    """With ``defaultContentLanguageInSubdir`` the default language is under /<lang>/ too."""
    if guess.key != "permalink" or guess.section != "site":
        return guess
    choices = tuple(
        Choice(
            f"/{default}{choice.value}", f"{choice.source}; {src}: defaultContentLanguageInSubdir"
        )
        for choice in guess.choices
    )
    return Guess(guess.section, guess.key, choices)


def language_guesses(
    root: Path,
    lang: str,
    table: Any,
    section: str,
    site_language: str,
    src: str,
    notes: list[str],
    permalink: list[Choice] | None,
    shared_folder: Path | None = None,
) -> list[Guess]:
    """``[languages.<lang>]``: its title, description and posts folder (the same section in
    its own contentDir, or the ``shared_folder`` where its posts are named x.<lang>.md). Its
    permalink is "/<lang>" + ``permalink`` when given, else the default one, which is Hugo's:
    "/<lang>" + the site's."""
    if checks.language(lang) is not None or lang.lower() == site_language.lower():
        notes.append(
            f"{src}: language {lang!r} cannot be a feeds language tag: its posts are left out"
        )
        return []
    if shared_folder is not None:
        return by_name_guesses(root, lang, table, shared_folder, src, permalink)
    content_dir = root / str(ci(table, "contentdir"))
    if not content_dir.is_dir():
        notes.append(
            f"{src}: languages.{lang}: contentDir {relative(content_dir, root)} is not there"
        )
        return []
    section_dir = content_dir / section if section else None
    if section_dir is None or not section_dir.is_dir():
        section_dir = busiest(sorted(p for p in content_dir.glob("*") if p.is_dir()), (".md",))
    folder = section_dir or content_dir
    where = f"{src}: languages.{lang}"
    guesses = [
        *described(lang, table, where),
        Guess.of(f"languages.{lang}", "content", relative(folder, root), f"{where}.contentDir"),
    ]
    return [*guesses, *own_permalink(lang, permalink)]


def by_name_guesses(
    root: Path, lang: str, table: Any, folder: Path, src: str, permalink: list[Choice] | None
) -> list[Guess]:
    """A language whose posts are x.<lang>.md in the default language's folder: Hugo serves
    them under /<lang>/, named x."""
    where = f"{src}: languages.{lang}"
    named = tuple(f"**/*.{lang}.{ext}" for ext in ("md", "markdown"))
    section = f"languages.{lang}"
    guesses = [
        *described(lang, table, where),
        Guess.of(section, "content", relative(folder, root), f"{where}: no contentDir"),
        Guess.of(section, "include", named, f"Hugo's translations by file name (x.{lang}.md)"),
        Guess(section, "exclude", (Choice((), "its files are the ones the site leaves out"),)),
    ]
    return [*guesses, *own_permalink(lang, permalink)]


def described(lang: str, table: Any, where: str) -> list[Guess]:
    title = text(ci(table, "title")) or text(ci(ci(table, "params"), "title"))
    description = text(ci(ci(table, "params"), "description")) or text(ci(table, "description"))
    guesses = [
        Guess.of(f"languages.{lang}", "title", title, f"{where}.title", "-"),
        Guess.of(f"languages.{lang}", "description", description, f"{where}.params.description", "-"),
    ]  # fmt: skip
    return [guess for guess in guesses if guess.choices]


def own_permalink(lang: str, permalink: list[Choice] | None) -> list[Guess]:
    guesses: list[Guess] = []
    if permalink:
        own = tuple(Choice(f"/{lang}{choice.value}", choice.source) for choice in permalink)
        guesses.append(Guess(f"languages.{lang}", "permalink", own))
    return [guess for guess in guesses if guess.choices]
