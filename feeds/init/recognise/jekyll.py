"""Jekyll: ``_config.yml``, posts in ``_posts/``, URLs from its placeholders and styles."""

from __future__ import annotations

from pathlib import Path

from feeds import checks
from feeds.content.slugs import jekyll_slug
from feeds.content.source import read_source
from feeds.errors import ContentErrors
from feeds.init.model import GENERATORS, Choice, Guess, Recognised
from feeds.init.readers import (
    first_existing,
    read_data,
)
from feeds.init.recognise.common import (
    author_of,
    join_url,
    language_tag,
    post_files,
    relative,
    site_guesses,
    text,
    translate,
)

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
    notes: list[str] = []
    site_language = language_tag(config.get("lang") or config.get("locale")) or "en"
    languages, categorised = language_folders(posts_root, site_language)
    if categorised:
        notes.append(
            f"posts under {', '.join(f + '/_posts' for f in categorised)} are left out: Jekyll "
            "puts those folders (categories) in their URLs"
        )
    style = config.get("permalink", "date")
    pattern = JEKYLL_STYLES.get(str(style), str(style))
    shown = f"{src}: permalink" if "permalink" in config else "Jekyll's default permalink (date)"
    permalink = categories_permalink(pattern, posts_root / "_posts", shown, notes)
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
    for lang in languages:
        where = f"{lang}/_posts (Jekyll's category {lang})"
        lang_permalink = translate(
            pattern, r":([a-z_]+)", {**JEKYLL_TOKENS, "categories": lang}, shown
        )
        guesses += [
            Guess.of(f"languages.{lang}", "content", relative(posts_root / lang / "_posts", root), where),
            Guess(f"languages.{lang}", "permalink", tuple(lang_permalink))
            if isinstance(lang_permalink, list)
            else Guess(f"languages.{lang}", "permalink", todo=lang_permalink),
        ]  # fmt: skip
    return Recognised(
        generator, src, tuple(guesses), tuple(notes), content, generator.include, (),
        text(config.get("timezone")) or "UTC",
    )  # fmt: skip


def language_folders(posts_root: Path, site_language: str) -> tuple[list[str], list[str]]:
    """Folders holding a ``_posts`` of their own: those named like a language other than the
    site's (``es/_posts``) are its other languages; the rest are categories feeds leaves out."""
    languages, categorised = [], []
    for folder in sorted(posts_root.glob("*/**/_posts")):
        if not folder.is_dir():
            continue
        name = relative(folder.parent, posts_root)
        if "/" not in name and checks.language(name) is None and name != site_language:
            languages.append(name)
        else:
            categorised.append(relative(folder.parent, posts_root))
    return languages, categorised


def categories_permalink(
    pattern: str, folder: Path, shown: str, notes: list[str]
) -> list[Choice] | str:
    """The site's pattern in feeds' fields. Jekyll's ``:categories`` is empty for a post
    without categories, where a ``{categories}`` field would be an error: it becomes
    ``{categories}`` only when every post has plain lower-case ones, else it is left out and
    the posts that have some are named."""
    if ":categories" not in pattern:
        return translate(pattern, r":([a-z_]+)", JEKYLL_TOKENS, shown)
    found = [categories_of(path) for path in post_files(folder, (".md", ".markdown"))]
    with_some = sum(1 for categories in found if categories is None or categories)
    if found and all(categories and plain(categories) for categories in found):
        tokens = {**JEKYLL_TOKENS, "categories": "{categories}"}
        return translate(pattern, r":([a-z_]+)", tokens, f"{shown}; every post has categories")
    permalink = translate(pattern, r":([a-z_]+)", JEKYLL_TOKENS, shown)
    if with_some and isinstance(permalink, list):
        todo = (
            f"TODO: {with_some} of {len(found)} posts set categories:, which Jekyll puts in "
            "their URL (:categories) and this pattern cannot: give those posts a permalink:"
        )
        permalink = [Choice(choice.value, f"{choice.source}; {todo}") for choice in permalink]
        notes.append(
            f"{with_some} post(s) set categories:, which Jekyll puts in their URL "
            "(:categories); their feed links leave them out unless they set permalink:"
        )
    return permalink


def categories_of(path: Path) -> list[str] | None:
    """A post's categories as Jekyll reads them; None when it sets them in a way that a
    ``{categories}`` field reads otherwise (``category:``, a string of several, a mapping).
    A post that cannot be read has none here: the build names it."""
    try:
        meta = read_source(path).metadata
    except ContentErrors:
        return []
    if "category" in meta:
        return None
    value = meta.get("categories")
    if isinstance(value, str):
        # Jekyll splits "a b" into two categories; a field holds it as one value.
        return None if len(value.split()) > 1 else value.split()
    if isinstance(value, list) and all(isinstance(item, str) and " " not in item for item in value):
        return [item for item in value if item]
    return [] if value is None else None


def plain(categories: list[str]) -> bool:
    """Whether feeds' ``{categories}`` gives Jekyll's path: Jekyll lower-cases and does not
    slugify, feeds (slug style "jekyll") keeps case and slugifies; they agree on these."""
    return all(
        item == item.lower() and jekyll_slug(item, pretty=True, cased=True) == item
        for item in categories
    )
