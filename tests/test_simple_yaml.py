"""``simple_yaml.read_simple``, the fast reading of common frontmatter, held to the YAML loader
it stands in for: for any block, it answers None or exactly what FrontmatterLoader gives
(values, their Python types, key order, repeated keys)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from frontmatter.default_handlers import YAMLHandler
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from feeds.content.simple_yaml import read_simple
from feeds.content.source import FrontmatterLoader, plain_value, resolved

TESTS = Path(__file__).parent
MANY = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def oracle(block: str) -> tuple[Any, list[str]] | None:
    """What the YAML loader reads, or None when it refuses the block."""
    loader = FrontmatterLoader(block)
    try:
        return loader.get_single_data(), loader.duplicates
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down and dict keys in the same order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def fast(block: str) -> tuple[dict[str, Any], list[str]] | None:
    return read_simple(block, plain_value)


def assert_agrees(block: str) -> None:
    quick = fast(block)
    if quick is None:
        return
    expected = oracle(block)
    assert expected is not None, f"the YAML loader refuses {block!r}"
    assert same(quick[0], expected[0]), (block, quick[0], expected[0])
    assert quick[1] == expected[1], (block, quick[1], expected[1])


# Pieces of scalars: the words YAML gives another type, dates and numbers (kept as text), the
# characters that mean something in YAML, spaces, and text beyond ASCII.
WORDS = [
    "yes", "no", "on", "off", "Yes", "NO", "On", "OFF", "true", "False", "TRUE", "y", "n",
    "null", "Null", "NULL", "~", "", "<<", "=", "2021-02-03", "2021-02-03T04:05:06+01:00",
    "2019-05-30 9:00:00 +0000", "1.10", "0x1F", "-1", "+3", "1e3", ".inf", ".nan", "007",
    "Post", "hello world", "Topic Web", "C#", "a#b", "it's", 'say "hi"', "x: y", "x:y", "a:",
    "[a]", "{b}", "a, b", "- a", "? q", "!tag", "&anchor", "*alias", "|", ">", "%", "@", "`",
    "#no", "a #c", "\\n", "é", "日本語", "e\u0301", "\u00a0", "\u2028", "\x85", "\ufeff",
    "\x7f", "\t", "  ", "/img/a.png", "https://example.com/a?b=c#d", "Q&A", "It&rsquo;s",
]  # fmt: skip
# YAML's indicators, and characters it treats apart: line breaks other than \n, a byte order
# mark, characters it refuses.
SPECIAL = list(":#'\"-[]{},&*!|>%@`?~=< \\\t\x85\u2028\u2029\ufeff\x7f\x9f\ufffe\x00")
piece = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(SPECIAL),
    st.text(alphabet="abcXYZ019 ./-_é日", min_size=1, max_size=6),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=4),
)
text = st.lists(piece, max_size=3).map("".join)


def quoted(content: str, quote: str) -> str:
    return f"{quote}{content}{quote}"


scalar = st.one_of(
    text,
    text.map(lambda value: quoted(value, '"')),
    text.map(lambda value: quoted(value, "'")),
)
flow = st.lists(scalar, max_size=4).map(lambda items: "[" + ", ".join(items) + "]") | st.lists(
    scalar, max_size=3
).map(lambda items: "[" + ",".join(items) + "]")
comment = st.sampled_from(["", "", "", " # note", "  #x", "#x"])
# Mostly keys of the common shape; now and then one that is not text or not plain.
keys = st.sampled_from(
    ["title", "date", "tags", "Title", "last_modified_at", "_x", "a-b", "y"] * 4
    + ["on", "yes", "null", "~", "Null", "1", "2021-01-01", "x y", "<<", "a:b", "=", "-"]
)
indent = st.sampled_from(["", " ", "  ", "    "])


@st.composite
def entry(draw: st.DrawFn) -> str:
    key = draw(keys)
    kind = draw(st.sampled_from(["scalar", "flow", "block", "empty"]))
    if kind == "scalar":
        return f"{key}: {draw(scalar)}{draw(comment)}"
    if kind == "flow":
        return f"{key}: {draw(flow)}{draw(comment)}"
    if kind == "empty":
        return f"{key}:{draw(st.sampled_from(['', ' ', '   ']))}"
    items = draw(st.lists(scalar, min_size=1, max_size=3))
    steps = [draw(indent) for _ in items] if draw(st.booleans()) else [draw(indent)] * len(items)
    lines = [f"{step}- {item}" for step, item in zip(steps, items, strict=True)]
    return "\n".join([f"{key}:", *lines])


extra_line = st.sampled_from(["", "# comment", "  # indented comment", "   ", "...", "---"])


@st.composite
def document(draw: st.DrawFn) -> str:
    lines = draw(st.lists(entry() | extra_line, max_size=6))
    block = "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))
    # Near misses: a character of YAML's own put anywhere, a line indented.
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):
        where = draw(st.integers(0, len(block)))
        mark = draw(st.sampled_from([*":#'\"-[]{},&*!|>%@ \t\n\\?~", "\n  ", ": ", " #"]))
        block = block[:where] + mark + block[where:]
    return block


@MANY
@given(entry())
def test_fast_reading_of_one_field_agrees_with_the_yaml_loader(line: str) -> None:
    assert_agrees(line + "\n")


@MANY
@given(document())
@example("title: a\ntitle: b\ntags: [x]\ntags:\n- y\n")
@example("tags:\n  - a\n  # c\n\n  - b\ntitle: t\n")
@example('title: "a" #c\nx: [a, \'b\', "c"] # d\n')
@example("on: x\n")
@example("title: [a, b,]\n")
@example("title: a\n  b\n")
@example("k" * 1025 + ": v\n")  # the YAML parser refuses a key this long
@example("k" * 1024 + ": v\n")
def test_fast_reading_agrees_with_the_yaml_loader(block: str) -> None:
    assert_agrees(block)


@given(text | st.text(max_size=60))
@settings(max_examples=500)
def test_a_plain_word_means_what_the_loaders_resolver_says(word: str) -> None:
    """The shortcut for words no resolver looks at, and the cache of short ones, answer as the
    resolver itself does."""
    for _ in range(2):
        value = plain_value(word)
        assert type(value) is type(resolved(word)) and value == resolved(word)


# The common shapes, which the fast reading must take rather than leave to the loader.
SIMPLE = [
    'title: "Post 1: Fast"\ndate: "2005-01-01T06:15:00Z"\ntopPost: false\n'
    "image: \"/img/1/cover.png\"\ntags: ['Topic Git', 'Topic Go']\n",
    "title: Hello, world\ndate: 2021-02-03 04:05:06 +0100\ndraft: yes\nsummary:\n",
    "tags:\n  - one\n  - 'two'\n  - \"three\"\ncategories:\n- a\n# comment\n\nauthor: Jane Doe\n",
    "title: It's C# & Q&A, ok\nslug: my-post\nimage: https://example.com/a.png?x=1#y\n",
    "title: 日本語のタイトル\ntags: [日本, 'é', ~, yes]\nlastmod: null\n",
    "\ntitle: x\ntitle: y\n",
    "tags: [a   b  , c ,'d'  ,  \"e\" ]  # spaces around entries\n",
]


@pytest.mark.parametrize("block", SIMPLE)
def test_the_common_shapes_are_read_fast(block: str) -> None:
    quick = fast(block)
    assert quick is not None
    assert_agrees(block)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["title", "date", "tags", "image", "description", "author"]),
            st.text(alphabet="abcXYZ019 ./-,é", min_size=1, max_size=12).filter(
                lambda value: value.strip(" ") == value and value[0] not in "-,"
            ),
            st.sampled_from(["plain", "double", "single", "flow", "block"]),
        ),
        min_size=1,
        max_size=6,
    )
)
@settings(max_examples=300, deadline=None)
def test_generated_common_shapes_are_read_fast(fields: list[tuple[str, str, str]]) -> None:
    lines = []
    for key, value, form in fields:
        if form == "plain":
            lines.append(f"{key}: {value}")
        elif form == "double":
            lines.append(f'{key}: "{value}"')
        elif form == "single":
            lines.append(f"{key}: '{value}'")
        elif form == "flow":
            lines.append(f"{key}: ['{value}', \"{value}\"]")
        else:
            lines.extend([f"{key}:", f"  - {value}", f"  - '{value}'"])
    block = "\n".join(lines) + "\n"
    assert fast(block) is not None, block
    assert_agrees(block)


@pytest.mark.parametrize(
    "block",
    [
        "title: a\n  b\n",  # a scalar continued on the next line
        'title: "a\\tb"\n',  # an escape
        "title: &a x\nother: *a\n",  # an anchor
        "on: x\n",  # a key YAML reads as true
        "title: a # comment\n",  # a comment after a plain scalar
        "tags: [a, b,]\n",  # a trailing comma
        "outer:\n  inner: x\n",  # a nested mapping
        "title: |\n  text\n",  # a block scalar
        "title: \x85x\n",  # a character YAML reads as a line break
        "# only a comment\n",
        "k" * 129 + ": v\n",  # a key longer than any real one
    ],
)
def test_other_shapes_are_left_to_the_yaml_loader(block: str) -> None:
    assert fast(block) is None


def fixture_blocks() -> list[tuple[str, str]]:
    """The YAML frontmatter of every Markdown fixture under tests/."""
    handler = YAMLHandler()
    blocks = []
    for path in sorted(TESTS.rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
        if handler.detect(text):
            try:
                blocks.append((str(path.relative_to(TESTS)), handler.split(text)[0]))
            except ValueError:
                continue
    return blocks


def test_every_fixture_reads_the_same_either_way() -> None:
    blocks = fixture_blocks()
    taken = 0
    for name, block in blocks:
        quick = fast(block)
        if quick is not None:
            taken += 1
            expected = oracle(block)
            assert expected is not None, name
            assert same(quick[0], expected[0]) and quick[1] == expected[1], name
    # Most fixtures are of the common shape; a fast reading that took none would test nothing.
    assert blocks and taken > len(blocks) // 2
