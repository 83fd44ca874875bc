"""Writing outputs: all or nothing per file, inside the output folder, unchanged files left alone."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from feeds.errors import OutputError


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]


def safe_relative(path: str) -> PurePosixPath:
    """``path`` as a relative path that cannot leave the output folder, or an OutputError."""
    relative = PurePosixPath(path)
    if relative.is_absolute() or not relative.parts or ".." in relative.parts or "\\" in path:
        raise OutputError(f"refusing to write {path!r}: outputs stay inside the output folder")
    return relative


def write_outputs(out_dir: Path, files: Mapping[str, bytes]) -> WriteReport:
    """Write every file atomically; a file whose bytes are already there is not touched,
    so its modification time (and HTTP caching) survives a rebuild."""
    targets = {name: out_dir.joinpath(*safe_relative(name).parts) for name in files}
    written, unchanged = [], []
    for name in sorted(files):
        if _same_content(targets[name], files[name]):
            unchanged.append(name)
        else:
            written.append(name)
    # Each file's fsync waits for the disk; several in flight let the file system commit them
    # together (a cold build's 123 feeds here: 0.15-0.3 s one by one, 0.03-0.06 s so).
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        list(pool.map(lambda name: write_atomically(targets[name], files[name]), written))
    return WriteReport(written=tuple(written), unchanged=tuple(unchanged))


WRITERS = 8


def write_atomically(target: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename: readers see the old file or the new one."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temp, 0o644)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise OutputError(f"cannot write {target}: {error.strerror or error}") from None


def _same_content(target: Path, data: bytes) -> bool:
    try:
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False
