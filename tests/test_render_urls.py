"""``join_url``, the quick path of making URLs absolute, against ``urljoin`` itself."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.content.html import join_url

BASES = [
    ("https://example.com/blog/post/", "https://example.com"),
    ("http://Example.com:8080/~ada/2021/12/post.html", "http://Example.com:8080"),
]
PIECES = st.sampled_from(
    ["/", "//", ".", "..", "a", "b.png", "?", "#", ";", ":", "@", "[", "]", "\\", " ", "\t",
     "%20", "é", "http:", "https:", "https://", "mailto:", "x=1", "&"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(PIECES, max_size=8).map("".join), st.sampled_from(BASES))
def test_join_url_is_urljoin(value: str, base: tuple[str, str]) -> None:
    try:
        expected = urljoin(base[0], value)
    except ValueError:  # "//[": urljoin refuses a bracket without its pair; so must we
        assert join_url(base[0], value, base[1]) is None  # the URL is dropped with a warning
        return
    assert join_url(base[0], value, base[1]) == expected


@pytest.mark.parametrize(
    "value",
    ["/blog/x/", "/a/../b", "/./a", "https://other.org/x", "http://o.org/x?", "HTTPS://o.org",
     "//cdn.example.net/a.png", "#fn-1", "pic.png", "../up/", "/a;b", "https://a@b/c"],
)  # fmt: skip
def test_join_url_on_the_usual_shapes(value: str) -> None:
    base, origin = BASES[0]
    assert join_url(base, value, origin) == urljoin(base, value)
