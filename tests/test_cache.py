"""The build cache saves work and never changes a result; worker processes neither."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from feeds import workers
from feeds.config_reader import load_site
from feeds.content import loader, render
from feeds.content.loader import load_site_posts
from feeds.feed.build import build_feeds

from .cli import run_cli
from .conftest import NOW, ROOT, Blog


def outputs(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def build(blog: Blog, capsys: pytest.CaptureFixture[str], *extra: str, now: datetime = NOW) -> str:
    code, out, err = run_cli(blog.args("build", *extra), capsys, now)
    assert code == 0, err
    return out


def clean_build(
    blog: Blog, capsys: pytest.CaptureFixture[str], now: datetime = NOW
) -> dict[str, bytes]:
    folder = blog.root / "clean"
    build(blog, capsys, "--no-cache", "--out", str(folder), now=now)
    return outputs(folder)


def edit(blog: Blog, name: str, old: str, new: str) -> None:
    path = blog.content / "posts" / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_a_cached_rebuild_after_an_edit_equals_a_clean_build(
    sample_blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    build(sample_blog, capsys)
    edit(sample_blog, "2024-03-05-markdown-footnotes.md", "escape hatch", "emergency exit")
    edit(
        sample_blog,
        "2022-01-20-atom-vs-rss.md",
        'title: "Atom or RSS? Publish Both"',
        'title: "Atom and RSS"',
    )
    out = build(sample_blog, capsys)
    assert "45 feeds:" in out and "written" in out
    cached = outputs(sample_blog.public)
    assert (
        "emergency exit" in cached["rss.xml"].decode()
        and "Atom and RSS" in cached["atom.xml"].decode()
    )
    assert cached == clean_build(sample_blog, capsys)


def test_a_corrupt_or_foreign_cache_is_ignored(
    sample_blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    build(sample_blog, capsys)
    expected = outputs(sample_blog.public)
    cache = sample_blog.root / ".feeds-cache"
    (cache / "state.json").write_text("{not json", encoding="utf-8")
    (cache / "renders.json").write_bytes(b"\x00\xff")
    assert "nothing changed" not in build(sample_blog, capsys)
    assert outputs(sample_blog.public) == expected
    # Records of the wrong shape under the right key: parsed again, not trusted.
    records = json.loads((cache / "records.json").read_text(encoding="utf-8"))
    for record in records["records"].values():
        if record["post"]:
            record["post"] = {"title": "forged"}
    (cache / "records.json").write_text(json.dumps(records), encoding="utf-8")
    (sample_blog.public / "rss.xml").unlink()
    assert "nothing changed" not in build(sample_blog, capsys)
    assert outputs(sample_blog.public) == expected
    # A cache made by another release or under other settings is not used at all.
    state = json.loads((cache / "state.json").read_text(encoding="utf-8"))
    state["key"] = "another version"
    (cache / "state.json").write_text(json.dumps(state), encoding="utf-8")
    assert "nothing changed" not in build(sample_blog, capsys)
    assert outputs(sample_blog.public) == expected


def test_a_future_post_appears_when_its_date_passes_though_no_file_changed(
    sample_blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    build(sample_blog, capsys)
    assert "nothing changed" in build(sample_blog, capsys)
    later = NOW.replace(year=2030) + timedelta(days=1)
    out = build(sample_blog, capsys, now=later)
    assert "nothing changed" not in out
    assert "Feeds in 2030" in (sample_blog.public / "rss.xml").read_text(encoding="utf-8")
    assert outputs(sample_blog.public) == clean_build(sample_blog, capsys, now=later)


def test_settings_changes_invalidate_the_cache(
    sample_blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    build(sample_blog, capsys)
    settings = sample_blog.config.read_text(encoding="utf-8")
    sample_blog.config.write_text(
        settings.replace("Field Notes on Feeds", "Renamed Blog"), encoding="utf-8"
    )
    assert "nothing changed" not in build(sample_blog, capsys)
    assert b"<title>Renamed Blog</title>" in (sample_blog.public / "rss.xml").read_bytes()


def test_a_deleted_or_hand_edited_output_is_rebuilt(
    sample_blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    build(sample_blog, capsys)
    expected = outputs(sample_blog.public)
    (sample_blog.public / "tags/email/atom.xml").unlink()
    (sample_blog.public / "feed.json").write_text("{}", encoding="utf-8")
    out = build(sample_blog, capsys)
    assert "45 feeds: 2 written, 43 unchanged" in out
    assert outputs(sample_blog.public) == expected


def test_a_post_added_or_removed_is_noticed(
    sample_blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    build(sample_blog, capsys)
    sample_blog.post("posts/2026-11-01-new.md", "---\ntitle: Brand New\ndate: 2026-11-01\n---\nx\n")
    build(sample_blog, capsys)
    assert "Brand New" in (sample_blog.public / "rss.xml").read_text(encoding="utf-8")
    (sample_blog.content / "posts/2026-11-01-new.md").unlink()
    build(sample_blog, capsys)
    assert "Brand New" not in (sample_blog.public / "rss.xml").read_text(encoding="utf-8")
    assert outputs(sample_blog.public) == clean_build(sample_blog, capsys)


def test_a_rebuild_with_nothing_to_do_loads_no_heavy_library(
    sample_blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    build(sample_blog, capsys)
    probe = (
        "import sys; from feeds import cli; "
        f"code = cli.main({sample_blog.args()!r}); "
        "heavy = sorted(m for m in ('feedgen', 'markdown', 'lxml', 'jinja2', 'premailer', 'yaml', 'nh3') if m in sys.modules); "
        "print(code, heavy)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.splitlines()[-1] == "0 []"


def test_worker_processes_give_the_same_feeds(blog: Blog, monkeypatch: pytest.MonkeyPatch) -> None:
    for day in range(1, 29):
        blog.post(
            f"p{day:02d}.md",
            f"---\ntitle: Post {day}\ndate: 2021-02-{day:02d}\ntags: [T{day % 3}]\n---\n# Heading\n\nText *{day}*.\n",
        )
    site = load_site(blog.config)
    monkeypatch.setattr(loader, "PARALLEL_FROM", 10)
    monkeypatch.setattr(render, "PARALLEL_FROM", 10)
    one = build_feeds(site, load_site_posts(site, workers=1), NOW, workers=1).files
    two = build_feeds(site, load_site_posts(site, workers=2), NOW, workers=2).files
    assert one == two and len(one) == 12


@pytest.mark.parametrize("forked", [True, False])
def test_loading_in_workers_gives_what_one_process_gives(
    blog: Blog, monkeypatch: pytest.MonkeyPatch, forked: bool
) -> None:
    """Forked workers inherit the files to parse; spawned ones (macOS, Windows) are sent them
    once. Posts, warnings, section pages and errors come back the same either way."""
    for day in range(1, 29):
        extra = "title: Again\n" if day % 5 == 0 else ""
        blog.post(
            f"p{day:02d}.md",
            f"---\ntitle: Post {day}\n{extra}date: 2021-02-{day:02d}\ntags: [T{day % 3}]\n---\nx\n",
        )
    blog.post("bad.md", "---\ntitle: [unclosed\n---\nx\n")
    blog.post("section/_index.md", "---\ntitle: Section\n---\n")
    site = load_site(blog.config)
    monkeypatch.setattr(loader, "PARALLEL_FROM", 10)
    monkeypatch.setattr(workers, "START_METHOD", "fork" if forked else "spawn")
    one = load_site_posts(site, workers=1, keep_going=True)
    two = load_site_posts(site, workers=2, keep_going=True)
    assert (one.posts, one.warnings, one.skipped) == (two.posts, two.warnings, two.skipped)
    assert [str(error) for error in one.errors] == [str(error) for error in two.errors]
    assert len(one.posts) == 28 and len(one.errors) == 1 and len(one.skipped) == 1
    assert sum("more than once" in warning for warning in one.warnings) == 5


def test_a_rendering_is_keyed_by_the_bytes_rendered(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    """A body edited in place, same size and modification time as before (a tool that restores
    times, a clock step): the cache's size-and-time record still stands for the frontmatter,
    but the rendering is looked up by a hash of the file as it is when rendered, so the feed
    shows the new words."""
    post = blog.post("a.md", "---\ntitle: A\ndate: 2021-01-01\n---\nOld words.\n")
    build(blog, capsys)
    before = post.stat()
    post.write_text("---\ntitle: A\ndate: 2021-01-01\n---\nNew words.\n", encoding="utf-8")
    os.utime(post, ns=(before.st_atime_ns, before.st_mtime_ns))
    (blog.public / "feed.json").unlink()  # so that this build is not "nothing changed"
    build(blog, capsys)
    html = json.loads((blog.public / "feed.json").read_text())["items"][0]["content_html"]
    assert "New words." in html and "Old" not in html


def test_a_cache_that_cannot_be_saved_is_a_warning_and_the_feeds_are_written(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.post("a.md", "---\ntitle: A\ndate: 2021-01-01\n---\nWords.\n")
    in_the_way = blog.root / "cache-is-a-file"
    in_the_way.write_text("not a folder", encoding="utf-8")
    code, out, err = run_cli(blog.args("build", "--cache", str(in_the_way)), capsys)
    assert code == 0
    assert "could not save the build cache" in out + err
    assert json.loads((blog.public / "feed.json").read_text())["items"][0]["title"] == "A"
    assert in_the_way.read_text(encoding="utf-8") == "not a folder"
