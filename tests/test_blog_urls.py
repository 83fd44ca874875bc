"""Each generator's own URL rules, on fixture blogs built with only a settings file: every
feed link must be the URL the generator serves the post at (rules and examples from each
generator's source and documentation; names chosen so that another slug style would fail)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import feedparser
import pytest

from .cli import run_cli
from .feedcheck import CHECKS

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "blogs"

EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    # Jekyll: :title is slugify(name, "pretty", cased) — case, "." and "_" kept; one-digit
    # months and days in file names; a per-post permalink with Jekyll's placeholders wins.
    "jekyll-archive": {
        "": {
            "DataTable as a Method Parameter": "/archive/2004/02/04/DataTableAsAMethodParameter.aspx/",
            "Hello World": "/archive/2021/01/02/Hello-World/",
            "Short Date": "/archive/2021/02/03/short-date/",
            "Café Crème": "/archive/2021/01/04/Caf%C3%A9-Cr%C3%A8me/",
            "Dots": "/archive/2021/01/09/dots/",
            "Own Permalink": "/blog/2021/Perma_Link/",
            "Categories Permalink": "/tech/web/2021/01/06/my-post.html",
            "Update 2021": "/archive/2021/03/01/Update/",
            "Update 2022": "/archive/2022/03/01/Update/",
        }
    },
    # Jekyll's default "date" permalinks; es/_posts/ is the category "es".
    "jekyll-multilingual": {
        "": {
            "Hello World": "/2021/01/07/Hello-World.html",
            "Version 22.1.0": "/2021/01/08/v22.1.0.html",
        },
        "es/": {
            "Hola Mundo": "/es/2021/01/07/Hola-Mundo.html",
            "Versión 22.1.0": "/es/2021/01/08/v22.1.0.html",
        },
    },
    # Hugo: lower-cased, spaces to "-", "." and "_" kept, the date kept in a name, a bundle
    # named by its folder, slug: urlized, url: as written.
    "hugo-blog": {
        "": {
            "Introducing Nex": "/blog/introducing_nex/",
            "v1.0 of the Trio": "/blog/2022/v1.0-trio/",
            "Hello World": "/blog/hello-world/",
            "Dated": "/blog/2021-01-05-dated/",
            "Upper Case": "/blog/notes/upper-case/",
            "Custom": "/blog/my-custom_slug-v2/",
            "Moved": "/special/Page/",
        }
    },
    "hugo-dated": {
        "": {
            "Release Notes 2021": "/blog/2021/release-notes/",
            "Release Notes 2022": "/blog/2022/release-notes/",
        }
    },
    # Hugo with content/en and content/fr: the default language has no prefix.
    "hugo-multilingual": {
        "": {"Hello World": "/posts/hello_world/", "Shared Name": "/posts/shared/"},
        "fr/": {
            "Bonjour été": "/fr/posts/bonjour-%C3%A9t%C3%A9/",
            "Même nom": "/fr/posts/shared/",
        },
    },
    # Eleventy: page.fileSlug keeps the name as written, less a leading date; index takes the
    # folder's name; a literal permalink wins; permalink: false writes no page.
    "eleventy-keep": {
        "": {
            "Hello World": "/blog/Hello%20World/",
            "Version 22.1.0": "/blog/v22.1.0/",
            "My Post": "/blog/My_Post/",
            "A Bundle": "/blog/bundle/",
            "About This": "/about-this/",
        }
    },
    # Next.js pages router: the file's path less its extension, case kept, no trailing slash.
    "nextjs-pages": {
        "": {
            "Node v22.1.0 (Current)": "/en/blog/release/v22.1.0",
            "Node v22.0.0 (Current)": "/en/blog/release/v22.0.0",
            "Node Summit": "/en/blog/announcements/Node_Summit",
        }
    },
    # Astro: github-slugger ids (punctuation dropped, "_" kept), at /blog/<id>/.
    "astro": {
        "": {
            "Hello World": "/blog/hello-world/",
            "Version 22.1.0": "/blog/v2210/",
            "The config file": "/blog/the-_configyml-file/",
            "Child Post": "/blog/nested/child-post/",
            "Using MDX": "/blog/using-mdx/",
        }
    },
}


def base_url(name: str) -> str:
    settings = (FIXTURES / name / "feeds.toml").read_text(encoding="utf-8")
    return settings.split('base_url = "', 1)[1].split('"', 1)[0].rstrip("/")


def build(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str = "build"
) -> tuple[int, Path, str, str]:
    folder = tmp_path / name
    shutil.copytree(FIXTURES / name, folder)
    out = tmp_path / "out"
    extra = ["--out", str(out)] if command == "build" else []
    code, stdout, stderr = run_cli(
        [command, "--config", str(folder / "feeds.toml"), *extra], capsys
    )
    return code, out, stdout, stderr


def items(out: Path, folder: str = "") -> dict[str, dict[str, str]]:
    data = json.loads((out / folder / "feed.json").read_text(encoding="utf-8"))
    return {item["title"]: item for item in data["items"]}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_feed_link_is_the_url_the_generator_serves(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _, err = build(name, tmp_path, capsys)
    assert code == 0, err
    base = base_url(name)
    for folder, expected in EXPECTED[name].items():
        found = items(out, folder)
        assert {title: item["url"] for title, item in found.items()} == {
            title: base + path for title, path in expected.items()
        }
        for feed in ("rss.xml", "atom.xml"):
            parsed = feedparser.parse((out / folder / feed).read_bytes())
            assert not parsed.bozo
            assert sorted(entry.link for entry in parsed.entries) == sorted(
                base + path for path in expected.values()
            )
    for path in sorted(out.rglob("*")):
        if path.is_file():
            relative = path.relative_to(out).as_posix()
            assert CHECKS[path.name](path.read_bytes(), f"{base}/{relative}") == [], relative


def test_a_shared_slug_keeps_the_older_posts_id_and_gives_the_newer_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _, _ = build("hugo-dated", tmp_path, capsys)
    found = items(out)
    assert found["Release Notes 2021"]["id"] == "tag:hugo-dated.example.com,2020:release-notes"
    assert (
        found["Release Notes 2022"]["id"]
        == "tag:hugo-dated.example.com,2020:blog/2022/release-notes/"
    )
    _, out, _, _ = build("jekyll-archive", tmp_path / "j", capsys)
    found = items(out)
    assert found["Update 2021"]["id"] == "tag:archive.example.com,2004:Update"
    assert found["Update 2022"]["id"] == "tag:archive.example.com,2004:archive/2022/03/01/Update/"
    assert (
        found["DataTable as a Method Parameter"]["id"]
        == "tag:archive.example.com,2004:DataTableAsAMethodParameter.aspx"
    )


def test_each_language_has_its_own_feeds_language_title_and_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, summary, _ = build("hugo-multilingual", tmp_path, capsys)
    assert code == 0
    assert summary.startswith("4 posts read, 4 published; ")
    english = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    french = json.loads((out / "fr/feed.json").read_text(encoding="utf-8"))
    assert english["title"] == "Hugo Multilingual Fixture"
    assert english["feed_url"] == "https://hugo-ml.example.com/feed.json"
    assert english["language"] == "en"
    assert french["title"] == "Fixture multilingue"
    assert french["description"] == "Les billets en français."
    assert french["home_page_url"] == "https://hugo-ml.example.com/fr/"
    assert french["feed_url"] == "https://hugo-ml.example.com/fr/feed.json"
    assert french["language"] == "fr"
    # A translation is another entry than its original, even under the same file name.
    assert items(out)["Shared Name"]["id"] == "tag:hugo-ml.example.com,2021:shared"
    assert items(out, "fr/")["Même nom"]["id"] == "tag:hugo-ml.example.com,2021:fr/shared"
    rss = feedparser.parse((out / "fr/rss.xml").read_bytes())
    assert rss.feed.language == "fr"
    atom = (out / "fr/atom.xml").read_text(encoding="utf-8")
    assert "<id>tag:hugo-ml.example.com,2021:fr/feed</id>" in atom
    # A rebuild with nothing changed touches nothing, language by language.
    settings = tmp_path / "hugo-multilingual/feeds.toml"
    code, stdout, _ = run_cli(["build", "--config", str(settings), "--out", str(out)], capsys)
    assert (code, stdout.split(":")[0]) == (0, "nothing changed since the last build")


def test_mdx_posts_lose_imports_and_components_but_keep_text_html_and_mathml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, summary, err = build("nextjs-pages", tmp_path, capsys)
    assert code == 0
    assert "2 MDX component(s) removed, their text kept" in summary
    notes = tmp_path / "nextjs-pages/pages/en/blog/notes.mdoc"
    assert err == (
        f"warning: {notes}: matched by include, but only .md, .markdown and .mdx files are read "
        "as posts; left out (narrow include or add it to exclude)\n"
    )
    html = items(out)["Node v22.1.0 (Current)"]["content_html"]
    assert html == (
        "<p>This is a <strong>current</strong> release.</p>\n"
        '<p>Read the <a href="https://nextjs-pages.example.com/en/docs">docs</a>; the formula '
        "<math><mi>x</mi><mo>=</mo><mn>2</mn></math> stays.</p>"
    )
    code, out, _, _ = build("astro", tmp_path / "a", capsys)
    html = items(out)["Using MDX"]["content_html"]
    assert html == (
        "<p>This theme comes with the about page component.</p>\n"
        '<div class="note">Plain HTML stays.</div>'
    )


def test_eleventy_permalink_false_is_not_a_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, summary, _ = build("eleventy-keep", tmp_path, capsys)
    assert summary.startswith("5 posts read, 5 published, 1 section page(s) skipped;")
    assert "Not a Page" not in items(out)


def built_site(root: Path, name: str, pages: list[str]) -> Path:
    site = root / name
    for page in pages:
        target = site / page
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("<html></html>", encoding="utf-8")
    return site


def test_check_site_finds_every_feed_link_that_is_not_a_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "hugo-blog"
    shutil.copytree(FIXTURES / "hugo-blog", folder)
    pages = [
        "blog/introducing_nex/index.html",
        "blog/2022/v1.0-trio/index.html",
        "blog/hello-world/index.html",
        "blog/2021-01-05-dated/index.html",
        "blog/notes/upper-case/index.html",
        "special/Page/index.html",
    ]
    public = built_site(tmp_path, "public", pages)
    args = ["check", "--config", str(folder / "feeds.toml"), "--site", str(public)]
    code, out, err = run_cli(args, capsys)
    assert code == 1
    # The summary line says so too: never "no problems found" above the errors.
    assert "no problems found" not in out
    assert out.rstrip().endswith("; 1 feed link(s) not pages of the built site")
    assert err == (
        "error: https://hugo-blog.example.com/blog/my-custom_slug-v2/: no such page in "
        f"{public} (no file, no sitemap entry)\n"
        f"error: 1 of 7 feed links are not pages of {public}\n"
    )
    # Listed in the sitemap counts as a page too.
    (public / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://hugo-blog.example.com/blog/my-custom_slug-v2/</loc></url></urlset>",
        encoding="utf-8",
    )
    code, out, err = run_cli(args, capsys)
    assert (code, err) == (0, "")
    assert out.endswith(f"; no problems found\nall 7 feed links are pages of {public}\n")


def test_check_site_reads_html_files_and_sitemap_indexes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "nextjs-pages"
    shutil.copytree(FIXTURES / "nextjs-pages", folder)
    # Next.js export: /en/blog/release/v22.1.0 is out/en/blog/release/v22.1.0.html.
    out = built_site(
        tmp_path, "out", ["en/blog/release/v22.1.0.html", "en/blog/release/v22.0.0.html"]
    )
    (out / "sitemap.xml").write_text(
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>https://nextjs-pages.example.com/en/sitemap.xml</loc></sitemap>"
        "</sitemapindex>",
        encoding="utf-8",
    )
    (out / "en").mkdir(exist_ok=True)
    (out / "en/sitemap.xml").write_text(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
        "<loc>https://nextjs-pages.example.com/en/blog/announcements/node_summit</loc>"
        "</url></urlset>",
        encoding="utf-8",
    )
    args = ["check", "--config", str(folder / "feeds.toml"), "--site", str(out)]
    code, _, err = run_cli(args, capsys)
    # The sitemap has the name in another case: a server would answer 404.
    assert code == 1
    assert err.endswith(
        "error: https://nextjs-pages.example.com/en/blog/announcements/Node_Summit: no such "
        f"page in {out} (no file, no sitemap entry)\n"
        f"error: 1 of 3 feed links are not pages of {out}\n"
    )
    (out / "en/sitemap.xml").write_text(
        (out / "en/sitemap.xml").read_text(encoding="utf-8").replace("node_summit", "Node_Summit"),
        encoding="utf-8",
    )
    code, _, _ = run_cli(args, capsys)
    assert code == 0


def test_check_site_needs_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "astro"
    shutil.copytree(FIXTURES / "astro", folder)
    code, _, err = run_cli(
        ["check", "--config", str(folder / "feeds.toml"), "--site", str(tmp_path / "dist")],
        capsys,
    )
    assert code == 2
    assert (
        err == f"error: --site: {tmp_path / 'dist'} is not a folder (give the blog's built site)\n"
    )
