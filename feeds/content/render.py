"""Render a post for its readers: Markdown to HTML with every URL absolute, a summary, an id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any
from urllib.parse import urljoin

from feeds.config import Site
from feeds.content.html import remove_illegal_references, safe_absolute_html
from feeds.content.markdown_engine import engine_id, markdown_to_html
from feeds.content.mdx import is_mdx, mdx_to_markdown
from feeds.content.model import Post
from feeds.content.permalinks import entry_id, post_url
from feeds.content.sanitize import task_boxes_as_text
from feeds.content.source import XML_ILLEGAL, file_digest, read_body_text
from feeds.content.templating import (
    TemplateOutcome,
    Templating,
    apply_templates,
    lookups_hold,
    prepare_templating,
)
from feeds.errors import ContentError, ContentErrors, shown
from feeds.workers import spread

TOO_DEEP = "nests lists, quotes or HTML too deeply to render (flatten it)"
# A problem as plain data: file, field, message, and the post it leaves out.
Problem = tuple[str, str | None, str, str]


@dataclass(frozen=True)
class RenderedPost:
    """A post as outputs show it: absolute URLs everywhere, a summary, a permanent id."""

    post: Post
    url: str
    entry_id: str
    html: str
    summary: str
    image: str | None
    template_tags_removed: int = 0
    unsafe_html_removed: int = 0
    components_removed: int = 0
    template_tags_rendered: int = 0
    template_tags_unknown: int = 0
    # Problems found while rendering (templates, references, URLs), one line each.
    warnings: tuple[str, ...] = ()
    # What the templates looked up: other posts' URLs ("post_url:…") and files ("file:…").
    template_lookups: tuple[tuple[str, str], ...] = ()
    # Where its body is kept in the render cache (``render_key``); None when it is not.
    cache_key: str | None = None


@dataclass(frozen=True)
class RenderedBody:
    """The costly part of rendering, cached by the post file's hash and URL."""

    html: str
    first_paragraph: str
    template_tags_removed: int = 0
    unsafe_html_removed: int = 0
    # JSX components of an .mdx post (see ``mdx``).
    components_removed: int = 0
    template_tags_rendered: int = 0
    template_tags_unknown: int = 0
    warnings: tuple[str, ...] = ()
    # The other posts' URLs the templates looked up: a cached body is reused only while
    # each still resolves to the same URL.
    lookups: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        # Read back from the JSON cache, tuples arrive as lists.
        object.__setattr__(self, "warnings", tuple(self.warnings))
        object.__setattr__(self, "lookups", tuple(tuple(pair) for pair in self.lookups))


COUNTS = (
    "template_tags_removed",
    "unsafe_html_removed",
    "components_removed",
    "template_tags_rendered",
    "template_tags_unknown",
)


def body_from_record(record: Any) -> RenderedBody | None:
    """A cached rendering, if it has exactly the shape this release writes; None (a cache
    miss, so the post is rendered again) for anything else."""
    if not isinstance(record, dict) or set(record) != {f.name for f in fields(RenderedBody)}:
        return None
    texts = (record["html"], record["first_paragraph"])
    warnings, lookups = record["warnings"], record["lookups"]
    ok = (
        all(isinstance(text, str) for text in texts)
        and all(type(record[name]) is int and record[name] >= 0 for name in COUNTS)
        and isinstance(warnings, list)
        and all(isinstance(warning, str) for warning in warnings)
        and isinstance(lookups, list)
        and all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair)
            for pair in lookups
        )
    )
    if not ok:
        return None
    return RenderedBody(**record)


def body_to_record(body: RenderedBody) -> dict[str, Any]:
    record = asdict(body)
    record["warnings"] = list(body.warnings)
    record["lookups"] = [list(pair) for pair in body.lookups]
    return record


def read_body(post: Post) -> str:
    """The Markdown body: loading keeps only the frontmatter, so bodies are read when needed."""
    return post.body if post.body is not None else read_body_text(post.source)


def render_post(
    post: Post,
    site: Site,
    body: RenderedBody | None = None,
    templating: Templating | None = None,
    cache_key: str | None = None,
) -> RenderedPost:
    url = post_url(post, site)
    body = body or render_body(post, site, templating)
    return RenderedPost(
        post=post,
        url=url,
        entry_id=entry_id(post, site),
        html=body.html,
        summary=post.description or body.first_paragraph,
        image=urljoin(url, post.image) if post.image else None,
        template_tags_removed=body.template_tags_removed,
        unsafe_html_removed=body.unsafe_html_removed,
        components_removed=body.components_removed,
        template_tags_rendered=body.template_tags_rendered,
        template_tags_unknown=body.template_tags_unknown,
        warnings=body.warnings,
        template_lookups=body.lookups,
        cache_key=cache_key,
    )


def render_body(post: Post, site: Site, templating: Templating | None = None) -> RenderedBody:
    """The post's HTML, made safe and absolute; a body nested too deeply to render is a
    ``ContentErrors`` naming the post, never a RecursionError."""
    try:
        return _render_body(post, site, templating)
    except RecursionError:
        raise ContentErrors([ContentError(post.source, "body", TOO_DEEP)]) from None


def _render_body(post: Post, site: Site, templating: Templating | None) -> RenderedBody:
    text, components = read_body(post), 0
    if is_mdx(post.source.name):
        text, components = mdx_to_markdown(text)
    # Template tags next: what they print (includes, data, links) is Markdown too.
    templating = templating or prepare_templating(site, [post])
    # Every template tag starts with "{": without one (a one-byte scan, where the two-byte
    # scans apply_templates starts with read the whole body twice) there is nothing to do.
    tags = apply_templates(text, post, site, templating) if "{" in text else TemplateOutcome(text)
    printed, warnings = without_xml_illegal(tags, post)
    html, references = remove_illegal_references(
        task_boxes_as_text(
            markdown_to_html(printed, site.content.markdown, site.content.markdown_extensions)
        )
    )
    if references:
        warnings.append(
            f"{post.source}: body: removed {len(references)} character reference(s) to "
            f"characters that XML forbids (first: {shown(references[0])})"
        )
    safe = safe_absolute_html(html, post_url(post, site))
    if safe is not None and safe.broken_urls:
        broken = safe.broken_urls
        warnings.append(
            f"{post.source}: body: removed {len(broken)} URL(s) that cannot be parsed "
            f"(first: {shown(broken[0])}; fix the link)"
        )
    return RenderedBody(
        html if safe is None else safe.html,
        "" if safe is None else safe.first_paragraph,
        template_tags_removed=tags.stripped,
        unsafe_html_removed=0 if safe is None else safe.unsafe_removed,
        components_removed=components,
        template_tags_rendered=tags.rendered,
        template_tags_unknown=tags.unknown,
        warnings=tuple(warnings),
        lookups=tags.lookups,
    )


def without_xml_illegal(tags: TemplateOutcome, post: Post) -> tuple[str, list[str]]:
    """What template tags printed, without the characters XML forbids: reading a file removes
    them, but a frontmatter value written with a YAML escape ("\\v") brings one back when a tag
    prints it, and lxml refuses it in an attribute. The tags' warnings, and one for these."""
    warnings = list(tags.warnings)
    text = tags.text
    if tags.rendered and XML_ILLEGAL.search(text):
        count = len(XML_ILLEGAL.findall(text))
        warnings.append(
            f"{post.source}: body: removed {count} character(s) that XML forbids from what "
            "template tags printed"
        )
        text = XML_ILLEGAL.sub("", text)
    return text, warnings


def render_key(post: Post, site: Site, templating: Templating | None = None) -> str | None:
    """What a post's rendering depends on: its file's bytes, its URL, the template-tag mode and
    the files templates read (the other posts' URLs are checked through ``lookups``), the
    Markdown engine and its extensions. None for a post made in code (its body is not its
    file's) or a file that cannot be read."""
    digest = file_digest(post.source) if post.body is None else None
    if digest is None:
        return None
    key = templating.key if templating is not None else str(site.content.template_tags)
    engine = engine_id(site.content.markdown, site.content.markdown_extensions)
    key = f"{digest}|{post_url(post, site)}|{key}|{engine}"
    return key + "|mdx" if is_mdx(post.source.name) else key


# Below this many posts to render, worker processes cost more than they save.
PARALLEL_FROM = 24


def render_posts(
    posts: Sequence[Post],
    site: Site,
    *,
    store: dict[str, dict[str, Any]] | None = None,
    workers: int = 1,
    templating: Templating | None = None,
) -> list[RenderedPost]:
    """Render ``posts`` (in order), taking what ``store`` holds and adding what it lacks;
    Markdown runs in ``workers`` processes (the main one among them, see ``workers.spread``)
    when there is enough of it."""
    templating = templating or prepare_templating(site, posts)
    # Without a store nothing is looked up or kept: no file needs hashing.
    keys = [render_key(post, site, templating) if store is not None else None for post in posts]
    bodies: list[RenderedBody | None] = [
        body_from_record(store.get(key)) if store is not None and key is not None else None
        for key in keys
    ]
    bodies = [
        body if body is not None and lookups_hold(body.lookups, templating) else None
        for body in bodies
    ]
    missing = [index for index, body in enumerate(bodies) if body is None]
    fresh = render_bodies([posts[index] for index in missing], site, workers, templating)
    problems = [ContentError(*part) for part in fresh if isinstance(part, tuple)]
    if problems:
        raise ContentErrors(problems)
    for index, body in zip(missing, fresh, strict=True):
        assert isinstance(body, RenderedBody)
        bodies[index] = body
        key = keys[index]
        if store is not None and key is not None:
            store[key] = body_to_record(body)
    return [
        render_post(post, site, body, cache_key=key)
        for post, body, key in zip(posts, bodies, keys, strict=True)
    ]


def render_bodies(
    posts: Sequence[Post], site: Site, workers: int, templating: Templating
) -> list[RenderedBody | Problem]:
    if workers <= 1 or len(posts) < PARALLEL_FROM:
        return render_chunk(posts, site, templating)
    # Small chunks: the main process and the workers meet in the middle within one chunk.
    size = -(-len(posts) // (workers * 16))
    ranges = [(start, min(start + size, len(posts))) for start in range(0, len(posts), size)]
    parts = spread(render_range, (posts, site, templating), ranges, workers)
    return [body for part in parts for body in part]


def render_range(
    shared: tuple[Sequence[Post], Site, Templating], bounds: tuple[int, int]
) -> list[RenderedBody | Problem]:
    """The posts ``start:stop`` of what ``spread`` shares out: workers get the posts, the site
    and the templates once (inherited, where forked), and only these two numbers per chunk."""
    posts, site, templating = shared
    start, stop = bounds
    return render_chunk(posts[start:stop], site, templating)


def render_chunk(
    posts: Sequence[Post], site: Site, templating: Templating
) -> list[RenderedBody | Problem]:
    """Each post's body, or its problem as plain data (which crosses from a worker process)."""
    results: list[RenderedBody | Problem] = []
    for post in posts:
        try:
            results.append(render_body(post, site, templating))
        except ContentErrors as bad:
            results.extend((e.path, e.field, e.reason, str(post.source)) for e in bad.errors[:1])
    return results
