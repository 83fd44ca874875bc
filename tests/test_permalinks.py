"""Slug styles, permalink patterns, per-post permalink:/url:, and uniqueness by URL and id."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from feeds import checks
from feeds.config import ContentOptions
from feeds.content.fields import filename_parts
from feeds.content.loader import load_posts
from feeds.content.permalinks import (
    PATH_SAFE,
    Place,
    PlaceError,
    encode,
    plain_base,
    post_path,
    site_url,
)
from feeds.content.slugs import jekyll_slug, styled_slug, without_language
from feeds.errors import ContentErrors

from .conftest import Blog

BERLIN_NOON = datetime(2021, 1, 5, 12, 0, tzinfo=UTC)


# Each name made into a slug in every style: the rows differ per style on purpose.
@pytest.mark.parametrize(
    ("name", "default", "keep", "raw", "hugo", "jekyll", "astro"),
    [
        ("introducing_nex", "introducing-nex", "introducing_nex", "introducing_nex", "introducing_nex", "introducing_nex", "introducing_nex"),
        ("v22.1.0", "v22-1-0", "v22.1.0", "v22.1.0", "v22.1.0", "v22.1.0", "v2210"),
        ("Hello World", "hello-world", "Hello World", "Hello World", "hello-world", "Hello-World", "hello-world"),
        ("Café Crème", "cafe-creme", "Café Crème", "Café Crème", "café-crème", "Café-Crème", "café-crème"),
        ("The _config.yml file", "the-config-yml-file", "The _config.yml file", "The _config.yml file", "the-_config.yml-file", "The-_config.yml-file", "the-_configyml-file"),
        ("DataTableAsAMethodParameter.aspx", "datatableasamethodparameter-aspx", "DataTableAsAMethodParameter.aspx", "DataTableAsAMethodParameter.aspx", "datatableasamethodparameter.aspx", "DataTableAsAMethodParameter.aspx", "datatableasamethodparameteraspx"),
        ("a~b+c!d$e&f'g(h)i,j;k=l@m", "a-b-c-d-e-f-g-h-i-j-k-l-m", "a~b+c!d$e&f'g(h)i,j;k=l@m", "a~b+c!d$e&f'g(h)i,j;k=l@m", "a~b+cdefghijkl@m", "a~b+c!d$e&f'g(h)i,j;k=l@m", "abcdefghijklm"),
        ("_Lead_Trail_", "lead-trail", "_Lead_Trail_", "_Lead_Trail_", "_lead_trail_", "_Lead_Trail_", "_lead_trail_"),
        # Hugo: a run of spaces is one "-", none at the ends or beside a "-" (as a Hugo build
        # serves "two  spaces.md" at /two-spaces/).
        (" two  spaces - x ", "two-spaces-x", " two  spaces - x ", " two  spaces - x ", "two-spaces-x", "two-spaces-x", "-two--spaces---x-"),
    ],
)  # fmt: skip
def test_slug_styles_side_by_side(
    name: str, default: str, keep: str, raw: str, hugo: str, jekyll: str, astro: str
) -> None:
    made = {style: styled_slug(name, style) for style in checks.SLUG_STYLES}
    assert made == {
        "default": default,
        "keep": keep,
        "raw": raw,
        "hugo": hugo,
        "jekyll": jekyll,
        "astro": astro,
    }


# A file name with a date in front, in each style whose date rule is a generator's: "keep"
# (Eleventy's fileSlug) drops it; "raw" (Eleventy's default permalink), "hugo" and "astro" (the
# entry id is the path, github-slugged) keep it.
@pytest.mark.parametrize(
    ("file", "default", "keep", "raw", "hugo", "jekyll", "astro"),
    [
        ("2021-01-02-Hello World.md", "hello-world", "Hello World", "2021-01-02-Hello World", "2021-01-02-hello-world", "Hello-World", "2021-01-02-hello-world"),
        ("2021-01-02-v22.1.0.md", "v22-1-0", "v22.1.0", "2021-01-02-v22.1.0", "2021-01-02-v22.1.0", "v22.1.0", "2021-01-02-v2210"),
        ("2021-03-04-Bundle/index.md", "bundle", "Bundle", "2021-03-04-Bundle", "2021-03-04-bundle", "Bundle", "2021-03-04-bundle"),
    ],
)  # fmt: skip
def test_dated_file_names_side_by_side(
    file: str, default: str, keep: str, raw: str, hugo: str, jekyll: str, astro: str
) -> None:
    expected = {
        "default": default, "keep": keep, "raw": raw, "hugo": hugo, "jekyll": jekyll,
        "astro": astro,
    }  # fmt: skip
    made = {style: styled_slug(filename_parts(Path(file), style)[1], style) for style in expected}
    assert made == expected


@given(st.text(min_size=1), st.sampled_from(["fr", "FR", "en", "de", "", "fr.x"]))
def test_only_a_configured_language_suffix_comes_off_a_name(name: str, suffix: str) -> None:
    """Never an empty name, never more than ".<tag>" of a configured language."""
    named = f"{name}.{suffix}"
    stripped = without_language(named, ("en", "fr"))
    assert stripped == (name if suffix.lower() in ("en", "fr") else named)
    assert without_language(named, ()) == named
    assert without_language(".fr", ("fr",)) == ".fr"


def test_raw_style_url_keeps_the_whole_name_percent_encoded(blog: Blog) -> None:
    blog.post("posts/2021-01-02-Hello World.md", "---\ntitle: A\n---\nx\n")
    (post,) = load(blog, slug_style="raw", permalink="/{dir}/{slug}/")
    assert (post.path, post.date.date().isoformat()) == (
        "/posts/2021-01-02-Hello%20World/", "2021-01-02",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "slug"),
    [("The _config.yml file", "the-config-yml-file"), ("--x--", "x"), ("C++ & C#", "c-c"),
     ("My Custom_Slug!", "my-custom-slug")],
)  # fmt: skip
def test_jekyll_default_mode_is_what_its_slug_placeholder_gives(text: str, slug: str) -> None:
    assert jekyll_slug(text, pretty=False, cased=False) == slug


@given(st.text(), st.sampled_from(checks.SLUG_STYLES))
def test_an_encoded_slug_is_always_a_safe_path(text: str, style: str) -> None:
    encoded = encode(styled_slug(text, style))
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._%" + PATH_SAFE)
    assert set(encoded) <= allowed
    if style not in ("keep", "raw"):
        # Only a name kept as written may carry a "/" into the URL.
        assert "/" not in encoded


def place(**changes: Any) -> Place:
    values: dict[str, Any] = {
        "slug": "post",
        "name": "Post",
        "folder": "",
        "date": BERLIN_NOON,
        "meta": {},
    }
    values.update(changes)
    return Place(**values)


@pytest.mark.parametrize(
    ("pattern", "changes", "path"),
    [
        ("/blog/{slug}/", {}, "/blog/post/"),
        ("/{year}/{month}/{day}/{slug}.html", {}, "/2021/01/05/post.html"),
        ("/{dir}/{slug}", {"folder": "en/blog/release"}, "/en/blog/release/post"),
        ("/{dir}/{slug}/", {}, "/post/"),
        ("/blog/{dir}/{slug}/", {"folder": "Nested Folder"}, "/blog/nested-folder/post/"),
        ("/{category}/{slug}/", {"meta": {"category": "Release Notes"}}, "/release-notes/post/"),
        ("/{tags}/{slug}/", {"meta": {"tags": ["a b", "C"]}}, "/a-b/c/post/"),
        ("/{series}/{slug}/", {"meta": {"series": 2021}}, "/2021/post/"),
    ],
)
def test_pattern_placeholders(pattern: str, changes: dict[str, Any], path: str) -> None:
    assert post_path(place(**changes), pattern, "default") == (path, [])


def test_dir_follows_the_slug_style() -> None:
    where = place(folder="Blog/Sub Folder", slug="UPPER Case")
    assert post_path(where, "/{dir}/{slug}/", "keep")[0] == "/Blog/Sub%20Folder/UPPER%20Case/"
    assert post_path(where, "/{dir}/{slug}/", "hugo")[0] == "/blog/sub-folder/UPPER%20Case/"


def test_a_missing_field_names_itself() -> None:
    with pytest.raises(PlaceError) as raised:
        post_path(place(), "/{category}/{slug}/", "default")
    assert (raised.value.field, str(raised.value)) == (
        "category",
        "missing; the permalink pattern /{category}/{slug}/ needs it (add category: to the post)",
    )


@pytest.mark.parametrize(
    ("meta", "path"),
    [
        ({"permalink": "/blog/:year/:title/"}, "/blog/2021/My_Own-Post.v2/"),
        ({"permalink": "/:year/:month/:day/:slug:output_ext"}, "/2021/01/05/my-own-post-v2.html"),
        ({"permalink": "/:i_month/:i_day/:short_year/x/"}, "/1/5/21/x/"),
        ({"permalink": "/:categories/:title/", "categories": "Tech Web"}, "/es/tech/web/My_Own-Post.v2/"),
        ({"permalink": "/:categories/:title/", "categories": []}, "/es/My_Own-Post.v2/"),
        ({"permalink": "about/"}, "/about/"),
        ({"permalink": "/about-this/"}, "/about-this/"),
        # Literal text is percent-encoded as Jekyll does, "?" and "#" included; an escape
        # already written is kept.
        ({"permalink": "/a b/café?x#y/"}, "/a%20b/caf%C3%A9%3Fx%23y/"),
        ({"permalink": "/a/caf%c3%a9/"}, "/a/caf%C3%A9/"),
        # Hugo's url: is Jekyll's link (not the page's URL) in every other style.
        ({"url": "https://elsewhere.example/"}, "/blog/post/"),
    ],
)  # fmt: skip
def test_a_posts_own_permalink_or_url_wins(meta: dict[str, Any], path: str) -> None:
    where = place(name="My_Own Post.v2", folder="es/_posts", meta=meta)
    assert post_path(where, "/blog/{slug}/", "default") == (path, [])


@pytest.mark.parametrize(
    ("meta", "path"),
    [
        ({"url": "/special/Page"}, "/special/Page/"),
        ({"url": "/feed.xml"}, "/feed.xml"),
        ({"url": "/kept/As Written/", "permalink": "/ignored/"}, "/kept/As%20Written/"),
        # Encoded like the rest of the path; the page is served at the path, without query
        # or fragment.
        ({"url": "/hugo url/é?x=1#frag"}, "/hugo%20url/%C3%A9/"),
        ({"url": "/a/b#c/d"}, "/a/b/"),
    ],
)  # fmt: skip
def test_hugo_url_wins_in_the_hugo_style(meta: dict[str, Any], path: str) -> None:
    assert post_path(place(meta=meta), "/blog/{slug}/", "hugo") == (path, [])


def test_literal_pattern_text_is_encoded() -> None:
    assert post_path(place(), "/café/{slug}/", "default") == ("/caf%C3%A9/post/", [])


def test_one_url_written_two_ways_is_a_clash(blog: Blog) -> None:
    first = blog.post("a.md", "---\ntitle: A\ndate: 2021-01-01\npermalink: /a/café/\n---\nx\n")
    second = blog.post(
        "b.md", "---\ntitle: B\ndate: 2021-01-02\npermalink: /a/caf%C3%A9/\n---\nx\n"
    )
    assert problems(blog) == [
        f"{second}: URL: /a/caf%C3%A9/ is also the URL of {first}; give one of them another "
        "slug: or permalink:"
    ]


def test_a_template_permalink_falls_back_to_the_pattern_with_a_warning() -> None:
    where = place(meta={"permalink": "/x/{{ page.fileSlug | slugify }}/"})
    assert post_path(where, "/blog/{slug}/", "default") == (
        "/blog/post/",
        [
            "permalink: '/x/{{ page.fileSlug | slugify }}/' is a template this tool cannot "
            "evaluate; the post's URL comes from [site] permalink instead"
        ],
    )


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("/blog/{slug}/", None),
        ("/{dir}/{slug}", None),
        ("/{category}/{title}/", None),
        ("/{year}/{slug_or_title}/", None),
        ("/{year}/{month}/", "must contain {slug}, {slug_or_title} or a frontmatter field such as {category}, and may use {year}, {month}, {day}, {dir}"),
        ("/{dir}/", "must contain {slug}, {slug_or_title} or a frontmatter field such as {category}, and may use {year}, {month}, {day}, {dir}"),
        ("/blog/{slug/", "has a '{' or '}' that is not part of a {name} placeholder"),
        ("blog/{slug}/", "must be a path pattern starting with '/', like '/blog/{slug}/'"),
    ],
)  # fmt: skip
def test_permalink_setting_check(pattern: str, problem: str | None) -> None:
    assert checks.permalink(pattern) == problem


def load(blog: Blog, **options: Any) -> list[Any]:
    return list(load_posts(blog.content, UTC, ContentOptions(**options)).posts)


def problems(blog: Blog, **options: Any) -> list[str]:
    with pytest.raises(ContentErrors) as raised:
        load_posts(blog.content, UTC, ContentOptions(**options))
    return raised.value.lines()


def test_a_missing_field_is_a_content_error_naming_the_post(blog: Blog) -> None:
    bad = blog.post("a.md", "---\ntitle: A\ndate: 2021-01-01\n---\nx\n")
    blog.post("b.md", "---\ntitle: B\ndate: 2021-01-01\ncategory: News\n---\nx\n")
    assert problems(blog, permalink="/{category}/{slug}/") == [
        f"{bad}: category: missing; the permalink pattern /{{category}}/{{slug}}/ needs it "
        "(add category: to the post)"
    ]


def test_bundles_take_the_folder_above_as_dir(blog: Blog) -> None:
    blog.post("blog/2022/v1.0-trio/index.md", "---\ntitle: T\ndate: 2022-01-01\n---\nx\n")
    blog.post("blog/introducing_nex.md", "---\ntitle: N\ndate: 2021-01-01\n---\nx\n")
    posts = load(blog, permalink="/{dir}/{slug}/", slug_style="hugo")
    assert [post.path for post in posts] == ["/blog/2022/v1.0-trio/", "/blog/introducing_nex/"]


def test_same_slug_at_different_urls_both_published_with_stable_ids(blog: Blog) -> None:
    blog.post("2021/intro.md", "---\ntitle: Old\ndate: 2021-01-01\n---\nx\n")
    blog.post("2020/intro.md", "---\ntitle: New\ndate: 2022-01-01\n---\nx\n")
    posts = load(blog, permalink="/blog/{year}/{slug}/")
    assert [(post.title, post.path, post.id_name) for post in posts] == [
        ("New", "/blog/2022/intro/", "blog/2022/intro/"),
        ("Old", "/blog/2021/intro/", ""),
    ]


def test_one_url_twice_is_an_error_and_keep_going_leaves_both_out(blog: Blog) -> None:
    first = blog.post("a/hello.md", "---\ntitle: A\ndate: 2021-01-01\n---\nx\n")
    second = blog.post("b/hello.md", "---\ntitle: B\ndate: 2021-01-02\n---\nx\n")
    blog.post("fine.md", "---\ntitle: C\ndate: 2021-01-03\n---\nx\n")
    line = (
        f"{second}: URL: /blog/hello/ is also the URL of {first}; "
        "give one of them another slug: or permalink:"
    )
    assert problems(blog) == [line]
    kept = load_posts(blog.content, UTC, keep_going=True)
    assert [post.title for post in kept.posts] == ["C"]
    assert [str(error) for error in kept.errors] == [line]


def test_one_pinned_id_twice_is_an_error(blog: Blog) -> None:
    first = blog.post("a.md", "---\ntitle: A\ndate: 2021-01-01\nid: urn:x:1\n---\nx\n")
    second = blog.post("b.md", "---\ntitle: B\ndate: 2021-01-02\nid: urn:x:1\n---\nx\n")
    assert problems(blog) == [
        f"{second}: id: urn:x:1 is also the feed id of {first}; give one of them another id:"
    ]


def test_a_pinned_id_equal_to_a_computed_one_is_caught_with_the_id_base(blog: Blog) -> None:
    first = blog.post("a.md", "---\ntitle: A\ndate: 2021-01-01\n---\nx\n")
    second = blog.post(
        "b.md", "---\ntitle: B\ndate: 2021-01-02\nid: tag:example.com,2020:a\n---\nx\n"
    )
    with pytest.raises(ContentErrors) as raised:
        load_posts(blog.content, UTC, ids="tag:example.com,2020:")
    assert raised.value.lines() == [
        f"{second}: id: tag:example.com,2020:a is also the feed id of {first}; "
        "give one of them another id:"
    ]


def test_default_style_is_todays(blog: Blog) -> None:
    blog.post("2021-01-01-Café Crème Notes.md", "---\ntitle: A\ndate: 2021-01-01\n---\nx\n")
    blog.post("c.md", "---\ntitle: C\ndate: 2021-01-03\nslug: my_own.slug\n---\nx\n")
    blog.post("2021-01-02-v1.0_beta.md", "---\ntitle: B\n---\nx\n")
    posts = load(blog)
    assert [(post.slug, post.path) for post in posts] == [
        ("my_own.slug", "/blog/my_own.slug/"),
        ("v1-0-beta", "/blog/v1-0-beta/"),
        ("cafe-creme-notes", "/blog/cafe-creme-notes/"),
    ]


def test_other_styles_make_a_slug_of_a_frontmatter_slug(blog: Blog) -> None:
    blog.post("x.md", '---\ntitle: A\ndate: 2021-01-01\nslug: "My Custom_Slug! (v2)"\n---\nx\n')
    assert [post.slug for post in load(blog, slug_style="hugo")] == ["my-custom_slug-v2"]
    assert [post.slug for post in load(blog, slug_style="jekyll")] == ["My-Custom_Slug!-(v2)"]
    # The default style keeps refusing such a slug, as before.
    assert problems(blog) == [
        f"{blog.content / 'x.md'}: slug: 'My Custom_Slug! (v2)' must be letters, digits, '-', "
        "'_' or '.', with no '/' or '..' (e.g. slug: my-first-post)"
    ]


def test_jekyll_style_reads_jekylls_file_names(blog: Blog) -> None:
    blog.post("_posts/2021-2-3-short-date.md", "---\ntitle: A\n---\nx\n")
    blog.post("_posts/2021-01-09-dots....md", "---\ntitle: B\n---\nx\n")
    posts = load(blog, slug_style="jekyll", permalink="/{year}/{month}/{day}/{slug}.html")
    assert [post.path for post in posts] == ["/2021/02/03/short-date.html", "/2021/01/09/dots.html"]


def test_hugo_style_keeps_the_date_in_the_name(blog: Blog) -> None:
    blog.post("posts/2021-01-05-dated.md", "---\ntitle: A\n---\nx\n")
    (post,) = load(blog, slug_style="hugo", permalink="/{dir}/{slug}/")
    assert (post.path, post.date.date().isoformat()) == ("/posts/2021-01-05-dated/", "2021-01-05")


LATE = "---\ntitle: Late Evening\ndate: 2021-01-16T23:30:00-05:00\n---\nx\n"


@pytest.mark.parametrize(
    ("style", "path"),
    [
        # Hugo makes the date parts from the date as written, in its own offset ...
        ("hugo", "/2021/01/16/late/"),
        # ... Jekyll (and this tool's default) from the date in the site's time zone (UTC here).
        ("jekyll", "/2021/01/17/late/"),
        ("default", "/2021/01/17/late/"),
    ],
)
def test_date_parts_follow_the_generators_time_zone_rule(blog: Blog, style: str, path: str) -> None:
    blog.post("late.md", LATE)
    (post,) = load(blog, slug_style=style, permalink="/{year}/{month}/{day}/{slug}/")
    assert post.path == path
    # The post's date itself is the same instant either way.
    assert post.date.isoformat() == "2021-01-16T23:30:00-05:00"


@pytest.mark.parametrize(
    ("style", "paths"),
    [
        ("hugo", ["/blog/my_own.slug/", "/blog/its-a-title/", "/blog/café-crème/"]),
        ("default", ["/blog/my_own.slug/", "/blog/its-a-title/", "/blog/cafe-creme/"]),
    ],
)
def test_slug_or_title_is_the_frontmatter_slug_else_the_title(
    blog: Blog, style: str, paths: list[str]
) -> None:
    """Hugo's ``:slug``: a post's ``slug:`` when it has one, else its title (not the file
    name), each made a slug in the site's style."""
    blog.post("a.md", "---\ntitle: Anything\ndate: 2021-01-03\nslug: my_own.slug\n---\nx\n")
    blog.post("b.md", "---\ntitle: It&rsquo;s a Title\ndate: 2021-01-02\n---\nx\n")
    blog.post("c.md", "---\ntitle: Café Crème\ndate: 2021-01-01\n---\nx\n")
    posts = load(blog, slug_style=style, permalink="/blog/{slug_or_title}/")
    assert [post.path for post in posts] == [quote(path) for path in paths]
    # Ids stay made from the file's slug: a title edit never changes one.
    assert [post.slug for post in posts][1:] == ["b", "c"]


def test_cache_records_carry_the_path(blog: Blog) -> None:
    from feeds.content.loader import post_from_record, post_to_record

    blog.post("en/x.md", "---\ntitle: A\ndate: 2021-01-01\n---\nx\n")
    (post,) = load(blog, permalink="/{dir}/{slug}", slug_style="keep")
    again = post_from_record(post_to_record(post), post.source)
    assert again.path == "/en/x" and again == replace(post, body=None)


def test_include_matches_that_are_not_markdown_get_a_warning(blog: Blog) -> None:
    blog.post("posts/a.md", "---\ntitle: A\ndate: 2021-01-01\n---\nx\n")
    blog.post("posts/b.mdx", "---\ntitle: B\ndate: 2021-01-02\n---\nimport X from 'x'\n\nHi\n")
    blog.raw("posts/cover.jpg", b"\xff\xd8")
    notes = blog.post("posts/c.adoc", "= C\n")
    named = blog.post("pages/d.txt", "text\n")
    loaded = load_posts(blog.content, UTC, ContentOptions(include=("posts/**", "pages/*.txt")))
    assert [post.title for post in loaded.posts] == ["B", "A"]
    hint = "only .md, .markdown and .mdx files are read as posts; left out (narrow include or add it to exclude)"
    assert list(loaded.warnings) == [
        f"{named}: matched by include, but {hint}",
        f"{notes}: matched by include, but {hint}",
    ]


def test_path_error_is_reported_as_a_post_problem(blog: Blog) -> None:
    bad = blog.post("a.md", "---\ntitle: A\ndate: 2021-01-01\nurl: [a]\n---\nx\n")
    assert problems(blog, slug_style="hugo") == [
        f"{bad}: url: ['a'] must be a path like /about/ (Hugo's url:)"
    ]
    # url: is Hugo's: in other styles it is a field like any other (a Jekyll link post's link).
    assert [post.path for post in load(blog)] == ["/blog/a/"]


def test_posts_made_in_code_take_the_pattern(tmp_path: Path) -> None:
    from feeds.content.model import Post
    from feeds.content.permalinks import post_url

    from .conftest import make_site

    site = make_site(tmp_path, content=ContentOptions(permalink="/{year}/{slug}/"))
    post = Post(source=tmp_path / "p.md", slug="p", title="T", date=BERLIN_NOON)
    assert post_url(post, site) == "https://example.com/2021/p/"


def test_a_language_suffix_is_no_part_of_a_slug_on_a_multilingual_site(blog: Blog) -> None:
    """Hugo: x.fr.md is x, a bundle's index.fr.md takes its folder's name and {dir} stays the
    folder above it, _index.fr.md is a section page; a single-language site keeps names."""
    blog.post("posts/x.fr.md", "---\ntitle: A\ndate: 2021-01-01\n---\nx\n")
    blog.post("posts/Bundle/index.fr.md", "---\ntitle: B\ndate: 2021-01-02\n---\nx\n")
    blog.post("posts/_index.fr.md", "---\ntitle: Section\n---\nx\n")
    many = load(blog, slug_style="hugo", permalink="/{dir}/{slug}/", name_languages=("en", "fr"))
    assert sorted(post.path for post in many) == ["/posts/bundle/", "/posts/x/"]
    blog.post("posts/_index.fr.md", "---\ntitle: Section\ndate: 2021-01-03\n---\nx\n")
    one = load(blog, slug_style="hugo", permalink="/{dir}/{slug}/")
    assert sorted(post.path for post in one) == [
        "/posts/_index.fr/", "/posts/bundle/index.fr/", "/posts/x.fr/",
    ]  # fmt: skip


# Path pieces that urljoin treats specially, and plain ones.
URL_PIECE = st.sampled_from([
    "a", "blog", "2024", ".", "..", "", "x.y", "%20", "é", ":", ";p", "?q", "#f", "\\", " ",
    "~", "a:b", "\t",
])  # fmt: skip
BASES = [
    "https://example.com/", "https://example.com/blog/", "http://h:8080/a/b/",
    "https://example.com", "https://example.com/blog", "https://example.com/a/../b/",
    "https://example.com//x/", "https://example.com/a;b/",
]  # fmt: skip


@given(st.sampled_from(BASES), st.lists(URL_PIECE, max_size=5).map("/".join))
@example("https://example.com/", "/a")  # a path from the top replaces the base's
@example("https://example.com/blog/", "a//b")
def test_site_url_is_urljoin(base: str, relative: str) -> None:
    assert site_url(base, relative) == urljoin(base, relative)


def test_site_url_takes_the_short_way_for_plain_paths() -> None:
    assert plain_base("https://example.com/blog/")
    assert not plain_base("https://example.com/blog")
    assert not plain_base("https://example.com/a/../b/")
    assert site_url("https://example.com/blog/", "2024/a-post/") == (
        "https://example.com/blog/2024/a-post/"
    )
