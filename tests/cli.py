"""The one way tests run the command line in-process: exit status, stdout and stderr, with
stderr held to what the CLI promises — one line per message, never a traceback."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

import pytest

from feeds import cli

from .conftest import NOW

# What the CLI itself writes to stderr: messages, and the send job's per-message progress.
STDERR_LINE = re.compile(r"(error|warning): \S.*|\d+/\d+ \S+|interrupted")


def run_cli(
    args: Sequence[str], capsys: pytest.CaptureFixture[str], now: datetime = NOW
) -> tuple[int, str, str]:
    code = cli.main(list(args), now=now)
    out, err = capsys.readouterr()
    assert_messages_only(err)
    return code, out, err


def assert_messages_only(err: str) -> None:
    """Every stderr line is one message the CLI chose to print; a traceback, a stray
    library warning or a message spilling onto a second line fails."""
    strays = [line for line in err.splitlines() if not STDERR_LINE.fullmatch(line)]
    assert strays == [], f"unexpected stderr lines: {strays[:5]}"
