"""``check --site``: which feed links are pages of a built site."""

from __future__ import annotations

from pathlib import Path

from feeds.sitecheck import missing_pages


def page(root: Path, relative: str) -> None:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("<html></html>", encoding="utf-8")


def test_pages_under_a_sub_path_with_encoded_names(tmp_path: Path) -> None:
    page(tmp_path, "2021/01/04/Café-Crème/index.html")
    page(tmp_path, "2021/01/07/Hello-World.html")
    page(tmp_path, "en/blog/v22.1.0.html")
    base = "https://example.com/~ada/"
    links = [
        "https://example.com/~ada/2021/01/04/Caf%C3%A9-Cr%C3%A8me/",
        "https://example.com/~ada/2021/01/07/Hello-World.html",
        "https://example.com/~ada/en/blog/v22.1.0",
        "https://example.com/~ada/en/blog/v22.1.0/",
        "https://example.com/elsewhere/x/",
        "https://example.com/~ada/../../etc/passwd",
        "https://other.example.org/not/checked/",
    ]
    assert missing_pages(links, base, tmp_path) == [
        "https://example.com/~ada/en/blog/v22.1.0/",
        "https://example.com/elsewhere/x/",
        "https://example.com/~ada/../../etc/passwd",
    ]


def test_a_broken_sitemap_lists_nothing(tmp_path: Path) -> None:
    (tmp_path / "sitemap.xml").write_text("<urlset><url><loc>", encoding="utf-8")
    assert missing_pages(["https://example.com/a/"], "https://example.com/", tmp_path) == [
        "https://example.com/a/"
    ]
