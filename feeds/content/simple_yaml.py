"""The common shape of YAML frontmatter, read without the YAML library's per-node Python work.

Most posts' frontmatter is a handful of ``key: value`` lines: quoted or plain one-line scalars,
``[a, 'b', "c"]`` lists and ``- item`` lists under a ``key:``. Building that through PyYAML's
node graph costs several times what reading it line by line does, and it is most of the CPU of
loading a large blog. ``read_simple`` reads exactly that shape and answers None for anything
else, however harmless: the caller then asks the YAML library, so a file this module is unsure
of costs a little time and never a different result (tests/test_simple_yaml.py holds it to the
library's answer, types, key order and repeated keys included).

What a plain (unquoted) scalar means (``yes``, ``~``, ``null``...) is not decided here: the
caller passes ``plain``, which asks the same resolver the YAML loader uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# What ``plain`` answers for a plain scalar that is not text, true/false or null.
UNSURE = object()
PlainReader = Callable[[str], Any]

# A character outside this set sends the block to the YAML library: tabs, line breaks YAML has
# beside \n (NEL, U+2028, U+2029), the characters YAML refuses (C0/C1 controls, DEL, U+FFFE/F),
# and the byte order mark (libyaml treats it apart).
UNSURE_CHARACTER = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# One-line quoted scalars without escapes, then nothing or a comment.
DOUBLE_QUOTED = re.compile(r'"([^"\\]*)"(?: +#.*)?')
SINGLE_QUOTED = re.compile(r"'([^']*)'(?: +#.*)?")
# The same as part of a line, where most values are read at once; the rest of a line is read by
# ``line_value``.
QUOTED_OR_REST = r"""(?:"([^"\\]*)"|'([^']*)')(?: *| +#.*)|(.*)"""
# A top-level key (plain, of letters, digits, '_' and '-', at most 128 of them: the YAML
# parser refuses a key longer than 1,024 characters, and no real one comes near) and what
# follows its colon.
KEY_LINE = re.compile(rf"([A-Za-z_][A-Za-z0-9_-]{{0,127}}):(?: +(?:{QUOTED_OR_REST}))?")
# A block sequence entry and its value ("-" alone, a null entry, is left to the library).
ITEM_LINE = re.compile(rf"( *)- +(?:{QUOTED_OR_REST})")
# A line without content: blank, or a comment.
EMPTY_LINE = re.compile(r" *(?:#.*)?")
# A plain scalar's first character may not be an indicator; one beginning "-", "?" or ":" can
# be plain, but is left to the library.
PLAIN_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@` ")
# A flow sequence entry, from just after "[" or ",": a quoted or a plain scalar (in a flow,
# plain text stops at , [ ] { }; ":" and "#" are left out, as they may start a mapping or a
# comment), then "," or "]". The plain one takes its trailing spaces (taken off after): a lazy
# match would try every split of a long run of spaces, in time quadratic in the line.
FLOW_ITEM = re.compile(
    r""" *(?:"([^"\\]*)" *|'([^']*)' *|([^-?:,\[\]{}#&*!|>'"%@` ][^,\[\]{}:#]*))([,\]])"""
)
FLOW_END = re.compile(r" *(?: #.*)?")
EMPTY_FLOW = re.compile(r"\[ *\](?: +#.*)?")
# Far below the YAML loader's bounds on values and nesting: a longer block is left to it.
MAX_SIMPLE_VALUES = 1_000


def read_simple(block: str, plain: PlainReader) -> tuple[dict[str, Any], list[str]] | None:
    """The mapping a frontmatter block holds and the keys it gives more than once, as the
    YAML loader reads them; None when the block is not of the simple shape (see above)."""
    if UNSURE_CHARACTER.search(block):
        return None
    mapping: dict[str, Any] = {}
    duplicates: list[str] = []
    lines = block.split("\n")
    count = index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        found = KEY_LINE.fullmatch(line)
        if found is None:
            if EMPTY_LINE.fullmatch(line):
                continue
            return None
        key, double, single, text = found.groups()
        if not isinstance(plain(key), str):
            return None  # a key such as "on:" or "null:" is not text
        text = text.rstrip(" ") if text else ""
        if double is not None or single is not None:
            value = double if double is not None else single
        elif text:
            value = line_value(text, plain)
        else:
            value, index = block_sequence(lines, index, plain)
        if value is UNSURE:
            return None
        count += 1 + (len(value) if isinstance(value, list) else 1)
        if count > MAX_SIMPLE_VALUES:
            return None
        if key in mapping and key not in duplicates:
            duplicates.append(key)
        mapping[key] = value
    return (mapping, duplicates) if mapping else None


def line_value(text: str, plain: PlainReader) -> Any:
    """The value written after ``key:`` on its own line; UNSURE unless of the simple shape."""
    if text[0] == "[":
        return flow_sequence(text, plain)
    return scalar(text, plain)


def scalar(text: str, plain: PlainReader) -> Any:
    """A one-line scalar in block context (no trailing spaces), or UNSURE."""
    first = text[0]
    if first == '"':
        found = DOUBLE_QUOTED.fullmatch(text)
        return found.group(1) if found else UNSURE
    if first == "'":
        found = SINGLE_QUOTED.fullmatch(text)
        return found.group(1) if found else UNSURE
    # ": " would make a mapping and " #" a comment; a final ":" a key.
    if first in PLAIN_FIRST or ": " in text or " #" in text or text[-1] == ":":
        return UNSURE
    return plain(text)


def flow_sequence(text: str, plain: PlainReader) -> Any:
    """``[a, 'b', "c"]`` on one line, or UNSURE."""
    if EMPTY_FLOW.fullmatch(text):
        return []
    items: list[Any] = []
    position = 1
    while True:
        found = FLOW_ITEM.match(text, position)
        if found is None:
            return UNSURE
        double, single, bare, end = found.groups()
        if double is not None or single is not None:
            item = double if double is not None else single
        else:
            item = plain(bare.rstrip(" "))
        if item is UNSURE:
            return UNSURE
        items.append(item)
        position = found.end()
        if end == "]":
            return items if FLOW_END.fullmatch(text, position) else UNSURE


def block_sequence(lines: list[str], index: int, plain: PlainReader) -> tuple[Any, int]:
    """The ``- item`` lines after an empty ``key:`` line at ``lines[index]`` (None when there
    are none), and the index of the line after them; UNSURE for a value of another shape."""
    items: list[Any] = []
    indent = None
    end = index
    while index < len(lines):
        line = lines[index]
        found = ITEM_LINE.fullmatch(line)
        if found is None:
            if EMPTY_LINE.fullmatch(line):
                index += 1
                continue
            break  # the caller reads it: a key, or a line that sends the block to the library
        if indent is None:
            indent = found.group(1)
        elif found.group(1) != indent:
            return UNSURE, index
        double, single, text = found.group(2, 3, 4)
        text = text.rstrip(" ") if text else ""
        if double is not None or single is not None:
            item = double if double is not None else single
        else:
            item = scalar(text, plain) if text else UNSURE
        if item is UNSURE:
            return UNSURE, index
        items.append(item)
        index += 1
        end = index
    if indent is None:
        return None, index
    # Blank and comment lines after the last entry are read again by the caller.
    return items, end
