"""The text of ``feeds.toml`` from the guesses: each value with a comment saying where it came
from, TODO lines for what was not found, and settings this version of feeds does not declare
(or does not accept) written as comments for a newer one.

Whether a setting exists is looked up in ``feeds.config`` at run time, so when a new setting is
declared there, init starts writing it without a change here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from feeds.config import DEFAULT_FIELDS, SECTIONS, Setting, declared
from feeds.init.model import Choice, Guess, Value

SURROGATES = re.compile("[\ud800-\udfff]")
CONTROL = re.compile("[\x00-\x1f\x7f\u2028\u2029\x85]")
SECTION_ORDER = ("site", "site.author", "fields", "newsletter")
COMMENT_COLUMN = 44
PENDING = "(needs a newer feeds)"
# What stands in for a TODO when init tries the settings before they are filled in.
PLACEHOLDERS: dict[str, Value] = {
    "title": "Your Blog",
    "base_url": "https://example.invalid/",
    "since": 2000,
    "name": "Your Name",
    "permalink": "/{slug}/",
}


@dataclass(frozen=True)
class SettingsText:
    text: str
    # "site.slug_style = …": settings written as comments because this feeds lacks them.
    pending: tuple[str, ...]
    # "site.base_url": keys left to the user.
    todos: tuple[str, ...]


def find_setting(section: str, key: str) -> Setting | None:
    """The declaration of ``[section] key`` in this version of feeds, if it has one."""
    for cls in SECTIONS.get(section, ()):
        for _, item in declared(cls):
            if item.key == key:
                return item
    return None


def problem_with(section: str, key: str, value: Any) -> str | None:
    """Why this feeds would not accept ``value`` for the key; None when it would."""
    if section == "fields":
        return None if key in DEFAULT_FIELDS else "is not a field feeds knows"
    item = find_setting(section, key)
    if item is None:
        return PENDING
    problem = item.check(list(value) if isinstance(value, tuple) else value)
    return f"{PENDING}: {problem}" if problem else None


def toml(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(toml(item) for item in value) + "]"
    return toml_string(value)


def toml_string(text: str) -> str:
    """A TOML basic string. JSON's escapes are TOML's, except that TOML also forbids a raw
    DEL; lone surrogates cannot be written in either and are dropped."""
    text = SURROGATES.sub("", text)
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def line(code: str, comment: str) -> str:
    if not comment:
        return code
    return f"{code.ljust(COMMENT_COLUMN - 1)} # {one_line(comment)}"


def one_line(text: str) -> str:
    """A comment ends at the line's end: what came from a blog's files stays on one line."""
    return " ".join(CONTROL.sub(" ", SURROGATES.sub("", text)).split())


def render(
    guesses: Sequence[Guess], header: Sequence[str], *, placeholders: bool = False
) -> SettingsText:
    lines = [f"# {one_line(text)}".rstrip() for text in header]
    pending: list[str] = []
    todos: list[str] = []
    for section in SECTION_ORDER:
        members = [guess for guess in guesses if guess.section == section]
        if not members:
            continue
        lines += ["", f"[{section}]"]
        for guess in members:
            lines += guess_lines(guess, pending, todos, placeholders)
    return SettingsText("\n".join(lines) + "\n", tuple(pending), tuple(todos))


def guess_lines(
    guess: Guess, pending: list[str], todos: list[str], placeholders: bool
) -> list[str]:
    out: list[str] = []
    for choice in guess.choices:
        problem = problem_with(guess.section, guess.key, choice.value)
        if problem is None:
            return [*out, line(f"{guess.key} = {toml(choice.value)}", choice.source)]
        out.append(line(f"# {guess.key} = {toml(choice.value)}", f"{problem} {choice.source}"))
        pending.append(f"{guess.section}.{guess.key} = {toml(choice.value)}")
    if guess.choices:
        # Nothing this feeds accepts: its default stays, unless the setting is required.
        return out + todo_lines(guess, todos, placeholders, only_required=True)
    return todo_lines(guess, todos, placeholders, only_required=False)


def todo_lines(
    guess: Guess, todos: list[str], placeholders: bool, only_required: bool
) -> list[str]:
    item = find_setting(guess.section, guess.key)
    if item is None or (only_required and not item.required):
        return []
    todos.append(f"{guess.section}.{guess.key}")
    if placeholders and guess.key in PLACEHOLDERS:
        return [f"{guess.key} = {toml(PLACEHOLDERS[guess.key])}"]
    what = guess.todo or "not found"
    marker = f"TODO: {what}"
    # A TODO the check rejects is named by `feeds build` with its key; one it would accept (a
    # title, say) is left commented out, and the missing required key is named instead.
    if item.check(marker) is not None:
        return [f"{guess.key} = {toml(marker)}"]
    return [f"# {guess.key} = …".ljust(COMMENT_COLUMN - 1) + f" # TODO: {what}"]


def fields_guess(key: str, names: Sequence[str], counts: dict[str, int], total: int) -> Guess:
    found = ", ".join(
        f"{name} in {counts[name]} of {total} posts" for name in names if name in counts
    )
    value = (*DEFAULT_FIELDS[key], *(name for name in names if name not in DEFAULT_FIELDS[key]))
    return Guess("fields", key, (Choice(tuple(value), found),))
