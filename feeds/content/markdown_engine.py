"""Markdown to HTML. The only module that imports a Markdown library."""

from __future__ import annotations

import markdown

MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]


def markdown_to_html(text: str) -> str:
    # A fresh converter per post: extensions such as footnotes keep state between calls.
    return markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html").convert(text)
