"""Whole builds through the CLI: golden outputs, identical rebuilds, all-or-nothing failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from feeds import cli
from feeds.errors import OutputError
from feeds.output import safe_relative, write_outputs

from .cli import run_cli
from .conftest import NOW, ROOT, Blog
from .golden import GOLDEN, sample_feed_files


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_sample_feeds_match_the_golden_files() -> None:
    golden = {
        str(path.relative_to(GOLDEN / "feeds")): path.read_bytes()
        for path in (GOLDEN / "feeds").rglob("*")
        if path.is_file()
    }
    built = sample_feed_files()
    assert sorted(built) == sorted(golden), "outputs added or missing: run `make golden` and review"
    for name, data in built.items():
        assert data == golden[name], (
            f"{name} differs from its golden file: run `make golden` and review"
        )


def test_build_writes_every_feed_and_says_so(
    sample_blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(sample_blog.args(), capsys)
    assert code == 0, err
    assert out == (
        f"14 posts read, 12 published (1 draft, 1 future left out); 45 feeds: 45 written, "
        f"0 unchanged, in {sample_blog.public}\n"
    )
    assert (sample_blog.public / "tags/static-sites/feed.json").is_file()


def test_rebuild_is_byte_identical_and_touches_nothing(
    sample_blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(sample_blog.args(), capsys)[0] == 0
    before = snapshot(sample_blog.public)
    code, out, _ = run_cli(sample_blog.args("build", "--no-cache"), capsys)
    assert code == 0
    assert "0 written, 45 unchanged" in out
    assert snapshot(sample_blog.public) == before
    code, out, _ = run_cli(sample_blog.args(), capsys)
    assert code == 0
    assert out == (
        f"nothing changed since the last build: 14 posts, 45 feeds left as they are in "
        f"{sample_blog.public}\n"
    )
    assert snapshot(sample_blog.public) == before


def test_a_later_clock_does_not_change_the_feeds(
    sample_blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(sample_blog.args(), capsys)[0] == 0
    before = snapshot(sample_blog.public)
    assert cli.main(sample_blog.args(), now=NOW.replace(year=2027)) == 0
    assert snapshot(sample_blog.public) == before


def test_the_future_post_appears_once_its_date_has_passed(
    sample_blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(sample_blog.args(), now=NOW.replace(year=2031)) == 0
    assert "Feeds in 2030" in (sample_blog.public / "rss.xml").read_text(encoding="utf-8")
    assert "--future" not in capsys.readouterr().out


def test_drafts_and_future_flags(sample_blog: Blog, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(sample_blog.args("build", "--drafts", "--future"), capsys)
    assert code == 0
    assert "14 posts read, 14 published;" in out
    rss = (sample_blog.public / "rss.xml").read_text(encoding="utf-8")
    assert "Half-Written Thoughts on Podcasts" in rss and "Feeds in 2030" in rss


def test_a_failed_build_leaves_the_previous_outputs_untouched(
    sample_blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(sample_blog.args(), capsys)[0] == 0
    before = snapshot(sample_blog.public)
    good = sample_blog.post(
        "2026-11-01-new.md", "---\ntitle: New\ndate: 2026-11-01\ntags: [Fresh]\n---\nx\n"
    )
    bad = sample_blog.post("bad.md", "---\ntitle: Bad\ndate: someday\n---\nx\n")
    empty = sample_blog.raw("empty.md", b"")
    code, out, err = run_cli(sample_blog.args(), capsys)
    assert code == 2
    assert out == ""
    assert err.splitlines() == [
        f"error: {bad}: date: 'someday' is not a date (use 2021-12-09 or 2021-12-09T08:30:00+01:00)",
        f"error: {empty}: file is empty (a post needs title and date)",
    ]
    assert snapshot(sample_blog.public) == before
    assert good.exists()


def test_check_reports_and_writes_nothing(
    sample_blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(sample_blog.args("check"), capsys)
    assert code == 0
    assert (
        out
        == "14 posts read, 12 published (1 draft, 1 future left out); 45 feeds would be written; no problems found\n"
    )
    assert not sample_blog.public.exists()
    sample_blog.post("dup.md", "---\ntitle: Dup\ndate: 2021-01-01\nslug: json-feed\n---\nx\n")
    code, _, err = run_cli(sample_blog.args("check"), capsys)
    assert code == 2
    assert "URL: /blog/json-feed/ is also the URL of" in err
    assert not sample_blog.public.exists()


def test_strict_turns_warnings_into_a_failure(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.post("p.md", "---\ntitle: T\ndate: 2021-01-01\n---\nbell \x07\n")
    code, _, err = run_cli(blog.args("build", "--strict"), capsys)
    assert code == 2
    assert err.splitlines() == [
        f"warning: {blog.content / 'p.md'}: removed 1 character(s) that XML forbids (first: U+0007 on line 5)",
        "error: 1 warning(s) and --strict is on",
    ]
    assert not blog.public.exists()
    assert run_cli(blog.args("build"), capsys)[0] == 0


def test_content_and_out_overrides(
    blog: Blog, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "p.md").write_text(
        "---\ntitle: Elsewhere\ndate: 2021-01-01\n---\nx\n", encoding="utf-8"
    )
    out_dir = tmp_path / "dist" / "feeds"
    code, _, _ = run_cli(blog.args("build", "--content", str(other), "--out", str(out_dir)), capsys)
    assert code == 0
    assert "Elsewhere" in (out_dir / "atom.xml").read_text(encoding="utf-8")
    assert not blog.public.exists()


def test_no_published_posts_is_an_error_not_an_empty_feed(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.post("d.md", "---\ntitle: T\ndate: 2021-01-01\ndraft: true\n---\nx\n")
    code, _, err = run_cli(blog.args(), capsys)
    assert code == 2
    assert err == (
        f"error: {blog.content}: no published posts (drafts and future posts are left out "
        "unless --drafts or --future)\n"
    )


def test_config_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["build", "--config", str(tmp_path / "missing.toml")], capsys)
    assert code == 2
    assert err == f"error: {tmp_path / 'missing.toml'}: file: not found (pass --config FILE)\n"


def test_an_unwritable_output_is_a_world_failure(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.post("p.md", "---\ntitle: T\ndate: 2021-01-01\n---\nx\n")
    blog.public.write_text("a file where the folder should be")
    code, _, err = run_cli(blog.args(), capsys)
    assert code == 1
    assert err.startswith(f"error: cannot write {blog.public / 'atom.xml'}: ")


@pytest.mark.parametrize("path", ["../escape.xml", "/etc/passwd", "tags/../../x", "", "a\\..\\b"])
def test_nothing_is_written_outside_the_output_folder(path: str, tmp_path: Path) -> None:
    with pytest.raises(OutputError):
        safe_relative(path)
    with pytest.raises(OutputError):
        write_outputs(tmp_path / "out", {path: b"x"})
    assert not (tmp_path / "out").exists()


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    write_outputs(tmp_path, {"a/b.xml": b"one"})
    write_outputs(tmp_path, {"a/b.xml": b"two"})
    assert os.listdir(tmp_path / "a") == ["b.xml"]
    assert (tmp_path / "a/b.xml").read_bytes() == b"two"


@pytest.mark.parametrize("command", [[], ["build"], ["check"]])
def test_every_command_has_help_with_an_example(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main([*command, "--help"])
    assert exited.value.code == 0
    assert "example:" in capsys.readouterr().out


def test_the_command_exits_with_mains_status_and_its_whole_output(blog: Blog) -> None:
    """``python -m feeds`` (and the ``feeds`` script) end the process without the
    interpreter's teardown: the status and everything printed must still arrive."""
    blog.post("good.md", "---\ntitle: Good\ndate: 2021-01-01\n---\nWords.\n")
    command = [sys.executable, "-m", "feeds", *blog.args("build")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("1 posts read, 1 published;") and done.stdout.endswith("\n")
    blog.post("bad.md", "---\ntitle: Bad\n---\nNo date.\n")
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "bad.md: date: missing" in done.stderr
