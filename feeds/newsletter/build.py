"""A newsletter build as one function: loaded posts in, the issue's files out (or nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feeds.config import Config
from feeds.content.model import LoadedPosts, published
from feeds.content.render import render_post
from feeds.content.templating import prepare_templating
from feeds.newsletter.issue import Issue, render_issue
from feeds.newsletter.message import issue_message
from feeds.newsletter.selection import Selection, select_posts
from feeds.newsletter.templates import load_templates


@dataclass(frozen=True)
class NewsletterBuild:
    issue: Issue
    files: dict[str, bytes]
    warnings: tuple[str, ...]


def build_newsletter(
    config: Config,
    loaded: LoadedPosts,
    now: datetime,
    selection: Selection,
    *,
    full: bool = False,
    name: str | None = None,
    drafts: bool = False,
    future: bool = False,
) -> NewsletterBuild | None:
    """The issue's HTML, text and .eml under the newsletter folder; None if no post matches."""
    site, settings = config.site, config.newsletter
    posts = published(loaded.posts, now, drafts=drafts, future=future)
    chosen = select_posts(posts, selection, settings.latest)
    if not chosen:
        return None
    templates = load_templates(settings.templates_dir)
    templating = prepare_templating(site, loaded.posts)
    entries = [render_post(post, site, templating=templating) for post in chosen]
    notes = [*templating.warnings, *(note for entry in entries for note in entry.template_warnings)]
    issue = render_issue(site, settings, templates, entries, name or selection.name(), full=full)
    message = issue_message(issue, site, settings)
    stem = f"{settings.folder.strip('/')}/{issue.stem}"
    files = {
        f"{stem}.html": issue.html.encode("utf-8"),
        f"{stem}.txt": issue.text.encode("utf-8"),
        f"{stem}.eml": message.as_bytes(),
    }
    return NewsletterBuild(
        issue=issue, files=files, warnings=(*loaded.warnings, *notes, *issue.warnings)
    )
