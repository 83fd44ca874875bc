"""The stderr check in tests/cli.py can fail: it rejects what the CLI must never print."""

from __future__ import annotations

import pytest

from .cli import assert_messages_only


def test_one_line_messages_and_progress_pass() -> None:
    assert_messages_only("error: a.md: date: missing\nwarning: b.md: x\n3/10 a@example.com\n")


@pytest.mark.parametrize(
    "err",
    [
        'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: boom\n',
        "error: first line\ncontinued on a second line\n",
        "DeprecationWarning: something\n",
    ],
)
def test_tracebacks_and_stray_lines_fail(err: str) -> None:
    with pytest.raises(AssertionError):
        assert_messages_only(err)
