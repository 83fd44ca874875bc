"""jsontext writes what the standard library's json would, byte for byte: the JSON Feed's
bytes and the cache files did not change when orjson took over writing them."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.jsontext import compact, indented

# What our JSON holds: text (feed HTML, titles, dates), numbers (sizes, times), booleans,
# nulls, lists and objects. Control characters, quotes, backslashes, non-ASCII and the line
# separators U+2028/U+2029 are where two encoders most often differ.
TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"])
    | st.sampled_from(['"', "\\", "\n", "\t", "\x00", "\x1f", "\x7f", "\u2028", "é", "😀", "<"])
)
LEAF = st.one_of(TEXT, st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1))
VALUE = st.recursive(
    LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=500)
@given(VALUE)
def test_indented_is_the_standard_librarys_indented_json(value: Any) -> None:
    expected = (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    assert indented(value) == expected


@settings(max_examples=500)
@given(VALUE)
def test_compact_is_the_standard_librarys_compact_json(value: Any) -> None:
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert compact(value) == expected


def test_an_example_of_each() -> None:
    value = {"a": [1, None, True], "b": {}, "c": [], "d": 'x"\n'}
    assert compact(value) == b'{"a":[1,null,true],"b":{},"c":[],"d":"x\\"\\n"}'
    assert indented({"a": [1], "b": {}}) == b'{\n  "a": [\n    1\n  ],\n  "b": {}\n}\n'
