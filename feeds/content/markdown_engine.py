"""Markdown to HTML, by one of two engines. The only module that imports a Markdown library.

- ``python-markdown``: Python-Markdown, with ``extra`` and ``sane_lists`` unless the settings
  name other extensions. Its own dialect (a list needs a blank line before it, nesting needs four
  spaces, fences only at the top level).
- ``commonmark``: GitHub's cmark-gfm (cmarkgfm), CommonMark with GitHub's extensions, as Hugo
  (goldmark), Eleventy (markdown-it), remark-gfm and GitHub read Markdown. Raw HTML is passed
  through, for the sanitiser to judge as with the other engine. Two things cmark-gfm does not
  know are done here, as goldmark and kramdown do them: attribute blocks after a fence's
  language (```` ```go {hl_lines=[2]} ````, ```` ```{.python} ````) and after a heading
  (``## Title {#id}``).

Each library is imported on first use, so a build loads only the engine it renders with.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cache

from feeds.checks import COMMONMARK_EXTENSIONS
from feeds.errors import ConfigError

PYTHON_MARKDOWN = "python-markdown"
COMMONMARK = "commonmark"
MARKDOWN_EXTENSIONS = ("extra", "sane_lists")
DEFAULT_EXTENSIONS = {PYTHON_MARKDOWN: MARKDOWN_EXTENSIONS, COMMONMARK: COMMONMARK_EXTENSIONS}
# cmark-gfm's CMARK_OPT_FULL_INFO_STRING, which cmarkgfm does not name: the words of a fence's
# info string after the language arrive in data-meta, so attribute blocks can be read.
FULL_INFO_STRING = 1 << 16


def markdown_to_html(
    text: str, engine: str = PYTHON_MARKDOWN, extensions: tuple[str, ...] | None = None
) -> str:
    """``text`` as HTML by ``engine`` with ``extensions`` (None: the engine's defaults)."""
    chosen = DEFAULT_EXTENSIONS[engine] if extensions is None else extensions
    if engine == COMMONMARK:
        return commonmark_to_html(text, chosen)
    return python_markdown_to_html(text, chosen)


def engine_id(engine: str, extensions: tuple[str, ...] | None) -> str:
    """What a rendering depends on besides the text: the engine and its extensions."""
    chosen = DEFAULT_EXTENSIONS[engine] if extensions is None else extensions
    return f"{engine}:{','.join(chosen)}"


def python_markdown_to_html(text: str, extensions: tuple[str, ...]) -> str:
    import markdown

    try:
        # A fresh converter per post: extensions such as footnotes keep state between calls.
        converter = markdown.Markdown(extensions=list(extensions), output_format="html")
    except (ImportError, AttributeError, TypeError) as error:
        # The settings check knows registered names and installed packages; a module path
        # inside a package is only found wrong here.
        problem = f"{list(extensions)!r} cannot be loaded: {error} (check each name)"
        raise ConfigError("settings", [("site.markdown_extensions", problem)]) from None
    return converter.convert(text)


def commonmark_to_html(text: str, extensions: tuple[str, ...]) -> str:
    rendered = cmark_renderer(extensions)(text)
    if "<code class=" in rendered:
        rendered = FENCE_CLASS.sub(fence_language, rendered)
    if "{" in rendered and "</h" in rendered:
        rendered = HEADING.sub(heading_attributes, rendered)
    if "data-footnote-backref" in rendered:
        # The feed allow-list (the W3C validator's) has no aria-* attributes: the label would
        # count as unsafe HTML and be stripped anyway.
        rendered = BACKREF_LABEL.sub("", rendered)
    return rendered


@cache
def cmark_renderer(extensions: tuple[str, ...]) -> Callable[[str], str]:
    from cmarkgfm import markdown_to_html_with_extensions
    from cmarkgfm.cmark import Options

    options = Options.CMARK_OPT_UNSAFE | FULL_INFO_STRING
    if "footnotes" in extensions:
        options |= Options.CMARK_OPT_FOOTNOTES
    # GitHub's tagfilter extension is left out: raw HTML goes to our sanitiser, as with the
    # other engine, which removes what is unsafe and counts it.
    syntax = [name for name in extensions if name != "footnotes"]

    def render(text: str) -> str:
        result: str = markdown_to_html_with_extensions(text, options=options, extensions=syntax)
        return result

    return render


# A fence's code element: its language word(s) and, with the full info string, the rest.
FENCE_CLASS = re.compile(r'<code class="language-([^"]*)"(?: data-meta="([^"]*)")?>')


# A language word that ``rewritten_fence`` gives back as it is: no attribute block, no
# reference to resolve or character to escape, no space. Most fences have one.
PLAIN_LANGUAGE = re.compile(r"[^\s&<>\"'{]+")


def fence_language(match: re.Match[str]) -> str:
    if match.group(2) is None and PLAIN_LANGUAGE.fullmatch(match.group(1)):
        return match.group(0)
    return rewritten_fence(match)


def rewritten_fence(match: re.Match[str]) -> str:
    """``<code>`` with only the language of ```` ```go {hl_lines=[2]} ```` or
    ```` ```{.python .numberLines} ````: the attribute block is for a highlighter we do not
    run, and left in, it would leak as a broken class or attribute."""
    info = html.unescape(match.group(1))
    if match.group(2) is not None:
        info += " " + html.unescape(match.group(2))
    language = language_of(info)
    return f'<code class="language-{html.escape(language)}">' if language else "<code>"


def language_of(info: str) -> str:
    """The language of a fence's info string, goldmark's way: the word before any ``{…}``;
    without one, the first ``.class`` inside the braces (Pandoc's and kramdown's way)."""
    head, brace, rest = info.partition("{")
    words = head.split()
    if words or not brace:
        return words[0] if words else ""
    classes = [token[1:] for token in rest.rstrip("} ").split() if token.startswith(".")]
    return classes[0] if classes else ""


# A heading ending in an attribute block: ``<h2>Title {#id .class}</h2>``. Its text may hold
# inline tags, never the start or end of a heading: a search never runs past the next one, so
# raw HTML full of unclosed headings costs linear time, not quadratic.
HEADING = re.compile(r"<h([1-6])>((?:(?!</?h[1-6]>).)*?)\s*\{([^{}<>]*)\}</h\1>", re.DOTALL)
ATTRIBUTE = re.compile(r"""#([\w:-]+)|\.([\w-]+)|[\w-]+=(?:"[^"]*"|'[^']*'|[^\s"']+)""")
BACKREF_LABEL = re.compile(r' aria-label="[^"]*"')


def heading_attributes(match: re.Match[str]) -> str:
    """The id and classes of a heading's ``{#id .class}`` block, as goldmark (Hugo) and kramdown
    (Jekyll) read it; a brace text that is not an attribute block stays text."""
    level, content, block = match.groups()
    tokens = block.split()
    if not tokens or not all(ATTRIBUTE.fullmatch(token) for token in tokens):
        return match.group(0)
    ids = [token[1:] for token in tokens if token.startswith("#")]
    classes = [token[1:] for token in tokens if token.startswith(".")]
    if not ids and not classes:
        return match.group(0)
    attributes = f' id="{html.escape(ids[-1])}"' if ids else ""
    if classes:
        attributes += f' class="{html.escape(" ".join(classes))}"'
    return f"<h{level}{attributes}>{content}</h{level}>"
