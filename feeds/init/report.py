"""After `feeds init`: the settings tried on the blog's posts, and a short report — what was
found, the first feed links (a wrong URL shows at once), what was left out and why, the
``<link rel="alternate">`` tags for the site's ``<head>``, and whether a built site has a page
at each link. Nothing is written here."""

from __future__ import annotations

import html
import tomllib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from feeds.config import Config, language_sites
from feeds.config_reader import config_from_mapping
from feeds.content.loader import load_site_posts
from feeds.content.model import LoadedPosts, published
from feeds.content.permalinks import post_url
from feeds.errors import ConfigError, ContentErrors
from feeds.feed.formats import FORMATS
from feeds.feed.model import site_feed
from feeds.sitecheck import missing_pages

SHOWN = 3
LISTED = 8
FORMAT_NAMES = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}


def settings_from_text(text: str, source: Path) -> Config:
    return config_from_mapping(tomllib.loads(text), source)


def report(
    text: str,
    preview: str,
    source: Path,
    root: Path,
    built: Sequence[str],
    now: datetime,
) -> list[str]:
    """The report's lines. ``preview`` is the settings with placeholders for the TODOs, so the
    posts can be tried before every value is filled in."""
    lines: list[str] = []
    try:
        config = settings_from_text(text, source)
    except ConfigError as error:
        lines.append("to do before `feeds build` (it will name these):")
        lines += [f"  {problem}" for problem in error.lines()]
        try:
            config = settings_from_text(preview, source)
        except ConfigError:
            return lines
        lines.append("(links below use placeholders for what is still to do)")
    sites = language_sites(config.site)
    try:
        every = [load_site_posts(site, keep_going=True) for site in sites]
    except ContentErrors as error:
        return [*lines, *(f"  {problem}" for problem in error.lines())]
    urls = [
        (post_url(post, site), post.source)
        for site, loaded in zip(sites, every, strict=True)
        for post in published(loaded.posts, now)
    ]
    for site, loaded in zip(sites, every, strict=True):
        first, *rest = posts_lines(loaded, len(published(loaded.posts, now)), now, root)
        label = f"[languages.{site.language}] " if site.language_folder else ""
        lines += [label + first, *rest]
    if urls:
        lines.append("first feed links (check that each opens the post):")
        lines += [f"  {url}   ({relative(path, root)})" for url, path in urls[:SHOWN]]
    lines += built_site_lines(root, built, config.site.base_url, [url for url, _ in urls])
    lines.append("paste into your site's <head>:")
    lines += [f"  {tag}" for tag in link_tags(config)]
    return lines


def posts_lines(loaded: LoadedPosts, shown: int, now: datetime, root: Path) -> list[str]:
    drafts = [post for post in loaded.posts if post.draft]
    future = [post for post in loaded.posts if post.date > now and not post.draft]
    bad = sorted({error.path for error in loaded.errors})
    lines = [
        f"{len(loaded.posts) + len(bad)} post(s) found, {shown} in the feeds; left out: "
        f"{len(drafts)} draft, {len(future)} future, {len(bad)} bad, "
        f"{len(loaded.skipped)} section page(s)"
    ]
    left_out = [f"{relative(post.source, root)}: draft" for post in drafts]
    left_out += [
        f"{relative(post.source, root)}: dated {post.date.date()}, after today" for post in future
    ]
    left_out += [
        f"{relative(path, root)}: a section page (_index / listing)" for path in loaded.skipped
    ]
    left_out += [f"{error}" for error in loaded.errors]
    if left_out:
        lines.append("left out:")
        lines += [f"  {item}" for item in left_out[:LISTED]]
        if len(left_out) > LISTED:
            lines.append(f"  … and {len(left_out) - LISTED} more")
    return lines


def link_tags(config: Config) -> list[str]:
    """The feed discovery tags, one per format, for the whole site's feeds."""
    spec = site_feed(config.site)
    title = html.escape(config.site.title, quote=False).replace('"', "&quot;")
    return [
        f'<link rel="alternate" type="{kind.media_type}" '
        f'title="{title} ({FORMAT_NAMES.get(kind.name, kind.name)})" '
        f'href="{html.escape(spec.url(config.site, kind.file_name))}">'
        for kind in FORMATS
    ]


def built_site_lines(
    root: Path, built: Sequence[str], base_url: str, urls: Sequence[str]
) -> list[str]:
    folder = next((root / name for name in built if (root / name).is_dir()), None)
    if folder is None or not urls:
        return []
    missing = missing_pages(urls, base_url, folder)
    name = relative(folder, root)
    if not missing:
        return [f"built site {name}/: a page for each of the {len(urls)} feed link(s)"]
    lines = [f"built site {name}/: no page for {len(missing)} of {len(urls)} feed link(s):"]
    lines += [f"  {url}" for url in missing[:LISTED]]
    return lines


def relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
