"""The site root: found by walking up from the content folder (or set), its kind, the files a
render may read (never outside it), and its data files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from feeds.content.siteroot import (
    SiteRoot,
    dependency_files,
    dependency_stamp,
    find_site_root,
    load_data,
    load_settings,
    read_inside,
)


@pytest.mark.parametrize(
    ("marker", "kind"),
    [
        ("_config.yml", "jekyll"),
        ("_config.toml", "jekyll"),
        ("hugo.toml", "hugo"),
        ("hugo.yaml", "hugo"),
        ("config.toml", "hugo"),
        ("config/_default/hugo.toml", "hugo"),
        (".eleventy.js", "eleventy"),
        ("eleventy.config.mjs", "eleventy"),
    ],
)
def test_the_root_is_found_above_the_content_folder(tmp_path: Path, marker: str, kind: str) -> None:
    (tmp_path / marker).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / marker).write_text("")
    content = tmp_path / "content" / "posts"
    content.mkdir(parents=True)
    assert find_site_root(content) == SiteRoot(tmp_path.resolve(), kind)


def test_a_lone_config_file_is_not_a_hugo_site(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("")
    (tmp_path / "posts").mkdir()
    assert find_site_root(tmp_path / "posts") is None
    (tmp_path / "layouts").mkdir()
    assert find_site_root(tmp_path / "posts") == SiteRoot(tmp_path.resolve(), "hugo")


def test_the_walk_stops_at_the_repository_top(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("")
    repository = tmp_path / "blog"
    (repository / ".git").mkdir(parents=True)
    (repository / "posts").mkdir()
    assert find_site_root(repository / "posts") is None
    assert find_site_root(tmp_path / "blog" / "posts", given=tmp_path) == SiteRoot(
        tmp_path.resolve(), "jekyll"
    )


def test_a_root_set_by_hand_without_settings_is_liquid_or_hugo(tmp_path: Path) -> None:
    assert find_site_root(tmp_path, given=tmp_path).kind == "jekyll"  # type: ignore[union-attr]
    (tmp_path / "layouts/shortcodes").mkdir(parents=True)
    assert find_site_root(tmp_path, given=tmp_path).kind == "hugo"  # type: ignore[union-attr]


def test_nothing_outside_the_root_is_read(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "_includes").mkdir(parents=True)
    (root / "_includes/ok.html").write_text("fine")
    (tmp_path / "secret").write_text("secret")
    (root / "_includes/link.html").symlink_to(tmp_path / "secret")
    assert read_inside(root, "_includes/ok.html") == "fine"
    assert read_inside(root, "../secret") is None
    assert read_inside(root, str(tmp_path / "secret")) is None
    assert read_inside(root, "_includes/link.html") is None
    assert read_inside(root, "ok.html", root / "_includes") == "fine"
    assert read_inside(root / "_includes", "../_includes/ok.html") == "fine"


def test_data_files_of_every_kind_nest_by_folder(tmp_path: Path) -> None:
    data = tmp_path / "_data"
    (data / "team").mkdir(parents=True)
    (data / "releases.yml").write_text("- version: 1.0\n  date: 2024-01-02\n")
    (data / "site.json").write_text('{"name": "Blog"}')
    (data / "mirrors.csv").write_text("name,url\nEU,https://eu/\n")
    (data / "limits.toml").write_text("max = 3\n")
    (data / "team/ada.yaml").write_text("role: author\n")
    (data / "broken.json").write_text("{")
    (data / "notes.txt").write_text("ignored")
    values, warnings = load_data(tmp_path, data)
    assert values == {
        "releases": [{"version": 1.0, "date": date(2024, 1, 2)}],
        "site": {"name": "Blog"},
        "mirrors": [{"name": "EU", "url": "https://eu/"}],
        "limits": {"max": 3},
        "team": {"ada": {"role": "author"}},
    }
    assert len(warnings) == 1 and warnings[0].startswith(
        f"{data / 'broken.json'}: data file cannot be parsed:"
    )


def test_hugo_settings_merge_config_default(tmp_path: Path) -> None:
    (tmp_path / "hugo.toml").write_text('title = "Site"\n[params]\na = 1\n')
    (tmp_path / "config/_default").mkdir(parents=True)
    (tmp_path / "config/_default/params.toml").write_text("b = 2\n")
    settings, warnings = load_settings(SiteRoot(tmp_path, "hugo"))
    assert settings == {"title": "Site", "params": {"a": 1, "b": 2}} and warnings == []


def test_the_stamp_changes_with_any_dependency(tmp_path: Path) -> None:
    root = SiteRoot(tmp_path, "jekyll")
    (tmp_path / "_config.yml").write_text("title: x\n")
    (tmp_path / "_includes").mkdir()
    (tmp_path / "_includes/a.html").write_text("a")
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts/p.md").write_text("post")
    assert [path.name for path in dependency_files(root)] == ["_config.yml", "a.html"]
    before = dependency_stamp(root)
    (tmp_path / "_posts/p.md").write_text("post, edited")
    assert dependency_stamp(root) == before
    (tmp_path / "_includes/a.html").write_text("a, edited")
    assert dependency_stamp(root) != before
