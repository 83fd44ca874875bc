"""Hugo shortcodes, side by side: built-ins emulated feed-safe (embeds become links, never
frames), a site's simple shortcodes rendered, the rest keeping their inner text with a warning."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.content.shortcodes import HugoPage, HugoSite, ShortcodeError, render_shortcodes

PAGES = {"ref:posts/other.md": "https://example.com/posts/other/"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> HugoSite:
    root = tmp_path_factory.mktemp("hugo")
    shortcodes = root / "layouts/shortcodes"
    shortcodes.mkdir(parents=True)
    (shortcodes / "note.html").write_text('<div class="note">{{ .Inner }}</div>\n')
    (shortcodes / "badge.html").write_text(
        '{{- /* a label */ -}}\n<span>{{ .Get "text" | upper }}</span>\n'
    )
    (shortcodes / "quote.html").write_text(
        "<q>{{ .Get 0 }}</q> ({{ .Page.Title }}, {{ .Site.Params.author }})"
    )
    (shortcodes / "loop.html").write_text("{{ range .Params }}{{ . }}{{ end }}")
    return HugoSite(
        root=root,
        params={"author": "Ada", "nested": {"key": "deep"}},
        title="Site",
        base_url="https://example.com/",
    )


def page(timeout: float = 5.0) -> HugoPage:
    return HugoPage(
        name="post.md",
        line_offset=4,
        params={"Canonical_URL": "https://canon.example.com/", "title": "Post"},
        title="Post",
        url="https://example.com/posts/post/",
        resolve=PAGES.get,
        markdownify=lambda text: f"<p>{text.replace('*x*', '<em>x</em>')}</p>",
        deadline=time.monotonic() + timeout,
    )


YOUTUBE = (
    '\n\n<p><a href="https://www.youtube.com/watch?v=abc"><img src="https://i.ytimg.com/vi/abc/hqdefault.jpg" '
    'alt="Talk"></a><br><a href="https://www.youtube.com/watch?v=abc">Talk</a></p>\n\n'
)


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ('{{< youtube id="abc" title="Talk" >}}', YOUTUBE),
        (
            "{{< youtube abc >}}",
            YOUTUBE.replace('alt="Talk"', 'alt="Watch the video on YouTube"').replace(
                ">Talk<", ">Watch the video on YouTube<"
            ),
        ),
        (
            "{{< vimeo 42 >}}",
            '\n\n<p><a href="https://vimeo.com/42">Watch the video on Vimeo</a></p>\n\n',
        ),
        (
            '{{< x user="ada" id="7" >}}',
            '\n\n<p><a href="https://x.com/ada/status/7">View the post by @ada on X</a></p>\n\n',
        ),
        (
            '{{< tweet user="ada" id="7" >}}',
            '\n\n<p><a href="https://x.com/ada/status/7">View the post by @ada on X</a></p>\n\n',
        ),
        (
            "{{< instagram Bx1 >}}",
            '\n\n<p><a href="https://www.instagram.com/p/Bx1/">View the post on Instagram</a></p>\n\n',
        ),
        (
            "{{< gist ada 99 >}}",
            '\n\n<p><a href="https://gist.github.com/ada/99">View the gist on GitHub</a></p>\n\n',
        ),
        (
            '{{< figure src="a.png" alt="A" link="/big.png" width="300" >}}',
            '\n\n<figure><a href="/big.png"><img src="a.png" alt="A" width="300"></a></figure>\n\n',
        ),
        (
            '{{< figure src="a.png" caption="So *x*" >}}',
            '\n\n<figure><img src="a.png" alt="So *x*"><figcaption>So <em>x</em></figcaption></figure>\n\n',
        ),
        (
            "{{< highlight js >}}\na < b\n{{< /highlight >}}",
            '\n\n<pre><code class="language-js">a &lt; b</code></pre>\n\n',
        ),
        (
            '[o]({{< ref "posts/other.md" >}}) [h]({{< relref "posts/other.md#part" >}})',
            "[o](https://example.com/posts/other/) [h](https://example.com/posts/other/#part)",
        ),
        ("{{% param canonical_url %}}", "https://canon.example.com/"),
        ('{{< param "nested.key" >}}', "deep"),
        ("a{{< comment >}}hidden {{< youtube z >}}{{< /comment >}}b", "ab"),
        (
            '{{< details summary="More" >}}Inside{{< /details >}}',
            "\n\n<details><summary>More</summary>\n\nInside\n\n</details>\n\n",
        ),
        ("{{% note %}}**Inner**{{% /note %}}", '<div class="note">**Inner**</div>'),
        ('{{< badge text="new" >}}', "<span>NEW</span>"),
        ('{{< quote "Less & more" >}}', "<q>Less &amp; more</q> (Post, Ada)"),
        ("`{{</* youtube id */>}}` {{%/* note */%}}", "`{{< youtube id >}}` {{% note %}}"),
        ("no shortcodes {{ .Title }}", "no shortcodes {{ .Title }}"),
    ],
)
def test_shortcodes_side_by_side(site: HugoSite, markdown: str, expected: str) -> None:
    result = render_shortcodes(markdown, site, page())
    assert result.text == expected
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("markdown", "expected", "warning"),
    [
        (
            "{{< loop >}}kept{{< /loop >}}",
            "kept",
            "line 5: shortcode 'loop' does more than print its text and parameters; its inner text is kept",
        ),
        (
            "\n{{< mystery a=1 >}}",
            "\n",
            "line 6: shortcode 'mystery' has no template in layouts/shortcodes/; removed",
        ),
        (
            "{{< mystery >}}inner{{< /mystery >}}",
            "inner",
            "line 5: shortcode 'mystery' has no template in layouts/shortcodes/; its inner text is kept",
        ),
        (
            "{{< param nothing >}}",
            "",
            "line 5: shortcode 'param' finds no parameter 'nothing' in the page or the site; removed",
        ),
        # A marker the rendered HTML drops, with the link made of it.
        (
            '{{< ref "gone.md" >}}',
            "#feeds-missing-link",
            "line 5: shortcode 'ref' finds no page 'gone.md'; removed",
        ),
        ("{{< youtube >}}", "", "line 5: shortcode 'youtube' has no video id; removed"),
        (
            "{{< /orphan >}}x",
            "x",
            "line 5: closing shortcode '/orphan' without an opening one; removed",
        ),
    ],
)
def test_what_cannot_be_rendered_is_a_warning(
    site: HugoSite, markdown: str, expected: str, warning: str
) -> None:
    result = render_shortcodes(markdown, site, page())
    assert result.text == expected
    assert result.warnings == (f"post.md: {warning}",)
    assert result.unknown == 1


def test_templates_are_read_only_inside_the_root(site: HugoSite, tmp_path: Path) -> None:
    outside = site.root.parent / "evil.html"
    outside.write_text("<script>bad()</script>")
    (site.root / "layouts/shortcodes/evil.html").symlink_to(outside)
    result = render_shortcodes("{{< evil >}}{{< ../../evil >}}", site, page())
    assert "bad()" not in result.text
    assert result.unknown == 2


def test_shortcodes_give_up_at_the_deadline(site: HugoSite) -> None:
    with pytest.raises(ShortcodeError) as raised:
        render_shortcodes("x\n{{< vimeo 1 >}}", site, page(timeout=-1))
    assert str(raised.value) == "post.md: line 6: the shortcodes took too long and were given up"


# Without ">", "%" and "}" a value cannot end the shortcode early; "<" must come out escaped.
IDS = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters=">%}"),
    min_size=1,
    max_size=30,
)


@given(name=st.sampled_from(["youtube", "vimeo", "x", "instagram", "gist", "figure"]), value=IDS)
def test_embeds_are_never_frames_or_scripts(site: HugoSite, name: str, value: str) -> None:
    quoted = value.replace("\\", "\\\\").replace('"', '\\"')
    text = f'{{{{< {name} id="{quoted}" user="{quoted}" src="{quoted}" title="{quoted}" >}}}}'
    result = render_shortcodes(text, site, page())
    lowered = result.text.lower()
    assert "<iframe" not in lowered and "<script" not in lowered and "<object" not in lowered


class CountingText(str):
    """A body that counts the characters its slices and counts go over."""

    touched = 0

    def __getitem__(self, key: int | slice) -> str:  # type: ignore[override]
        part = super().__getitem__(key)
        CountingText.touched += len(part)
        return part

    def count(self, sub: str, start: int | None = None, end: int | None = None) -> int:  # type: ignore[override]
        CountingText.touched += len(self) if start is None else (end or len(self)) - start
        return super().count(sub, start, end)


@pytest.mark.parametrize(
    "body",
    [
        "{{< note >}}x{{< /note >}}\n" * 5000,
        # Openers that look paired (a closer comes later) but are not: flattened once each.
        "{{< note >}}\n" * 50 + "{{< badge >}}y\n" * 5000 + "{{< /note >}}" * 50 + "{{< /badge >}}",
    ],
)
def test_parsing_reads_the_body_a_bounded_number_of_times(site: HugoSite, body: str) -> None:
    """Parsing is linear: 20,000 pairs once took 23 s, each opener searching the rest of the
    body for its closer and counting lines from the top."""
    CountingText.touched = 0
    render_shortcodes(CountingText(body), site, page())
    assert CountingText.touched <= 3 * len(body)


def test_unpaired_openers_inside_a_pair_keep_their_order(site: HugoSite) -> None:
    text = '{{< note >}}a{{< badge text="b" >}}c{{< badge text="d" >}}e{{< /note >}}f{{< /badge >}}'
    result = render_shortcodes(text, site, page())
    assert result.text == '<div class="note">a<span>B</span>c<span>D</span>e</div>f'
    assert result.warnings == (
        "post.md: line 5: closing shortcode '/badge' without an opening one; removed",
    )


def test_nesting_is_bounded(site: HugoSite) -> None:
    with pytest.raises(ShortcodeError) as raised:
        render_shortcodes("{{< note >}}\n" * 101 + "{{< /note >}}" * 101, site, page())
    assert str(raised.value) == "post.md: line 105: shortcodes nested more than 100 deep; given up"


def test_the_whole_output_is_bounded(site: HugoSite) -> None:
    """Each embed prints far more than its tag: many of them stop at the output limit."""
    text = "{{< youtube abc >}}\n" * 20_000
    with pytest.raises(ShortcodeError) as raised:
        render_shortcodes(text, site, page())
    assert str(raised.value).endswith(": shortcode output too large; given up")
