"""Template tags other generators leave in Markdown bodies — Liquid's ``{% … %}`` and ``{{ … }}``
(Jekyll, Eleventy), Hugo's shortcodes ``{{< … >}}`` and ``{{% … %}}`` — taken out so readers
never see them as garbage. Paired tags keep what they enclose; highlight blocks become fenced
code and figure shortcodes become images. Code blocks and code spans are left alone, apart from
the escapes authors use to show tags literally (``{% raw %}``, ``{{</* … */>}}``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

FENCE = re.compile(
    r"^(?P<fence>`{3,}|~{3,})[^\n]*\n.*?^(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL
)
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
RAW = re.compile(r"{%-?\s*raw\s*-?%}(.*?){%-?\s*endraw\s*-?%}", re.DOTALL)
HUGO_ESCAPED = re.compile(r"{{([<%])/\*(.*?)\*/([>%])}}", re.DOTALL)
LIQUID_HIGHLIGHT = re.compile(
    r"{%-?\s*highlight\s+([\w+#-]+)[^%]*%}\n?(.*?)\n?{%-?\s*endhighlight\s*-?%}", re.DOTALL
)
HUGO_HIGHLIGHT = re.compile(
    r"{{[<%]\s*highlight\s+([\w+#-]+)[^>%]*[>%]}}\n?(.*?)\n?{{[<%]\s*/highlight\s*[>%]}}", re.DOTALL
)
HUGO_FIGURE = re.compile(r"{{[<%]\s*(?:figure|img)\s+(.*?)\s*/?[>%]}}", re.DOTALL)
ATTRIBUTE = re.compile(r'(\w+)=(?:"([^"]*)"|\'([^\']*)\'|(\S+))')
ANY_TAG = re.compile(r"{%.*?%}|{{<.*?>}}|{{%.*?%}}|{{.*?}}", re.DOTALL)
# {{ '/about/' | url }}: an output tag whose value is a string literal keeps the string.
LITERAL_OUTPUT = re.compile(r"""{{-?\s*(?:"([^"]*)"|'([^']*)')\s*(?:\|[^}]*)?-?}}""")
PLACEHOLDER = "\ufffcTAG{}\ufffc"


def strip_template_tags(markdown: str) -> tuple[str, int]:
    """``markdown`` without template tags, and how many there were."""
    if "{%" not in markdown and "{{" not in markdown:
        return markdown, 0
    kept: list[str] = []
    count = 0

    def keep(text: str) -> str:
        kept.append(text)
        return PLACEHOLDER.format(len(kept) - 1)

    def counted(replace: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
        def wrapper(match: re.Match[str]) -> str:
            nonlocal count
            count += 1
            return replace(match)

        return wrapper

    # Literal tags the author escaped, and code, are set aside first and put back last.
    text = RAW.sub(counted(lambda m: keep(m.group(1))), markdown)
    text = HUGO_ESCAPED.sub(
        counted(lambda m: keep("{{" + m.group(1) + m.group(2) + m.group(3) + "}}")), text
    )
    text = FENCE.sub(lambda m: keep(m.group(0)), text)
    text = CODE_SPAN.sub(lambda m: keep(m.group(0)), text)
    text = LIQUID_HIGHLIGHT.sub(counted(lambda m: keep(fenced(m.group(1), m.group(2)))), text)
    text = HUGO_HIGHLIGHT.sub(counted(lambda m: keep(fenced(m.group(1), m.group(2)))), text)
    text = HUGO_FIGURE.sub(counted(figure), text)
    text = LITERAL_OUTPUT.sub(
        counted(lambda m: m.group(1) if m.group(1) is not None else m.group(2)), text
    )
    text = ANY_TAG.sub(counted(lambda m: ""), text)
    for index in range(len(kept) - 1, -1, -1):
        text = text.replace(PLACEHOLDER.format(index), kept[index])
    return text, count


def fenced(language: str, code: str) -> str:
    return f"\n```{language}\n{code.strip(chr(10))}\n```\n"


def figure(match: re.Match[str]) -> str:
    values = {
        m.group(1): next(v for v in m.groups()[1:] if v is not None)
        for m in ATTRIBUTE.finditer(match.group(1))
    }
    source = values.get("src")
    if not source:
        return ""
    alt = values.get("alt") or values.get("caption") or values.get("title") or ""
    return f"![{alt}]({source})"
