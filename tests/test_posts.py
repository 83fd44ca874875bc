"""Loading posts: frontmatter fields, dates, tags, slugs, order, and one exact line per problem."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.content.loader import load_posts
from feeds.content.model import Post, group_by_tag, newest_first, published
from feeds.content.render import read_body
from feeds.errors import ContentErrors

from .conftest import NOW, Blog

BERLIN = ZoneInfo("Europe/Berlin")


def load(blog: Blog) -> list[Post]:
    return list(load_posts(blog.content, BERLIN).posts)


def problems(blog: Blog) -> list[str]:
    with pytest.raises(ContentErrors) as raised:
        load_posts(blog.content, BERLIN)
    return raised.value.lines()


def test_reads_every_field(blog: Blog) -> None:
    blog.post(
        "2021-12-09-first.md",
        """
        ---
        title: "Shipping a Feed"
        description: "Short."
        date: "2021-12-09T08:30:00+01:00"
        updated: 2021-12-10
        topPost: true
        draft: false
        image: "/img/a.png"
        tags: ["Feeds", "DevRel"]
        id: "tag:example.com,2019:pinned"
        ---
        Body *text*.
        """,
    )
    (post,) = load(blog)
    assert post.title == "Shipping a Feed"
    assert post.description == "Short."
    assert post.date == datetime(2021, 12, 9, 7, 30, tzinfo=UTC)
    assert post.updated == datetime(2021, 12, 10, tzinfo=BERLIN)
    assert post.top is True and post.draft is False
    assert post.image == "/img/a.png"
    assert post.tags == ("Feeds", "DevRel")
    assert post.pinned_id == "tag:example.com,2019:pinned"
    assert post.slug == "first"
    assert post.body is None  # bodies are read when rendered, not kept
    assert read_body(post).strip() == "Body *text*."


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2021-12-09", datetime(2021, 12, 9, tzinfo=BERLIN)),
        ('"2021-12-09"', datetime(2021, 12, 9, tzinfo=BERLIN)),
        ("2021-12-09 14:00:00", datetime(2021, 12, 9, 14, tzinfo=BERLIN)),
        ('"2021-12-09T14:00:00"', datetime(2021, 12, 9, 14, tzinfo=BERLIN)),
        ('"2021-12-09T14:00:00Z"', datetime(2021, 12, 9, 14, tzinfo=UTC)),
        ('"2021-12-09T14:00:00.250+05:30"', datetime(2021, 12, 9, 8, 30, 0, 250000, tzinfo=UTC)),
        ('"2019-05-30 9:00:00 +0000"', datetime(2019, 5, 30, 9, tzinfo=UTC)),
        ("2021-12-09T14:00:00+01:00", datetime(2021, 12, 9, 13, tzinfo=UTC)),
    ],
)
def test_dates_in_every_common_shape_are_aware(
    blog: Blog, written: str, expected: datetime
) -> None:
    blog.post("p.md", f"---\ntitle: T\ndate: {written}\n---\nx\n")
    (post,) = load(blog)
    assert post.date.tzinfo is not None
    assert post.date == expected


def test_date_falls_back_to_the_file_name(blog: Blog) -> None:
    blog.post("2020-02-29-leap.md", "---\ntitle: Leap\n---\nx\n")
    (post,) = load(blog)
    assert post.date == datetime(2020, 2, 29, tzinfo=BERLIN)
    assert post.slug == "leap"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ('["A", "B"]', ("A", "B")),
        ('"A, B ,C"', ("A", "B", "C")),
        ('"Solo"', ("Solo",)),
        ("", ()),
        ('["Go", "go", "GO"]', ("Go",)),
        ("[2024, Notes]", ("2024", "Notes")),
    ],
)
def test_tags_as_list_string_or_nothing(
    blog: Blog, written: str, expected: tuple[str, ...]
) -> None:
    blog.post("p.md", f"---\ntitle: T\ndate: 2021-01-01\ntags: {written}\n---\nx\n")
    (post,) = load(blog)
    assert post.tags == expected


def test_slugs_from_file_names_are_clean(blog: Blog) -> None:
    blog.post("2021-01-01-Café Crème Notes.md", "---\ntitle: A\ndate: 2021-01-01\n---\nx\n")
    blog.post("bundle/index.md", "---\ntitle: B\ndate: 2021-01-02\n---\nx\n")
    blog.post("c.md", "---\ntitle: C\ndate: 2021-01-03\nslug: my_own.slug\n---\nx\n")
    assert [post.slug for post in load(blog)] == ["my_own.slug", "bundle", "cafe-creme-notes"]


def test_newest_first_and_equal_dates_by_slug(blog: Blog) -> None:
    for slug in ("b", "a", "c"):
        blog.post(f"{slug}.md", "---\ntitle: T\ndate: 2021-05-05\n---\nx\n")
    blog.post("new.md", "---\ntitle: T\ndate: 2022-01-01\n---\nx\n")
    blog.post("old.md", "---\ntitle: T\ndate: 2020-01-01\n---\nx\n")
    assert [post.slug for post in load(blog)] == ["new", "a", "b", "c", "old"]


def test_offsets_sort_by_instant_not_by_text(blog: Blog) -> None:
    blog.post("east.md", '---\ntitle: T\ndate: "2021-05-05T10:00:00+09:00"\n---\nx\n')
    blog.post("west.md", '---\ntitle: T\ndate: "2021-05-05T02:00:00-05:00"\n---\nx\n')
    assert [post.slug for post in load(blog)] == ["west", "east"]


def test_drafts_and_future_posts_are_left_out_unless_asked(blog: Blog) -> None:
    blog.post("live.md", "---\ntitle: T\ndate: 2021-01-01\n---\nx\n")
    blog.post("draft.md", "---\ntitle: T\ndate: 2021-01-02\ndraft: true\n---\nx\n")
    later = (NOW + timedelta(hours=1)).isoformat()
    blog.post("soon.md", f'---\ntitle: T\ndate: "{later}"\n---\nx\n')
    posts = load(blog)
    assert [p.slug for p in published(posts, NOW)] == ["live"]
    assert [p.slug for p in published(posts, NOW, drafts=True)] == ["draft", "live"]
    assert [p.slug for p in published(posts, NOW, future=True)] == ["soon", "live"]
    # the same post is published once its moment has come
    assert [p.slug for p in published(posts, NOW + timedelta(hours=2))] == ["soon", "live"]


def test_tags_differing_only_in_case_are_one_tag(blog: Blog) -> None:
    blog.post("a.md", "---\ntitle: A\ndate: 2021-01-02\ntags: [DevRel]\n---\nx\n")
    blog.post("b.md", "---\ntitle: B\ndate: 2021-01-01\ntags: [devrel, Go]\n---\nx\n")
    tags, warnings = group_by_tag(load(blog))
    assert [(t.name, t.slug, [p.slug for p in t.posts]) for t in tags] == [
        ("DevRel", "devrel", ["a", "b"]),
        ("Go", "go", ["b"]),
    ]
    assert warnings == []


def test_tags_that_collide_on_their_folder_are_merged_with_a_warning(blog: Blog) -> None:
    blog.post("a.md", "---\ntitle: A\ndate: 2021-01-02\ntags: [C++]\n---\nx\n")
    blog.post("b.md", "---\ntitle: B\ndate: 2021-01-01\ntags: [C]\n---\nx\n")
    tags, warnings = group_by_tag(load(blog))
    assert [t.slug for t in tags] == ["c"]
    assert warnings == ["tags 'C', 'C++' share the feed folder tags/c/ and are merged"]


def test_characters_xml_forbids_are_removed_with_a_warning(blog: Blog) -> None:
    blog.post(
        "p.md", '---\ntitle: "Bell\\a here"\ndate: 2021-01-01\n---\nline one\nbad \x07 and \x0c\n'
    )
    loaded = load_posts(blog.content, BERLIN)
    (post,) = loaded.posts
    assert post.title == "Bell here"
    assert "\x07" not in read_body(post) and "\x0c" not in read_body(post)
    assert loaded.warnings == (
        f"{blog.content / 'p.md'}: removed 2 character(s) that XML forbids (first: U+0007 on line 6)",
    )


def test_bom_and_crlf_are_accepted(blog: Blog) -> None:
    blog.raw("p.md", "\ufeff---\r\ntitle: Windows\r\ndate: 2021-01-01\r\n---\r\nBody\r\n".encode())
    (post,) = load(blog)
    assert post.title == "Windows"
    assert "\r" not in read_body(post)


def test_hidden_folders_are_not_content(blog: Blog) -> None:
    blog.post(".obsidian/template.md", "not a post")
    blog.post("p.md", "---\ntitle: T\ndate: 2021-01-01\n---\nx\n")
    assert [p.slug for p in load(blog)] == ["p"]


BROKEN = [
    (
        "title: T\ndate: next tuesday",
        "date: 'next tuesday' is not a date (use 2021-12-09 or 2021-12-09T08:30:00+01:00)",
    ),
    (
        "title: T\ndate: 2021-02-30",
        "date: '2021-02-30' is not a date (use 2021-12-09 or 2021-12-09T08:30:00+01:00)",
    ),
    (
        'title: T\ndate: "2021-13-01"',
        "date: '2021-13-01' is not a date (use 2021-12-09 or 2021-12-09T08:30:00+01:00)",
    ),
    (
        "title: T\ndate: [2021]",
        "date: \"['2021']\" is not a date (use 2021-12-09 or 2021-12-09T08:30:00+01:00)",
    ),
    ("title: T", "date: missing (use 2021-12-09 or 2021-12-09T08:30:00+01:00)"),
    ("date: 2021-01-01", "title: missing; every post needs one"),
    ("date: 2021-01-01\ntitle: [a, b]", "title: ['a', 'b'] must be text"),
    ('date: 2021-01-01\ntitle: "  "', "title: is empty; every post needs one"),
    (
        "date: 2021-01-01\ntitle: T\ntopPost: yes please",
        "topPost: 'yes please' must be true or false",
    ),
    ("date: 2021-01-01\ntitle: T\ndraft: 1", "draft: '1' must be true or false"),
    (
        "date: 2021-01-01\ntitle: T\ntags: {a: 1}",
        "tags: {'a': '1'} must be a list of tags or one comma-separated string",
    ),
    ("date: 2021-01-01\ntitle: T\ntags: [[x]]", "tags: ['x'] is not a tag name (tags are text)"),
    (
        'date: 2021-01-01\ntitle: T\ntags: ["!!"]',
        "tags: '!!' has no letters or digits to name its feed folder",
    ),
    (
        "date: 2021-01-01\ntitle: T\nslug: ../../etc",
        "slug: '../../etc' must be letters, digits, '-', '_' or '.', with no '/' or '..' (e.g. slug: my-first-post)",
    ),
    (
        "date: 2021-01-01\ntitle: T\nslug: /abs",
        "slug: '/abs' must be letters, digits, '-', '_' or '.', with no '/' or '..' (e.g. slug: my-first-post)",
    ),
    (
        "date: 2021-01-01\ntitle: T\nid: not a uri",
        "id: 'not a uri' must be a URI, e.g. id: tag:example.com,2021:my-post",
    ),
    (
        "date: 2021-01-01\ntitle: T\nupdated: soon",
        "updated: 'soon' is not a date (use 2021-12-09 or 2021-12-09T08:30:00+01:00)",
    ),
    (
        "title: [unclosed\ndate: 2021-01-01",
        "frontmatter: YAML did not find expected ',' or ']' on line 3 (while parsing a flow sequence started on line 2)",
    ),
    ("- a\n- b", "frontmatter: must be a mapping of fields"),
]


@pytest.mark.parametrize(
    ("frontmatter", "message"),
    BROKEN,
    ids=[m.split(":")[0] + "-" + str(i) for i, (_, m) in enumerate(BROKEN)],
)
def test_each_broken_post_gets_its_exact_message(
    blog: Blog, frontmatter: str, message: str
) -> None:
    path = blog.post("broken.md", f"---\n{frontmatter}\n---\nBody\n")
    assert problems(blog) == [f"{path}: {message}"]


def test_empty_and_non_utf8_files(blog: Blog) -> None:
    empty = blog.raw("empty.md", b"  \n")
    latin = blog.raw("latin.md", "---\ntitle: Café\ndate: 2021-01-01\n---\n".encode("cp1252"))
    assert problems(blog) == [
        f"{empty}: file is empty (a post needs title and date)",
        f"{latin}: is not UTF-8 (bad byte at offset 14); save it as UTF-8",
    ]


def test_two_posts_at_one_url_name_both_files(blog: Blog) -> None:
    first = blog.post("2021-01-01-hello.md", "---\ntitle: A\ndate: 2021-01-01\n---\nx\n")
    second = blog.post("other/hello.md", "---\ntitle: B\ndate: 2021-01-02\n---\nx\n")
    assert problems(blog) == [
        f"{second}: URL: /blog/hello/ is also the URL of {first}; "
        "give one of them another slug: or permalink:",
    ]


def test_every_problem_of_the_run_is_reported_at_once(blog: Blog) -> None:
    one = blog.post("one.md", "---\ntitle: T\ndate: never\ntopPost: maybe\n---\nx\n")
    two = blog.post("two.md", "---\ndate: 2021-01-01\n---\nx\n")
    blog.post("fine.md", "---\ntitle: T\ndate: 2021-01-01\n---\nx\n")
    assert problems(blog) == [
        f"{one}: date: 'never' is not a date (use 2021-12-09 or 2021-12-09T08:30:00+01:00)",
        f"{one}: topPost: 'maybe' must be true or false",
        f"{two}: title: missing; every post needs one",
    ]


def test_missing_content_folder(tmp_path: Path) -> None:
    with pytest.raises(ContentErrors) as raised:
        load_posts(tmp_path / "nowhere", BERLIN)
    assert raised.value.lines() == [f"{tmp_path / 'nowhere'}: content folder not found"]


def test_naive_dates_take_the_site_time_zone(blog: Blog) -> None:
    blog.post("p.md", '---\ntitle: T\ndate: "2021-07-01T12:00:00"\n---\nx\n')
    (post,) = load_posts(blog.content, timezone(timedelta(hours=-7))).posts
    assert post.date == datetime(2021, 7, 1, 19, tzinfo=UTC)


def test_yaml_anchors_and_aliases_work(blog: Blog) -> None:
    blog.post(
        "p.md",
        "---\ntitle: &name Anchored\ndescription: *name\ndate: 2021-01-01\ntags: &t [A, B]\n---\nx\n",
    )
    (post,) = load(blog)
    assert (post.title, post.description, post.tags) == ("Anchored", "Anchored", ("A", "B"))


def test_toml_frontmatter(blog: Blog) -> None:
    blog.post(
        "p.md", '+++\ntitle = "TOML"\ndate = 2021-03-04T10:00:00+01:00\ntags = ["x"]\n+++\nBody\n'
    )
    (post,) = load(blog)
    assert (post.title, post.date, post.tags) == (
        "TOML",
        datetime(2021, 3, 4, 9, tzinfo=UTC),
        ("x",),
    )


def test_a_file_without_frontmatter_is_a_post_without_fields(blog: Blog) -> None:
    blog.post("2021-06-01-plain.md", "Just text, no frontmatter.\n")
    assert problems(blog) == [
        f"{blog.content / '2021-06-01-plain.md'}: title: missing; every post needs one"
    ]


def test_include_and_exclude_patterns(blog: Blog) -> None:
    from feeds.config import ContentOptions

    for name in ("en/a.md", "en/drafts/b.md", "de/c.md", "d.markdown"):
        blog.post(name, f"---\ntitle: T\ndate: 2021-01-0{len(name) % 9 + 1}\n---\nx\n")
    options = ContentOptions(include=("en/**", "*.markdown"), exclude=("en/drafts/*",))
    assert sorted(p.slug for p in load_posts(blog.content, BERLIN, options).posts) == ["a", "d"]


@given(
    st.lists(
        st.tuples(
            st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
            st.integers(min_value=-23 * 60, max_value=23 * 60),
            st.sampled_from(["a", "b", "c"]),
        ),
        max_size=30,
    )
)
def test_newest_first_orders_by_instant_then_slug(
    dated: list[tuple[datetime, int, str]],
) -> None:
    """Dates in any offset, equal instants written differently included: the order is by
    instant, newest first, and by slug, path and file among equal instants."""
    posts = [
        Post(
            source=Path(f"{index}.md"), slug=slug, title="T", path=f"/{index}/",
            date=moment.replace(tzinfo=timezone(timedelta(minutes=offset))),
        )
        for index, (moment, offset, slug) in enumerate(dated)
    ]  # fmt: skip
    by_slug = sorted(posts, key=lambda post: (post.slug, post.path, str(post.source)))
    assert newest_first(posts) == sorted(by_slug, key=lambda post: post.date, reverse=True)
