"""A post file as text: decoded, normalised, and split into its frontmatter mapping and body.

YAML (``---``) and TOML (``+++``) frontmatter, through python-frontmatter's handlers; a file with
neither is all body. Nothing here knows what the fields mean: that is ``posts``' job.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import yaml
from frontmatter import detect_format
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from feeds.errors import ContentError, ContentErrors

# XML 1.0 forbids these; one of them in a post would make every feed that carries it unreadable.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same characters as UTF-8 bytes (surrogates cannot occur: the decoder refuses them).
# bytes.translate and `in` run at memory speed; a regex class scan is ten times slower.
CONTROL_BYTES = bytes(sorted(set(range(32)) - {9, 10, 13}))
NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")


def may_hold_xml_illegal(raw: bytes) -> bool:
    if len(raw.translate(None, CONTROL_BYTES)) != len(raw):
        return True
    return b"\xef\xbf" in raw and (NONCHARACTERS[0] in raw or NONCHARACTERS[1] in raw)


# Left as text, so that one parser reads every date (an impossible "2021-02-30" is then reported
# against its field) and a title such as 1.10 keeps its digits.
TEXT_TAGS = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrontmatterLoader(BaseLoader):  # type: ignore[misc,valid-type]
    """YAML's safe loader with dates and numbers left as text, noting duplicate keys."""

    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, Any]]]] = {
        first: [(tag, rule) for tag, rule in resolvers if tag not in TEXT_TAGS]
        for first, resolvers in BaseLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[str] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                if key.value in seen and key.value not in self.duplicates:
                    self.duplicates.append(key.value)
                seen.add(key.value)
        return dict(super().construct_mapping(node, deep=deep))


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
    digest: str


def read_source(path: Path) -> SourceFile:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ContentErrors(
            [ContentError(path, None, f"cannot be read: {error.strerror}")]
        ) from None
    text, warnings = decode(raw, path)
    metadata, body, duplicates = split_frontmatter(text, path)
    warnings.extend(
        f"{path}: {key}: appears more than once in the frontmatter; the last value is used"
        for key in duplicates
    )
    digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
    return SourceFile(metadata=metadata, body=body, warnings=tuple(warnings), digest=digest)


def read_body_text(path: Path) -> str:
    """Only the Markdown body: the file split at its frontmatter, which is not parsed again."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ContentErrors(
            [ContentError(path, None, f"cannot be read: {error.strerror}")]
        ) from None
    text, _ = decode(raw, path)
    handler = detect_format(text, HANDLERS)
    if handler is None:
        return text
    try:
        return handler.split(text)[1]
    except ValueError:
        return text


def decode(raw: bytes, path: Path) -> tuple[str, list[str]]:
    """UTF-8 text, NFC-normalised, LF line ends, with characters XML forbids removed."""
    if not raw or raw.isspace():
        raise ContentErrors(
            [ContentError(path, None, "file is empty (a post needs title and date)")]
        )
    try:
        text = raw.decode("utf-8-sig")
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
        if isinstance(handler, YAMLHandler):
            loader = FrontmatterLoader(block)
            try:
                metadata = loader.get_single_data()
                duplicates = loader.duplicates
            finally:
                loader.dispose()
        else:
            metadata = handler.load(block)
    except yaml.YAMLError as error:
        first_line = text.count("\n", 0, text.find(block)) + 1
        problem = yaml_problem(error, first_line)
        raise ContentErrors([ContentError(path, "frontmatter", problem)]) from None
    except tomllib.TOMLDecodeError as error:
        problem = f"TOML {error} (counting from the opening +++)"
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
