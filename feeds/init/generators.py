"""Recognising a blog's generator and reading what its own files say: one recogniser per
generator, tried in the order of ``RECOGNISERS``; a plain folder of Markdown is the fallback.

Each recogniser returns ``Recognised``: guesses for the settings, each with its source, and
notes on what the settings cannot express. URL rules follow each generator's documented and
source-checked behaviour (Jekyll's URL placeholders, Hugo's sections and ``permalinks``,
Eleventy's ``fileSlug`` and directory data, Next.js routes, Astro collections, Pelican's
``ARTICLE_URL``).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from feeds.init.model import GENERATORS, Choice, Generator, Guess, Recognised, Value
from feeds.init.readers import (
    first_existing,
    js_flag,
    js_string,
    lower_keys,
    python_assignments,
    read_data,
    read_text,
)

# Folders that never hold a blog's posts.
NOT_CONTENT = {
    "node_modules", "_site", "public", "out", "dist", "output", "resources", "themes",
    "layouts", "_layouts", "_includes", "_data", "static", "assets", "vendor", ".next",
    "_drafts", "archetypes", "i18n", "pages", "app", "components", "lib", "styles",
}  # fmt: skip
NOT_POSTS = {"readme", "license", "licence", "changelog", "contributing", "code_of_conduct"}


def recognise(root: Path) -> Recognised:
    for recogniser in RECOGNISERS:
        found = recogniser(root)
        if found is not None:
            return found
    return plain(root)


# ---------------------------------------------------------------- shared helpers


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
        Guess.of("site", "include", include, f"{generator.name}'s post files"),
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
) -> tuple[list[Choice] | str, str | None]:
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
        return f"{source}: {pattern!r} uses {', '.join(unknown)}, which feeds cannot follow", None
    return [Choice(path, f"{source}: {pattern}")], path


# ---------------------------------------------------------------- Jekyll

JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
# :categories is empty for a post without categories; the report names posts that have some.
JEKYLL_TOKENS = {
    "year": "{year}", "month": "{month}", "day": "{day}", "title": "{slug}", "slug": "{slug}",
    "output_ext": ".html", "categories": "",
}  # fmt: skip


def jekyll(root: Path) -> Recognised | None:
    path = first_existing(root, "_config.yml", "_config.yaml")
    if path is None:
        return None
    config = read_data(path)
    src = path.name
    generator = GENERATORS["jekyll"]
    name, email = author_of(config.get("author"))
    posts_root = root / (text(config.get("collections_dir")) or ".")
    content = relative(posts_root / "_posts", root)
    notes = []
    categorised = sorted(
        relative(folder.parent, root)
        for folder in posts_root.glob("*/**/_posts")
        if folder.is_dir()
    )
    if categorised:
        notes.append(
            f"posts under {', '.join(f + '/_posts' for f in categorised)} are left out: Jekyll "
            "puts those folders (categories) in their URLs"
        )
    style = config.get("permalink", "date")
    pattern = JEKYLL_STYLES.get(str(style), str(style))
    shown = f"{src}: permalink" if "permalink" in config else "Jekyll's default permalink (date)"
    permalink, _ = translate(pattern, r":([a-z_]+)", JEKYLL_TOKENS, shown)
    if ":categories" in pattern and with_categories(posts_root / "_posts"):
        notes.append(
            "Jekyll puts a post's categories in its URL (:categories); feeds leaves them out, "
            "so posts with categories get the wrong link"
        )
    engine = text(config.get("markdown")) or "kramdown"
    guesses = site_guesses(
        generator,
        title=(text(config.get("title")), f"{src}: title"),
        base_url=(join_url(text(config.get("url")), text(config.get("baseurl"))), f"{src}: url + baseurl"),
        description=(text(config.get("description")), f"{src}: description"),
        language=(language_tag(config.get("lang") or config.get("locale")), f"{src}: lang"),
        timezone=(text(config.get("timezone")), f"{src}: timezone"),
        author=(name, f"{src}: author"),
        email=(email or text(config.get("email")), f"{src}: author / email"),
        content=content,
        include=generator.include,
        permalink=permalink,
    )  # fmt: skip
    if engine.lower() not in ("kramdown", "commonmark", "commonmarkghpages"):
        notes.append(f"{src}: markdown = {engine}: feeds renders with CommonMark rules instead")
    return Recognised(
        generator, src, tuple(guesses), tuple(notes), content, generator.include, (),
        text(config.get("timezone")) or "UTC",
    )  # fmt: skip


def with_categories(folder: Path) -> bool:
    """Whether a post sets categories (Jekyll puts them in its URL)."""
    for path in post_files(folder, (".md", ".markdown")) if folder.is_dir() else []:
        head = read_text(path)[:2000]
        if re.search(r"^categor(y|ies)\s*:\s*\S", head, re.MULTILINE):
            return True
    return False


# ---------------------------------------------------------------- Hugo

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
        permalink, _ = translate(pattern, r":([a-z]+)", tokens, f"{src}: permalinks.{section}")
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


# ---------------------------------------------------------------- Eleventy

ELEVENTY_CONFIGS = (
    "eleventy.config.js", "eleventy.config.mjs", "eleventy.config.cjs", "eleventy.config.ts",
    ".eleventy.js",
)  # fmt: skip
ELEVENTY_TOKENS = {
    "page.fileSlug": "{slug}", "page.fileSlug | slugify": "{slug}", "page.fileSlug | slug": "{slug}",
}  # fmt: skip


def package_json(root: Path) -> dict[str, Any]:
    path = root / "package.json"
    return read_data(path) if path.is_file() else {}


def dependencies(package: Mapping[str, Any]) -> set[str]:
    names: set[str] = set()
    for key in ("dependencies", "devDependencies"):
        if isinstance(package.get(key), Mapping):
            names.update(package[key])
    return names


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
    folder, permalink_template, data_src = eleventy_posts(source_dir)
    notes: list[str] = []
    nested = nested_folders(folder, (".md",))
    in_site = relative(folder, source_dir)
    prefix = "/" if in_site == "." else f"/{in_site}/"
    style = None
    if permalink_template is None:
        source = "Eleventy's default URL: /<folder>/<file name>/"
        permalink: list[Choice] | str = with_dir(prefix, "/", f"{prefix}{{slug}}/", source, nested)
        if nested:
            notes.append(f"Eleventy puts sub-folders of {in_site} in the URL; needs {{dir}}")
    else:
        template = re.sub(r"index\.html$", "", permalink_template.strip())
        permalink, _ = translate(
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


def eleventy_posts(source_dir: Path) -> tuple[Path, str | None, str]:
    """The posts folder (the one with a directory data file, or the busiest), the permalink
    template its data file sets, and that file's name."""
    for folder in sorted(
        p for p in source_dir.iterdir() if p.is_dir() and p.name not in NOT_CONTENT
    ):
        for name in (f"{folder.name}.json", f"{folder.name}.11tydata.json"):
            if (folder / name).is_file() and post_files(folder, (".md",)):
                data = read_data(folder / name)
                return folder, text(data.get("permalink")), f"{folder.name}/{name}"
        for name in (f"{folder.name}.11tydata.js", f"{folder.name}.11tydata.mjs"):
            if (folder / name).is_file() and post_files(folder, (".md",)):
                found = js_string(read_text(folder / name), "permalink")
                return folder, found, f"{folder.name}/{name}"
    candidates = sorted(p for p in source_dir.iterdir() if p.is_dir() and p.name not in NOT_CONTENT)
    return busiest(candidates, (".md",)) or source_dir, None, ""


# ---------------------------------------------------------------- Next.js


def next_js(root: Path) -> Recognised | None:
    package = package_json(root)
    if "next" not in dependencies(package):
        return None
    generator = GENERATORS["next"]
    suffixes = (".md", ".mdx")
    config_path = first_existing(root, "next.config.js", "next.config.mjs", "next.config.ts")
    code = read_text(config_path) if config_path else ""
    end = "/" if js_flag(code, "trailingSlash") else ""
    base_path = js_string(code, "basePath")
    notes: list[str] = []
    folder, prefix, source = next_pages(root, suffixes)
    if folder is None:
        folder, prefix, source = next_app(root, suffixes)
    permalink: list[Choice] | str
    if folder is None:
        folder = root
        permalink = "no Markdown under pages/, and no app/…/[slug] route: write the posts' URL"
    else:
        nested = nested_folders(folder, suffixes)
        permalink = with_dir(f"{prefix}/", end, f"{prefix}/{{slug}}{end}", source, nested)
    meta_path = first_existing(
        root, "data/siteMetadata.js", "data/siteMetadata.mjs", "data/siteMetadata.ts",
        "siteMetadata.js", "site.config.js", "site.config.ts", "config/site.ts", "lib/constants.ts",
    )  # fmt: skip
    meta = read_text(meta_path) if meta_path else ""
    msrc = relative(meta_path, root) if meta_path else "package.json"
    package_name, package_email = author_of(package.get("author"))
    url = js_string(meta, "siteUrl", "siteURL", "url") or text(package.get("homepage"))
    name, email = author_of(js_string(meta, "author"))
    guesses = site_guesses(
        generator,
        title=(js_string(meta, "title") or None, f"{msrc}: title"),
        base_url=(join_url(url, base_path), f"{msrc}: siteUrl" + (" + next.config basePath" if base_path else "")),
        description=(js_string(meta, "description") or text(package.get("description")), f"{msrc}: description"),
        language=(language_tag(js_string(meta, "language", "locale")), f"{msrc}: language"),
        author=(name or package_name, f"{msrc}: author"),
        email=(js_string(meta, "email") or email or package_email, f"{msrc}: email"),
        content=relative(folder, root),
        include=generator.include,
        permalink=permalink,
    )  # fmt: skip
    return Recognised(
        generator, "package.json (next)", tuple(guesses), tuple(notes), relative(folder, root),
        generator.include,
    )  # fmt: skip


def next_pages(root: Path, suffixes: tuple[str, ...]) -> tuple[Path | None, str, str]:
    """pages router: Markdown pages are routes; the URL is the file's path without suffix."""
    for pages in (root / "pages", root / "src" / "pages"):
        files = post_files(pages, suffixes, skip={"api"}) if pages.is_dir() else []
        folder = direct_folders(files)
        if folder is not None:
            route = relative(folder, pages)
            prefix = "" if route == "." else "/" + route
            return folder, prefix, f"Next.js pages router: {relative(folder, root)}/<file>"
    return None, "", ""


def next_app(root: Path, suffixes: tuple[str, ...]) -> tuple[Path | None, str, str]:
    """app router: a dynamic route ``app/…/[slug]/page.*`` serving files of a content folder."""
    for app in (root / "app", root / "src" / "app"):
        routes = sorted(app.glob("**/[[]*slug[]]/page.*")) if app.is_dir() else []
        if not routes:
            continue
        parts = routes[0].parent.relative_to(app).parts[:-1]
        # Route groups, "(blog)", are not part of the URL.
        prefix = "".join(f"/{part}" for part in parts if not part.startswith("("))
        skip = NOT_CONTENT | {"src"}
        files = post_files(root, suffixes, skip=skip)
        folder = direct_folders(files)
        if folder is not None:
            route = relative(routes[0].parent, root)
            return folder, prefix, f"Next.js app router: {route}/ serving {relative(folder, root)}"
    return None, "", ""


# ---------------------------------------------------------------- Astro


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


# ---------------------------------------------------------------- Pelican

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
    permalink, _ = translate(pattern, r"{([^{}]+)}", PELICAN_TOKENS, shown)
    notes = []
    if conf.get("SLUGIFY_SOURCE", "title") == "title":
        notes.append(
            "Pelican makes slugs from titles; feeds from file names (or slug:): give posts "
            "whose file name differs from their title a slug:"
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


# ---------------------------------------------------------------- a plain folder


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


RECOGNISERS: tuple[Callable[[Path], Recognised | None], ...] = (
    jekyll, hugo, eleventy, astro, next_js, pelican,
)  # fmt: skip

__all__ = ["RECOGNISERS", "Value", "recognise"]
