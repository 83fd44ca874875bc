"""Which posts make a newsletter issue: the latest N, the top N, or all since a moment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from feeds.content.model import Post
from feeds.content.slugs import tag_slug


@dataclass(frozen=True)
class Selection:
    """Which posts make an issue: the latest N, the top N, or all since a moment; maybe one tag."""

    latest: int | None = None
    top: int | None = None
    since: datetime | None = None
    tag: str | None = None

    def name(self) -> str:
        if self.top is not None:
            base = "top"
        elif self.since is not None:
            base = f"since-{self.since.date().isoformat()}"
        else:
            base = "latest"
        return f"{base}-{tag_slug(self.tag)}" if self.tag else base

    def describe(self) -> str:
        if self.top is not None:
            what = "no top posts (topPost: true)"
        elif self.since is not None:
            what = f"no posts published after {self.since.isoformat()}"
        else:
            what = "no published posts"
        return f"{what} tagged {self.tag!r}" if self.tag else what


def select_posts(posts: Sequence[Post], selection: Selection, default_count: int) -> list[Post]:
    """Pick from ``posts`` (published, newest first) what ``selection`` asks for."""
    pool = list(posts)
    if selection.tag:
        wanted = tag_slug(selection.tag)
        pool = [post for post in pool if wanted in {tag_slug(tag) for tag in post.tags}]
    if selection.top is not None:
        return [post for post in pool if post.top][: selection.top or default_count]
    if selection.since is not None:
        since = selection.since
        return [post for post in pool if post.date > since]
    return pool[: selection.latest or default_count]
