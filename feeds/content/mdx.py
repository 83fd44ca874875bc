"""MDX read as Markdown: what only a JavaScript build can run is taken out, the text kept.

- ESM blocks (``import …`` / ``export …`` at the start of a line, up to the next blank line,
  as MDX reads them) are removed.
- JSX components (a tag whose name starts with a capital letter or holds a ``.``, and the
  fragments ``<>``/``</>``) are removed with their attributes; what they enclose stays, so their
  text reaches readers. Each removed component is counted.
- Tags with lower-case names are HTML (in JSX as in HTML), MathML among them, and are kept.
- MDX comments ``{/* … */}`` are removed. Fenced code and code spans are left alone.
"""

from __future__ import annotations

import re

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ESM = re.compile(r"^(import|export)\b")
COMMENT = re.compile(r"\{/\*.*?\*/\}", re.DOTALL)
COMPONENT_NAME = re.compile(r"/?(>|[A-Z]|[A-Za-z_$][\w$-]*\.)")
SUFFIXES = (".mdx",)


def is_mdx(name: str) -> bool:
    return name.lower().endswith(SUFFIXES)


def mdx_to_markdown(text: str) -> tuple[str, int]:
    """The Markdown left when the MDX-only parts of ``text`` are removed, and how many JSX
    components were removed."""
    pieces: list[str] = []
    removed = 0
    for is_code, part in split_fences(text):
        if is_code:
            pieces.append(part)
            continue
        kept, count = strip_components(COMMENT.sub("", drop_esm(part)))
        pieces.append(kept)
        removed += count
    return "".join(pieces), removed


def split_fences(text: str) -> list[tuple[bool, str]]:
    """``text`` cut into (is fenced code, text) runs that join back into ``text``."""
    runs: list[tuple[bool, list[str]]] = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        opened = FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)
            runs.append((True, [line]))
            continue
        if fence is not None:
            runs[-1][1].append(line)
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            continue
        if not runs or runs[-1][0]:
            runs.append((False, []))
        runs[-1][1].append(line)
    return [(is_code, "".join(lines)) for is_code, lines in runs]


def drop_esm(text: str) -> str:
    kept: list[str] = []
    in_esm = False
    for line in text.splitlines(keepends=True):
        if not in_esm and ESM.match(line):
            in_esm = True
        if in_esm:
            if not line.strip():
                in_esm = False
                kept.append(line)
            continue
        kept.append(line)
    return "".join(kept)


def strip_components(text: str) -> tuple[str, int]:
    out: list[str] = []
    removed = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "`":
            end = code_span_end(text, index)
            out.append(text[index:end])
            index = end
            continue
        if char == "<" and is_component_start(text, index):
            closed = tag_end(text, index)
            if closed is not None:
                if text[index + 1] != "/":
                    removed += 1
                index = closed
                continue
        out.append(char)
        index += 1
    return "".join(out), removed


def code_span_end(text: str, start: int) -> int:
    """Where the code span opened by the backticks at ``start`` ends (after its closing run);
    a run that is never closed is just text."""
    run = len(text[start:]) - len(text[start:].lstrip("`"))
    close = text.find("`" * run, start + run)
    return start + run if close < 0 else close + run


def is_component_start(text: str, index: int) -> bool:
    """A capitalised name, a member name (``motion.div``) or a fragment follows the ``<``."""
    return bool(COMPONENT_NAME.match(text, index + 1))


def tag_end(text: str, start: int) -> int | None:
    """The index after the ``>`` closing the tag at ``start``: quotes and ``{…}`` attribute
    values may hold a ``>``."""
    depth = 0
    quote: str | None = None
    for index in range(start + 1, len(text)):
        char = text[index]
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'" and depth == 0:
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        elif char == ">" and depth == 0:
            return index + 1
    return None
