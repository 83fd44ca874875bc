"""The build cache, in a hidden folder: for every post file its size, mtime, content hash and
parsed frontmatter; for every rendered post its HTML; for every output its size and mtime.

It only ever saves work, never changes a result: its key holds the tool's version and a hash of
the settings, so a cache made under other settings or another release is ignored, and a file
that cannot be read or does not have the expected shape is ignored too and rebuilt. Standard
library only (and orjson, through jsontext): a rebuild that finds nothing changed never
imports the heavy libraries.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from feeds import __version__
from feeds.jsontext import compact

# 3: post records carry authors; renders drop comments and take blocks out of <p>.
# 4: post paths percent-encoded throughout and dated as the generator dates them; renders print
# Liquid tags alone in a block, drop links to missing posts.
# 5: no content hash per file (a render's key takes it from the file when it is rendered).
FORMAT = 5
# The state is all a rebuild with nothing to do reads: sizes, times, outputs. The parsed
# records and the renderings are read only when something changed.
STATE = "state.json"
RECORDS = "records.json"
RENDERS = "renders.json"


class FoundFile(Protocol):
    """What the cache needs of a post file found on disk (``content.files.FoundFile``)."""

    @property
    def relative(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def mtime_ns(self) -> int: ...


def cache_key(*parts: str) -> str:
    """The version, the cache format and everything else that shapes the outputs."""
    digest = hashlib.sha256()
    for part in (__version__, str(FORMAT), *parts):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass
class BuildCache:
    folder: Path
    key: str
    # Per post file: [size, mtime_ns].
    files: dict[str, list[int]] = field(default_factory=dict)
    outputs: dict[str, list[int]] = field(default_factory=dict)
    records: dict[str, dict[str, Any]] | None = None
    # The records of files parsed in this build, made when the cache is saved (while the
    # outputs' fsyncs are in flight) rather than one by one as the files are loaded.
    fresh: dict[str, Callable[[], dict[str, Any]]] = field(default_factory=dict)
    # Ties records.json to the state.json written with it; a pair torn apart by a crash
    # between the two writes does not match, and the records are then not trusted.
    records_id: str = ""
    # The earliest post date still in the future at the last build: once the clock passes it,
    # that post is due to appear although no file changed.
    next_publish: str | None = None
    renders: dict[str, dict[str, Any]] | None = None
    # Per feed folder, the key of what its files were made from (see build.feed_key).
    feeds: dict[str, str] = field(default_factory=dict)

    @classmethod
    def open(cls, folder: Path, key: str) -> BuildCache:
        """The cache in ``folder`` if it is ours and sound; otherwise an empty one."""
        state = read_json(folder / STATE)
        if not valid_state(state, key):
            return cls(folder=folder, key=key)
        feeds = state.get("feeds")
        return cls(
            folder=folder,
            key=key,
            files=state["files"],
            outputs=state["outputs"],
            next_publish=state.get("next_publish"),
            # A feed key of the wrong shape only means that feed is written again.
            feeds={
                name: value
                for name, value in (feeds.items() if isinstance(feeds, dict) else ())
                if isinstance(value, str)
            },
            records_id=str(state.get("records_id", "")),
        )

    def unchanged(self, found: Iterable[FoundFile], output_dir: Path, now: datetime) -> bool:
        """True when no post file, output file or due date differs from the last build."""
        if not self.outputs:
            return False
        if self.next_publish is not None and now >= datetime.fromisoformat(self.next_publish):
            return False
        seen = 0
        for item in found:
            entry = self.files.get(item.relative)
            if entry is None or entry[0] != item.size or entry[1] != item.mtime_ns:
                return False
            seen += 1
        if seen != len(self.files):
            return False
        return all(self.output_intact(output_dir, name) for name in self.outputs)

    def intact_feeds(
        self, output_dir: Path, paths_of: Callable[[str], Iterable[str]]
    ) -> dict[str, str]:
        """The feed keys whose files are on disk exactly as the last build left them."""
        intact = {}
        for folder, key in self.feeds.items():
            if all(self.output_intact(output_dir, name) for name in paths_of(folder)):
                intact[folder] = key
        return intact

    def output_intact(self, output_dir: Path, name: str) -> bool:
        recorded = self.outputs.get(name)
        try:
            info = (output_dir / name).stat()
        except OSError:
            return False
        return recorded == [info.st_size, info.st_mtime_ns]

    def lookup(self, item: FoundFile) -> dict[str, Any] | None:
        """The parsed record of ``item``, if its file has the size and modification time it
        had when the record was made."""
        entry = self.files.get(item.relative)
        if entry is None or entry[0] != item.size or entry[1] != item.mtime_ns:
            return None
        made = self.fresh.get(item.relative)
        record = made() if made is not None else self.load_records().get(item.relative)
        return record if isinstance(record, dict) else None

    def remember(
        self, relative: str, size: int, mtime_ns: int, record: Callable[[], dict[str, Any]]
    ) -> None:
        """The record ``record()`` makes, for the file ``relative`` as it was read: its size
        and time then."""
        self.files[relative] = [size, mtime_ns]
        self.fresh[relative] = record

    def forget_missing(self, found: Iterable[FoundFile]) -> None:
        present = {item.relative for item in found}
        self.files = {name: entry for name, entry in self.files.items() if name in present}
        records = self.load_records()
        self.records = {name: records[name] for name in self.files if name in records}
        self.fresh = {name: made for name, made in self.fresh.items() if name in self.files}

    def all_records(self) -> dict[str, dict[str, Any]]:
        """The records read from disk with this build's over them."""
        made = {name: make() for name, make in self.fresh.items()}
        return {**self.load_records(), **made}

    def load_records(self) -> dict[str, dict[str, Any]]:
        if self.records is None:
            stored = read_json(self.folder / RECORDS)
            ok = (
                isinstance(stored, dict)
                and stored.get("key") == self.key
                and self.records_id
                and stored.get("id") == self.records_id
                and isinstance(stored.get("records"), dict)
            )
            self.records = stored["records"] if ok else {}
        return self.records

    def load_renders(self) -> dict[str, dict[str, Any]]:
        if self.renders is None:
            stored = read_json(self.folder / RENDERS)
            ok = isinstance(stored, dict) and stored.get("key") == self.key
            # Each entry is checked where it is used (render.body_from_record).
            self.renders = (
                stored["renders"] if ok and isinstance(stored.get("renders"), dict) else {}
            )
        return self.renders

    def save_contents(self, used_renders: Iterable[str]) -> None:
        """Saving, first part: the bulk of the cache (parsed records, renderings no longer
        used dropped), which does not depend on the outputs, so it can be written while they
        are. Each file is written atomically; the records are not used until ``save_state``
        names them."""
        renders = self.load_renders()
        kept = {name: renders[name] for name in used_renders if name in renders}
        self.records_id = secrets.token_hex(8)
        self.folder.mkdir(parents=True, exist_ok=True)
        write_json(self.folder / RENDERS, {"key": self.key, "renders": kept})
        write_json(
            self.folder / RECORDS,
            {"key": self.key, "id": self.records_id, "records": self.all_records()},
        )

    def save_state(
        self, outputs: dict[str, list[int]], next_publish: str | None, feeds: dict[str, str]
    ) -> None:
        """What a rebuild reads first, written last: it ties the records just saved to the
        outputs as they are on disk."""
        self.outputs = outputs
        self.next_publish = next_publish
        self.feeds = feeds
        write_json(
            self.folder / STATE,
            {
                "key": self.key,
                "records_id": self.records_id,
                "files": self.files,
                "outputs": outputs,
                "next_publish": next_publish,
                "feeds": feeds,
            },
        )


def valid_state(state: Any, key: str) -> bool:
    """The state has exactly the shape this release writes, entry by entry: anything else
    (a hand edit, a torn write, another tool's file) makes the whole cache a miss."""
    return (
        isinstance(state, dict)
        and state.get("key") == key
        and isinstance(state.get("files"), dict)
        and isinstance(state.get("outputs"), dict)
        and all(valid_numbers(entry, 2) for entry in state["files"].values())
        and all(valid_numbers(value, 2) for value in state["outputs"].values())
        and valid_moment(state.get("next_publish"))
    )


def valid_numbers(value: Any, count: int) -> bool:
    return (
        isinstance(value, list)
        and len(value) == count
        and all(type(number) is int and number >= 0 for number in value)
    )


def valid_moment(value: Any) -> bool:
    """None, or an ISO date-time with an offset (it is compared with the aware clock)."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def read_json(path: Path) -> Any:
    try:
        with path.open("rb") as stream:
            return json.load(stream)
    except (OSError, ValueError):
        return None


def write_json(path: Path, value: Any) -> None:
    try:
        data = compact(value)
    except TypeError as error:
        # Text JSON cannot hold: a file name that is not UTF-8 reaches us with surrogates.
        raise ValueError(f"cannot be written as JSON ({error})") from None
    del value
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
