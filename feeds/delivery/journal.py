"""The send job's memory, in one SQLite file: issues as frozen, the posts already announced, and a
row per (issue, subscriber) committed the moment the server accepts a message. A crash therefore
costs at most the one message that was in flight; nothing is lost and nothing else is repeated.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from feeds.errors import DeliveryError, OutputError

SCHEMA_VERSION = 3
# Each entry takes the schema from the version before it to its own number; later releases
# append, never edit, so any older journal can be brought up to date.
MIGRATIONS = {
    1: """
    CREATE TABLE issues (
        id INTEGER PRIMARY KEY,
        stem TEXT NOT NULL,
        subject TEXT NOT NULL,
        html TEXT NOT NULL,
        text TEXT NOT NULL,
        sent_date TEXT NOT NULL,
        created_at TEXT NOT NULL,
        completed_at TEXT
    );
    CREATE TABLE issue_posts (
        issue_id INTEGER NOT NULL REFERENCES issues(id),
        post_id TEXT NOT NULL,
        title TEXT NOT NULL,
        published TEXT NOT NULL,
        PRIMARY KEY (issue_id, post_id)
    );
    CREATE TABLE seen_posts (
        post_id TEXT PRIMARY KEY,
        issue_id INTEGER NOT NULL REFERENCES issues(id)
    );
    CREATE TABLE deliveries (
        issue_id INTEGER NOT NULL REFERENCES issues(id),
        subscriber TEXT NOT NULL,
        address TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        message_id TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (issue_id, subscriber)
    );
    """,
    # Deferrals are bounded (refusals: the recipient's own 4xx replies, counted from the first
    # one) and a line lost after the message went out counts toward a cap of its own.
    2: """
    ALTER TABLE deliveries ADD COLUMN refusals INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE deliveries ADD COLUMN first_refused_at TEXT;
    ALTER TABLE deliveries ADD COLUMN unconfirmed INTEGER NOT NULL DEFAULT 0;
    """,
    # The subscriber roster and its suppression list: one row per address ever seen, its status
    # (active, or why it must never be mailed again), and every change to it with who and how.
    3: """
    CREATE TABLE roster (
        subscriber TEXT PRIMARY KEY,
        address TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL
            CHECK (status IN ('active', 'unsubscribed', 'bounced', 'complained')),
        changed_at TEXT NOT NULL
    );
    CREATE TABLE roster_events (
        id INTEGER PRIMARY KEY,
        subscriber TEXT NOT NULL,
        status TEXT NOT NULL,
        actor TEXT NOT NULL,
        how TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX roster_events_by_subscriber ON roster_events (subscriber, id);
    CREATE TABLE soft_bounces (
        subscriber TEXT PRIMARY KEY,
        in_a_row INTEGER NOT NULL,
        last_at TEXT NOT NULL
    );
    CREATE TABLE mail_read (
        digest TEXT PRIMARY KEY,
        read_at TEXT NOT NULL
    )
    """,
}
TABLES = (
    "issues", "issue_posts", "seen_posts", "deliveries",
    "roster", "roster_events", "soft_bounces", "mail_read",
)  # fmt: skip
FIX = "move it aside and run again (the next run starts a new journal and sends only the latest posts)"


@dataclass(frozen=True)
class StoredIssue:
    id: int
    stem: str
    subject: str
    html: str
    text: str
    sent_date: datetime
    post_titles: tuple[str, ...]
    created_at: datetime | None = None


@dataclass(frozen=True)
class Delivery:
    """What the journal knows of one subscriber and one issue."""

    status: str
    attempts: int = 0
    refusals: int = 0
    first_refused_at: datetime | None = None
    unconfirmed: int = 0


@dataclass(frozen=True)
class RosterRow:
    """One address the journal knows: ``status`` is ``active`` or the reason it is suppressed."""

    key: str
    address: str
    name: str
    status: str
    changed_at: datetime


@dataclass(frozen=True)
class RosterEvent:
    """One audited change: who (``actor``), how, when, and the status it set."""

    key: str
    status: str
    actor: str
    how: str
    at: datetime


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold ``path`` locked for the block, or fail at once if another process holds it.
    The kernel drops the lock when the process dies, even by SIGKILL."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise OutputError(
            f"{path}: cannot create the send lock: {error.strerror or error} "
            "(the journal's folder must be writable; see [delivery] state)"
        ) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DeliveryError(
                f"another 'feeds send' is running (it holds {path}); this run sends nothing"
            ) from None
        yield
    finally:
        os.close(handle)


class Journal:
    """The journal of one file. Every SQLite problem becomes one ``OutputError`` line that names
    the file and what to do, never a traceback."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.db = connection
        self.path = path
        self.identity = file_identity(path)

    @classmethod
    def open(cls, path: Path) -> Journal:
        """Open (or create, readable by its owner only), migrate and check the journal at
        ``path``; it must be writable, or nothing may be sent."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not path.exists():
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            connection = connect(path)
        except (OSError, sqlite3.Error) as error:
            raise OutputError(f"{path}: cannot open the send journal: {error} ({FIX})") from None
        journal = cls(connection, path)
        try:
            journal.migrate(path)
            journal.check_tables()
            journal.check_writable()
        except BaseException:
            journal.close()
            raise
        return journal

    @classmethod
    def open_read_only(cls, path: Path) -> Journal | None:
        """The journal as it is, for --dry-run and --to; None if there is none yet."""
        if not path.exists():
            return None
        try:
            connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            version = connection.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.Error as error:
            raise OutputError(f"{path}: cannot read the send journal: {error} ({FIX})") from None
        journal = cls(connection, path)
        if version > SCHEMA_VERSION:
            journal.close()
            raise OutputError(
                f"{path}: journal schema {version} is newer than this release knows ({SCHEMA_VERSION})"
            )
        if version < SCHEMA_VERSION:
            journal.close()
            raise OutputError(f"{path}: journal schema {version}; run 'feeds send' to migrate it")
        journal.check_tables()
        return journal

    @contextmanager
    def guard(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            raise OutputError(f"{self.path}: the send journal failed: {error} ({FIX})") from None

    def migrate(self, path: Path) -> None:
        with self.guard():
            self.db.execute("PRAGMA synchronous = FULL")
            self.db.execute("PRAGMA foreign_keys = ON")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise OutputError(
                f"{path}: journal schema {version} is newer than this release knows ({SCHEMA_VERSION})"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                for statement in MIGRATIONS[target].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {target}")

    def check_tables(self) -> None:
        with self.guard():
            found = {name for (name,) in self.db.execute("SELECT name FROM sqlite_master")}
        missing = [table for table in TABLES if table not in found]
        if missing:
            raise OutputError(
                f"{self.path}: not a send journal (no table {', '.join(missing)}); {FIX}"
            )

    def check_writable(self) -> None:
        """Write once before anything is sent: a journal that cannot record a delivery must
        not let one happen."""
        with self.transaction():
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            self.db.execute(f"PRAGMA user_version = {int(version)}")

    def check_intact(self) -> None:
        """Stop at once when the file was deleted or replaced under the run: what it records
        from now on would be lost, and the next run would send everything again."""
        if file_identity(self.path) != self.identity:
            raise OutputError(
                f"{self.path}: the send journal was deleted or replaced during the run; "
                "stopped sending (restore it, or run again to start a new one)"
            )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.guard():
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    def open_issues(self) -> list[StoredIssue]:
        """Issues frozen but not finished, oldest first: they are resumed before a new one."""
        with self.guard():
            rows = self.db.execute(
                "SELECT id FROM issues WHERE completed_at IS NULL ORDER BY id"
            ).fetchall()
        return [self.issue(row[0]) for row in rows]

    def issue(self, issue_id: int) -> StoredIssue:
        with self.guard():
            id_, stem, subject, html, text, sent_date, created = self.db.execute(
                "SELECT id, stem, subject, html, text, sent_date, created_at FROM issues WHERE id = ?",
                (issue_id,),
            ).fetchone()
            titles = [
                title
                for (title,) in self.db.execute(
                    "SELECT title FROM issue_posts WHERE issue_id = ? ORDER BY published DESC, post_id",
                    (issue_id,),
                )
            ]
        return StoredIssue(
            id=id_,
            stem=stem,
            subject=subject,
            html=html,
            text=text,
            sent_date=datetime.fromisoformat(sent_date),
            post_titles=tuple(titles),
            created_at=datetime.fromisoformat(created),
        )

    def seen_post_ids(self) -> set[str]:
        with self.guard():
            return {post_id for (post_id,) in self.db.execute("SELECT post_id FROM seen_posts")}

    def freeze(
        self,
        *,
        stem: str,
        subject: str,
        html: str,
        text: str,
        sent_date: datetime,
        posts: Iterable[tuple[str, str, datetime]],
        seen: Iterable[str],
        now: datetime,
    ) -> StoredIssue:
        """Store an issue exactly as it will go out, with its posts, and mark every post
        published so far as announced, all in one transaction."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO issues (stem, subject, html, text, sent_date, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (stem, subject, html, text, sent_date.isoformat(), now.isoformat()),
            )
            issue_id = int(cursor.lastrowid or 0)
            self.db.executemany(
                "INSERT INTO issue_posts (issue_id, post_id, title, published) VALUES (?, ?, ?, ?)",
                [(issue_id, post_id, title, when.isoformat()) for post_id, title, when in posts],
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO seen_posts (post_id, issue_id) VALUES (?, ?)",
                [(post_id, issue_id) for post_id in seen],
            )
        return self.issue(issue_id)

    def deliveries(self, issue_id: int) -> dict[str, Delivery]:
        with self.guard():
            rows = self.db.execute(
                "SELECT subscriber, status, attempts, refusals, first_refused_at, unconfirmed "
                "FROM deliveries WHERE issue_id = ?",
                (issue_id,),
            ).fetchall()
        return {
            key: Delivery(
                status=status,
                attempts=attempts,
                refusals=refusals,
                first_refused_at=datetime.fromisoformat(first) if first else None,
                unconfirmed=unconfirmed,
            )
            for key, status, attempts, refusals, first, unconfirmed in rows
        }

    def statuses(self, issue_id: int) -> dict[str, str]:
        return {key: row.status for key, row in self.deliveries(issue_id).items()}

    def record(
        self,
        issue_id: int,
        subscriber: str,
        address: str,
        status: str,
        now: datetime,
        *,
        error: str | None = None,
        message_id: str | None = None,
        attempts: int = 0,
        refusals: int = 0,
        unconfirmed: int = 0,
    ) -> None:
        """Upsert one delivery row and commit it at once; the counts are added to the row's."""
        self.check_intact()
        first_refused = now.isoformat() if refusals else None
        with self.transaction():
            self.db.execute(
                """
                INSERT INTO deliveries
                    (issue_id, subscriber, address, status, attempts, last_error, message_id,
                     updated_at, refusals, first_refused_at, unconfirmed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (issue_id, subscriber) DO UPDATE SET
                    address = excluded.address,
                    status = excluded.status,
                    attempts = deliveries.attempts + excluded.attempts,
                    last_error = excluded.last_error,
                    message_id = COALESCE(excluded.message_id, deliveries.message_id),
                    updated_at = excluded.updated_at,
                    refusals = deliveries.refusals + excluded.refusals,
                    first_refused_at = COALESCE(deliveries.first_refused_at, excluded.first_refused_at),
                    unconfirmed = deliveries.unconfirmed + excluded.unconfirmed
                """,
                (
                    issue_id, subscriber, address, status, attempts, error, message_id,
                    now.isoformat(), refusals, first_refused, unconfirmed,
                ),
            )  # fmt: skip

    def complete(self, issue_id: int, now: datetime) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE issues SET completed_at = ? WHERE id = ?", (now.isoformat(), issue_id)
            )

    # The roster and suppression list (see feeds/delivery/suppression.py for what they mean).

    @staticmethod
    def peek_roster(path: Path) -> list[RosterRow]:
        """The roster as it is, creating and migrating nothing: [] when there is none (yet).
        The send reads it before taking its lock, to know whether a CSV is needed at all."""
        if not path.exists():
            return []
        try:
            connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                rows = connection.execute(
                    "SELECT subscriber, address, name, status, changed_at FROM roster"
                ).fetchall()
            finally:
                connection.close()
        except sqlite3.Error:
            return []
        return [RosterRow(k, a, n, s, datetime.fromisoformat(c)) for k, a, n, s, c in rows]

    def roster(self) -> list[RosterRow]:
        return [
            RosterRow(key, address, name, status, datetime.fromisoformat(changed))
            for key, address, name, status, changed in self.db.execute(
                "SELECT subscriber, address, name, status, changed_at FROM roster ORDER BY subscriber"
            )
        ]

    def roster_row(self, key: str) -> RosterRow | None:
        row = self.db.execute(
            "SELECT subscriber, address, name, status, changed_at FROM roster WHERE subscriber = ?",
            (key,),
        ).fetchone()
        if row is None:
            return None
        return RosterRow(row[0], row[1], row[2], row[3], datetime.fromisoformat(row[4]))

    def suppressed(self) -> dict[str, str]:
        """Every suppressed address (by key) and why."""
        return dict(
            self.db.execute("SELECT subscriber, status FROM roster WHERE status != 'active'")
        )

    def set_status(
        self,
        key: str,
        address: str,
        status: str,
        *,
        actor: str,
        how: str,
        now: datetime,
        name: str | None = None,
    ) -> None:
        """Record ``status`` for the address and the audited change, in one transaction."""
        self.set_statuses([(key, address, name)], status, actor=actor, how=how, now=now)

    def set_statuses(
        self,
        people: Iterable[tuple[str, str, str | None]],
        status: str,
        *,
        actor: str,
        how: str,
        now: datetime,
    ) -> None:
        """``set_status`` for each (key, address, name), all in one transaction (an import of
        thousands of rows costs one disk sync, not thousands). A name of None keeps the old."""
        with self.transaction():
            for key, address, name in people:
                self.db.execute(
                    """
                    INSERT INTO roster (subscriber, address, name, status, changed_at)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (subscriber) DO UPDATE SET
                        address = excluded.address,
                        name = COALESCE(?, roster.name),
                        status = excluded.status,
                        changed_at = excluded.changed_at
                    """,
                    (key, address, name or "", status, now.isoformat(), name),
                )
                self.db.execute(
                    "INSERT INTO roster_events (subscriber, status, actor, how, at) VALUES (?, ?, ?, ?, ?)",
                    (key, status, actor, how, now.isoformat()),
                )
                if status == "active":
                    self.db.execute("DELETE FROM soft_bounces WHERE subscriber = ?", (key,))

    def events(self, key: str | None = None) -> list[RosterEvent]:
        query = "SELECT subscriber, status, actor, how, at FROM roster_events"
        rows = (
            self.db.execute(query + " WHERE subscriber = ? ORDER BY id", (key,))
            if key is not None
            else self.db.execute(query + " ORDER BY id")
        )
        return [RosterEvent(k, s, a, h, datetime.fromisoformat(at)) for k, s, a, h, at in rows]

    def soft_bounce(self, key: str, now: datetime) -> int:
        """Count one more soft bounce in a row for ``key``; returns the count."""
        with self.transaction():
            self.db.execute(
                """
                INSERT INTO soft_bounces (subscriber, in_a_row, last_at) VALUES (?, 1, ?)
                ON CONFLICT (subscriber) DO UPDATE SET
                    in_a_row = soft_bounces.in_a_row + 1, last_at = excluded.last_at
                """,
                (key, now.isoformat()),
            )
        row = self.db.execute(
            "SELECT in_a_row FROM soft_bounces WHERE subscriber = ?", (key,)
        ).fetchone()
        return int(row[0])

    def clear_soft_bounces(self, key: str) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM soft_bounces WHERE subscriber = ?", (key,))

    def sent_to(self, message_id: str) -> str | None:
        """The address a message of ours with this Message-ID was sent to, if any."""
        found = self.db.execute(
            "SELECT address FROM deliveries WHERE message_id = ? LIMIT 1", (message_id,)
        ).fetchone()
        return str(found[0]) if found else None

    def mail_was_read(self, digest: str) -> bool:
        """Whether a message of the bounce mailbox was handled by an earlier run."""
        found = self.db.execute("SELECT 1 FROM mail_read WHERE digest = ?", (digest,)).fetchone()
        return found is not None

    def mark_mail_read(self, digest: str, now: datetime) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO mail_read (digest, read_at) VALUES (?, ?)",
                (digest, now.isoformat()),
            )


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def file_identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino)
