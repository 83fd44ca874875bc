"""Reading a post file's bytes: whole, bounded, and with the system's reason when it cannot."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from feeds.content.source import read_bounded, read_source, read_up_to
from feeds.errors import ContentErrors


def test_a_file_is_read_whole(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    text = "---\ntitle: Big\ndate: 2021-01-01\n---\n" + "x" * 300_000 + "\n"
    post.write_text(text, encoding="utf-8")
    assert read_bounded(post) == text.encode("utf-8")
    assert read_source(post).body.strip() == "x" * 300_000


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda folder: folder / "missing.md", "No such file or directory"),
        (lambda folder: folder, "Is a directory"),
    ],
)
def test_an_unreadable_file_gives_the_systems_reason(
    tmp_path: Path, make: object, reason: str
) -> None:
    assert callable(make)
    with pytest.raises(ContentErrors) as caught:
        read_bounded(make(tmp_path))
    assert caught.value.errors[0].reason == f"cannot be read: {reason}"


def test_reads_until_the_end_when_the_data_comes_in_pieces() -> None:
    reading, writing = os.pipe()

    def write() -> None:
        for piece in (b"one ", b"two ", b"three"):
            os.write(writing, piece)
        os.close(writing)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert read_up_to(reading, 100) == b"one two three"
    finally:
        writer.join()
        os.close(reading)


def test_reads_no_more_than_asked() -> None:
    reading, writing = os.pipe()
    os.write(writing, b"0123456789")
    os.close(writing)
    try:
        assert read_up_to(reading, 4) == b"0123"
    finally:
        os.close(reading)
