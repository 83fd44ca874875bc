"""MDX read as Markdown, input and output side by side."""

from __future__ import annotations

import pytest

from feeds.content.mdx import mdx_to_markdown


@pytest.mark.parametrize(
    ("mdx", "markdown", "removed"),
    [
        ('import { Chart } from "../chart"\n\nText.\n', "\nText.\n", 0),
        ("export const meta = {\n  title: 'x',\n}\n\nText.\n", "\nText.\n", 0),
        ("<Callout>\nKept **text**.\n</Callout>\n", "\nKept **text**.\n\n", 1),
        ("A <Badge /> here.\n", "A  here.\n", 1),
        ("<Tabs.Tab label='x'>Tab</Tabs.Tab>\n", "Tab\n", 1),
        ("<motion.div animate={{ x: 1 }}>Moves</motion.div>\n", "Moves\n", 1),
        ("<>Fragment</>\n", "Fragment\n", 1),
        ("<Box onClick={() => a > b}>Arrow</Box>\n", "Arrow\n", 1),
        ('<div class="note">HTML stays</div>\n', '<div class="note">HTML stays</div>\n', 0),
        ("<math><mi>x</mi></math>\n", "<math><mi>x</mi></math>\n", 0),
        ("`<Code />` in a span\n", "`<Code />` in a span\n", 0),
        ("```jsx\nimport X from 'x'\n<Foo />\n```\n", "```jsx\nimport X from 'x'\n<Foo />\n```\n", 0),
        ("Before {/* a comment */}after\n", "Before after\n", 0),
        ("a < b and 1 <2\n", "a < b and 1 <2\n", 0),
        ("Important imports matter.\n", "Important imports matter.\n", 0),
    ],
)  # fmt: skip
def test_mdx_side_by_side(mdx: str, markdown: str, removed: int) -> None:
    assert mdx_to_markdown(mdx) == (markdown, removed)
