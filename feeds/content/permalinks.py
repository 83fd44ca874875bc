"""Where a post lives: its URL from the permalink pattern, and its permanent feed id."""

from __future__ import annotations

from urllib.parse import quote, urljoin

from feeds.config import Site
from feeds.content.model import Post


def post_url(post: Post, site: Site) -> str:
    local = post.date.astimezone(site.tz)
    path = site.permalink.format(
        slug=quote(post.slug),
        year=f"{local.year:04d}",
        month=f"{local.month:02d}",
        day=f"{local.day:02d}",
    )
    return urljoin(site.base_url, path.lstrip("/"))


def entry_id(post: Post, site: Site) -> str:
    """An RFC 4151 tag URI built from what never changes with an edit: the domain, the site's
    ``since`` date and the slug. The scheme is left out, so moving to https keeps every id."""
    if post.pinned_id:
        return post.pinned_id
    return f"tag:{site.domain},{site.since}:{quote(post.slug)}"
