"""Jekyll: ``_config.yml``, posts in ``_posts/``, URLs from its placeholders and styles."""

from __future__ import annotations

import re
from pathlib import Path

from feeds.init.model import GENERATORS, Recognised
from feeds.init.readers import (
    first_existing,
    read_data,
    read_text,
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
    permalink = translate(pattern, r":([a-z_]+)", JEKYLL_TOKENS, shown)
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
