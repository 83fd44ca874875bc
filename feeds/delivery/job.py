"""The scheduled send: pick the posts not yet announced, freeze them as an issue, deliver every
unfinished issue to every subscriber not yet served, and mark an issue complete only when
everyone is sent or has failed for good for a reason of their own. Safe to run from cron as
often as you like, and safe to kill at any moment.

Everything that can be checked is checked before an issue is frozen: the settings, the
subscriber file, ``--to``, the journal. After that, a failure is classed by where it happened:
the server refusing us (connection, greeting, login, the sender or relaying at any stage) stops
the run and leaves everyone pending; the same refusal for recipient after recipient stops that
issue only (a permanent one counting once toward those recipients' bounds, a temporary one
not at all); only a recipient's own refusal fails that recipient, and temporary ones only for
so long (``max_attempts``, ``max_days``)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from html import escape
from pathlib import Path

from feeds.config import SECRET_VARIABLE, Config, DeliverySettings
from feeds.content.model import LoadedPosts, published
from feeds.content.permalinks import entry_id
from feeds.content.render import render_post
from feeds.content.templating import prepare_templating
from feeds.delivery.journal import Delivery, Journal, RosterRow, StoredIssue, exclusive_lock
from feeds.delivery.smtp import SmtpTransport
from feeds.delivery.subscribers import Subscriber, address_problem
from feeds.delivery.suppression import (
    ACTIVE,
    BOUNCED,
    Audience,
    hard_bounce,
    listed_subscribers,
    suppress,
    without_suppressed,
)
from feeds.delivery.transport import Outcome, Transport
from feeds.delivery.unsubscribe import (
    personal_unsubscribe_link,
    unsubscribe_headers,
    unsubscribe_url,
)
from feeds.errors import ConfigError, DeliveryError, StrictError, UsageError
from feeds.newsletter.issue import UNSUBSCRIBE_MARKER, Issue, render_issue
from feeds.newsletter.message import build_message, require_sender
from feeds.newsletter.templates import load_templates

Progress = Callable[[int, int, str], None]
# The same permanent refusal for this many recipients in a row (or for every one of a shorter
# list, at least two) is the server refusing the sender or the message, not the recipients.
SAME_REFUSAL_STREAK = 3


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
class IssueSummary:
    issue: str
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    deferred: list[tuple[str, str]] = field(default_factory=list)
    skipped: int = 0


@dataclass
class SendSummary:
    issues: list[IssueSummary] = field(default_factory=list)
    # Addresses left out because they are suppressed, by reason (unsubscribed, bounced, …).
    suppressed: tuple[tuple[str, int], ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not any(i.failed or i.deferred for i in self.issues)


@dataclass(frozen=True)
class PlannedIssue:
    """An issue rendered from new posts but not yet frozen in the journal."""

    issue: Issue
    post_ids: tuple[str, ...]
    seen: tuple[str, ...]
    warnings: tuple[str, ...] = ()


TransportFactory = Callable[[Config], Transport]


def smtp_transport(config: Config) -> Transport:
    return SmtpTransport(config.smtp)


def run_send(
    config: Config,
    loaded: LoadedPosts,
    now: datetime,
    request: SendRequest,
    report: Reporter,
    transport: TransportFactory = smtp_transport,
) -> SendSummary:
    state = request.state or config.delivery.state
    check_settings(config, request, report)
    if request.dry_run or request.test_address is not None:
        return preview(config, loaded, now, request, state, report, transport)
    listed = audience(config, request, report, Journal.peek_roster(state))
    summary = SendSummary()
    with exclusive_lock(state.with_name(state.name + ".lock")):
        journal = Journal.open(state)
        try:
            # The suppression list as it is now, under the lock: the CSV never brings anyone back.
            chosen = someone(config, request, without_suppressed(journal.roster(), listed))
            check_one_click(config, request, report, chosen.subscribers)
            summary.suppressed = chosen.suppressed
            subscribers = chosen.subscribers
            issues = journal.open_issues()
            for stored in issues:
                report.log(
                    f"resuming issue {stored.stem}, frozen on {stored.sent_date.isoformat()}"
                )
            planned = plan_issue(config, loaded, now, journal.seen_post_ids(), request.full)
            if planned is not None:
                check_planned(planned, request, report, "nothing frozen or sent")
                issues.append(freeze(journal, planned, now))
            if not issues:
                report.log("nothing new: every published post has been sent already")
                return summary
            # Recipients a "same refusal" stopped in one issue come last in the others.
            affected: set[str] = set()
            with transport(config) as mailer:
                for stored in issues:
                    result = IssueSummary(stored.stem)
                    summary.issues.append(result)
                    try:
                        deliver(config, journal, stored, subscribers, now, result, report, mailer, affected)  # fmt: skip
                    except SameRefusal as error:
                        # One issue refused for some recipients never holds back the others:
                        # the next issue still goes to everyone it can reach.
                        summary.error = summary.error or str(error)
                        affected.update(error.keys)
                        continue
                    except DeliveryError as error:
                        # The server refused us or went away: what was sent is recorded, the
                        # rest stays pending for the next run.
                        summary.error = str(error)
                        break
                    if served(journal, stored, subscribers):
                        journal.complete(stored.id, now)
        finally:
            journal.close()
    return summary


def check_settings(config: Config, request: SendRequest, report: Reporter) -> None:
    """What can be wrong before anything is read or frozen: --to, the login, the sender."""
    if request.test_address is not None:
        problem = address_problem(request.test_address.strip())
        if problem:
            raise UsageError(f"--to: {request.test_address!r} {problem}")
    smtp = config.smtp
    if smtp.user and smtp.security == "none" and not smtp.allow_plaintext_auth:
        raise ConfigError(config.source, [("smtp.user", (
            "a login over security = \"none\" would send the password in clear; use "
            "security = \"starttls\" or \"ssl\" (or set allow_plaintext_auth = true)"))])  # fmt: skip
    delivery = config.delivery
    addresses = [("newsletter.from_address", require_sender(config.newsletter))]
    if delivery.unsubscribe_mailto:
        addresses.append(("delivery.unsubscribe_mailto", delivery.unsubscribe_mailto))
    problems = [
        (key, f"{address!r} {problem}")
        for key, address in addresses
        if (problem := address_problem(address))
    ]
    if problems:
        raise ConfigError(config.source, problems)
    if not delivery.unsubscribe_mailto and not delivery.unsubscribe_url:
        report.warn(
            "messages go out without List-Unsubscribe: set [delivery] unsubscribe_url "
            "or unsubscribe_mailto"
        )
        if request.strict:
            raise StrictError(1, "nothing frozen or sent")


def audience(
    config: Config, request: SendRequest, report: Reporter, roster: Sequence[RosterRow]
) -> tuple[Subscriber, ...]:
    """Everyone the CSV lists, every bad row reported; no one at all (in the CSV or the
    journal's roster) is an error, before anything is frozen or counted as announced. The
    suppressed are left out by ``without_suppressed`` under the journal's lock."""
    found = listed_subscribers(config.delivery, request.subscribers, roster)
    warnings = list(found.warnings)
    delivery = config.delivery
    if delivery.unsubscribe_url and not delivery.unsubscribe_mailto:
        warnings.extend(
            f"{subscriber.email} has no token for unsubscribe_url: "
            "their message goes out without List-Unsubscribe"
            for subscriber in found.subscribers
            if unsubscribe_url(delivery, subscriber) is None
        )
    for warning in warnings:
        report.warn(warning)
    if not found.subscribers and not any(row.status == ACTIVE for row in roster):
        raise no_one(config, request, "every row is empty or skipped")
    if request.strict and warnings:
        raise StrictError(len(warnings), "nothing frozen or sent")
    return found.subscribers


def someone(config: Config, request: SendRequest, chosen: Audience) -> Audience:
    """``chosen``, unless the suppression list leaves nobody: then nothing is frozen or counted
    as announced, as for a list with no usable row."""
    if not chosen.subscribers:
        counts = ", ".join(f"{n} {why}" for why, n in chosen.suppressed)
        raise no_one(config, request, f"all {chosen.suppressed_count} are suppressed: {counts}")
    return chosen


def no_one(config: Config, request: SendRequest, why: str) -> ConfigError:
    where = request.subscribers or config.delivery.subscribers or config.source
    return ConfigError(where, [("subscribers", f"no address to send to ({why}); nothing frozen or sent")])  # fmt: skip


def check_one_click(
    config: Config, request: SendRequest, report: Reporter, subscribers: Sequence[Subscriber]
) -> None:
    """Without the signing secret, ``{token}`` in unsubscribe_url comes from the CSV's token
    column; whoever has none (everyone added to the journal's roster, too) gets no one-click
    link. Said once, naming the variable; an error under --strict."""
    delivery = config.delivery
    if delivery.secret or "{token}" not in (delivery.unsubscribe_url or ""):
        return
    missing = sum(1 for subscriber in subscribers if not subscriber.token)
    if not missing:
        return
    report.warn(
        f"{missing} subscriber(s) get no one-click unsubscribe link: [delivery] unsubscribe_url "
        f"uses {{token}} and {SECRET_VARIABLE} is not set (set it to the secret "
        "'feeds serve-subscriptions' runs with)"
    )
    if request.strict:
        raise StrictError(1, "nothing frozen or sent")


def check_planned(planned: PlannedIssue, request: SendRequest, report: Reporter, what: str) -> None:
    warnings = (*planned.warnings, *planned.issue.warnings)
    for warning in warnings:
        report.warn(warning)
    if request.strict and warnings:
        raise StrictError(len(warnings), what)
    if planned.issue.clipped:
        raise ConfigError("newsletter", [("size", (
            "the issue is over Gmail's clipping size even with every post as a summary; "
            f"{what} (send fewer posts: lower [newsletter] latest)"))])  # fmt: skip


def plan_issue(
    config: Config, loaded: LoadedPosts, now: datetime, seen: set[str], full: bool
) -> PlannedIssue | None:
    """The posts published and not yet announced, newest first. The first run takes the
    latest N and counts everything older as announced, so it never sends the archive; so does
    a run that knows none of the posts' ids (a new domain or ``since`` changed every one)."""
    site = config.site
    live = published(loaded.posts, now)
    ids = {post.source: entry_id(post, site) for post in live}
    fresh = [post for post in live if ids[post.source] not in seen]
    warnings: list[str] = []
    if seen and live and not seen & set(ids.values()):
        warnings.append(
            f"none of the {len(live)} published posts has an id the send journal knows (did "
            "[site] base_url's domain or since change?); sending only the latest "
            f"{config.newsletter.latest}, as on a first run, and counting the rest as announced"
        )
    if not seen or warnings:
        fresh = fresh[: config.newsletter.latest]
    if not fresh:
        return None
    templates = load_templates(config.newsletter.templates_dir)
    templating = prepare_templating(site, loaded.posts)
    entries = [render_post(post, site, templating=templating) for post in fresh]
    issue = render_issue(
        site, config.newsletter, templates, entries, "issue",
        full=full or config.delivery.full, unsubscribe_url=unsubscribe_marker(config.delivery),
    )  # fmt: skip
    return PlannedIssue(
        issue=issue,
        post_ids=tuple(ids[post.source] for post in fresh),
        seen=tuple(sorted(ids.values())),
        warnings=tuple(warnings),
    )


def unsubscribe_marker(delivery: DeliverySettings) -> str:
    return UNSUBSCRIBE_MARKER if delivery.unsubscribe_url or delivery.unsubscribe_mailto else ""


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


def served(journal: Journal, issue: StoredIssue, subscribers: Sequence[Subscriber]) -> bool:
    """Everyone sent or failed for good, but for those who left during the run."""
    statuses = journal.statuses(issue.id)
    gone = journal.suppressed()
    return all(statuses.get(s.key) in ("sent", "failed") or s.key in gone for s in subscribers)


def left_during_run(journal: Journal, subscriber: Subscriber) -> str | None:
    """Why a subscriber is suppressed now (an unsubscribe while the run sends), or None. The
    audience was read at the start of the run; this one-row query is made before each message."""
    row = journal.roster_row(subscriber.key)
    return row.status if row is not None and row.status != ACTIVE else None


class SameRefusal(DeliveryError):
    """The same refusal for recipient after recipient: the server's answer to this message or
    to us. It stops this issue for the run; ``keys`` are the recipients it held."""

    def __init__(self, message: str, keys: Sequence[str]) -> None:
        super().__init__(message)
        self.keys = tuple(keys)


@dataclass(frozen=True)
class Held:
    subscriber: Subscriber
    row: Delivery
    outcome: Outcome
    message: EmailMessage


@dataclass
class Refusals:
    """Refusals (permanent, or temporary ones the server counted as the recipient's) held back
    until it is clear whose they are: the same reply for recipient after recipient is the
    server's answer to us, and fails or counts against nobody."""

    held: list[Held] = field(default_factory=list)

    def same(self, outcome: Outcome) -> bool:
        return not self.held or reply_key(outcome.error) == reply_key(self.held[0].outcome.error)


def held_back(outcome: Outcome, subscriber: Subscriber) -> bool:
    """Whether a refusal waits to see if the next recipients get the same one."""
    refused = outcome.status == "failed" or (outcome.status == "deferred" and outcome.refusals > 0)
    return refused and not about_recipient(outcome, subscriber)


def reply_key(reply: str | None) -> str:
    """A reply without what servers vary per message (queue ids, times, anything in brackets),
    to tell the same refusal given twice."""
    code, _, text = (reply or "").partition(" ")
    text = re.sub(r"<[^>]*>|\[[^\]]*\]|\([^)]*\)", " ", text)
    words = [word for word in text.split() if not any(char.isdigit() for char in word)]
    status = text.split()[0] if re.match(r"[245]\.\d", text) else ""
    return " ".join([code, status, *words]).lower()


# RFC 3463 classes X.1 (addressing) and X.2 (mailbox) are about the recipient, except X.1.7
# and X.1.8, which are about the sender's address.
RECIPIENT_STATUS = re.compile(r"^\d{3} [45]\.(?:1\.(?![78]\b)|2\.)\d{1,3}\b")


def about_recipient(outcome: Outcome, subscriber: Subscriber) -> bool:
    """A refusal that is plainly this recipient's own: it names their address, or its enhanced
    status says the mailbox or address is the problem. Such a refusal is never the server's
    answer to us, however many recipients in a row get one."""
    reply = outcome.error or ""
    return subscriber.email.lower() in reply.lower() or bool(RECIPIENT_STATUS.match(reply))


def deliver(
    config: Config,
    journal: Journal,
    issue: StoredIssue,
    subscribers: Sequence[Subscriber],
    now: datetime,
    summary: IssueSummary,
    report: Reporter,
    mailer: Transport,
    affected: set[str] | None = None,
) -> None:
    rows = journal.deliveries(issue.id)
    todo = [s for s in subscribers if getattr(rows.get(s.key), "status", None) not in ("sent", "failed")]  # fmt: skip
    # Those never tried go first, those tried before (deferred, or held in a same-refusal stop)
    # after them, and those a same refusal stopped in an earlier issue of this run last: a few
    # troubled addresses never keep the rest of the list waiting.
    stopped = affected or set()
    todo.sort(key=lambda s: (s.key in stopped, s.key in rows))
    summary.skipped = len(subscribers) - len(todo)
    streak = min(SAME_REFUSAL_STREAK, len(todo)) if len(todo) >= 2 else SAME_REFUSAL_STREAK
    sender = require_sender(config.newsletter)
    held = Refusals()
    for done, subscriber in enumerate(todo, start=1):
        journal.check_intact()
        row = rows.get(subscriber.key) or Delivery(status="pending")
        gone = left_during_run(journal, subscriber)
        if gone:
            summary.skipped += 1
            report.log(f"not sent: {subscriber.email}: {gone} during the run")
        elif not settle_without_sending(config.delivery, journal, issue, subscriber, row, now, summary, report):  # fmt: skip
            message = personal_message(config, issue, subscriber)
            outcome = mailer.send(message, sender, subscriber.email)
            if held_back(outcome, subscriber):
                if not held.same(outcome):
                    release(config.delivery, journal, issue, held, now, summary, report)
                held.held.append(Held(subscriber, row, outcome, message))
                if len(held.held) >= streak:
                    stop_for_same_refusal(journal, issue, held, now)
            else:
                release(config.delivery, journal, issue, held, now, summary, report)
                record(config.delivery, journal, issue, subscriber, row, outcome, message, now, summary, report)  # fmt: skip
        report.progress(done, len(todo), subscriber.email)
    release(config.delivery, journal, issue, held, now, summary, report)


def settle_without_sending(
    delivery: DeliverySettings,
    journal: Journal,
    issue: StoredIssue,
    subscriber: Subscriber,
    row: Delivery,
    now: datetime,
    summary: IssueSummary,
    report: Reporter,
) -> bool:
    """Close a subscriber's delivery without a new message when the bounds are reached: sent
    unconfirmed too often already, or refused for too long. True if closed."""
    if row.unconfirmed >= delivery.max_unconfirmed:
        note = f"sent {row.unconfirmed} time(s) without the server's confirmation; not sent again"
        journal.record(issue.id, subscriber.key, subscriber.email, "sent", now, error=note)
        summary.sent.append(subscriber.email)
        report.log(f"counted as sent: {subscriber.email}: {note}")
        return True
    reason = given_up(delivery, row, now)
    if reason:
        journal.record(issue.id, subscriber.key, subscriber.email, "failed", now, error=reason)
        summary.failed.append((subscriber.email, reason))
        report.log(f"failed for good: {subscriber.email}: {reason}")
        return True
    return False


def given_up(delivery: DeliverySettings, row: Delivery, now: datetime) -> str | None:
    """Why a subscriber whose server keeps refusing for now is failed for good, or None."""
    if row.refusals >= delivery.max_attempts:
        return f"refused {row.refusals} times (max_attempts = {delivery.max_attempts})"
    if row.first_refused_at and now - row.first_refused_at >= timedelta(days=delivery.max_days):
        return (
            f"still refused {delivery.max_days:g} day(s) after the first refusal "
            f"(max_days = {delivery.max_days:g})"
        )
    return None


def record(
    delivery: DeliverySettings,
    journal: Journal,
    issue: StoredIssue,
    subscriber: Subscriber,
    row: Delivery,
    outcome: Outcome,
    message: EmailMessage,
    now: datetime,
    summary: IssueSummary,
    report: Reporter,
) -> None:
    email = subscriber.email
    message_id = message["Message-ID"] if outcome.status in ("sent", "unconfirmed") else None
    unconfirmed = 1 if outcome.status == "unconfirmed" else 0
    status = outcome.status if outcome.status in ("sent", "failed") else "pending"
    error = outcome.error
    if unconfirmed and row.unconfirmed + 1 >= delivery.max_unconfirmed:
        status = "sent"
    elif outcome.status == "deferred" and outcome.refusals:
        after = Delivery(
            status="pending",
            refusals=row.refusals + outcome.refusals,
            first_refused_at=row.first_refused_at or now,
        )
        reason = given_up(delivery, after, now)
        if reason:
            status, error = "failed", f"{reason}; last: {outcome.error}"
    journal.record(
        issue.id, subscriber.key, email, status, now, error=error, message_id=message_id,
        attempts=outcome.attempts, refusals=outcome.refusals, unconfirmed=unconfirmed,
    )  # fmt: skip
    if status == "sent":
        summary.sent.append(email)
        if unconfirmed:
            report.log(f"counted as sent: {email}: {outcome.error}")
    elif status == "failed":
        summary.failed.append((email, error or ""))
        report.log(f"failed for good: {email}: {error}")
        if hard_bounce(error):
            suppress(journal, email, BOUNCED, actor="feeds send",
                     how=f"SMTP refusal: {error}", now=now)  # fmt: skip
    else:
        summary.deferred.append((email, outcome.error or ""))
        report.log(f"deferred to the next run: {email}: {outcome.error}")


def release(
    delivery: DeliverySettings,
    journal: Journal,
    issue: StoredIssue,
    held: Refusals,
    now: datetime,
    summary: IssueSummary,
    report: Reporter,
) -> None:
    """The held refusals were the recipients' own: fail them for good (permanent ones) or
    count them (temporary ones)."""
    for item in held.held:
        subscriber, outcome = item.subscriber, item.outcome
        if outcome.status != "failed":
            record(delivery, journal, issue, subscriber, item.row, outcome, item.message, now, summary, report)  # fmt: skip
            continue
        journal.record(
            issue.id, subscriber.key, subscriber.email, "failed", now,
            error=outcome.error, attempts=outcome.attempts,
        )  # fmt: skip
        summary.failed.append((subscriber.email, outcome.error or ""))
        report.log(f"failed for good: {subscriber.email}: {outcome.error}")
    held.held.clear()


def stop_for_same_refusal(
    journal: Journal, issue: StoredIssue, held: Refusals, now: datetime
) -> None:
    # A permanent refusal held this way still counts once toward each recipient's
    # max_attempts and max_days, so an issue a server keeps refusing for a few recipients
    # (a DMARC policy of one provider, say) completes in the end; a temporary one is not
    # counted: it is the server's state, not theirs.
    permanent = held.held[-1].outcome.status == "failed"
    for item in held.held:
        journal.record(
            issue.id, item.subscriber.key, item.subscriber.email, "pending", now,
            error=item.outcome.error, attempts=item.outcome.attempts, refusals=int(permanent),
        )  # fmt: skip
    reply = held.held[-1].outcome.error
    keys = [item.subscriber.key for item in held.held]
    held.held.clear()
    counted = (
        "each counts once toward max_attempts and max_days"
        if permanent
        else "no refusal was counted against them"
    )
    raise SameRefusal(
        f"the SMTP server gave {len(keys)} recipients in a row the same refusal ({reply}): it is "
        f"refusing the sender or the message, not them; nobody was marked failed ({counted})",
        keys,
    )


def personal_message(config: Config, issue: StoredIssue, subscriber: Subscriber) -> EmailMessage:
    """The frozen issue addressed to one subscriber, with their own unsubscribe link in place
    of the marker. Its Message-ID is derived from the issue and the address, so a message
    re-sent after a crash carries the same id as the first."""
    digest = hashlib.sha256(f"{issue.id}\0{issue.stem}\0{subscriber.key}".encode()).hexdigest()[:24]
    domain = config.site.domain or "localhost"
    link = personal_unsubscribe_link(config, subscriber)
    return build_message(
        subject=issue.subject,
        sender_name=config.newsletter.from_name,
        sender_address=require_sender(config.newsletter),
        to=Address(display_name=subscriber.name, addr_spec=subscriber.email),
        html=issue.html.replace(UNSUBSCRIBE_MARKER, escape(link)),
        text=issue.text.replace(UNSUBSCRIBE_MARKER, link),
        date=issue.sent_date,
        message_id=f"<{issue.stem}.{digest}@{domain}>",
        extra_headers=unsubscribe_headers(config.delivery, subscriber),
    )


def preview(
    config: Config,
    loaded: LoadedPosts,
    now: datetime,
    request: SendRequest,
    state: Path,
    report: Reporter,
    transport: TransportFactory,
) -> SendSummary:
    """--dry-run lists who would get what; --to sends one test copy. Neither touches the journal."""
    journal = Journal.open_read_only(state)
    try:
        issues = journal.open_issues() if journal else []
        seen = journal.seen_post_ids() if journal else set()
        statuses = {i.id: journal.statuses(i.id) for i in issues} if journal else {}
        roster = journal.roster() if journal else []
    finally:
        if journal:
            journal.close()
    summary = SendSummary()
    planned = plan_issue(config, loaded, now, seen, request.full)
    if planned is None and not issues and request.test_address is not None:
        # Nothing new to announce: a test copy shows the latest posts instead.
        planned = plan_issue(config, loaded, now, set(), request.full)
    if planned is not None:
        check_planned(planned, request, report, "nothing sent")
        issues.append(StoredIssue(
            id=0, stem=planned.issue.stem, subject=planned.issue.subject,
            html=planned.issue.html, text=planned.issue.text, sent_date=now,
            post_titles=tuple(p.title for p in planned.issue.posts),
        ))  # fmt: skip
    if not issues:
        report.log("nothing new: every published post has been sent already")
        return summary
    if request.test_address is not None:
        return send_test_copy(config, issues[-1], request.test_address.strip(), transport)
    chosen = someone(
        config, request, without_suppressed(roster, audience(config, request, report, roster))
    )
    check_one_click(config, request, report, chosen.subscribers)
    summary.suppressed = chosen.suppressed
    subscribers = chosen.subscribers
    for issue in issues:
        result = IssueSummary(issue.stem)
        summary.issues.append(result)
        done = statuses.get(issue.id, {})
        report.log(f"would send {issue.stem}: {issue.subject!r} with {len(issue.post_titles)} post(s):")  # fmt: skip
        for title in issue.post_titles:
            report.log(f"  - {title}")
        for subscriber in subscribers:
            if done.get(subscriber.key) in ("sent", "failed"):
                result.skipped += 1
                continue
            report.log(f"  to {subscriber.email}")
            result.sent.append(subscriber.email)
    return summary


def send_test_copy(
    config: Config, issue: StoredIssue, address: str, transport: TransportFactory
) -> SendSummary:
    test = Subscriber(email=address)
    result = IssueSummary(issue.stem)
    with transport(config) as mailer:
        outcome = mailer.send(
            personal_message(config, issue, test), require_sender(config.newsletter), test.email
        )
    if outcome.status == "sent":
        result.sent.append(test.email)
    else:
        result.failed.append((test.email, outcome.error or ""))
    return SendSummary(issues=[result])
