"""Blogs as they are: Jekyll, Hugo, Eleventy and Next.js folders built with only a settings file,
and sample posts mutated the way real files arrive (CRLF, BOM, cp1252, duplicate keys, …)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import feedparser
import pytest

from feeds import cli
from feeds.content.templatetags import strip_template_tags

from .cli import run_cli
from .conftest import NOW, ROOT, Blog
from .feedcheck import CHECKS

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "blogs"

EXPECTED = {
    "jekyll": [
        "The Frontmatter Date Wins",
        "Second Post",
        "Hello, Jekyll",
    ],
    "hugo": ["Third, with a Video", "First Post, a Page Bundle"],
    "eleventy": ["2024", "This is my first post."],
    "nextjs": [
        "Preview Mode for Static Generation",
        "Dynamic Routing and Static Generation",
        "Learn How to Pre-render Pages Using Static Generation with Next.js",
    ],
}


def build(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[Path, str, str]:
    folder = tmp_path / name
    shutil.copytree(FIXTURES / name, folder)
    code, out, err = run_cli(
        ["build", "--config", str(folder / "feeds.toml"), "--out", str(tmp_path / "out"), *extra],
        capsys,
    )
    assert code == 0, err
    return tmp_path / "out", out, err


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_blog_builds_unchanged_into_clean_feeds(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _, _ = build(name, tmp_path, capsys)
    base = {"jekyll": "jekyll", "hugo": "hugo", "eleventy": "eleventy", "nextjs": "next"}[name]
    files = sorted(path for path in out.rglob("*") if path.is_file())
    assert files
    for path in files:
        relative = path.relative_to(out).as_posix()
        url = f"https://{base}.example.com/{relative}"
        assert CHECKS[path.name](path.read_bytes(), url) == [], relative
    for feed in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse((out / feed).read_bytes())
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert [entry.title for entry in parsed.entries] == EXPECTED[name]
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    assert [item["title"] for item in items] == EXPECTED[name]


def items_of(out: Path) -> dict[str, dict[str, Any]]:
    return {
        item["title"]: item
        for item in json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    }


def test_jekyll_names_dates_liquid_and_permalinks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, summary, warnings = build("jekyll", tmp_path, capsys)
    assert summary.startswith(
        "4 posts read, 3 published (1 draft left out), 4 template tag(s) removed;"
    )
    renamed = tmp_path / "jekyll/_posts/2020-03-01-renamed.md"
    assert warnings == (
        f"warning: {renamed}: date: 2020-03-02 differs from the date in the file name (2020-03-01); using date\n"
    )
    items = items_of(out)
    hello = items["Hello, Jekyll"]
    assert hello["url"] == "https://jekyll.example.com/2019/05/30/hello-jekyll.html"
    assert hello["date_published"] == "2019-05-30T00:00:00-04:00"
    assert hello["tags"] == ["ruby", "jekyll", "notes"]
    assert hello["summary"] == "The first post, with a highlight block and an include."
    assert '<pre><code class="language-ruby">def greet(name)' in hello["content_html"]
    assert (
        '<img alt="Logo" src="https://jekyll.example.com/assets/logo.png">' in hello["content_html"]
    )
    assert "Show a tag literally: {{ page.title }}." in hello["content_html"]
    assert "{%" not in hello["content_html"] and "include" not in hello["content_html"]
    second = items["Second Post"]
    assert second["date_published"] == "2020-01-15T09:00:00+00:00"
    assert second["date_modified"] == "2020-02-01T10:00:00-05:00"


def test_hugo_toml_bundles_sections_and_shortcodes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, summary, _ = build("hugo", tmp_path, capsys)
    assert "1 section page(s) skipped" in summary and "5 template tag(s) removed" in summary
    assert "2 unsafe HTML element(s) or attribute(s) removed" in summary
    items = items_of(out)
    bundle = items["First Post, a Page Bundle"]
    assert bundle["url"] == "https://hugo.example.com/posts/first-post/"
    assert bundle["image"] == "https://hugo.example.com/posts/first-post/cover.jpg"
    assert bundle["tags"] == ["go", "hugo", "dev"]
    assert bundle["date_modified"] == "2021-03-05T09:00:00+01:00"
    html = bundle["content_html"]
    assert 'src="https://hugo.example.com/posts/first-post/diagram.png"' in html
    assert (
        '<img alt="Chart of builds" src="https://hugo.example.com/posts/first-post/chart.png">'
        in html
    )
    assert '<pre><code class="language-go">fmt.Println("hello")' in html
    assert "<p>Kept text inside a paired shortcode.</p>" in html
    assert "<code>{{&lt; youtube id &gt;}}</code>" in html
    video = items["Third, with a Video"]["content_html"]
    assert '<a href="https://www.youtube.com/embed/abc123">A talk</a>' in video
    assert "<script" not in video and "onclick" not in video and "Tracked paragraph." in video


def test_eleventy_listing_page_and_numeric_title(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, summary, _ = build("eleventy", tmp_path, capsys)
    assert summary.startswith(
        "2 posts read, 2 published, 1 section page(s) skipped, 1 template tag(s) removed;"
    )
    first = items_of(out)["This is my first post."]
    assert (
        '<a href="https://eleventy.example.com/blog/secondpost/">Read the second post</a>'
        in first["content_html"]
    )


def test_nextjs_language_folder_cover_image_and_iso_dates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, summary, _ = build("nextjs", tmp_path, capsys)
    assert summary.startswith("3 posts read, 3 published;")
    items = items_of(out)
    assert "Hallo Welt" not in items
    preview = items["Preview Mode for Static Generation"]
    assert preview["url"] == "https://next.example.com/posts/preview/"
    assert preview["image"] == "https://next.example.com/assets/blog/preview/cover.jpg"
    assert preview["date_published"] == "2020-03-16T05:35:07.999000+00:00"
    assert "<code>{{ this }}</code>" in preview["content_html"]
    assert "{{#each posts}}{{title}}{{/each}}" in preview["content_html"]


def test_template_tags_can_be_kept_verbatim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "jekyll"
    shutil.copytree(FIXTURES / "jekyll", folder)
    settings = folder / "feeds.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            "[site]\n", '[site]\ntemplate_tags = "keep"\n'
        ),
        encoding="utf-8",
    )
    assert (
        cli.main(["build", "--config", str(settings), "--out", str(tmp_path / "out")], now=NOW) == 0
    )
    hello = items_of(tmp_path / "out")["Hello, Jekyll"]
    assert "{% highlight ruby %}" in hello["content_html"]
    assert "template tag" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("markdown", "expected", "count"),
    [
        ("a {{ site.url }} b", "a  b", 1),
        ("{% if x %}shown{% endif %}", "shown", 2),
        ("{{< note >}}inner{{< /note >}}", "inner", 2),
        ("{{% aside %}}inner{{% /aside %}}", "inner", 2),
        ('{{< figure src="a.png" caption="A" >}}', "![A](a.png)", 1),
        ("{% highlight js %}\nx()\n{% endhighlight %}", "\n```js\nx()\n```\n", 1),
        ("{% raw %}{{ literal }}{% endraw %}", "{{ literal }}", 1),
        ("`{{ code span }}` and {{ gone }}", "`{{ code span }}` and ", 1),
        ("```\n{% not touched %}\n```", "```\n{% not touched %}\n```", 0),
        ("{{ '/about/' | url }}", "/about/", 1),
        ("plain {text} and { braces }", "plain {text} and { braces }", 0),
    ],
)
def test_template_tags_side_by_side(markdown: str, expected: str, count: int) -> None:
    assert strip_template_tags(markdown) == (expected, count)


# Mutations of a real sample post, each with its outcome.

SAMPLE_POST = ROOT / "content/posts/2022-08-18-cafe-debugging.md"


@pytest.fixture
def mutable(sample_blog: Blog) -> Blog:
    return sample_blog


def build_sample(blog: Blog, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str, bytes]:
    code, out, err = run_cli(blog.args("build", "--out", str(blog.root / "out")), capsys)
    rss = blog.root / "out/rss.xml"
    return code, out, err, rss.read_bytes() if rss.exists() else b""


def test_mutations(mutable: Blog, capsys: pytest.CaptureFixture[str]) -> None:
    target = mutable.content / "posts" / SAMPLE_POST.name
    original = SAMPLE_POST.read_text(encoding="utf-8")
    code, _, _, baseline = build_sample(mutable, capsys)
    assert code == 0

    # CRLF line endings and a UTF-8 byte-order mark change nothing at all.
    target.write_bytes(original.replace("\n", "\r\n").encode("utf-8"))
    assert build_sample(mutable, capsys)[3] == baseline
    target.write_bytes(b"\xef\xbb\xbf" + original.encode("utf-8"))
    assert build_sample(mutable, capsys)[3] == baseline

    # Decomposed accents (NFD, as macOS writes file contents sometimes) are normalised to NFC.
    import unicodedata

    target.write_text(unicodedata.normalize("NFD", original), encoding="utf-8")
    assert build_sample(mutable, capsys)[3] == baseline

    # cp1252 is not UTF-8: an error that names the file, and nothing written.
    shutil.rmtree(mutable.root / "out")
    target.write_bytes(original.encode("cp1252", errors="replace"))
    code, _, err, rss = build_sample(mutable, capsys)
    assert code == 2 and rss == b""
    assert err.startswith(f"error: {target}: is not UTF-8 (bad byte at offset ")

    # A duplicate key: a warning naming file and key; the last value wins.
    target.write_text(
        original.replace('title: "Débogage', 'title: "First"\ntitle: "Débogage', 1),
        encoding="utf-8",
    )
    code, _, err, rss = build_sample(mutable, capsys)
    assert code == 0
    assert (
        err
        == f"warning: {target}: title: appears more than once in the frontmatter; the last value is used\n"
    )
    assert rss == baseline

    # Control characters: removed with a warning, and the feed still parses.
    target.write_text(
        original.replace("Non-ASCII text", "Non-ASCII\x0b text\x1b"), encoding="utf-8"
    )
    code, _, err, rss = build_sample(mutable, capsys)
    assert code == 0
    assert (
        err
        == f"warning: {target}: removed 2 character(s) that XML forbids (first: U+000B on line 8)\n"
    )
    assert not feedparser.parse(rss).bozo


def test_keep_going_builds_the_good_posts_and_exits_1(
    mutable: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = mutable.post("posts/broken.md", "---\ntitle: Broken\ndate: soon\n---\nx\n")
    code, out, err = run_cli(mutable.args("build", "--keep-going"), capsys)
    assert code == 1
    assert err.splitlines() == [
        f"error: {bad}: date: 'soon' is not a date (use 2021-12-09 or 2021-12-09T08:30:00+01:00)",
        "error: 1 post(s) left out because of the errors above",
    ]
    assert out.startswith("14 posts read, 12 published")
    assert (mutable.public / "rss.xml").exists()
    # Without --keep-going the same content writes nothing.
    shutil.rmtree(mutable.public)
    assert cli.main(mutable.args("build"), now=NOW) == 2
    assert not mutable.public.exists()


def test_big_posts_raw_html_tables_footnotes_cjk_and_rtl(
    blog: Blog, capsys: pytest.CaptureFixture[str]
) -> None:
    paragraph = "日本語の文章とEnglish words, مرحبا بالعالم, and a table.\n\n"
    table = "| 列 | عمود |\n|---|---|\n| 一 | واحد |\n\n"
    big = (
        paragraph + table
    ) * 2500 + 'Footnote here[^1].\n\n[^1]: 脚注。\n\n<div dir="rtl"><p>نص من اليمين</p></div>\n'
    # Large enough for every stage to run on a big input; larger only slows the suite.
    assert len(big.encode("utf-8")) > 200_000
    blog.post("big.md", f"---\ntitle: 大きな投稿 — منشور كبير\ndate: 2021-01-01\n---\n{big}")
    code, _, err = run_cli(blog.args("build"), capsys)
    assert code == 0, err
    for name in ("rss.xml", "atom.xml"):
        data = (blog.public / name).read_bytes()
        parsed = feedparser.parse(data)
        assert not parsed.bozo
        assert parsed.entries[0].title == "大きな投稿 — منشور كبير"
        assert CHECKS[name](data, f"https://example.com/{name}") == []
    content = json.loads((blog.public / "feed.json").read_text(encoding="utf-8"))["items"][0][
        "content_html"
    ]
    assert '<div dir="rtl"><p>نص من اليمين</p></div>' in content
    assert 'class="footnote"' in content and "<td>واحد</td>" in content
