"""Template tags rendered end to end: fixture blogs with a site root (Jekyll, Hugo, Eleventy)
show in their feeds and newsletters what the site shows; a cached build never differs from a
clean one when data files, includes or other posts' URLs change."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import feedparser
import pytest

from feeds.config_reader import load_config
from feeds.content.loader import load_site_posts
from feeds.newsletter.build import build_newsletter
from feeds.newsletter.selection import Selection

from .cli import run_cli
from .conftest import NOW, ROOT
from .feedcheck import CHECKS

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "blogs"
JEKYLL_POST = "_posts/2026-04-21-tool-3-3-12.md"
SHA = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"


def copy(name: str, tmp_path: Path) -> Path:
    folder = tmp_path / name
    shutil.copytree(FIXTURES / name, folder)
    return folder


def build(
    folder: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str, str, dict[str, dict[str, Any]]]:
    out = folder.parent / "out"
    code, stdout, stderr = run_cli(
        ["build", "--config", str(folder / "feeds.toml"), "--out", str(out), *extra], capsys
    )
    feed = out / "feed.json"
    items = json.loads(feed.read_text(encoding="utf-8"))["items"] if feed.exists() else []
    return code, stdout, stderr, {item["title"]: item for item in items}


def test_jekyll_data_files_includes_and_links_to_other_posts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy("jekyll-site", tmp_path)
    code, out, err, items = build(folder, capsys)
    assert code == 0, err
    assert out.startswith(
        "2 posts read, 2 published, 23 template tag(s) rendered, 1 unknown template tag(s) removed;"
    )
    assert err == (
        f"warning: {folder / JEKYLL_POST}: line 31: unknown Liquid tag 'seo'; "
        "its text ('{% seo %}') was removed\n"
    )
    html = items["Tool 3.3.12"]["content_html"]
    url = "https://downloads.example.com/tool-3.3.12.tar.gz"
    assert f'<p>Download: <a href="{url}">{url}</a></p>' in html
    assert f"<p>SHA256: {SHA}</p>" in html
    assert f"<p>Checksum for 3.3.12: <code>{SHA}</code></p>" in html
    older = "https://jekyll-site.example.com/2026/04/20/tool-3-3-11.html"
    assert f'<a href="{older}">3.3.11</a> (also at {older})' in html
    # The highlight block is one code block, whatever backticks it holds.
    assert (
        '<pre><code class="language-shell">curl -O https://downloads.example.com/tool-3.3.12.tar.gz\n'
        'echo "a stray ` backtick"</code></pre>'
    ) in html
    assert "endhighlight" not in html
    assert (
        '<div class="note"><strong>Heads up:</strong> The old mirrors close in May.</div>' in html
    )
    assert (
        '<p>Mirrors: <a href="https://eu.example.com/">Europe</a>, '
        '<a href="https://asia.example.com/">Asia</a>.</p>'
    ) in html
    assert '<a href="https://jekyll-site.example.com/releases/">All releases</a>' in html
    assert "<p>Built <em>with</em> care</p>" in html
    assert "Show a tag literally: {{ page.title }}." in html
    assert "seo" not in html
    assert "{%" not in html
    older_html = items["Tool 3.3.11"]["content_html"]
    assert "tool-3.3.11.tar.gz</a>" in older_html


def test_hugo_builtin_and_custom_shortcodes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy("hugo-site", tmp_path)
    code, out, err, items = build(folder, capsys)
    assert code == 0, err
    assert "12 template tag(s) rendered, 2 unknown template tag(s) removed" in out
    post = folder / "content/posts/launch/index.md"
    assert err.splitlines() == [
        f"warning: {post}: line 36: shortcode 'tabs' does more than print its text and "
        "parameters; its inner text is kept",
        f"warning: {post}: line 38: shortcode 'newsletter-form' has no template in "
        "layouts/shortcodes/; removed",
    ]
    html = items["Launch Day"]["content_html"]
    watch = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert (
        f'<a href="{watch}"><img src="https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg" '
        f'alt="The launch talk"></a><br><a href="{watch}">The launch talk</a>'
    ) in html
    assert '<a href="https://vimeo.com/146022717">' in html
    assert '<a href="https://x.com/hugo/status/1453110110599868418">' in html
    assert '<a href="https://www.instagram.com/p/BWNjjyYFxVx/">' in html
    assert '<a href="https://gist.github.com/spf13/7896402#file-img-html">' in html
    assert "<iframe" not in html and "<script" not in html
    assert (
        '<figure><img src="https://hugo-site.example.com/posts/launch/team.jpg" alt="The team">'
        "<figcaption>Everyone, <em>on the day</em></figcaption></figure>"
    ) in html
    assert '<pre><code class="language-go">fmt.Println("a stray ` backtick")</code></pre>' in html
    assert '<a href="https://hugo-site.example.com/posts/background/">background</a>' in html
    canonical = "https://canonical.example.com/posts/launch/"
    assert f'Canonical copy: <a href="{canonical}">{canonical}</a>' in html
    assert "Remember to add the slides" not in html
    assert '<div class="notice notice-info">Tickets are <strong>free</strong>.</div>' in html
    assert '<p class="signature">— Hugh (@hugo@example.social)</p>' in html
    assert "<p>First tab---Second tab</p>" in html
    assert "<code>{{&lt; youtube id &gt;}}</code>" in html


def test_eleventy_liquid_with_data_includes_and_filters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy("eleventy-site", tmp_path)
    code, out, err, items = build(folder, capsys)
    assert code == 0, err
    assert "10 template tag(s) rendered, 1 unknown template tag(s) removed" in out
    assert "unknown Liquid tag 'unknownshortcode'" in err
    html = items["Version 2.1.0"]["content_html"]
    assert "<p>Version 2.1.0 by Elle Venty (March 2, 2024).</p>" in html
    assert "SHA256: abc123def456." in html
    assert '<a href="https://eleventy-site.example.com/docs/">Docs</a>' in html
    assert '<a href="https://eleventy-site.example.com/blog/welcome/">the previous post</a>' in html
    assert "this page: /blog/release/." in html
    assert '<p class="cta">Subscribe to Eleventy Site — it is free</p>' in html
    assert "<p>version-2-1-0</p>" in html
    assert items["Welcome"]["content_html"] == "<p>Hello from Eleventy Site.</p>"


@pytest.mark.parametrize("name", ["jekyll-site", "hugo-site", "eleventy-site"])
def test_rendered_feeds_are_valid(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy(name, tmp_path)
    assert build(folder, capsys)[0] == 0
    out = tmp_path / "out"
    for path in sorted(out.rglob("*.*")):
        relative = path.relative_to(out).as_posix()
        assert CHECKS[path.name](path.read_bytes(), f"https://{name}.example.com/{relative}") == []
    assert not feedparser.parse((out / "atom.xml").read_bytes()).bozo


@pytest.mark.parametrize(
    ("name", "title", "expected"),
    [
        ("jekyll-site", "Tool 3.3.12", f"SHA256: {SHA}"),
        (
            "jekyll-site",
            "Tool 3.3.12",
            "https://jekyll-site.example.com/2026/04/20/tool-3-3-11.html",
        ),
        ("hugo-site", "Launch Day", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("hugo-site", "Launch Day", "https://hugo-site.example.com/posts/background/"),
        ("eleventy-site", "Version 2.1.0", "Subscribe to Eleventy Site"),
    ],
)
def test_the_newsletter_shows_the_same(
    name: str, title: str, expected: str, tmp_path: Path
) -> None:
    folder = copy(name, tmp_path)
    config = load_config(folder / "feeds.toml")
    config = replace(
        config, newsletter=replace(config.newsletter, templates_dir=ROOT / "templates")
    )
    loaded = load_site_posts(config.site)
    built = build_newsletter(config, loaded, NOW, Selection(latest=5), full=True)
    assert built is not None
    assert title in built.issue.html
    assert expected in built.issue.html
    assert "{%" not in built.issue.html and "{{<" not in built.issue.html
    assert "<iframe" not in built.issue.html


def test_strip_and_keep_still_apply_to_a_site_with_a_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy("jekyll-site", tmp_path)
    settings = folder / "feeds.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("[site]\n", '[site]\ntemplate_tags = "strip"\n'))
    code, out, _, items = build(folder, capsys)
    assert code == 0 and "template tag(s) removed" in out and "rendered" not in out
    assert "<p>SHA256: </p>" in items["Tool 3.3.12"]["content_html"]
    settings.write_text(text.replace("[site]\n", '[site]\ntemplate_tags = "keep"\n'))
    code, out, _, items = build(folder, capsys)
    assert code == 0 and "template tag" not in out
    assert "{{ release.sha256.gz }}" in items["Tool 3.3.12"]["content_html"]


def test_the_site_root_can_be_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A root that is not above the content folder: set with [site] root."""
    folder = copy("jekyll-site", tmp_path)
    posts = tmp_path / "elsewhere"
    shutil.move(folder / "_posts", posts / "_posts")
    settings = folder / "feeds.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            'content = "."', 'content = "../elsewhere"\nroot = "."'
        ),
        encoding="utf-8",
    )
    code, _, err, items = build(folder, capsys)
    assert code == 0, err
    assert f"SHA256: {SHA}" in items["Tool 3.3.12"]["content_html"]


def test_a_root_that_is_not_a_folder_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy("jekyll-site", tmp_path)
    settings = folder / "feeds.toml"
    settings.write_text(
        settings.read_text().replace('content = "."', 'content = "."\nroot = "nowhere"')
    )
    code, _, err, _ = build(folder, capsys)
    assert code == 2
    assert err == (
        f"error: {folder / 'nowhere'}: is not a folder ([site] root: the blog's own folder)\n"
    )


def test_render_without_a_root_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy("eleventy", tmp_path)
    settings = folder / "feeds.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            "[site]\n", '[site]\ntemplate_tags = "render"\n'
        )
    )
    code, _, err, _ = build(folder, capsys)
    assert code == 2
    assert err == (
        f'error: {folder / "posts"}: template_tags = "render" needs the site root, and none '
        'was found above this folder (set [site] root, or template_tags = "strip")\n'
    )


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("Intro\n\n{% if page.title %}\nnever closed\n", 7, "Liquid: expected tag endif"),
        ("One\n\n{{ page.title | where: }}\n", 6, "Liquid: where"),
        ("One\n{% include missing.html %}\n", 5, "Liquid: include 'missing.html' not found"),
        ("One\n{% include ../../../etc/passwd %}\n", 5, "Liquid: include"),
    ],
)
def test_a_broken_template_is_one_error_line(
    body: str,
    line: int | None,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = copy("jekyll-site", tmp_path)
    broken = folder / "_posts/2026-05-01-broken.md"
    broken.write_text(f"---\ntitle: Broken\n---\n{body}", encoding="utf-8")
    code, _, err, _ = build(folder, capsys, "--no-cache")
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1, lines
    where = f"line {line}" if line else "template"
    assert lines[0].startswith(f"error: {broken}: {where}: {message}"), lines[0]
    assert lines[0].endswith('(fix it, or set template_tags = "strip")')


def test_page_url_is_below_the_baseurl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Jekyll's ``page.url`` leaves out ``baseurl``: ``relative_url`` adds it, once."""
    folder = copy("jekyll-site", tmp_path)
    config = folder / "_config.yml"
    config.write_text(config.read_text().replace('baseurl: ""', 'baseurl: "/sub"'), "utf-8")
    settings = folder / "feeds.toml"
    settings.write_text(
        settings.read_text().replace('.example.com/"', '.example.com/sub/"'), "utf-8"
    )
    (folder / "_posts/2026-05-01-here.md").write_text(
        "---\ntitle: Here\n---\nAt {{ page.url }}, or {{ page.url | relative_url }}.\n", "utf-8"
    )
    code, _, err, items = build(folder, capsys, "--no-cache")
    assert code == 0, err
    assert (
        "<p>At /2026/05/01/here.html, or /sub/2026/05/01/here.html.</p>"
        in (items["Here"]["content_html"])
    )


def test_a_link_to_a_missing_post_keeps_its_text_and_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy("jekyll-site", tmp_path)
    post = folder / "_posts/2026-05-01-gone.md"
    post.write_text(
        "---\ntitle: Gone\n---\nSee [the old post]({% link _posts/nope.md %}), "
        '<a href="{% post_url 2001-01-01-nope %}">this one</a> and {% link _posts/nope.md %}.\n',
        "utf-8",
    )
    code, _, err, items = build(folder, capsys, "--no-cache")
    assert code == 0, err
    # An empty href would have linked to the post itself.
    assert items["Gone"]["content_html"] == "<p>See the old post, this one and .</p>"
    assert (
        f"warning: {post}: {{% link _posts/nope.md %}}: no post found for 'link:_posts/nope.md'; "
        "the link is removed, its text kept"
    ) in err


def test_a_hugo_ref_to_a_missing_page_keeps_its_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy("hugo-site", tmp_path)
    post = folder / "content/posts/gone.md"
    post.write_text(
        '---\ntitle: Gone\ndate: 2025-06-01\n---\nSee [the old post]({{< ref "nope.md" >}}).\n',
        "utf-8",
    )
    code, _, err, items = build(folder, capsys, "--no-cache")
    assert code == 0, err
    assert items["Gone"]["content_html"] == "<p>See the old post.</p>"
    assert f"warning: {post}: line 5: shortcode 'ref' finds no page 'nope.md'; removed" in err


BROKEN_POSTS = {
    "2026-05-01-open.md": "Intro\n\n{% if page.title %}\nnever closed\n",
    "2026-05-02-missing.md": "One\n{% include missing.html %}\n",
    "2026-05-03-bad-include.md": "One\n{% include broken.html %}\n",
}


@pytest.mark.parametrize("keep_going", [False, True])
def test_every_post_with_a_broken_template_is_listed_and_keep_going_leaves_them_out(
    keep_going: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy("jekyll-site", tmp_path)
    (folder / "_includes/broken.html").write_text("{% if x %}open", encoding="utf-8")
    for name, body in BROKEN_POSTS.items():
        title = name[11:-3]
        (folder / "_posts" / name).write_text(f"---\ntitle: {title}\n---\n{body}", "utf-8")
    extra = ("--keep-going",) if keep_going else ()
    code, _, err, items = build(folder, capsys, "--no-cache", *extra)
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    posts = folder / "_posts"
    expected = [
        f"error: {folder / '_includes/broken.html'}: line 1: Liquid: expected tag endif",
        f"error: {posts / '2026-05-01-open.md'}: line 7: Liquid: expected tag endif",
        f"error: {posts / '2026-05-02-missing.md'}: line 5: Liquid: include 'missing.html'",
    ]
    assert [line.split(",")[0].split(" not found")[0] for line in errors[:3]] == expected
    # The broken include names the post that read it: that post is the one left out.
    assert f"read by {posts / '2026-05-03-bad-include.md'}" in errors[0]
    if keep_going:
        assert code == 1
        assert errors[3:] == ["error: 3 post(s) left out because of the errors above"]
        assert sorted(items) == ["Tool 3.3.11", "Tool 3.3.12"]
    else:
        assert code == 2
        assert len(errors) == 3
        assert not (folder.parent / "out").exists()


def feed_bytes(out: Path) -> dict[str, bytes]:
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }


def cached_and_clean(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    cached_out, clean_out = folder.parent / "cached", folder.parent / "clean"
    settings = str(folder / "feeds.toml")
    code, _, err = run_cli(["build", "--config", settings, "--out", str(cached_out)], capsys)
    assert code == 0, err
    shutil.rmtree(clean_out, ignore_errors=True)
    code, _, err = run_cli(
        ["build", "--config", settings, "--out", str(clean_out), "--no-cache"], capsys
    )
    assert code == 0, err
    return feed_bytes(cached_out), feed_bytes(clean_out)


def test_a_cached_build_never_differs_from_a_clean_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a render reads besides its post — data files, includes, the site's settings, other
    posts' URLs — changes the cached build exactly as it changes a clean one."""
    folder = copy("jekyll-site", tmp_path)
    cached, clean = cached_and_clean(folder, capsys)
    assert cached == clean

    def content(files: dict[str, bytes]) -> str:
        return files["feed.json"].decode("utf-8")

    # A data file edited: the checksum changes, though no post file did.
    data = folder / "_data/releases.yml"
    data.write_text(data.read_text(encoding="utf-8").replace("c0ffee00", "beef0000"))
    cached, clean = cached_and_clean(folder, capsys)
    assert cached == clean and "beef0000" in content(cached)

    # An include edited.
    note = folder / "_includes/note.html"
    note.write_text(note.read_text(encoding="utf-8").replace("<strong>", "<strong>!"))
    cached, clean = cached_and_clean(folder, capsys)
    assert cached == clean and "<strong>!Heads up" in content(cached)

    # The linked post moves (its date, so its URL, changes): the linking post shows the new URL.
    older = folder / "_posts/2026-04-20-tool-3-3-11.md"
    older.write_text(
        older.read_text(encoding="utf-8").replace(
            'title: "Tool 3.3.11"', 'title: "Tool 3.3.11"\ndate: 2026-04-19'
        )
    )
    cached, clean = cached_and_clean(folder, capsys)
    assert cached == clean and "/2026/04/19/tool-3-3-11.html" in content(cached)

    # The site's own settings edited.
    config = folder / "_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace('baseurl: ""', 'baseurl: "/docs"'))
    cached, clean = cached_and_clean(folder, capsys)
    assert cached == clean and "https://jekyll-site.example.com/docs/releases/" in content(cached)


def test_an_unchanged_rebuild_stops_early_and_a_data_edit_does_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy("jekyll-site", tmp_path)
    args = ["build", "--config", str(folder / "feeds.toml"), "--out", str(tmp_path / "out")]
    assert run_cli(args, capsys)[0] == 0
    assert run_cli(args, capsys)[1].startswith("nothing changed since the last build")
    data = folder / "_data/mirrors.csv"
    data.write_text(data.read_text(encoding="utf-8") + "Africa,https://africa.example.com/\n")
    code, out, _ = run_cli(args, capsys)
    assert code == 0 and not out.startswith("nothing changed")
    assert "africa.example.com" in (tmp_path / "out/feed.json").read_text(encoding="utf-8")


def test_worker_processes_render_the_same(tmp_path: Path) -> None:
    """Rendering in worker processes (plain data crosses over; the deadline is checked in the
    worker) gives what rendering in one process gives."""
    from feeds.content.render import PARALLEL_FROM, render_posts
    from feeds.content.templating import prepare_templating

    folder = copy("jekyll-site", tmp_path)
    for day in range(1, PARALLEL_FROM + 2):
        (folder / f"_posts/2026-03-{day:02d}-note-{day}.md").write_text(
            f"---\ntitle: Note {day}\n---\n{{{{ site.data.releases[1].sha256.gz }}}} "
            "[older]({% post_url 2026-04-20-tool-3-3-11 %})\n",
            encoding="utf-8",
        )
    site = load_config(folder / "feeds.toml").site
    posts = load_site_posts(site).posts
    templating = prepare_templating(site, posts)
    alone = render_posts(posts, site, workers=1, templating=templating)
    together = render_posts(posts, site, workers=2, templating=templating)
    assert [post.html for post in together] == [post.html for post in alone]
    assert sum(SHA in post.html for post in together) == PARALLEL_FROM + 2


def test_broken_templates_in_workers_are_one_line_each(tmp_path: Path) -> None:
    from feeds.content.render import PARALLEL_FROM, render_posts
    from feeds.content.templating import prepare_templating
    from feeds.errors import ContentErrors

    folder = copy("jekyll-site", tmp_path)
    for day in range(1, PARALLEL_FROM + 2):
        (folder / f"_posts/2026-03-{day:02d}-note-{day}.md").write_text(
            f"---\ntitle: Note {day}\n---\n{{% if x %}}\n", encoding="utf-8"
        )
    site = load_config(folder / "feeds.toml").site
    posts = load_site_posts(site).posts
    with pytest.raises(ContentErrors) as raised:
        render_posts(posts, site, workers=2, templating=prepare_templating(site, posts))
    lines = raised.value.lines()
    assert len(lines) == PARALLEL_FROM + 1
    for day, line in enumerate(
        sorted(lines, key=lambda text: int(text.split("note-")[1].split(".")[0])), 1
    ):
        assert line.startswith(f"{folder / f'_posts/2026-03-{day:02d}-note-{day}.md'}: line 4: ")
        assert "Liquid: expected tag endif" in line and "\n" not in line


def test_page_date_prints_as_jekyll_prints_it() -> None:
    from datetime import datetime, timedelta, timezone

    from feeds.content.templating import LiquidTime

    moment = datetime(2021, 1, 2, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    assert str(LiquidTime.of(moment)) == "2021-01-02 09:30:00 +0100"
    assert LiquidTime.of(moment) == moment


def test_a_relatively_included_file_edited_is_noticed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """include_relative reads a file no folder watch covers: the cache remembers it."""
    folder = copy("jekyll-site", tmp_path)
    (folder / "_posts/snippets").mkdir()
    snippet = folder / "_posts/snippets/warning.txt"
    snippet.write_text("First wording.", encoding="utf-8")
    post = folder / JEKYLL_POST
    post.write_text(
        post.read_text(encoding="utf-8") + "\n{% include_relative snippets/warning.txt %}\n",
        encoding="utf-8",
    )
    cached, clean = cached_and_clean(folder, capsys)
    assert cached == clean and b"First wording." in cached["feed.json"]
    snippet.write_text("Second wording.", encoding="utf-8")
    cached, clean = cached_and_clean(folder, capsys)
    assert cached == clean and b"Second wording." in cached["feed.json"]


def test_unknown_tags_fail_a_strict_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy("jekyll-site", tmp_path)
    code, _, err = run_cli(["check", "--config", str(folder / "feeds.toml"), "--strict"], capsys)
    assert code == 2
    assert "unknown Liquid tag 'seo'" in err


@pytest.mark.parametrize("name", ["jekyll-site", "hugo-site", "eleventy-site"])
def test_rendering_reaches_no_network(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Embeds (gists, posts on X, videos) become links: nothing is fetched to render them."""
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a template reached for the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    folder = copy(name, tmp_path)
    code, _, err, items = build(folder, capsys, "--no-cache")
    assert code == 0, err
    assert items


def test_a_data_file_that_cannot_be_read_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy("jekyll-site", tmp_path)
    (folder / "_data/broken.json").write_text("{not json", encoding="utf-8")
    code, _, err, items = build(folder, capsys)
    assert code == 0
    assert f"warning: {folder / '_data/broken.json'}: data file cannot be parsed: " in err
    assert f"SHA256: {SHA}" in items["Tool 3.3.12"]["content_html"]


@pytest.mark.parametrize(
    "body",
    [
        '<img src="{{ page.poster }}" alt="x">\n',
        '<p poster="{{ page.poster }}"><section>Block</section></p>\n',
        "Text {{ page.poster }} text.\n",
    ],
)
def test_a_character_xml_forbids_printed_by_a_template_is_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str
) -> None:
    """Reading a file removes the characters XML forbids, but a YAML escape in frontmatter
    ("\\v") brings one back when a template prints the value: removed with a warning, not a
    traceback from lxml."""
    folder = copy("jekyll-site", tmp_path)
    (folder / "_posts" / "2026-05-01-poster.md").write_text(
        f'---\ntitle: Poster\ndate: 2026-05-01\nposter: "a\\vb.png"\n---\n{body}',
        encoding="utf-8",
    )
    code, _, err, items = build(folder, capsys)
    assert code == 0 and "Traceback" not in err, err
    assert "poster.md: body: removed 1 character(s) that XML forbids from what template" in err
    assert "\x0b" not in items["Poster"]["content_html"]
