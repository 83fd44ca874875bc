"""The scheduled send: pick the posts not yet announced, freeze them as an issue, deliver it to
every subscriber not yet served, and mark it complete only when everyone is sent or has failed
for good. Safe to run from cron as often as you like, and safe to kill at any moment."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

from feeds.config import Config, DeliverySettings
from feeds.content.model import LoadedPosts, published
from feeds.content.permalinks import entry_id
from feeds.content.render import render_post
from feeds.delivery.journal import Journal, StoredIssue, exclusive_lock
from feeds.delivery.smtp import SmtpTransport
from feeds.delivery.subscribers import Subscriber, SubscriberList
from feeds.delivery.suppression import (
    BOUNCED,
    hard_bounce,
    listed_subscribers,
    suppress,
    without_suppressed,
)
from feeds.delivery.tokens import unsubscribe_token
from feeds.errors import DeliveryError, StrictError
from feeds.newsletter.issue import Issue, render_issue
from feeds.newsletter.message import build_message, require_sender
from feeds.newsletter.templates import load_templates

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Reporter:
    """Where the job tells a person what it does: plain lines, warnings, per-message progress."""

    log: Callable[[str], None]
    warn: Callable[[str], None]
    progress: Progress


@dataclass(frozen=True)
class SendRequest:
    dry_run: bool = False
    test_address: str | None = None
    full: bool = False
    subscribers: Path | None = None
    state: Path | None = None
    strict: bool = False


@dataclass
class SendSummary:
    issue: str | None = None
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    deferred: list[tuple[str, str]] = field(default_factory=list)
    skipped: int = 0
    # Addresses left out because they are suppressed, by reason (unsubscribed, bounced, …).
    suppressed: tuple[tuple[str, int], ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failed and not self.deferred and self.error is None


@dataclass(frozen=True)
class PlannedIssue:
    """An issue rendered from new posts but not yet frozen in the journal."""

    issue: Issue
    post_ids: tuple[str, ...]
    seen: tuple[str, ...]


def run_send(
    config: Config,
    loaded: LoadedPosts,
    now: datetime,
    request: SendRequest,
    report: Reporter,
) -> SendSummary:
    state = request.state or config.delivery.state
    if request.dry_run or request.test_address:
        return preview(config, loaded, now, request, state, report)
    summary = SendSummary()
    with exclusive_lock(state.with_name(state.name + ".lock")):
        journal = Journal.open(state)
        try:
            roster = journal.roster()
            listed = listed_subscribers(config.delivery, request.subscribers, roster)
            for warning in listed.warnings:
                report.warn(warning)
            audience = without_suppressed(roster, listed.subscribers)
            summary.suppressed = audience.suppressed
            issue = journal.open_issue()
            if issue is not None:
                report.log(f"resuming issue {issue.stem}, frozen on {issue.sent_date.isoformat()}")
            else:
                planned = plan_issue(config, loaded, now, journal.seen_post_ids(), request.full)
                if planned is None:
                    report.log("nothing new: every published post has been sent already")
                    return summary
                for warning in planned.issue.warnings:
                    report.warn(warning)
                if request.strict and planned.issue.warnings:
                    raise StrictError(len(planned.issue.warnings), "nothing frozen or sent")
                issue = freeze(journal, planned, now)
            summary.issue = issue.stem
            try:
                deliver(config, journal, issue, audience.subscribers, now, summary, report)
            except DeliveryError as error:
                # The server went away for good: what was sent is recorded, the rest waits.
                summary.error = str(error)
            # Complete once everyone is sent or failed for good; a deferral or a lost server
            # leaves the issue open for the next run to resume.
            if not summary.deferred and summary.error is None:
                journal.complete(issue.id, now)
        finally:
            journal.close()
    return summary


def plan_issue(
    config: Config, loaded: LoadedPosts, now: datetime, seen: set[str], full: bool
) -> PlannedIssue | None:
    """The posts published and not yet announced, newest first; the first run takes the
    latest N and counts everything older as announced, so it never sends the archive."""
    site = config.site
    live = published(loaded.posts, now)
    ids = {post.slug: entry_id(post, site) for post in live}
    fresh = [post for post in live if ids[post.slug] not in seen]
    if not seen:
        fresh = fresh[: config.newsletter.latest]
    if not fresh:
        return None
    templates = load_templates(config.newsletter.templates_dir)
    entries = [render_post(post, site) for post in fresh]
    issue = render_issue(
        site, config.newsletter, templates, entries, "issue", full=full or config.delivery.full
    )
    return PlannedIssue(
        issue=issue,
        post_ids=tuple(ids[post.slug] for post in fresh),
        seen=tuple(sorted(ids.values())),
    )


def freeze(journal: Journal, planned: PlannedIssue, now: datetime) -> StoredIssue:
    return journal.freeze(
        stem=planned.issue.stem,
        subject=planned.issue.subject,
        html=planned.issue.html,
        text=planned.issue.text,
        sent_date=now,
        posts=[
            (pid, post.title, post.date)
            for pid, post in zip(planned.post_ids, planned.issue.posts, strict=True)
        ],
        seen=planned.seen,
        now=now,
    )


def deliver(
    config: Config,
    journal: Journal,
    issue: StoredIssue,
    subscribers: Sequence[Subscriber],
    now: datetime,
    summary: SendSummary,
    report: Reporter,
) -> None:
    statuses = journal.statuses(issue.id)
    todo = [s for s in subscribers if statuses.get(s.key) not in ("sent", "failed")]
    summary.skipped = len(subscribers) - len(todo)
    sender = require_sender(config.newsletter)
    with SmtpTransport(config.smtp) as mailer:
        for done, subscriber in enumerate(todo, start=1):
            message = personal_message(config, issue, subscriber)
            outcome = mailer.send(message, sender, subscriber.email)
            journal.record(
                issue.id, subscriber.key, subscriber.email, outcome.status if outcome.status != "deferred" else "pending",
                now, error=outcome.error, attempts=outcome.attempts,
                message_id=message["Message-ID"] if outcome.status == "sent" else None,
            )  # fmt: skip
            if outcome.status == "sent":
                summary.sent.append(subscriber.email)
            elif outcome.status == "failed":
                summary.failed.append((subscriber.email, outcome.error or ""))
                report.log(f"failed for good: {subscriber.email}: {outcome.error}")
                if hard_bounce(outcome.error):
                    suppress(journal, subscriber.email, BOUNCED, actor="feeds send",
                             how=f"SMTP refusal: {outcome.error}", now=now)  # fmt: skip
            else:
                summary.deferred.append((subscriber.email, outcome.error or ""))
                report.log(f"deferred to the next run: {subscriber.email}: {outcome.error}")
            report.progress(done, len(todo), subscriber.email)


def personal_message(config: Config, issue: StoredIssue, subscriber: Subscriber) -> EmailMessage:
    """The frozen issue addressed to one subscriber. Its Message-ID is derived from the issue
    and the address, so a message re-sent after a crash carries the same id as the first."""
    digest = hashlib.sha256(f"{issue.id}\0{issue.stem}\0{subscriber.key}".encode()).hexdigest()[:24]
    domain = config.site.domain or "localhost"
    return build_message(
        subject=issue.subject,
        sender_name=config.newsletter.from_name,
        sender_address=require_sender(config.newsletter),
        to=str(Address(display_name=" ".join(subscriber.name.split()), addr_spec=subscriber.email)),
        html=issue.html,
        text=issue.text,
        date=issue.sent_date,
        message_id=f"<{issue.stem}.{digest}@{domain}>",
        extra_headers=unsubscribe_headers(config.delivery, subscriber),
    )


def unsubscribe_headers(delivery: DeliverySettings, subscriber: Subscriber) -> dict[str, str]:
    """List-Unsubscribe (RFC 2369) with a mailto and/or an HTTPS link, and RFC 8058's one-click
    List-Unsubscribe-Post when there is a link."""
    targets = []
    if delivery.unsubscribe_mailto:
        subject = quote(f"unsubscribe {subscriber.email}")
        targets.append(f"<mailto:{delivery.unsubscribe_mailto}?subject={subject}>")
    url = unsubscribe_url(delivery, subscriber)
    if url:
        targets.append(f"<{url}>")
    headers = {"List-Unsubscribe": ", ".join(targets)} if targets else {}
    if url:
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def unsubscribe_url(delivery: DeliverySettings, subscriber: Subscriber) -> str | None:
    pattern = delivery.unsubscribe_url
    # With FEEDS_UNSUBSCRIBE_SECRET the token is signed (feeds serve-subscriptions checks it);
    # without, it is the CSV's token column, for an endpoint of your own.
    token = (
        unsubscribe_token(delivery.secret, subscriber.email)
        if delivery.secret
        else subscriber.token
    )
    if not pattern or ("{token}" in pattern and not token):
        return None
    return pattern.format(
        email=quote(subscriber.email, safe="@"), token=quote(token or "", safe="")
    )


def preview(
    config: Config,
    loaded: LoadedPosts,
    now: datetime,
    request: SendRequest,
    state: Path,
    report: Reporter,
) -> SendSummary:
    """--dry-run lists who would get what; --to sends one test copy. Neither touches the journal."""
    journal = Journal.open_read_only(state)
    try:
        issue = journal.open_issue() if journal else None
        seen = journal.seen_post_ids() if journal else set()
        statuses = journal.statuses(issue.id) if journal and issue else {}
        roster = journal.roster() if journal else []
        # A test copy goes to one address; the subscribers are only read for --dry-run.
        listed = (
            listed_subscribers(config.delivery, request.subscribers, roster)
            if not request.test_address
            else SubscriberList(())
        )
        audience = without_suppressed(roster, listed.subscribers)
    finally:
        if journal:
            journal.close()
    summary = SendSummary()
    if issue is None:
        planned = plan_issue(config, loaded, now, seen, request.full)
        if planned is None and request.test_address:
            # Nothing new to announce: a test copy shows the latest posts instead.
            planned = plan_issue(config, loaded, now, set(), request.full)
        if planned is None:
            report.log("nothing new: every published post has been sent already")
            return summary
        for warning in planned.issue.warnings:
            report.warn(warning)
        if request.strict and planned.issue.warnings:
            raise StrictError(len(planned.issue.warnings), "nothing sent")
        issue = StoredIssue(
            id=0, stem=planned.issue.stem, subject=planned.issue.subject,
            html=planned.issue.html, text=planned.issue.text, sent_date=now,
            post_titles=tuple(p.title for p in planned.issue.posts),
        )  # fmt: skip
    summary.issue = issue.stem
    if request.test_address:
        test = Subscriber(email=request.test_address)
        with SmtpTransport(config.smtp) as mailer:
            outcome = mailer.send(
                personal_message(config, issue, test), require_sender(config.newsletter), test.email
            )
        if outcome.status == "sent":
            summary.sent.append(test.email)
        else:
            summary.failed.append((test.email, outcome.error or ""))
        return summary
    for warning in listed.warnings:
        report.warn(warning)
    summary.suppressed = audience.suppressed
    report.log(f"would send {issue.stem}: {issue.subject!r} with {len(issue.post_titles)} post(s):")
    for title in issue.post_titles:
        report.log(f"  - {title}")
    for subscriber in audience.subscribers:
        if statuses.get(subscriber.key) in ("sent", "failed"):
            summary.skipped += 1
            continue
        report.log(f"  to {subscriber.email}")
        summary.sent.append(subscriber.email)
    return summary
