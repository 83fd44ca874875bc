"""Template tags in post bodies, before Markdown: rendered (Liquid for Jekyll and Eleventy, Hugo
shortcodes for Hugo), stripped, or kept, as ``template_tags`` says; by default rendered when
the site root is found and stripped otherwise.

``prepare_templating`` runs once per build in the main process: it finds the site root, reads
its settings and data files, and maps every loaded post to its URL, so that one post can link
to another by its real address. The result is plain data, sent to the worker processes that
render. ``apply_templates`` runs per post. What a render reads besides the post is in
``Templating.digest`` (settings, data files, includes, shortcode templates: part of every
render's cache key) and in the outcome's ``lookups`` (the other posts' URLs it used, checked
again before a cached render is reused).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from feeds.config import Site
from feeds.content.markdown_engine import markdown_to_html
from feeds.content.model import Post
from feeds.content.permalinks import post_url
from feeds.content.siteroot import (
    SiteRoot,
    dependency_digest,
    find_site_root,
    fingerprint,
    load_data,
    load_settings,
    read_inside,
)
from feeds.content.source import decode, split_frontmatter
from feeds.content.templatetags import strip_template_tags
from feeds.errors import ContentError, ContentErrors

TIMEOUT_SECONDS = 5.0
# What a template prints for a link to a post that does not exist: the rendered HTML drops a
# link to it (keeping the link's text) and the marker itself wherever else it is.
MISSING_LINK = "#feeds-missing-link"
POST_SUFFIXES = (".md", ".markdown", ".html", ".liquid")


@dataclass(frozen=True)
class Templating:
    """Everything a post's template tags are rendered with, besides the post itself."""

    mode: str
    root: SiteRoot | None = None
    digest: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict, compare=False)
    data: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # Post URLs by the names templates use for them: paths from the root and from the
    # content folder, with and without their suffix; post_url's file names.
    urls: Mapping[str, str] = field(default_factory=dict, compare=False)
    warnings: tuple[str, ...] = ()
    timeout: float = TIMEOUT_SECONDS

    @property
    def key(self) -> str:
        """What the render cache key needs: the mode and the dependency files' hash."""
        return f"{self.mode}:{self.digest}" if self.mode == "render" else self.mode

    def resolve(self, query: str) -> str | None:
        """A post's URL by a template's reference: ``link:_posts/x.md``,
        ``post_url:2021-01-01-x`` or ``ref:posts/x.md``."""
        kind, _, name = query.partition(":")
        if kind == "file":
            text = read_inside(self.root.path, name) if self.root is not None else None
            return fingerprint(text) if text is not None else None
        name = name.strip().strip("/")
        if kind == "post_url":
            return self.urls.get(f"post_url:{name}") or self.urls.get(
                f"post_url:{PurePosixPath(name).name}"
            )
        for candidate in (name, name.removesuffix("/index.md"), strip_suffix(name)):
            if candidate in self.urls:
                return self.urls[candidate]
        if kind == "ref":
            return self.urls.get(f"name:{strip_suffix(PurePosixPath(name).name)}")
        return None


@dataclass(frozen=True)
class TemplateOutcome:
    text: str
    rendered: int = 0
    stripped: int = 0
    unknown: int = 0
    warnings: tuple[str, ...] = ()
    lookups: tuple[tuple[str, str], ...] = ()


class LiquidTime(datetime):
    """A date printed as Jekyll prints one: ``2021-01-02 09:30:00 +0100``."""

    @classmethod
    def of(cls, moment: datetime) -> LiquidTime:
        return cls.fromisoformat(moment.isoformat())

    def __str__(self) -> str:
        return self.strftime("%Y-%m-%d %H:%M:%S %z").strip()


def strip_suffix(name: str) -> str:
    for suffix in POST_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def resolved_mode(site: Site, root: SiteRoot | None) -> str:
    chosen = site.content.template_tags
    if chosen is None:
        return "render" if root is not None else "strip"
    return chosen


def prepare_templating(site: Site, posts: Sequence[Post]) -> Templating:
    """The site root, its settings and data, and every post's URL; once per build."""
    if site.site_root is not None and not site.site_root.is_dir():
        raise ContentErrors(
            [
                ContentError(
                    site.site_root, None, "is not a folder ([site] root: the blog's own folder)"
                )
            ]
        )
    root = find_site_root(site.content_dir, site.site_root)
    mode = resolved_mode(site, root)
    if mode != "render":
        return Templating(mode=mode)
    if root is None:
        raise ContentErrors(
            [
                ContentError(
                    site.content_dir,
                    None,
                    'template_tags = "render" needs the site root, and none was found above '
                    'this folder (set [site] root, or template_tags = "strip")',
                )
            ]
        )
    settings, warnings = load_settings(root)
    data_folder = root.folder("data") if root.kind == "hugo" else root.folder("_data", "src/_data")
    data, data_warnings = load_data(root.path, data_folder)
    return Templating(
        mode=mode,
        root=root,
        digest=dependency_digest(root),
        settings=settings,
        data=data,
        urls=url_index(site, root, posts),
        warnings=(*warnings, *data_warnings),
    )


def url_index(site: Site, root: SiteRoot, posts: Sequence[Post]) -> dict[str, str]:
    """Every post's URL under each name a template may give it: its path from the content
    folder and from the root, with and without suffix, its file or bundle name."""
    urls: dict[str, str] = {}
    content = site.content_dir.resolve()
    # Post paths are made from the content folder: one resolve, not one per post.
    above = content.relative_to(root.path).as_posix() if content.is_relative_to(root.path) else None
    for post in sorted(posts, key=lambda item: str(item.source)):
        url = post_url(post, site)
        try:
            within = post.source.relative_to(site.content_dir).as_posix()
        except ValueError:
            continue
        names = [within]
        if above is not None:
            names.append(within if above == "." else f"{above}/{within}")
        for name in names:
            urls.setdefault(name, url)
            urls.setdefault(strip_suffix(name), url)
            if PurePosixPath(name).name in ("index.md", "index.markdown"):
                urls.setdefault(str(PurePosixPath(name).parent), url)
        stem = strip_suffix(post.source.name)
        bundle = post.source.parent.name if stem in ("index", "_index") else stem
        urls.setdefault(f"post_url:{stem}", url)
        urls.setdefault(f"name:{bundle}", url)
        # post_url accepts a sub-folder of _posts: "2021/2021-01-01-x".
        urls.setdefault(f"post_url:{strip_suffix(within).removeprefix('_posts/')}", url)
    return urls


def apply_templates(text: str, post: Post, site: Site, templating: Templating) -> TemplateOutcome:
    """``text`` (the post's body) with its template tags handled as ``templating.mode`` says."""
    if templating.mode == "keep" or ("{%" not in text and "{{" not in text):
        return TemplateOutcome(text)
    if templating.mode == "strip" or templating.root is None:
        stripped, count = strip_template_tags(text)
        return TemplateOutcome(stripped, stripped=count)
    try:
        if templating.root.kind == "hugo":
            return render_hugo(text, post, site, templating)
        return render_liquid_body(text, post, site, templating)
    except ContentErrors:
        raise
    except Exception as error:
        raise template_problem(post, error) from None


def template_problem(post: Post, error: Exception) -> ContentErrors:
    from feeds.content.liquid import TemplateError
    from feeds.content.shortcodes import ShortcodeError

    if isinstance(error, TemplateError | ShortcodeError):
        where = f"line {error.line}" if error.line else "template"
        path = error.path
        message = error.message
    else:
        path, where, message = str(post.source), "template", f"cannot be rendered: {error}"
    # A broken include names itself; the post that read it is said too (it is the one left out).
    reader = "" if path == str(post.source) else f"read by {post.source}; "
    return ContentErrors(
        [
            ContentError(
                path,
                where,
                f'{message} ({reader}fix it, or set template_tags = "strip")',
                post=post.source,
            )
        ]
    )


def page_url_path(url: str, site: Site) -> str:
    """``page.url`` as Jekyll and Eleventy give it: the page's path below the site's base path
    (``baseurl``, ``pathPrefix``), which ``relative_url`` and ``url`` then add."""
    path = urlsplit(url).path or "/"
    base = urlsplit(site.base_url).path.rstrip("/")
    return path[len(base) :] if base and path.startswith(base + "/") else path


def page_source(post: Post, body: str) -> tuple[dict[str, Any], int]:
    """The post's frontmatter, and how many lines of its file come before ``body`` (messages
    count lines in the file): one more read of the file, only when it has template tags."""
    try:
        text, _ = decode(post.source.read_bytes(), post.source)
        metadata, _, _ = split_frontmatter(text, post.source)
    except (OSError, ContentErrors):
        return {}, 0
    start = text.rfind(body) if body else -1
    return dict(metadata), (text.count("\n", 0, start) if start >= 0 else 0)


def render_liquid_body(
    text: str, post: Post, site: Site, templating: Templating
) -> TemplateOutcome:
    from feeds.content.liquid import LiquidSite, RenderState, render_liquid

    root = templating.root
    assert root is not None
    url = post_url(post, site)
    metadata, offset = page_source(post, text)
    page = {
        **metadata,
        "title": post.title,
        "date": LiquidTime.of(post.date),
        "url": page_url_path(url, site),
        "slug": post.slug,
        "tags": list(post.tags),
        "path": relative_path(post.source, root.path),
    }
    settings = dict(templating.settings)
    site_url = str(settings.get("url") or origin(site.base_url)).rstrip("/") + "/"
    baseurl = str(settings.get("baseurl") or urlsplit(site.base_url).path.rstrip("/"))
    if root.kind == "eleventy":
        include_names: tuple[str, ...] = ("_includes", "src/_includes")
        variables: dict[str, Any] = {
            **metadata,
            "page": {
                "url": page["url"],
                "date": post.date,
                "inputPath": "./" + page["path"],
                "fileSlug": post.source.stem,
                "filePathStem": "/" + strip_suffix(page["path"]),
            },
        }
        globals_: dict[str, Any] = dict(templating.data)
    else:
        include_names = ("_includes",)
        variables = {"page": page}
        globals_ = {"site": {"title": site.title, **settings, "data": dict(templating.data)}}
    liquid_site = LiquidSite(
        root=root.path,
        kind=root.kind,
        variables=globals_,
        include_dirs=tuple(
            root.path / name for name in include_names if (root.path / name).is_dir()
        ),
        url=site_url,
        baseurl=baseurl,
    )
    state = RenderState(
        post=str(post.source),
        post_dir=post.source.parent,
        line_offset=offset,
        resolve=templating.resolve,
        markdownify=markdown_to_html,
        deadline=time.monotonic() + templating.timeout,
    )
    result = render_liquid(text, variables, liquid_site, state)
    return TemplateOutcome(
        result.text,
        rendered=result.rendered,
        unknown=result.unknown,
        warnings=result.warnings,
        lookups=result.lookups,
    )


def render_hugo(text: str, post: Post, site: Site, templating: Templating) -> TemplateOutcome:
    from feeds.content.shortcodes import HugoPage, HugoSite, hugo_params, render_shortcodes

    root = templating.root
    assert root is not None
    url = post_url(post, site)
    metadata, offset = page_source(post, text)
    hugo_site = HugoSite(
        root=root.path,
        params=hugo_params(templating.settings),
        title=str(templating.settings.get("title") or site.title),
        base_url=site.base_url,
    )
    page = HugoPage(
        name=str(post.source),
        line_offset=offset,
        params=metadata,
        title=post.title,
        url=url,
        resolve=templating.resolve,
        markdownify=markdown_to_html,
        deadline=time.monotonic() + templating.timeout,
    )
    result = render_shortcodes(text, hugo_site, page)
    return TemplateOutcome(
        result.text,
        rendered=result.rendered,
        unknown=result.unknown,
        warnings=result.warnings,
        lookups=result.lookups,
    )


def relative_path(path: Path, root: Path) -> str:
    resolved = path.resolve()
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else path.name


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def lookups_hold(lookups: Sequence[Sequence[str]], templating: Templating) -> bool:
    """True when every post URL a cached render looked up is still the same."""
    return all((templating.resolve(query) or "") == url for query, url in lookups)
