"""`feeds init` on repository-shaped blogs of each generator (tests/fixtures/init/): the settings
it writes are used unchanged by `feeds build`, and every post's feed link is the URL its
generator gives that post (docs: /work/briefs/research-urls.md's rules, each case named below).
A case the settings cannot express would be marked xfail (strict) with the reason."""

from __future__ import annotations

import contextlib
import io
import shutil
import tomllib
from pathlib import Path
from typing import Any

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds import cli
from feeds.init.model import Choice, Guess
from feeds.init.readers import js_string, python_assignments
from feeds.init.settings_file import SURROGATES, cleaned, render

from .cli import run_cli
from .conftest import NOW, ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "init"
# fixture, post title, the URL its generator gives it.
CASES: list[tuple[str, str, str, pytest.MarkDecorator | tuple[pytest.MarkDecorator, ...]]] = [
    # Jekyll's default permalink: /:categories/:year/:month/:day/:title:output_ext
    ("jekyll", "Hello World", "https://jay.example/2021/01/02/hello-world.html", ()),
    # the frontmatter date (09:30 +01:00) in the site's time zone, .markdown too
    ("jekyll", "Second Post", "https://jay.example/2022/05/06/second-post.html", ()),
    # :title keeps case and accents (percent-encoded)
    (
        "jekyll",
        "Cafe Creme",
        "https://jay.example/2021/01/04/Caf%C3%A9-Cr%C3%A8me.html",
        (),
    ),
    # :title keeps dots
    ("jekyll", "Version 22.1.0", "https://jay.example/2021/01/07/v22.1.0.html", ()),
    # pretty style with categories every post has: /:categories/:year/:month/:day/:title/
    (
        "jekyll-languages",
        "First Steps",
        "https://tongues.example/notes/2021/03/04/first-steps/",
        (),
    ),
    (
        "jekyll-languages",
        "Second Post",
        "https://tongues.example/notes/travel/2021/05/06/Second_Post/",
        (),
    ),
    # a post's own permalink: with Jekyll's placeholders
    ("jekyll-languages", "Own Permalink", "https://tongues.example/custom/2021/Own_Perma/", ()),
    # es/_posts: the category "es" first; a feed set of its own under es/
    (
        "jekyll-languages",
        "Primeros pasos",
        "https://tongues.example/es/2021/03/05/primeros-pasos/",
        (),
    ),
    (
        "jekyll-languages",
        "Día soleado",
        "https://tongues.example/es/2021/07/08/D%C3%ADa-Soleado/",
        (),
    ),
    # Hugo: /<section>/<file name>/, a bundle's folder name, slug: replaces the last segment
    ("hugo", "Hello World", "https://hugo.example/posts/hello-world/", ()),
    ("hugo", "My Bundle", "https://hugo.example/posts/my-bundle/", ()),
    ("hugo", "Custom", "https://hugo.example/posts/my-custom-slug/", ()),
    # the date prefix stays in Hugo's URL
    ("hugo", "Dated", "https://hugo.example/posts/2021-01-05-dated/", ()),
    # a sub-folder of the section is part of the URL
    ("hugo", "Nested", "https://hugo.example/posts/2022/nested/", ()),
    # url: in frontmatter, as written
    ("hugo", "Moved", "https://hugo.example/old/Moved-Here/", ()),
    # a contentDir per language: the default at the root, French under /fr/ (a feed set each)
    ("hugo-languages", "Hello World", "https://langs.example/posts/hello-world/", ()),
    ("hugo-languages", "Summer Notes", "https://langs.example/posts/2023/summer_notes/", ()),
    ("hugo-languages", "Bonjour", "https://langs.example/fr/posts/bonjour/", ()),
    ("hugo-languages", "Été chaud", "https://langs.example/fr/posts/%C3%A9t%C3%A9-chaud/", ()),
    # config/_default/permalinks.toml: posts = "/:year/:month/:slugorfilename/"
    ("hugo-multilingual", "Hello", "https://multi.example/2023/04/hello/", ()),
    ("hugo-multilingual", "Second", "https://multi.example/2023/06/second/", ()),
    # x.fr.md: the other language under /fr/, named x ([languages.fr] include)
    ("hugo-multilingual", "Bonjour", "https://multi.example/fr/2023/04/hello/", ()),
    ("hugo-multilingual", "Seulement", "https://multi.example/fr/2023/07/seulement/", ()),
    # [permalinks] posts = "/:year/:month/:day/:slug/": Hugo's :slug is slug:, else the title
    ("hugo-slugs", "Without A Slug", "https://slugs.example/2021/01/05/without-a-slug/", ()),
    ("hugo-slugs", "With A Slug", "https://slugs.example/2021/01/06/my_own.slug/", ()),
    # ... and its date parts keep the date's own offset (23:30-05:00 is the 17th in UTC)
    ("hugo-slugs", "Late Evening", "https://slugs.example/2021/01/16/late/", ()),
    # posts/posts.json: "/blog/{{ page.fileSlug | slugify }}/" (fileSlug drops the date)
    ("eleventy", "First Post", "https://eleven.example/blog/first-post/", ()),
    ("eleventy", "Second Post", "https://eleven.example/blog/second-post/", ()),
    ("eleventy", "Cafe Creme", "https://eleven.example/blog/cafe-creme/", ()),
    # Eleventy's default: /<folder>/<file name as it is>/
    ("eleventy-default", "Hello World", "https://default-eleventy.example/posts/hello-world/", ()),
    # ... date kept: slug_style "raw"
    (
        "eleventy-default",
        "Dated",
        "https://default-eleventy.example/posts/2021-01-02-dated/",
        (),
    ),
    # names with case or spaces kept as written, date and all ("raw"; "keep" drops the date)
    ("eleventy-mixed", "Case Kept", "https://mixed-eleventy.example/posts/Case%20Kept/", ()),
    (
        "eleventy-mixed",
        "Hello World",
        "https://mixed-eleventy.example/posts/2021-01-02-Hello%20World/",
        (),
    ),
    # Next.js pages router: the path without .md/.mdx, no trailing slash, case kept
    ("nextjs-pages", "Hello World", "https://next-pages.example/blog/hello-world", ()),
    ("nextjs-pages", "Plain Markdown", "https://next-pages.example/blog/plain-markdown", ()),
    ("nextjs-pages", "Case Kept", "https://next-pages.example/blog/Case-Kept", ()),
    # a folder under pages/ is part of the route; the dots stay
    ("nextjs-pages", "Release 22.1.0", "https://next-pages.example/blog/release/v22.1.0", ()),
    # Next.js app router: app/(site)/blog/[slug]/ over content/posts, trailingSlash: true
    ("nextjs-app", "First Note", "https://next-app.example/blog/first-note/", ()),
    ("nextjs-app", "Second Note", "https://next-app.example/blog/second-note/", ()),
    # Astro: /blog/${post.id}/
    ("astro", "First Post", "https://astro.example/blog/first-post/", ()),
    ("astro", "Using MDX", "https://astro.example/blog/using-mdx/", ()),
    ("astro", "Release 22.1.0", "https://astro.example/blog/v2210/", ()),
    ("astro", "Child Post", "https://astro.example/blog/nested/child-post/", ()),
    # Pelican: ARTICLE_URL = "posts/{date:%Y}/{slug}/" on publishconf.py's SITEURL
    ("pelican", "Hello World", "https://pelican.example/posts/2020/hello-world/", ()),
    ("pelican", "Second Post", "https://pelican.example/posts/2021/second-post/", ()),
]
# Posts each generator does not publish: drafts, future posts, pages, other folders.
ABSENT = {
    "jekyll": {"Unpublished", "From the Future", "An Idea"},
    "hugo": {"Draft", "About", "Posts", "Home"},
    "pelican": {"About"},
}


def silently(args: list[str]) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return cli.main(args, now=NOW)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Each fixture blog copied, `feeds init` run on it, then `feeds build` with what it wrote:
    each blog's site feeds (one per language) as {title: link}."""
    links: dict[str, dict[str, str]] = {}
    for name in sorted({case[0] for case in CASES}):
        blog = tmp_path_factory.mktemp("init") / name
        shutil.copytree(FIXTURES / name, blog)
        assert silently(["init", str(blog)]) == 0
        settings = blog / "feeds.toml"
        assert silently(["build", "--config", str(settings), "--no-cache"]) == 0, name
        written = tomllib.loads(settings.read_text(encoding="utf-8"))
        output = blog / written["site"].get("output", "public")
        links[name] = {}
        for folder in ["", *(f"{tag}/" for tag in written.get("languages", {}))]:
            feed = feedparser.parse((output / folder / "rss.xml").read_bytes())
            links[name].update({entry.title: entry.link for entry in feed.entries})
    return links


@pytest.mark.parametrize(
    ("blog", "title", "url"),
    [pytest.param(*case[:3], marks=case[3], id=f"{case[0]}:{case[1]}") for case in CASES],
)
def test_each_post_gets_the_url_its_generator_gives_it(
    built: dict[str, dict[str, str]], blog: str, title: str, url: str
) -> None:
    assert built[blog].get(title) == url


@pytest.mark.parametrize("blog", sorted(ABSENT))
def test_what_the_generator_does_not_publish_is_not_in_the_feed(
    built: dict[str, dict[str, str]], blog: str
) -> None:
    assert ABSENT[blog] & set(built[blog]) == set()
    assert built[blog]


def copy(name: str, tmp_path: Path) -> Path:
    blog = tmp_path / name
    shutil.copytree(FIXTURES / name, blog)
    return blog


def test_the_report_shows_links_left_out_posts_head_tags_and_the_built_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blog = copy("jekyll", tmp_path)
    code, out, _ = run_cli(["init", str(blog)], capsys)
    assert code == 0
    assert f"wrote {blog / 'feeds.toml'} (Jekyll blog)" in out
    assert "6 post(s) found, 4 in the feeds; left out: 1 draft, 1 future, 0 bad" in out
    assert "  _posts/2023-02-03-unpublished.md: draft" in out
    assert (
        "  https://jay.example/2022/05/06/second-post.html   (_posts/2022-05-06-second-post.markdown)"
        in out
    )
    # _site/ holds a page for hello-world only.
    assert "built site _site/: no page for 3 of 4 feed link(s):" in out
    assert "  https://jay.example/2021/01/02/hello-world.html\n" not in out
    assert (
        '<link rel="alternate" type="application/rss+xml" title="Jay\'s Notes (RSS)" '
        'href="https://jay.example/rss.xml">'
    ) in out
    assert 'type="application/feed+json"' in out and 'type="application/atom+xml"' in out


def test_each_value_says_where_it_came_from(tmp_path: Path) -> None:
    blog = copy("hugo", tmp_path)
    assert silently(["init", str(blog)]) == 0
    text = (blog / "feeds.toml").read_text(encoding="utf-8")
    assert 'base_url = "https://hugo.example/"' in text
    assert "# hugo.toml: baseURL" in text
    assert (
        "since = 2021" in text and "# the earliest post: content/posts/2021-01-05-dated.md" in text
    )
    assert 'timezone = "America/New_York"' in text


def test_field_names_the_defaults_lack_are_mapped(tmp_path: Path) -> None:
    blog = copy("astro", tmp_path)
    assert silently(["init", str(blog)]) == 0
    fields = tomllib.loads((blog / "feeds.toml").read_text(encoding="utf-8"))["fields"]
    assert fields["updated"][-1] == "updatedDate"
    assert fields["image"][-1] == "heroImage"


def test_what_it_cannot_find_is_a_todo_that_build_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blog = copy("markdown", tmp_path)
    code, out, _ = run_cli(["init", str(blog)], capsys)
    assert code == 0
    assert "to do before `feeds build`" in out
    text = (blog / "feeds.toml").read_text(encoding="utf-8")
    assert 'base_url = "TODO: where the site lives' in text
    assert "# TODO: the author's name" in text
    code, _, err = run_cli(["build", "--config", str(blog / "feeds.toml")], capsys)
    assert code == 2
    assert "site.base_url: 'TODO: where the site lives" in err
    assert "site.author.name: missing" in err
    assert not (blog / "public").exists()


def test_an_existing_settings_file_is_kept_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blog = copy("pelican", tmp_path)
    (blog / "feeds.toml").write_text("# mine\n", encoding="utf-8")
    code, _, err = run_cli(["init", str(blog)], capsys)
    assert code == 2
    assert "feeds.toml: already exists; --force replaces it, --print only shows it" in err
    assert (blog / "feeds.toml").read_text(encoding="utf-8") == "# mine\n"
    code, out, _ = run_cli(["init", str(blog), "--print"], capsys)
    assert code == 0
    assert 'permalink = "/posts/{year}/{slug}/"' in out and "nothing written" in out
    assert (blog / "feeds.toml").read_text(encoding="utf-8") == "# mine\n"
    code, _, _ = run_cli(["init", str(blog), "--force"], capsys)
    assert code == 0
    assert "SITENAME" in (blog / "feeds.toml").read_text(encoding="utf-8")


def test_templates_are_copied_and_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blog = copy("nextjs-app", tmp_path)
    code, _, _ = run_cli(["init", str(blog), "--templates"], capsys)
    assert code == 0
    shipped = ROOT / "feeds" / "newsletter" / "default_templates" / "newsletter.html"
    assert (blog / "templates" / "newsletter.html").read_bytes() == shipped.read_bytes()
    settings = tomllib.loads((blog / "feeds.toml").read_text(encoding="utf-8"))
    assert settings["newsletter"]["templates"] == "templates"
    code, out, err = run_cli(["newsletter", "--config", str(blog / "feeds.toml")], capsys)
    assert code == 0, err
    assert "newsletter of 2 post(s)" in out


def test_init_writes_the_same_bytes_every_time(tmp_path: Path) -> None:
    first, second = copy("eleventy", tmp_path / "a"), copy("eleventy", tmp_path / "b")
    assert silently(["init", str(first)]) == 0
    assert silently(["init", str(second)]) == 0
    assert (first / "feeds.toml").read_bytes() == (second / "feeds.toml").read_bytes()


def test_a_folder_that_is_not_there_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(["init", str(tmp_path / "nowhere")], capsys)
    assert code == 2
    assert "nowhere: not a folder" in err


def test_a_broken_generator_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "_config.yml").write_text("title: [unclosed\n", encoding="utf-8")
    code, _, err = run_cli(["init", str(tmp_path)], capsys)
    assert code == 2
    assert "_config.yml: file: cannot be parsed: YAML" in err


def test_a_setting_this_feeds_lacks_is_a_comment_and_a_declared_one_is_written() -> None:
    guesses = [
        Guess("site", "not_a_setting_yet", (Choice("x", "somewhere"),)),
        Guess("site", "title", (Choice("T", "here"),)),
        Guess(
            "site", "permalink",
            (Choice("/{year}/{month}/", "first"), Choice("/{slug}/", "fallback")),
        ),
    ]  # fmt: skip
    made = render(guesses, ["header"])
    assert '# not_a_setting_yet = "x"' in made.text
    assert "(needs a newer feeds) somewhere" in made.text
    assert 'title = "T"' in made.text
    assert 'permalink = "/{slug}/"' in made.text and '# permalink = "/{year}/{month}/"' in made.text
    assert made.pending == ('site.not_a_setting_yet = "x"', 'site.permalink = "/{year}/{month}/"')


def test_a_url_placeholder_feeds_cannot_follow_is_a_todo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "_config.yml").write_text(
        'title: T\nurl: "https://t.example"\nauthor: Tee\npermalink: /:year/:i_month/:title/\n',
        encoding="utf-8",
    )
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2021-01-02-a.md").write_text("---\ntitle: A\n---\nA\n", "utf-8")
    code, out, _ = run_cli(["init", str(tmp_path)], capsys)
    assert code == 0
    # The value is echoed shortened; the file holds it whole.
    assert 'site.permalink: "TODO: _config.yml: permalink:' in out
    assert "which feeds cannot follow" in out
    assert "uses :i_month" in (tmp_path / "feeds.toml").read_text("utf-8")


def test_javascript_strings_are_read_only_where_written_plainly() -> None:
    code = """
    // site: "https://commented.example"
    export default defineConfig({
      /* base: '/old' */
      site: 'https://astro.example', // the live site
      base: `/docs`,
      title: `${name} blog`,
    });
    """
    assert js_string(code, "site") == "https://astro.example"
    assert js_string(code, "base") == "/docs"
    assert js_string(code, "title") is None


def test_python_settings_are_read_without_running_them(tmp_path: Path) -> None:
    conf = tmp_path / "pelicanconf.py"
    conf.write_text(
        'import os\nSITENAME = "S"\nSITEURL = os.environ["X"]\nos.remove("x")\nTAGS: list[str] = ["a"]\n',
        encoding="utf-8",
    )
    assert python_assignments(conf) == {"SITENAME": "S", "TAGS": ["a"]}


def settings_of(blog: Path) -> dict[str, Any]:
    assert silently(["init", str(blog)]) == 0
    return tomllib.loads((blog / "feeds.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("hugo.yaml", "baseURL: https://y.example/\ntitle: Yaml\n"),
        ("config.json", '{"baseURL": "https://y.example/", "title": "Yaml"}'),
        ("config.toml", 'baseurl = "https://y.example/"\ntitle = "Yaml"\n'),
    ],
)
def test_hugo_settings_in_yaml_json_or_toml(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "content" / "blog").mkdir(parents=True)
    (tmp_path / "content" / "blog" / "a.md").write_text(
        "---\ntitle: A\ndate: 2020-02-02\n---\nA\n", "utf-8"
    )
    site = settings_of(tmp_path)["site"]
    assert (site["base_url"], site["title"], site["permalink"]) == (
        "https://y.example/", "Yaml", "/blog/{slug}/",
    )  # fmt: skip


def test_next_pages_router_serving_a_content_folder(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"next": "14.2.0"}}', "utf-8")
    (tmp_path / "pages" / "posts").mkdir(parents=True)
    (tmp_path / "pages" / "posts" / "[slug].js").write_text("export default () => null\n", "utf-8")
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "hello.md").write_text("---\ntitle: H\ndate: 2020-01-01\n---\n", "utf-8")
    site = settings_of(tmp_path)["site"]
    assert (site["content"], site["permalink"]) == ("_posts", "/posts/{slug}")


def test_a_permalink_computed_in_javascript_is_a_todo(tmp_path: Path) -> None:
    (tmp_path / ".eleventy.js").write_text("module.exports = () => ({});\n", "utf-8")
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "posts.11tydata.js").write_text(
        "module.exports = { permalink: (data) => `/p/${data.page.fileSlug}/` };\n", "utf-8"
    )
    (posts / "a.md").write_text("---\ntitle: A\ndate: 2020-01-01\n---\nA\n", "utf-8")
    assert settings_of(tmp_path)["site"]["permalink"].startswith(
        "TODO: posts/posts.11tydata.js computes the permalink in JavaScript"
    )


def test_a_jekyll_link_posts_url_is_not_its_feed_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``url:`` is Hugo's own URL; a Jekyll link post uses it for the page it points to."""
    blog = copy("jekyll", tmp_path)
    (blog / "_posts" / "2022-03-04-worth-reading.md").write_text(
        "---\ntitle: Worth Reading\nurl: https://elsewhere.example/essay\n---\nGo.\n", "utf-8"
    )
    _, out, _ = run_cli(["init", str(blog)], capsys)
    assert "set their own url:" not in out
    assert run_cli(["build", "--config", str(blog / "feeds.toml"), "--no-cache"], capsys)[0] == 0
    settings = tomllib.loads((blog / "feeds.toml").read_text(encoding="utf-8"))
    feed = feedparser.parse(
        (blog / settings["site"].get("output", "public") / "rss.xml").read_bytes()
    )
    links = {entry.title: entry.link for entry in feed.entries}
    assert links["Worth Reading"] == "https://jay.example/2022/03/04/worth-reading.html"


def test_posts_with_their_own_permalink_get_it_as_their_feed_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blog = copy("eleventy-default", tmp_path)
    (blog / "posts" / "own.md").write_text(
        "---\ntitle: Own\ndate: 2022-02-02\npermalink: /elsewhere/\n---\nOwn.\n", "utf-8"
    )
    _, out, _ = run_cli(["init", str(blog)], capsys)
    assert "note: 1 post(s) set their own permalink:, which is their feed link" in out
    assert run_cli(["build", "--config", str(blog / "feeds.toml"), "--no-cache"], capsys)[0] == 0
    feed = feedparser.parse((blog / "_site" / "rss.xml").read_bytes())
    links = {entry.title: entry.link for entry in feed.entries}
    assert links["Own"] == "https://default-eleventy.example/elsewhere/"


def test_edited_templates_are_kept_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blog = copy("pelican", tmp_path)
    (blog / "templates").mkdir()
    (blog / "templates" / "newsletter.css").write_text("/* mine */\n", "utf-8")
    _, out, _ = run_cli(["init", str(blog), "--templates"], capsys)
    assert "  kept your newsletter.css (--force replaces it)" in out
    assert (blog / "templates" / "newsletter.css").read_text("utf-8") == "/* mine */\n"
    assert (blog / "templates" / "newsletter.html").is_file()


@given(
    title=st.text().filter(lambda text: cleaned(Choice(text, "")).value),
    source=st.text(),
    tags=st.lists(st.text(), max_size=3),
)
def test_whatever_a_blog_holds_the_settings_file_reads_back(
    title: str, source: str, tags: list[str]
) -> None:
    """Values and their sources come from the blog's own files: any text must give valid
    TOML holding the same value (lone surrogates, which no file can hold, aside)."""
    guesses = [
        Guess("site", "title", (Choice(title, source),)),
        Guess("fields", "tags", (Choice(tuple(tags), source),)),
    ]
    data = tomllib.loads(render(guesses, [source]).text)
    # A title keeps its words; what no setting may hold (controls, line breaks) is dropped.
    assert data["site"]["title"] == cleaned(Choice(title, "")).value
    assert data["fields"]["tags"] == [SURROGATES.sub("", tag) for tag in tags]


def test_hugo_languages_in_their_own_content_folders(tmp_path: Path) -> None:
    (tmp_path / "hugo.toml").write_text(
        'baseURL = "https://l.example/"\ntitle = "L"\ndefaultContentLanguage = "de"\n'
        '[languages.de]\ncontentDir = "content/de"\nlanguageCode = "de-DE"\n'
        '[languages.en]\ncontentDir = "content/en"\n',
        encoding="utf-8",
    )
    for lang in ("de", "en"):
        folder = tmp_path / "content" / lang / "posts"
        folder.mkdir(parents=True)
        (folder / "a.md").write_text("---\ntitle: A\ndate: 2020-01-01\n---\nA\n", "utf-8")
    site = settings_of(tmp_path)["site"]
    assert (site["content"], site["language"], site["permalink"]) == (
        "content/de/posts", "de-DE", "/posts/{slug}/",
    )  # fmt: skip


def test_pelican_metadata_lines_are_named_as_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blog = copy("pelican", tmp_path)
    (blog / "content" / "native.md").write_text(
        "Title: Native\nDate: 2021-01-01\n\nBody.\n", "utf-8"
    )
    _, out, _ = run_cli(["init", str(blog)], capsys)
    assert "note: posts start with Pelican's own 'Title: …' metadata lines" in out
    assert "content/native.md: title: missing" in out


def test_values_read_from_javascript_are_flagged_in_the_settings(tmp_path: Path) -> None:
    blog = copy("astro", tmp_path)
    assert silently(["init", str(blog)]) == 0
    text = (blog / "feeds.toml").read_text(encoding="utf-8")
    assert "# Values from JavaScript files were found by pattern, not by running them" in text
    assert "# astro.config.mjs: site + base" in text


def jekyll_blog(folder: Path, posts: dict[str, str], config: str = "") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "_config.yml").write_text(
        f'title: T\nurl: "https://t.example"\nauthor: Tee\n{config}', encoding="utf-8"
    )
    (folder / "_posts").mkdir()
    for name, head in posts.items():
        (folder / "_posts" / name).write_text(f"---\ntitle: {name}\n{head}---\nA\n", "utf-8")
    return folder


def test_jekyll_categories_some_posts_lack_are_a_todo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Jekyll's :categories is empty for a post without any; {categories} would refuse it."""
    blog = jekyll_blog(tmp_path, {"2021-01-02-a.md": "categories: [news]\n", "2021-01-03-b.md": ""})
    code, out, _ = run_cli(["init", str(blog)], capsys)
    assert code == 0
    text = (blog / "feeds.toml").read_text(encoding="utf-8")
    assert 'permalink = "/{year}/{month}/{day}/{slug}.html"' in text
    assert "TODO: 1 of 2 posts set categories:, which Jekyll puts in their URL" in text
    assert "note: 1 post(s) set categories:, which Jekyll puts in their URL" in out


@pytest.mark.parametrize(
    "categories", ["categories: news tech\n", "categories: [News]\n", "category: news\n"]
)
def test_jekyll_categories_a_field_reads_otherwise_are_a_todo(
    tmp_path: Path, categories: str
) -> None:
    """A string of several (Jekyll splits it), upper case (Jekyll lower-cases), or category:."""
    blog = jekyll_blog(tmp_path, {"2021-01-02-a.md": categories})
    site = settings_of(blog)["site"]
    assert site["permalink"] == "/{year}/{month}/{day}/{slug}.html"
    assert "TODO: 1 of 1 posts set categories:" in (blog / "feeds.toml").read_text("utf-8")


def test_root_is_written_only_when_a_build_would_not_find_it(tmp_path: Path) -> None:
    for name in ("found", "submodule"):
        jekyll_blog((tmp_path / name), {"2021-01-02-a.md": ""})
    assert "root" not in settings_of(tmp_path / "found")["site"]
    blog = tmp_path / "submodule"
    # Posts kept in a git submodule: the walk up from _posts stops at its .git.
    (blog / "_posts" / ".git").write_text("gitdir: ../.git/modules/posts\n", "utf-8")
    assert settings_of(blog)["site"]["root"] == "."


def test_hugo_default_language_in_a_subfolder(tmp_path: Path) -> None:
    (tmp_path / "hugo.toml").write_text(
        'baseURL = "https://s.example/"\ntitle = "S"\ndefaultContentLanguageInSubdir = true\n'
        '[languages.en]\ncontentDir = "content/en"\n[languages.de]\ncontentDir = "content/de"\n',
        encoding="utf-8",
    )
    for lang in ("en", "de"):
        folder = tmp_path / "content" / lang / "posts"
        folder.mkdir(parents=True)
        (folder / "a.md").write_text("---\ntitle: A\ndate: 2020-01-01\n---\nA\n", "utf-8")
    settings = settings_of(tmp_path)
    assert settings["site"]["permalink"] == "/en/posts/{slug}/"
    assert settings["languages"]["de"] == {
        "content": "content/de/posts", "permalink": "/de/posts/{slug}/",
    }  # fmt: skip


def test_the_report_counts_each_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blog = copy("hugo-languages", tmp_path)
    _, out, _ = run_cli(["init", str(blog)], capsys)
    assert "2 post(s) found, 2 in the feeds; left out: 0 draft, 0 future, 0 bad, 1 section" in out
    assert "[languages.fr] 2 post(s) found, 2 in the feeds" in out


@pytest.mark.parametrize(
    ("route", "permalink"), [("[slug]", "/blog/{slug}"), ("[...slug]", "/blog/{dir}/{slug}")]
)
def test_next_app_route_takes_sub_folders_only_when_it_catches_all(
    tmp_path: Path, route: str, permalink: str
) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"next": "15.0.0"}}', "utf-8")
    (tmp_path / "app" / "blog" / route).mkdir(parents=True)
    (tmp_path / "app" / "blog" / route / "page.tsx").write_text("export default 1\n", "utf-8")
    for name in ("a.md", "b.md", "2024/c.md"):
        (tmp_path / "posts" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "posts" / name).write_text("---\ntitle: A\ndate: 2024-01-01\n---\n", "utf-8")
    assert settings_of(tmp_path)["site"]["permalink"] == permalink


def test_eleventy_default_permalink_keeps_file_names_raw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Eleventy's default URL is the file name as written, date, case and spaces included."""
    blog = copy("eleventy-mixed", tmp_path)
    _, out, _ = run_cli(["init", str(blog)], capsys)
    assert "need slug:" not in out
    assert "/posts/2021-01-02-Hello%20World/" in out
    assert settings_of(copy("eleventy-default", tmp_path / "d"))["site"]["slug_style"] == "raw"


def test_hugo_translations_by_file_name_get_a_language_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """x.fr.md beside x.md: [languages.fr] takes the fr files of the shared folder, the site
    leaves them out, and x.en.md (the default language's, named) is served as x."""
    blog = copy("hugo-multilingual", tmp_path)
    posts = blog / "content" / "posts"
    (posts / "named.en.md").write_text("---\ntitle: Named\ndate: 2023-08-09\n---\nA\n", "utf-8")
    code, out, _ = run_cli(["init", str(blog)], capsys)
    assert code == 0
    assert "cannot pick out" not in out and "give them slug:" not in out
    assert "https://multi.example/2023/08/named/" in out
    settings = tomllib.loads((blog / "feeds.toml").read_text("utf-8"))
    assert settings["site"]["exclude"] == ["**/*.fr.md", "**/*.fr.markdown"]
    assert settings["languages"]["fr"] == {
        "title": "Multi (fr)", "content": "content/posts",
        "include": ["**/*.fr.md", "**/*.fr.markdown"], "exclude": [],
    }  # fmt: skip
