"""A post file as text: decoded, normalised, and split into its frontmatter mapping and body.

YAML (``---``) and TOML (``+++``) frontmatter, through python-frontmatter's handlers; a file with
neither is all body. Nothing here knows what the fields mean: that is ``posts``' job.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import yaml
from frontmatter import detect_format
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from feeds.content.simple_yaml import UNSURE, read_simple
from feeds.errors import ContentError, ContentErrors, shown

# XML 1.0 forbids these; one of them in a post would make every feed that carries it unreadable.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same characters as UTF-8 bytes (surrogates cannot occur: the decoder refuses them).
# bytes.translate and `in` run at memory speed; a regex class scan is ten times slower.
CONTROL_BYTES = bytes(sorted(set(range(32)) - {9, 10, 13}))
NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")


def may_hold_xml_illegal(raw: bytes) -> bool:
    if len(raw.translate(None, CONTROL_BYTES)) != len(raw):
        return True
    # One byte is looked for with memchr, far faster than a longer needle: most files have
    # no 0xEF at all (it leads only U+F000-U+FFFF).
    if b"\xef" not in raw:
        return False
    return b"\xef\xbf" in raw and (NONCHARACTERS[0] in raw or NONCHARACTERS[1] in raw)


# Left as text, so that one parser reads every date (an impossible "2021-02-30" is then reported
# against its field) and a title such as 1.10 keeps its digits.
TEXT_TAGS = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Bounds on one frontmatter block, counted with aliases expanded: a few hundred bytes of nested
# aliases (a "billion laughs" document) would otherwise cost minutes and gigabytes downstream.
MAX_YAML_VALUES = 10_000
MAX_YAML_DEPTH = 50
# A post file's size: a long post is a few hundred kilobytes; this bounds what one file costs.
MAX_POST_BYTES = 8 * 1024 * 1024


class FrontmatterTooLarge(ValueError):
    """A frontmatter block past MAX_YAML_VALUES or MAX_YAML_DEPTH, or one that refers to itself."""


class FrontmatterLoader(BaseLoader):  # type: ignore[misc,valid-type]
    """YAML's safe loader with dates and numbers left as text, noting duplicate keys."""

    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, Any]]]] = {
        first: [(tag, rule) for tag, rule in resolvers if tag not in TEXT_TAGS]
        for first, resolvers in BaseLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[str] = []
        # Without an anchor there can be no alias: the document is a tree no larger than its
        # text, and only its depth needs checking (the common case, and a cheaper walk).
        self.has_anchors = "&" in stream

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                if key.value in seen and key.value not in self.duplicates:
                    self.duplicates.append(key.value)
                seen.add(key.value)
        return dict(super().construct_mapping(node, deep=deep))

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        if self.has_anchors:
            check_expansion(node)
        else:
            check_depth(node)
        return self.construct_document(node)


class PlainResolver(yaml.resolver.BaseResolver):
    """FrontmatterLoader's own table of what plain scalars mean, for ``plain_value``."""

    yaml_implicit_resolvers = FrontmatterLoader.yaml_implicit_resolvers


PLAIN_RESOLVER = PlainResolver()
STR_TAG = "tag:yaml.org,2002:str"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"


# The first characters the loader's implicit resolvers look at (PyYAML picks the rules by a
# scalar's first character): a plain scalar starting with any other is text. None holds rules
# for every first character; the loader has none.
RESOLVED_FIRST = frozenset(
    first for first, rules in FrontmatterLoader.yaml_implicit_resolvers.items() if rules
)
# Keys and words such as "true" recur in every post: each short one is resolved once.
SHORT_PLAIN = 40


def plain_value(text: str) -> Any:
    """A plain (unquoted) scalar as FrontmatterLoader constructs it: text, true/false or None;
    ``simple_yaml.UNSURE`` for anything else (a merge key "<<", say)."""
    if text and text[0] not in RESOLVED_FIRST and None not in RESOLVED_FIRST:
        return text
    return resolved_short(text) if len(text) <= SHORT_PLAIN else resolved(text)


def resolved(text: str) -> Any:
    tag = PLAIN_RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    if tag == STR_TAG:
        return text
    if tag == BOOL_TAG:
        return yaml.constructor.SafeConstructor.bool_values[text.lower()]
    return None if tag == NULL_TAG else UNSURE


resolved_short = lru_cache(maxsize=1024)(resolved)


def load_yaml_frontmatter(block: str) -> tuple[Any, list[str]]:
    """A YAML frontmatter block's value and the keys it gives more than once: the common
    simple shape read directly (``simple_yaml``), anything else by FrontmatterLoader."""
    simple = read_simple(block, plain_value)
    if simple is not None:
        return simple
    loader = FrontmatterLoader(block)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


def check_expansion(root: yaml.Node) -> None:
    """Refuse a document whose values, aliases expanded, number more than MAX_YAML_VALUES,
    nest deeper than MAX_YAML_DEPTH, or contain themselves. Each distinct node is sized once
    (aliases share nodes), so this costs time in the document's length, not its expansion."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in node_children(node))
            if sizes[key] > MAX_YAML_VALUES:
                raise FrontmatterTooLarge(
                    f"has more than {MAX_YAML_VALUES:,} values once its aliases are expanded "
                    "(write the values out instead of nesting aliases)"
                )
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise FrontmatterTooLarge("has an alias that contains itself (write the value out)")
        if depth > MAX_YAML_DEPTH:
            raise FrontmatterTooLarge(
                f"nests more than {MAX_YAML_DEPTH} levels deep (flatten the values)"
            )
        open_nodes.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in node_children(node))


def check_depth(root: yaml.Node) -> None:
    """``check_expansion`` for a document without aliases: a tree, so only its depth counts."""
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        children = node_children(node)
        if children and depth + 1 > MAX_YAML_DEPTH:
            raise FrontmatterTooLarge(
                f"nests more than {MAX_YAML_DEPTH} levels deep (flatten the values)"
            )
        stack.extend(
            (child, depth + 1) for child in children if not isinstance(child, yaml.ScalarNode)
        )


def node_children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


class TomlHandler(BaseHandler):
    """Hugo's ``+++`` frontmatter, read with the standard library's tomllib."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)


HANDLERS: list[BaseHandler] = [YAMLHandler(), TomlHandler()]


@dataclass(frozen=True)
class SourceFile:
    metadata: dict[str, Any]
    body: str
    warnings: tuple[str, ...]
    # The file's size and modification time as it was read (the cache's note of it).
    size: int
    mtime_ns: int


def read_source(path: Path) -> SourceFile:
    raw, info = read_bounded_with_stat(path)
    text, warnings = decode(raw, path)
    metadata, body, duplicates = split_frontmatter(text, path)
    warnings.extend(
        f"{path}: {key_text(key)}: appears more than once in the frontmatter; the last value is used"
        for key in duplicates
    )
    return SourceFile(metadata, body, tuple(warnings), info.st_size, info.st_mtime_ns)


def file_digest(path: Path) -> str | None:
    """A hash of the file's bytes, as they are now; None when it cannot be read (rendering
    it then says why). Taken when a post is rendered, not when it is loaded: only the few
    posts that reach an output need one."""
    try:
        raw = read_bounded(path)
    except ContentErrors:
        return None
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def key_text(key: str) -> str:
    """A frontmatter key as a message shows it: as written when it is short and printable,
    otherwise quoted and shortened (a key may hold a line break)."""
    return key if key.isprintable() and len(key) <= 60 else shown(key)


def read_body_text(path: Path) -> str:
    """Only the Markdown body: the file split at its frontmatter, which is not parsed again."""
    raw = read_bounded(path)
    text, _ = decode(raw, path)
    handler = detect_format(text, HANDLERS)
    if handler is None:
        return text
    try:
        return handler.split(text)[1]
    except ValueError:
        return text


def read_bounded(path: Path) -> bytes:
    """The file's bytes, never more than MAX_POST_BYTES of them in memory."""
    return read_bounded_with_stat(path)[0]


def read_bounded_with_stat(path: Path) -> tuple[bytes, os.stat_result]:
    """``read_bounded``, and the file's status as it was read."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
        try:
            info = os.fstat(descriptor)
            size = info.st_size
            # Asking for the limit itself would allocate that much for every post; the size
            # known, one byte more than it (up to the limit) shows a file that grew meanwhile.
            raw = read_up_to(descriptor, min(size, MAX_POST_BYTES) + 1)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise ContentErrors(
            [ContentError(path, None, f"cannot be read: {error.strerror}")]
        ) from None
    if len(raw) > MAX_POST_BYTES:
        message = (
            f"file is {max(size, len(raw)) / 1024 / 1024:.0f} MB; a post may be at most "
            f"{MAX_POST_BYTES // 1024 // 1024} MB (split it, or move data out of it)"
        )
        raise ContentErrors([ContentError(path, None, message)])
    return raw, info


def read_up_to(descriptor: int, wanted: int) -> bytes:
    """Up to ``wanted`` bytes, fewer at the end of the file. Plain ``os.read`` calls: a
    buffered file object costs more system calls and copies than reading the post itself."""
    parts = []
    count = 0
    while count < wanted:
        part = os.read(descriptor, wanted - count)
        if not part:
            break
        parts.append(part)
        count += len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def decode(raw: bytes, path: Path) -> tuple[str, list[str]]:
    """UTF-8 text, NFC-normalised, LF line ends, with characters XML forbids removed."""
    if not raw or raw.isspace():
        raise ContentErrors(
            [ContentError(path, None, "file is empty (a post needs title and date)")]
        )

    try:
        # utf-8-sig's check for a byte order mark runs in Python: only a file with one needs it.
        text = raw.decode("utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-8")
    except UnicodeDecodeError as error:
        message = f"is not UTF-8 (bad byte at offset {error.start}); save it as UTF-8"
        raise ContentErrors([ContentError(path, None, message)]) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    warnings = []
    found = XML_ILLEGAL.search(text) if may_hold_xml_illegal(raw) else None
    if found:
        line = text.count("\n", 0, found.start()) + 1
        count = len(XML_ILLEGAL.findall(text))
        warnings.append(
            f"{path}: removed {count} character(s) that XML forbids "
            f"(first: U+{ord(found.group()):04X} on line {line})"
        )
        text = XML_ILLEGAL.sub("", text)
    return text, warnings


def split_frontmatter(text: str, path: Path) -> tuple[dict[str, Any], str, list[str]]:
    """The metadata mapping, the Markdown body, and the keys given twice."""
    handler = detect_format(text, HANDLERS)
    if handler is None:
        return {}, text, []
    duplicates: list[str] = []
    try:
        block, body = handler.split(text)
    except ValueError:
        delimiter = handler.START_DELIMITER
        problem = (
            f"opened with {delimiter} on line 1 but never closed "
            f"(add a line with {delimiter} after the fields)"
        )
        raise ContentErrors([ContentError(path, "frontmatter", problem)]) from None
    try:
        if isinstance(handler, YAMLHandler):
            metadata, duplicates = load_yaml_frontmatter(block)
        else:
            metadata = handler.load(block)
    except yaml.YAMLError as error:
        first_line = text.count("\n", 0, text.find(block)) + 1
        problem = yaml_problem(error, first_line)
        raise ContentErrors([ContentError(path, "frontmatter", problem)]) from None
    except tomllib.TOMLDecodeError as error:
        problem = f"TOML {error} (counting from the opening +++)"
        raise ContentErrors([ContentError(path, "frontmatter", problem)]) from None
    except FrontmatterTooLarge as error:
        raise ContentErrors([ContentError(path, "frontmatter", str(error))]) from None
    except RecursionError:
        problem = "nests too deeply to be read (flatten the values)"
        raise ContentErrors([ContentError(path, "frontmatter", problem)]) from None
    except ValueError as error:
        problem = f"cannot be parsed: {error}"
        raise ContentErrors([ContentError(path, "frontmatter", problem)]) from None
    if metadata is None:
        return {}, body, duplicates
    # python-frontmatter quietly drops metadata that is not a mapping; that hides a mistake.
    if not isinstance(metadata, dict):
        raise ContentErrors([ContentError(path, "frontmatter", "must be a mapping of fields")])
    return metadata, body, duplicates


def yaml_problem(error: yaml.YAMLError, first_line: int) -> str:
    """The parser's message with its line numbers counted in the file, not in the YAML block."""
    problem = getattr(error, "problem", None) or "cannot be parsed"
    mark = getattr(error, "problem_mark", None)
    message = f"YAML {problem}" + (f" on line {mark.line + first_line}" if mark else "")
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and context_mark:
        message += f" ({context} started on line {context_mark.line + first_line})"
    return message


def parse_yaml(text: str) -> Any:
    """A YAML document (a site's settings or data file) with YAML's own types; ValueError when
    it cannot be parsed."""
    try:
        return yaml.load(text, Loader=BaseLoader)
    except yaml.YAMLError as error:
        raise ValueError(" ".join(str(error).split())) from None


def parse_yaml_as_text(text: str) -> Any:
    """A YAML document (a generator's ``_config.yml``, say) with the same loader as frontmatter:
    dates and numbers stay text. ValueError carries the parser's problem and line."""
    loader = FrontmatterLoader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as error:
        raise ValueError(yaml_problem(error, 1)) from None
    finally:
        loader.dispose()
