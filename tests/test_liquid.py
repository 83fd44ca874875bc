"""Liquid in bodies, side by side: Markdown with tags in, text out; unknown tags and filters
are warnings with their text removed; broken templates are one error with a line; the sandbox
holds (no file outside the root, a deadline, limits)."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.content.liquid import LiquidResult, LiquidSite, RenderState, TemplateError, render_liquid

POSTS = {
    "post_url:2021-01-01-first": "https://example.com/first/",
    "link:_posts/x.md": "https://example.com/x/",
}
DATA = {
    "releases": [
        {"version": "3.3", "sha": "aaa"},
        {"version": "3.3.12", "sha": "bbb", "tags": ["lts", "stable"]},
    ]
}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    (folder / "_includes").mkdir()
    (folder / "_includes/box.html").write_text(
        "<aside>{{ include.text }}{% if include.who %} — {{ include.who }}{% endif %}</aside>"
    )
    (folder / "_includes/loop.html").write_text("{% include loop.html %}")
    (folder / "_includes/odd.html").write_text("[{% fancy %}{{ 'x' | sparkle }}]")
    (folder / "_includes/open.html").write_text("ok\n{% if x %}\nnever closed")
    (folder / "_includes/bad.html").write_text("ok\n{{ 'a' | where: }}")
    (folder / "notes.md").write_text("Relative {{ page.title }}")
    secret = folder.parent / "secret.txt"
    secret.write_text("TOP SECRET")
    os.symlink(secret, folder / "_includes/leak.html")
    return folder


def site(root: Path, kind: str = "jekyll") -> LiquidSite:
    return LiquidSite(
        root=root,
        kind=kind,
        variables={"site": {"title": "Blog", "data": DATA, "baseurl": "/blog"}},
        include_dirs=(root / "_includes",),
        url="https://example.com/",
        baseurl="/blog",
    )


def state(root: Path, timeout: float = 5.0) -> RenderState:
    return RenderState(
        post="post.md",
        post_dir=root,
        line_offset=3,
        resolve=POSTS.get,
        markdownify=lambda text: f"<p>{text}</p>",
        deadline=time.monotonic() + timeout,
    )


def render(root: Path, text: str, variables: Mapping[str, Any] | None = None) -> LiquidResult:
    page = {"title": "Hello", "version": "3.3.12", "date": "2021-01-02 09:30:00"}
    return render_liquid(text, variables or {"page": page}, site(root), state(root))


@pytest.mark.parametrize(
    ("liquid", "expected"),
    [
        ("{{ page.title }}", "Hello"),
        (
            '{% assign r = site.data.releases | where: "version", page.version | first %}{{ r.sha }}',
            "bbb",
        ),
        # Jekyll compares as text: "3.3" does not match "3.3.12", and a list matches by member.
        ('{{ site.data.releases | where: "version", "3.3" | size }}', "1"),
        ('{{ site.data.releases | where: "tags", "lts" | map: "sha" | first }}', "bbb"),
        (
            '{{ site.data.releases | where_exp: "r", "r.sha == \'aaa\'" | map: "version" | first }}',
            "3.3",
        ),
        ('{{ site.data.releases | where_exp: "r", "r.tags contains \'lts\'" | size }}', "1"),
        ('{% assign r = site.data.releases | find: "version", "3.3.12" %}{{ r.sha }}', "bbb"),
        ("{% post_url 2021-01-01-first %}", "https://example.com/first/"),
        ("{% link _posts/x.md %}", "https://example.com/x/"),
        ('{{ "/about/" | relative_url }}', "/blog/about/"),
        ('{{ "/about/" | absolute_url }}', "https://example.com/blog/about/"),
        ('{{ "https://other.org/" | relative_url }}', "https://other.org/"),
        ('{{ "a *b*" | markdownify }}', "<p>a *b*</p>"),
        ("{{ site.data.releases.first | jsonify }}", '{"version":"3.3","sha":"aaa"}'),
        ("{{ page.date | date_to_string }}", "02 Jan 2021"),
        ("{{ page.date | date_to_long_string }}", "02 January 2021"),
        ('{{ page.date | date: "%Y" }}', "2021"),
        ('{{ "Hello World" | slugify }}', "hello-world"),
        ('{{ "a < b" | xml_escape }}', "a &lt; b"),
        ("{% raw %}{{ kept }}{% endraw %}", "{{ kept }}"),
        ('{% include box.html text="Hi" who=page.title %}', "<aside>Hi — Hello</aside>"),
        ("{% include_relative notes.md %}", "Relative Hello"),
        (
            "{% highlight ruby %}\nputs '<b>'\n{% endhighlight %}",
            "\n\n<pre><code class=\"language-ruby\">puts '&lt;b&gt;'</code></pre>\n\n",
        ),
        ("{% comment %}gone{% endcomment %}left", "left"),
    ],
)
def test_liquid_side_by_side(root: Path, liquid: str, expected: str) -> None:
    result = render(root, liquid)
    assert result.text == expected
    assert result.unknown == 0 and result.warnings == ()


@pytest.mark.parametrize(
    ("liquid", "expected"),
    [
        # A block whose only content is one of this tool's tags still prints it: the engine
        # drops blocks it believes print nothing.
        ('{% if true %}{% include box.html text="x" %}{% endif %}', "<aside>x</aside>"),
        (
            "{% for i in (1..2) %}{% include box.html text=i %}{% endfor %}",
            "<aside>1</aside><aside>2</aside>",
        ),
        ("{% if true %}{% post_url 2021-01-01-first %}{% endif %}", "https://example.com/first/"),
        ("{% if true %}{% link _posts/x.md %}{% endif %}", "https://example.com/x/"),
        ("{% if true %}{% include_relative notes.md %}{% endif %}", "Relative Hello"),
        (
            "{% if true %}{% highlight ruby %}puts 1{% endhighlight %}{% endif %}",
            '\n\n<pre><code class="language-ruby">puts 1</code></pre>\n\n',
        ),
    ],
)
def test_tags_alone_in_a_block_still_print(root: Path, liquid: str, expected: str) -> None:
    assert render(root, liquid).text == expected


def test_links_looked_up_are_recorded(root: Path) -> None:
    result = render(root, "{% post_url 2021-01-01-first %} {% post_url 1999-01-01-gone %}")
    # A missing post prints a marker the rendered HTML drops (with a link made of it).
    assert result.text == "https://example.com/first/ #feeds-missing-link"
    assert result.lookups == (
        ("post_url:1999-01-01-gone", ""),
        ("post_url:2021-01-01-first", "https://example.com/first/"),
    )
    assert result.warnings == (
        "post.md: {% post_url 1999-01-01-gone %}: no post found for 'post_url:1999-01-01-gone'; "
        "the link is removed, its text kept",
    )


def test_unknown_tags_and_filters_lose_only_their_own_text(root: Path) -> None:
    result = render(
        root,
        "a {% seo %}b\n{% callout %}inside{% endcallout %}\n{{ 'x' | shout }}c {{ page.title }}",
    )
    assert result.text == "a b\ninside\nc Hello"
    assert result.unknown == 4
    assert result.warnings == (
        "post.md: line 4: unknown Liquid tag 'seo'; its text ('{% seo %}') was removed",
        "post.md: line 5: unknown Liquid tag 'callout'; its text ('{% callout %}') was removed",
        "post.md: line 5: unknown Liquid tag 'endcallout'; its text ('{% endcallout %}') was removed",
        "post.md: line 6: unknown Liquid filter 'shout'; its text (\"{{ 'x' | shout }}\") was removed",
    )


def test_unknown_tags_in_an_include_are_named_with_the_include(root: Path) -> None:
    result = render(root, "{% include odd.html %}")
    assert result.text == "[]"
    include = root / "_includes/odd.html"
    assert [warning.split(";")[0] for warning in result.warnings] == [
        f"{include}: line 1: unknown Liquid tag 'fancy'",
        f"{include}: line 1: unknown Liquid filter 'sparkle'",
    ]


@pytest.mark.parametrize(
    ("liquid", "message"),
    [
        ("x\n{% if a %}\n", "post.md: line 5: Liquid: expected tag endif"),
        ("x\n{% endif %}", "post.md: line 5: Liquid: unexpected tag 'endif'"),
        ("x\n\n{{ 'a' | where: }}", "post.md: line 6: Liquid: where"),
        ("{% include nowhere.html %}", "post.md: line 4: Liquid: include 'nowhere.html' not found"),
        # The sandbox: nothing outside the include folder's root is read, links included.
        (
            "{% include ../../secret.txt %}",
            "post.md: line 4: Liquid: include '../../secret.txt': a name with '..'",
        ),
        ("{% include leak.html %}", "post.md: line 4: Liquid: include 'leak.html' not found"),
        (
            "{% include_relative ../secret.txt %}",
            "post.md: line 4: Liquid: include_relative '../secret.txt': a name with '..', './', '/.' "
            "or '//' is refused, as Jekyll does",
        ),
        # Jekyll refuses ``..`` even when the file it names is inside the site root.
        (
            "{% include_relative _includes/../notes.md %}",
            "post.md: line 4: Liquid: include_relative '_includes/../notes.md': a name with '..'",
        ),
        (
            "{% include ../_includes/box.html %}",
            "post.md: line 4: Liquid: include '../_includes/box.html': a name with '..'",
        ),
        ("{% include loop.html %}", "Liquid: maximum context depth reached"),
        (
            "{% assign s = 'xxxxxxxx' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}",
            "Liquid: append: the value it would make is too large",
        ),
        (
            "{% for a in (1..1000) %}{% for b in (1..1000) %}x{% endfor %}{% endfor %}",
            "Liquid: loop iteration limit reached",
        ),
        # A filter whose result would multiply its inputs is refused before it runs; one
        # that made too large a value, after.
        (
            "{% assign s = '" + "x" * 3000 + "' %}{% assign a = s | split: '' %}{{ a | join: s }}",
            "Liquid: join: the value it would make is too large",
        ),
        (
            "{% assign s = '" + "x" * 3000 + "' %}{{ s | replace: 'x', s }}",
            "Liquid: replace: the value it would make is too large",
        ),
        (
            "{% capture s %}" + "x" * 1000 + "{% endcapture %}"
            "{% for i in (1..30) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}",
            "Liquid: output stream limit reached",
        ),
    ],
)
def test_broken_templates_are_one_error_with_a_line(root: Path, liquid: str, message: str) -> None:
    with pytest.raises(TemplateError) as raised:
        render(root, liquid)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("include", "message"),
    [
        ("open.html", "line 3: Liquid: expected tag endif"),
        ("bad.html", "line 2: Liquid: where"),
    ],
)
def test_a_broken_include_is_named_with_its_own_line(
    root: Path, include: str, message: str
) -> None:
    with pytest.raises(TemplateError) as raised:
        render(root, "x\n{% include " + include + " %}")
    assert str(raised.value).startswith(f"{root / '_includes' / include}: {message}")


def test_a_render_gives_up_at_its_deadline(root: Path) -> None:
    with pytest.raises(TemplateError) as raised:
        render_liquid(
            "{% for a in (1..10) %}{{ a }}{% endfor %}", {}, site(root), state(root, timeout=-1)
        )
    assert str(raised.value) == "post.md: the template took too long and was given up"


class TickingClock:
    """A clock that moves one second each time it is read: how often a render looks at the
    clock is what is tested, not how long it takes."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 1
        return self.now


def test_the_deadline_is_checked_around_every_filter(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = TickingClock()
    monkeypatch.setattr("feeds.content.liquid.time", clock)
    chain = "{{ 'a'" + " | append: 'b'" * 50 + " }}"
    with pytest.raises(TemplateError) as raised:
        render_liquid(chain, {}, site(root), replace(state(root), deadline=20.0))
    assert str(raised.value) == "post.md: the template took too long and was given up"
    # One output node and fifty filters: the clock was read for each filter.
    assert 20 <= clock.now <= 25


def test_every_filter_goes_through_the_guard(root: Path) -> None:
    checked = state(root)
    render_liquid("{{ 'a' | append: 'b' | upcase }}{{ page | jsonify }}", {}, site(root), checked)
    assert checked.filter_calls == 3


def test_eleventy_include_passes_its_arguments(root: Path) -> None:
    (root / "_includes/cta.liquid").write_text("Join {{ label }}")
    result = render_liquid(
        "{% include 'cta', label: 'us' %}", {}, site(root, "eleventy"), state(root)
    )
    assert result.text == "Join us"


TAG_TEXT = st.text(alphabet=st.sampled_from(list("{}%|'\" abcif:end=.-\n")), max_size=40)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.lists(
        st.one_of(
            TAG_TEXT,
            st.sampled_from(
                [
                    "{% seo %}",
                    "{{ x | nope }}",
                    "{% if a %}",
                    "{% endif %}",
                    "{% raw %}",
                    "{{",
                    "%}",
                ]
            ),
        ),
        max_size=6,
    ).map("".join)
)
def test_any_body_renders_or_is_one_template_error(root: Path, text: str) -> None:
    """Whatever the body, the outcome is text or one TemplateError: never another exception."""
    try:
        result = render(root, text)
    except TemplateError as error:
        assert "\n" not in str(error)
    else:
        # Each tag or filter taken out is named in a warning.
        assert result.unknown <= len(result.warnings)
        assert "{% seo %}" not in text or "{% raw %}" in text or result.unknown > 0
