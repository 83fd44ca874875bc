"""Finding post files: include/exclude patterns, matched together in one expression, mean
exactly what fnmatch says pattern by pattern."""

from __future__ import annotations

import fnmatch
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from feeds.config import ContentOptions
from feeds.content.files import find_posts, matches

# Path pieces and pattern pieces that exercise fnmatch's wildcards, classes and '**/'.
PATH_PART = st.sampled_from(["posts", "en", "drafts", "a.md", "b.markdown", "x", "2024", "é.md"])
PATTERN_PART = st.sampled_from(
    ["**", "*", "?", "posts", "en", "*.md", "*.markdown", "[ab].md", "[!a]*", "2024", "**/"]
)


def one_by_one(relative: str, patterns: list[str]) -> bool:
    """The meaning patterns had when each was tried in turn with fnmatch."""
    return any(
        fnmatch.fnmatchcase(relative, pattern)
        or (pattern.startswith("**/") and fnmatch.fnmatchcase(relative, pattern[3:]))
        for pattern in patterns
    )


@given(
    st.lists(PATH_PART, min_size=1, max_size=4).map("/".join),
    st.lists(
        st.lists(PATTERN_PART, min_size=1, max_size=4)
        .map("/".join)
        .map(lambda text: text.replace("**//", "**/")),
        max_size=4,
    ),
)
def test_patterns_together_match_as_each_alone(relative: str, patterns: list[str]) -> None:
    assert matches(relative, patterns) == one_by_one(relative, patterns)


def test_examples_of_each_kind_of_pattern() -> None:
    assert matches("posts/a.md", ["**/*.md"])
    assert matches("a.md", ["**/*.md"])
    assert not matches("a.markdown", ["**/*.md"])
    assert not matches("a.md", [])
    assert matches("en/drafts/x.md", ["en/drafts/*"])
    assert not matches("fr/x.md", ["en/**", "*.markdown"])


def test_a_walk_without_stat_finds_the_same_files(tmp_path: Path) -> None:
    for name in ("a.md", "b/c.markdown", "b/d.txt", ".hidden.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    looked = find_posts(tmp_path, ContentOptions())
    unlooked = find_posts(tmp_path, ContentOptions(), stat=False)
    assert [item.relative for item in looked] == ["a.md", "b/c.markdown"]
    assert [(item.path, item.relative) for item in unlooked] == [
        (item.path, item.relative) for item in looked
    ]
    assert {(item.size, item.mtime_ns) for item in unlooked} == {(-1, -1)}
    assert all(item.size == 1 for item in looked)
