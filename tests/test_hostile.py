"""Issue 15, tried as a hostile user would: one bad post or setting gives one line per problem,
exit 2, nothing written; nothing unsafe is published; no input gives a traceback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from feeds.errors import OutputError
from feeds.output import write_outputs

from .cli import run_cli
from .conftest import ROOT, Blog
from .feedcheck import CHECKS

GOOD = "---\ntitle: Good\ndate: 2021-01-01\ntags: [Feeds]\n---\nA good post.\n"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def refused(blog: Blog, capsys: pytest.CaptureFixture[str], name: str, text: str) -> list[str]:
    """Build a good blog, add the post ``name``, build again: the error lines of that build,
    after checking it exited 2 and left every output byte and mtime as it was."""
    blog.post("2021-01-01-good.md", GOOD)
    assert run_cli(blog.args("build", "--no-cache"), capsys)[0] == 0
    before = snapshot(blog.public)
    blog.raw(name, text.encode("utf-8"))
    code, _, err = run_cli(blog.args("build", "--no-cache"), capsys)
    assert code == 2, err
    assert snapshot(blog.public) == before
    return [line.removeprefix("error: ") for line in err.splitlines() if line.startswith("error:")]


def alias_bomb(field: str) -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "---\n" + "\n".join(lines) + f"\ntitle: T\ndate: 2021-01-02\n{field}: *i\n---\nx\n"


@pytest.mark.parametrize("field", ["title", "date", "tags"])
def test_a_yaml_alias_bomb_is_one_short_line(
    blog: Blog, capsys: pytest.CaptureFixture[str], field: str
) -> None:
    text = (
        alias_bomb(field).replace("\ntitle: T\n", "\n") if field == "title" else alias_bomb(field)
    )
    (line,) = refused(blog, capsys, "2021-01-02-bomb.md", text)
    assert line.endswith(
        "2021-01-02-bomb.md: frontmatter: has more than 10,000 values once its aliases are "
        "expanded (write the values out instead of nesting aliases)"
    )


def test_an_alias_that_contains_itself(blog: Blog, capsys: pytest.CaptureFixture[str]) -> None:
    (line,) = refused(blog, capsys, "x.md", "---\ntitle: &a [*a]\ndate: 2021-01-02\n---\nx\n")
    assert line.endswith(
        "x.md: frontmatter: has an alias that contains itself (write the value out)"
    )


def test_echoed_values_are_shortened(blog: Blog, capsys: pytest.CaptureFixture[str]) -> None:
    huge = "[" + ", ".join(f"[{i}, {i}]" for i in range(1000)) + "]"
    lines = refused(blog, capsys, "x.md", f"---\ntitle: {huge}\ndate: {huge}\n---\nx\n")
    assert len(lines) == 2
    assert all(len(line) < 400 for line in lines)
    assert any("title: [['0', '0'], ['1', '1'], ['2', '2'], ['3', '3'], ...] must be text" in line
               for line in lines)  # fmt: skip


@pytest.mark.parametrize(
    ("frontmatter", "problem"),
    [
        ("title: " + "t" * 1001, "title: is 1,001 characters long; at most 1,000 are allowed"),
        (
            "title: T\ntags: [" + ", ".join(f"t{i}" for i in range(101)) + "]",
            "tags: 101 tags; a post may have 100",
        ),
        (
            "title: T\ntags: [" + "t" * 101 + "]",
            "tags: '" + "t" * 37 + "..." + "t" * 38 + "' is 101 characters long; "
            "a tag may have 100",
        ),
        (
            "title: T\ndescription: " + "d" * 10_001,
            "description: is 10,001 characters long; at most 10,000 are allowed",
        ),
        (
            # Each of these characters is transliterated to several letters in its slug.
            "title: T\ntags: [" + "\u9f8d" * 60 + "]",
            "makes a feed folder name longer than 200 bytes (shorten the tag)",
        ),
    ],
)
def test_per_post_limits(
    blog: Blog, capsys: pytest.CaptureFixture[str], frontmatter: str, problem: str
) -> None:
    (line,) = refused(blog, capsys, "x.md", f"---\ndate: 2021-01-02\n{frontmatter}\n---\nx\n")
    assert line.endswith(problem), line


@pytest.mark.parametrize(
    ("frontmatter", "problem"),
    [
        ('slug: "abc\\n"', "slug: 'abc\\n' must be letters, digits,"),
        ('id: "tag:x.com,2020:\\x01a"', "id: 'tag:x.com,2020:\\x01a' must be a URI"),
        ("date: 0999-12-31", "date: '0999-12-31' is outside the years 1000-9999"),
        ("date: 0001-01-01T00:30:00+01:00", "is outside the years 1000-9999"),
        ("date: 9999-12-31T23:00:00-05:00", "is outside the years 1000-9999"),
        ("date: 2021-01-02\nupdated: 10000-01-01", "updated: '10000-01-01' is not a date"),
        ("title: on", "title: True is not text: YAML reads an unquoted yes, no, on, off"),
        ('image: "javascript:alert(1)"', "image: 'javascript:alert(1)' must be an http(s) URL"),
        ('image: "data:image/png;base64,AAAA"', "image: 'data:image/png;base64,AAAA' must be"),
        ('image: "http://[bad"', "image: 'http://[bad' must be an http(s) URL"),
        ("image: https://example.com:99999/a.png", "must be an http(s) URL"),
    ],
)
def test_bad_values_are_one_line(
    blog: Blog, capsys: pytest.CaptureFixture[str], frontmatter: str, problem: str
) -> None:
    text = f"---\ntitle: T\ndate: 2021-01-02\n{frontmatter}\n---\nx\n"
    if frontmatter.startswith(("date:", "title:")):
        key = frontmatter.split(":")[0]
        text = text.replace(f"\n{key}: {'T' if key == 'title' else '2021-01-02'}\n", "\n", 1)
    (line,) = refused(blog, capsys, "x.md", text)
    assert problem in line, line


def test_xml_illegal_characters_in_tags_are_removed(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.post("x.md", '---\ntitle: T\ndate: 2021-01-02\ntags: ["a\\x01b", "\\x0c"]\n---\nx\n')
    code, _, err = run_cli(blog.args("build"), capsys)
    assert code == 0, err
    assert (blog.public / "tags" / "ab" / "rss.xml").exists()


def test_frontmatter_never_closed(blog: Blog, capsys: pytest.CaptureFixture[str]) -> None:
    (line,) = refused(blog, capsys, "x.md", "---\ntitle: T\ndate: 2021-01-02\n\nThe body.\n")
    assert line.endswith(
        "x.md: frontmatter: opened with --- on line 1 but never closed "
        "(add a line with --- after the fields)"
    )


def test_an_impossible_date_in_the_file_name(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    (line,) = refused(blog, capsys, "2021-02-30-x.md", "---\ntitle: T\n---\nx\n")
    assert line.endswith(
        "2021-02-30-x.md: date: missing, and the date in the file name (2021-02-30) is not a "
        "real date (fix the file name, or set date:)"
    )


def test_toml_and_yaml_nested_5000_deep(blog: Blog, capsys: pytest.CaptureFixture[str]) -> None:
    (toml,) = refused(
        blog, capsys, "deep.md", "+++\ntitle = 'T'\na = " + "[" * 5000 + "]" * 5000 + "\n+++\nx\n"
    )
    assert toml.endswith("deep.md: frontmatter: nests too deeply to be read (flatten the values)")
    blog.raw("deep.md", b"---\ntitle: T\na: " + b"[" * 5000 + b"]" * 5000 + b"\n---\nx\n")
    code, _, err = run_cli(blog.args("build", "--no-cache"), capsys)
    assert code == 2
    assert "deep.md: frontmatter: YAML exceeded maximum nesting depth" in err


def test_many_tags_build_in_time_linear_in_the_tags(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    """100 tags on each of three posts: 303 feeds, each item's categories written once per
    feed (feedgen's per-category call was quadratic per item)."""
    tags = ", ".join(f"t{i}" for i in range(100))
    for day in (1, 2, 3):
        blog.post(f"2021-01-0{day}-p.md", f"---\ntitle: T\ntags: [{tags}]\n---\nx\n")
    code, out, _ = run_cli(blog.args("build", "--no-cache"), capsys)
    assert code == 2  # three posts with one slug
    blog.post("2021-01-02-p.md", f"---\ntitle: T\nslug: q\ntags: [{tags}]\n---\nx\n")
    blog.post("2021-01-03-p.md", f"---\ntitle: T\nslug: r\ntags: [{tags}]\n---\nx\n")
    code, out, _ = run_cli(blog.args("build", "--no-cache"), capsys)
    assert code == 0
    assert "303 feeds: 303 written" in out
    rss = (blog.public / "tags" / "t99" / "rss.xml").read_text()
    assert rss.count("<category>") == 300


def built_feeds_pass_feedcheck(public: Path) -> None:
    for path in sorted(public.rglob("*")):
        if path.name in CHECKS:
            url = "https://example.com/" + str(path.relative_to(public))
            assert CHECKS[path.name](path.read_bytes(), url) == [], path


def test_a_list_nested_400_deep(blog: Blog, capsys: pytest.CaptureFixture[str]) -> None:
    body = "".join("    " * depth + "1. a\n" for depth in range(400))
    (line,) = refused(blog, capsys, "x.md", f"---\ntitle: T\ndate: 2021-01-02\n---\n{body}")
    assert line.endswith(
        "x.md: body: nests lists, quotes or HTML too deeply to render (flatten it)"
    )


@pytest.mark.parametrize(
    ("body", "warning", "kept"),
    [
        (
            "a &#1; b &#x0; c &#xFFFE; d &#65;",
            "body: removed 3 character reference(s) to characters that XML forbids (first: '&#1;')",
            "a  b  c  d A",
        ),
        (
            "[l](http://[bad) and ![i](http://[bad2)",
            "body: removed 2 URL(s) that cannot be parsed (first: 'http://[bad'; fix the link)",
            "<a>l</a> and <img alt",
        ),
    ],
)
def test_bad_bodies_are_cleaned_with_a_warning(
    blog: Blog, capsys: pytest.CaptureFixture[str], body: str, warning: str, kept: str
) -> None:
    path = blog.post("x.md", f"---\ntitle: T\ndate: 2021-01-02\n---\n{body}\n")
    code, _, err = run_cli(blog.args("build"), capsys)
    assert code == 0
    assert err.splitlines() == [f"warning: {path}: {warning}"]
    assert kept in (blog.public / "feed.json").read_text()
    built_feeds_pass_feedcheck(blog.public)
    assert run_cli(blog.args("build", "--strict", "--no-cache"), capsys)[0] == 2


UNSAFE_BODY = """\
<form action="https://evil.example/"><input type="password" name="p"><button>Go</button></form>

<img srcset="javascript:alert(1) 1x, ok.png 2x, data:image/png;base64,AAAA 3x" src="a.png">

<a href="data:text/html;base64,PHNjcmlwdD4=">d</a> <a href="mailto:me@example.com">m</a>
<img src="mailto:me@example.com"> <video poster="ftp://example.com/p.png"></video>

<!--[if IE]><script>alert(1)</script><![endif]--><p>after</p>
"""


def test_unsafe_html_never_reaches_a_feed(blog: Blog, capsys: pytest.CaptureFixture[str]) -> None:
    blog.post("x.md", f"---\ntitle: T\ndate: 2021-01-02\n---\n{UNSAFE_BODY}")
    code, out, _ = run_cli(blog.args("build"), capsys)
    assert code == 0
    assert "unsafe HTML element(s) or attribute(s) removed" in out
    html = json.loads((blog.public / "feed.json").read_text())["items"][0]["content_html"]
    for gone in ("<form", "<input", "password", "javascript", "data:", "[if IE]", "alert", "ftp:"):
        assert gone not in html
    assert 'srcset="https://example.com/blog/x/ok.png 2x"' in html
    assert 'href="mailto:me@example.com"' in html
    built_feeds_pass_feedcheck(blog.public)


@pytest.mark.parametrize(
    "body",
    [
        "<html>\n",
        "<html><head><title>Mine</title></head></html>\n",
        "<!DOCTYPE html><html><head><script>alert(1)</script></head></html>\n",
    ],
)
def test_a_body_that_is_a_document_without_a_body_shows_nothing(
    blog: Blog, capsys: pytest.CaptureFixture[str], body: str
) -> None:
    """libxml2 makes no <body> for these; lxml.html then fails an assertion (a traceback)."""
    blog.post("x.md", f"---\ntitle: T\ndate: 2021-01-02\n---\n{body}")
    code, _, err = run_cli(blog.args("build"), capsys)
    assert (code, err) == (0, "")
    assert json.loads((blog.public / "feed.json").read_text())["items"][0]["content_html"] == ""
    built_feeds_pass_feedcheck(blog.public)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('base_url = "https://example.com/"', 'base_url = "https://[oops/"', "is not a valid URL"),
        ('base_url = "https://example.com/"', 'base_url = "https://exa mple.com/"', "spaces"),
        (
            'base_url = "https://example.com/"',
            'base_url = "https://example.com:70000/"',
            "port that is not a number from 1 to 65535",
        ),
        (
            'base_url = "https://example.com/"',
            'base_url = "https://user:secret@example.com/"',
            "must not hold a user name or password",
        ),
        ("since = 2020", 'since = "2021-13-45"', "'2021-13-45' is not a real date"),
        ('title = "Test Blog"', 'title = "Test\\u0001Blog"', "must not hold control characters"),
        (
            'description = "A blog for tests."',
            'description = "\\ufffe"',
            "must not hold control characters",
        ),
        (
            "[site]\n",
            '[site]\noutput = "content"\n',
            "site.output: must not be or hold the content",
        ),
        ("[site]\n", '[site]\noutput = "."\n', "site.output: must not be the settings file's own"),
        (
            "[site]\n",
            '[site]\npermalink = "/blog/{slug}/}"\n',
            "is not part of a {name} placeholder",
        ),
        (
            "[site]\n",
            '[site]\npermalink = "/{slug.__class__}/"\n',
            "is not part of a {name} placeholder",
        ),
        (
            "[site]\n",
            '[delivery]\nstate = "public/journal.sqlite3"\n\n[site]\n',
            "delivery.state: lies inside the output folder",
        ),
        ("[site]\n", "[site]\nx = " + "[" * 5000 + "]" * 5000 + "\n", "nests tables or arrays"),
        (
            'timezone = "Europe/Berlin"',
            f'timezone = "{"x" * 5000}"',
            "is not a known time zone",
        ),
    ],
)
def test_bad_settings_are_one_line_and_nothing_is_written(
    blog: Blog, capsys: pytest.CaptureFixture[str], old: str, new: str, problem: str
) -> None:
    blog.post("2021-01-01-good.md", GOOD)
    assert run_cli(blog.args("build", "--no-cache"), capsys)[0] == 0
    before = snapshot(blog.public)
    text = blog.config.read_text()
    assert old in text
    blog.config.write_text(text.replace(old, new, 1))
    code, _, err = run_cli(blog.args("build", "--no-cache"), capsys)
    assert code == 2
    (line,) = err.splitlines()
    assert problem in line, line
    assert snapshot(blog.public) == before


def test_out_option_is_checked_too(blog: Blog, capsys: pytest.CaptureFixture[str]) -> None:
    blog.post("2021-01-01-good.md", GOOD)
    code, _, err = run_cli(blog.args("build", "--out", str(blog.content)), capsys)
    assert code == 2
    assert "site.output: must not be or hold the content folder" in err
    assert list(blog.content.iterdir()) == [blog.content / "2021-01-01-good.md"]


def set_post(field: str, value: object) -> Callable[[dict[str, Any]], None]:
    def mutate(cache: dict[str, Any]) -> None:
        for record in cache["records.json"]["records"].values():
            if record["post"]:
                record["post"][field] = value

    return mutate


def set_state(field: str, value: object) -> Callable[[dict[str, Any]], None]:
    def mutate(cache: dict[str, Any]) -> None:
        if field == "files":
            for entry in cache["state.json"]["files"].values():
                entry[0] = value
        else:
            cache["state.json"][field] = value

    return mutate


def set_render(field: str, value: object) -> Callable[[dict[str, Any]], None]:
    def mutate(cache: dict[str, Any]) -> None:
        for entry in cache["renders.json"]["renders"].values():
            entry[field] = value

    return mutate


@pytest.mark.parametrize(
    "mutate",
    [
        set_post("tags", "Feeds"),
        set_post("top", "yes"),
        set_post("date", "2021-01-01T00:00:00"),
        set_post("date", 5),
        set_post("title", ["x"]),
        set_post("extra", 1),
        set_state("files", "12"),
        set_state("next_publish", "garbage"),
        set_state("next_publish", "2021-01-01T00:00:00"),
        set_render("html", 5),
        set_render("warnings", "w"),
        set_render("unsafe_html_removed", -1),
    ],
)
def test_a_cache_entry_of_the_wrong_shape_is_a_miss(
    blog: Blog, capsys: pytest.CaptureFixture[str], mutate: Callable[[dict[str, Any]], None]
) -> None:
    blog.post("2021-01-01-good.md", GOOD.replace("tags: [Feeds]", "tags: [Feeds, Email]"))
    blog.post("2021-01-02-two.md", GOOD.replace("Good", "Two"))
    assert run_cli(blog.args("build"), capsys)[0] == 0
    expected = {name: data for name, (data, _) in snapshot(blog.public).items()}
    folder = blog.root / ".feeds-cache"
    cache = {name: json.loads((folder / name).read_text()) for name in CACHE_FILES}
    mutate(cache)
    for name, value in cache.items():
        (folder / name).write_text(json.dumps(value))
    (blog.public / "rss.xml").unlink()
    code, _, err = run_cli(blog.args("build"), capsys)
    assert code == 0, err
    assert {name: data for name, (data, _) in snapshot(blog.public).items()} == expected


CACHE_FILES = ("state.json", "records.json", "renders.json")


def test_a_symlink_loop_in_the_content_folder(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.post("sub/2021-01-01-good.md", GOOD)
    (blog.content / "sub" / "up").symlink_to("..")
    (blog.content / "self").symlink_to("self")
    code, out, err = run_cli(blog.args("build"), capsys)
    assert code == 0, err
    assert out.startswith("1 posts read")


def test_a_stale_temporary_file_is_removed_by_the_next_build(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.post("2021-01-01-good.md", GOOD)
    assert run_cli(blog.args("build"), capsys)[0] == 0
    stale = [
        blog.public / ".rss.xml.a1b2_c3d.tmp",
        blog.public / "tags/feeds/.atom.xml.zz99zz99.tmp",
    ]
    for path in stale:
        path.write_text("half")
    mine = blog.public / ".notes.tmp"
    mine.write_text("not ours")
    code, out, _ = run_cli(blog.args("build"), capsys)
    assert code == 0 and "nothing changed" in out
    assert not any(path.exists() for path in stale)
    assert mine.exists()


def test_unused_tag_feeds_are_reported_and_pruned_on_request(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.post("2021-01-01-good.md", GOOD.replace("tags: [Feeds]", "tags: [Feeds, Old]"))
    assert run_cli(blog.args("build"), capsys)[0] == 0
    blog.post("2021-01-01-good.md", GOOD)
    code, out, _ = run_cli(blog.args("build"), capsys)
    assert code == 0
    assert "; 1 unused tag feed(s) kept (old; --prune removes them)" in out
    assert (blog.public / "tags/old/rss.xml").exists()
    (blog.public / "tags/old/notes.txt").write_text("someone else's file")
    code, out, _ = run_cli(blog.args("build", "--prune"), capsys)
    assert code == 0
    assert "; 1 unused tag feed(s) removed (old)" in out
    assert sorted(p.name for p in (blog.public / "tags/old").iterdir()) == ["notes.txt"]
    assert (blog.public / "tags/feeds/rss.xml").exists()
    assert "unused tag feed" not in run_cli(blog.args("build", "--no-cache"), capsys)[1]


def test_a_name_too_long_for_the_file_system_is_refused_before_writing(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="longer than the 255 bytes"):
        write_outputs(tmp_path, {"rss.xml": b"new", f"tags/{'t' * 256}/rss.xml": b"x"})
    assert list(tmp_path.iterdir()) == []


ORPHAN_SCRIPT = """
import sys, time
from feeds.workers import process_pool
pool = process_pool(2)
started = [pool.submit(time.sleep, 120) for _ in range(2)]
time.sleep(0.5)
print("workers running", flush=True)
time.sleep(120)
"""


def test_workers_exit_when_the_build_is_killed(tmp_path: Path) -> None:
    """The symptom: a CI step reading the build's output hangs, because the killed build's
    workers still hold the pipe open. Here the pipe must reach end-of-file once the parent
    is killed with SIGKILL, so every worker has gone."""
    with subprocess.Popen(
        [sys.executable, "-c", ORPHAN_SCRIPT],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    ) as process:
        stdout = process.stdout
        assert stdout is not None
        assert stdout.readline() == b"workers running\n"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        done = threading.Event()

        def read_to_the_end() -> None:
            stdout.read()
            done.set()

        threading.Thread(target=read_to_the_end, daemon=True).start()
        # Generous: this waits for end-of-file, it does not measure speed.
        assert done.wait(30), "the workers outlived the killed build and hold its stdout open"


def test_each_item_gets_its_categories_in_one_call(
    blog: Blog, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """feedgen rebuilds an item's whole category list on every call: one call per tag was
    quadratic per item, and cubic over a post's tag feeds (500 tags took 24 s). The work is
    shown by counting calls, not by timing them."""
    from feedgen.entry import FeedEntry

    calls = 0
    original = FeedEntry.category

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(FeedEntry, "category", counted)
    tags = ", ".join(f"t{i}" for i in range(50))
    blog.post("2021-01-01-p.md", f"---\ntitle: T\ntags: [{tags}]\n---\nx\n")
    assert run_cli(blog.args("build", "--no-cache"), capsys)[0] == 0
    # The site feed and 50 tag feeds, each as RSS and Atom, each with the one item.
    assert calls == 2 * (1 + 50)


def test_a_post_file_past_the_size_limit(blog: Blog, capsys: pytest.CaptureFixture[str]) -> None:
    huge = "---\ntitle: T\ndate: 2021-01-02\n---\n" + "word " * (2 * 1024 * 1024)
    (line,) = refused(blog, capsys, "x.md", huge)
    assert line.endswith(
        "x.md: file is 10 MB; a post may be at most 8 MB (split it, or move data out of it)"
    )


def test_keep_going_leaves_out_a_post_whose_body_cannot_be_rendered(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.post("2021-01-01-good.md", GOOD)
    body = "".join("    " * depth + "1. a\n" for depth in range(400))
    deep = blog.post("2021-01-02-deep.md", f"---\ntitle: Deep\n---\n{body}")
    code, _, err = run_cli(blog.args("build", "--keep-going"), capsys)
    assert code == 1
    assert f"error: {deep}: body: nests lists, quotes or HTML too deeply" in err
    assert "error: 1 post(s) left out because of the errors above" in err
    assert "Good" in (blog.public / "rss.xml").read_text()
    assert "Deep" not in (blog.public / "rss.xml").read_text()


def test_a_duplicate_key_with_a_line_break_is_one_warning_line(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    path = blog.post("x.md", '---\ntitle: T\ndate: 2021-01-02\n"a\\nb": 1\n"a\\nb": 2\n---\nx\n')
    code, _, err = run_cli(blog.args("build"), capsys)
    assert code == 0
    assert err.splitlines() == [
        f"warning: {path}: 'a\\nb': appears more than once in the frontmatter; "
        "the last value is used"
    ]


def test_a_file_name_with_a_line_break_is_still_one_line(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.post("2021-01-01-good.md", GOOD)
    blog.post("bad\nname.md", "---\ntitle: T\n---\nx\n")
    code, _, err = run_cli(blog.args("build"), capsys)
    assert code == 2
    (line,) = err.splitlines()
    assert line.endswith(
        "bad\\nname.md: date: missing (use 2021-12-09 or 2021-12-09T08:30:00+01:00)"
    )


def test_a_file_name_that_is_not_utf8_builds_and_only_the_cache_is_skipped(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    blog.post("good.md", GOOD)
    name = os.fsdecode(b"caf\xff.md")  # what Python makes of such a name: a surrogate
    (blog.content / name).write_text(GOOD.replace("Good", "Odd"), encoding="utf-8")
    code, _, err = run_cli(blog.args("build"), capsys)
    assert code == 0 and "Traceback" not in err
    assert "could not save the build cache" in err and "cannot be written as JSON" in err
    titles = {
        item["title"] for item in json.loads((blog.public / "feed.json").read_text())["items"]
    }
    assert titles == {"Good", "Odd"}


def test_a_reader_that_stops_reading_is_no_traceback(blog: Blog) -> None:
    """``feeds build | head -c 0``: the summary cannot be written; the build is done anyway."""
    blog.post("good.md", GOOD)
    command = [sys.executable, "-m", "feeds", *blog.args("build")]
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:  # fmt: skip
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        err = process.stderr.read().decode("utf-8", "replace")
        assert process.wait(timeout=60) == 1
    assert "Traceback" not in err
    assert (blog.public / "feed.json").exists()
