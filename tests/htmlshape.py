"""HTML reduced to what a reader sees, so that two renderers' output can be compared: tags,
text and the attributes that change meaning, written one way (attributes sorted, void
elements without a slash, references resolved, whitespace between tags dropped)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


class Canonical(HTMLParser):
    def __init__(self, styling: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.styling = styling
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kept = [(name, value or "") for name, value in attrs if self.keeps(tag, name, value)]
        written = "".join(f' {name}="{html.escape(value)}"' for name, value in sorted(kept))
        self.parts.append(f"<{tag}{written}>")

    handle_startendtag = handle_starttag

    def keeps(self, tag: str, name: str, value: str | None) -> bool:
        if self.styling:
            return True
        # Classes are styling hooks (remark-gfm's task-list-item), except a code block's
        # language; ids are anchors, except a heading's own.
        if name == "class":
            return (value or "").startswith("language-")
        return name != "id" or tag in HEADINGS

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.parts.append(html.escape(data))

    def handle_comment(self, data: str) -> None:
        self.parts.append(f"<!--{data}-->")


def canonical(text: str, *, styling: bool = True) -> str:
    """``text`` written one way; ``styling=False`` also drops classes and ids that only style
    or anchor (see ``Canonical.keeps``)."""
    parser = Canonical(styling)
    parser.feed(text)
    parser.close()
    return re.sub(r">\s+<", "><", "".join(parser.parts)).strip()
