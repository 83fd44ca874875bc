"""The tool's exceptions: each carries the exit status and a message a person can act on."""

from __future__ import annotations

import reprlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

EXIT_BAD_INPUT = 2
EXIT_WORLD = 1

# Values echoed in messages are shortened: one line stays one line, however large the value
# (a YAML alias bomb once made a 312 MB error line).
_SHORT = reprlib.Repr()
_SHORT.maxstring = 80
_SHORT.maxother = 80
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 4
_SHORT.maxlevel = 2


def shown(value: Any) -> str:
    """``repr(value)``, shortened with '...' so that a message stays one readable line."""
    return _SHORT.repr(value)


class FeedsError(Exception):
    """Base class; the CLI prints every line of ``lines()`` and exits with ``exit_code``."""

    exit_code = EXIT_WORLD

    def lines(self) -> list[str]:
        return [str(self)]


class ConfigError(FeedsError):
    """Settings that are missing, unknown or of the wrong kind: every problem, at once."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, source: Path | str, problems: Iterable[tuple[str, str]]) -> None:
        self.source = str(source)
        self.problems = list(problems)
        super().__init__("; ".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{self.source}: {key}: {message}" for key, message in self.problems]

    def __reduce__(self) -> tuple[type[ConfigError], tuple[str, list[tuple[str, str]]]]:
        # Raised in a worker process (an extension that cannot be loaded), it must cross back.
        return (type(self), (self.source, self.problems))


class ContentError(FeedsError):
    """One problem with one post: the file, the field, and what to do about it."""

    exit_code = EXIT_BAD_INPUT

    def __init__(
        self, path: Path | str, field: str | None, message: str, post: Path | str | None = None
    ) -> None:
        self.path = str(path)
        self.field = field
        self.reason = message
        # The post the problem leaves out: the file at fault may be another one (an include
        # a post's template reads).
        self.post = str(post) if post is not None else self.path
        where = f"{path}: {field}" if field else str(path)
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type[ContentError], tuple[str, str | None, str, str]]:
        # Raised in a worker process, it crosses back pickled: rebuilt from its parts.
        return (ContentError, (self.path, self.field, self.reason, self.post))


class ContentErrors(FeedsError):
    """Every content problem of a run, reported together so one run shows them all."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, errors: Iterable[ContentError]) -> None:
        self.errors = sorted(errors, key=str)
        super().__init__(f"{len(self.errors)} problem(s) in the content")

    def __reduce__(self) -> tuple[type[ContentErrors], tuple[list[ContentError]]]:
        return (ContentErrors, (self.errors,))

    def lines(self) -> list[str]:
        return [str(error) for error in self.errors]


class OutputError(FeedsError):
    """Writing an output failed, or would land somewhere it must not."""


class DeliveryError(FeedsError):
    """Mail could not be handed to the SMTP server."""


class UsageError(FeedsError):
    """A command-line value that cannot be used."""

    exit_code = EXIT_BAD_INPUT


class StrictError(FeedsError):
    """Warnings under --strict: nothing was written or sent."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, count: int, what: str) -> None:
        super().__init__(f"{count} warning(s) and --strict is on; {what}")
