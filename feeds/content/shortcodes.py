"""Hugo shortcodes in post bodies, rendered the way a feed reader can show them.

Hugo's built-ins are emulated (``youtube``, ``vimeo``, ``x``/``tweet``, ``instagram``, ``gist``,
``figure``, ``highlight``, ``details``, ``ref``/``relref``, ``param``, ``comment``), feed-safe:
an embed becomes a link (with the video's thumbnail where its address is known), never a frame
or a script. A site's own shortcodes under ``layouts/shortcodes/`` are rendered when their
template only prints its inner text, its parameters or site and page values; any other
template, and a shortcode with no template, keeps its inner content with a warning.

Like Hugo, shortcodes are found anywhere in the body, code blocks included; ``{{</* … */>}}``
shows one literally. Templates are read only inside the site root (``siteroot.read_inside``).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from feeds.content.siteroot import read_inside
from feeds.content.templating import MISSING_LINK

# {{< name args >}}, {{% name args %}}, {{< /name >}}, {{< name />}}, and the escaped
# {{</* … */>}} form, which shows the shortcode as written.
TAG = re.compile(
    r"{{(?P<eopen>[<%])/\*(?P<escaped>.*?)\*/[>%]}}"
    r"|{{(?P<open>[<%])\s*(?P<close>/)?\s*(?P<name>[\w./-]+)(?P<args>.*?)\s*(?P<self>/)?\s*[>%]}}",
    re.DOTALL,
)
ARGUMENT = re.compile(
    r"""(?:(?P<key>[\w-]+)\s*=\s*)?(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|`(?P<raw>[^`]*)`|(?P<bare>[^\s"`]+))""",
    re.DOTALL,
)
ACTION = re.compile(r"{{(-\s)?(.*?)(\s-)?}}", re.DOTALL)
# Template actions a simple shortcode may use, and the pipeline functions it may apply.
VALUE = re.compile(
    r"""^(?:\$?\.Inner|\$?\.InnerDeindent|\$?\.Get\s+(?:\d+|"[\w-]+")|\$?\.Site\.(?:Title|BaseURL|Params\.[\w.]+)"""
    r"""|\$?\.Page\.(?:Title|Permalink|RelPermalink|Params\.[\w.]+)|\$?\.Name)$"""
)
PIPES = {"markdownify", "safeHTML", "htmlEscape", "plainify", "upper", "lower", "trim", "chomp"}
MAX_OUTPUT = 4_000_000
# How deep paired shortcodes may nest: rendering them recurses.
MAX_DEPTH = 100


class ShortcodeError(Exception):
    """A body whose shortcodes cannot be rendered: its file, line and the problem."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(f"{path}: line {line}: {message}" if line else f"{path}: {message}")


@dataclass(frozen=True)
class HugoSite:
    root: Path
    params: Mapping[str, Any]
    title: str
    base_url: str


@dataclass
class HugoPage:
    """One post's render: what it knows and what it collects."""

    name: str
    # Lines of the post file above its body: messages count lines in the file.
    line_offset: int
    params: Mapping[str, Any]
    title: str
    url: str
    resolve: Callable[[str], str | None]
    markdownify: Callable[[str], str]
    deadline: float
    warnings: list[str] = field(default_factory=list)
    lookups: dict[str, str] = field(default_factory=dict)
    rendered: int = 0
    unknown: int = 0
    templates: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class ShortcodeResult:
    text: str
    rendered: int
    unknown: int
    warnings: tuple[str, ...]
    lookups: tuple[tuple[str, str], ...]


@dataclass
class Call:
    """One shortcode in the body: its name, arguments, inner pieces (for a paired one)."""

    name: str
    markdown: bool
    positional: list[str]
    named: dict[str, str]
    line: int
    inner: list[str | Call] | None = None

    def get(self, key: str | int, default: str = "") -> str:
        if isinstance(key, int):
            return self.positional[key] if key < len(self.positional) else default
        return self.named.get(key, default)


def render_shortcodes(text: str, site: HugoSite, page: HugoPage) -> ShortcodeResult:
    pieces = parse(text, page)
    # The body's own text, plus as much as a render may add: checked as the output grows.
    limit, size = len(text) + MAX_OUTPUT, 0
    parts = []
    for piece in pieces:
        part = render_piece(piece, site, page)
        size += len(part)
        if size > limit:
            line = piece.line if isinstance(piece, Call) else None
            raise ShortcodeError(page.name, line, "shortcode output too large; given up")
        parts.append(part)
    output = "".join(parts)
    return ShortcodeResult(
        text=output,
        rendered=page.rendered,
        unknown=page.unknown,
        warnings=tuple(page.warnings),
        lookups=tuple(sorted(page.lookups.items())),
    )


def parse(text: str, page: HugoPage) -> list[str | Call]:
    """The body as text and shortcode calls, closing tags matched to their openers.

    One pass, linear in the body: the tags are found once, each closing tag's position is
    known before the openers are paired, lines are counted from the previous tag on, and an
    opener found unpaired has its inner pieces moved once."""
    root: list[str | Call] = []
    stack: list[tuple[Call, list[str | Call]]] = []
    # How many openers of each name are on the stack.
    open_names: Counter[str] = Counter()
    matches = list(TAG.finditer(text))
    closers = closing_positions(matches)
    position = counted = 0
    line = 1 + page.line_offset
    for match in matches:
        current = stack[-1][1] if stack else root
        current.append(text[position : match.start()])
        line += text.count("\n", counted, match.start())
        position, counted = match.end(), match.start()
        if match.group("eopen"):
            opener = match.group("eopen")
            closer = ">" if opener == "<" else "%"
            current.append("{{" + opener + match.group("escaped") + closer + "}}")
            continue
        name = match.group("name")
        if match.group("close"):
            if open_names[name]:
                above: list[Call] = []
                while stack:
                    call, inner = stack.pop()
                    open_names[call.name] -= 1
                    if call.name == name:
                        # Openers never closed inside this pair were single tags after all.
                        flatten(above, inner)
                        break
                    above.append(call)
            else:
                page.warnings.append(
                    f"{page.name}: line {line}: closing shortcode '/{name}' without an opening one; removed"
                )
                page.unknown += 1
            continue
        positional, named = arguments(match.group("args") or "")
        call = Call(name, match.group("open") == "%", positional, named, line)
        current.append(call)
        if not match.group("self") and closes_later(closers, name, match.end()):
            call.inner = []
            stack.append((call, call.inner))
            open_names[name] += 1
    (stack[-1][1] if stack else root).append(text[position:])
    flatten([call for call, _ in reversed(stack)], root)
    return root


def closing_positions(matches: list[re.Match[str]]) -> dict[str, list[int]]:
    """Where each name's closing tags start, in order."""
    found: dict[str, list[int]] = {}
    for match in matches:
        if match.group("close") and not (match.group("args") or "").strip():
            found.setdefault(match.group("name"), []).append(match.start())
    return found


def closes_later(closers: Mapping[str, list[int]], name: str, start: int) -> bool:
    positions = closers.get(name, [])
    return bool(positions) and positions[-1] >= start


def flatten(calls: list[Call], container: list[str | Call]) -> None:
    """``calls`` (innermost first) turned out not to be paired: their would-be inner pieces
    follow each of them instead. Each is the last piece of the one below it (or of
    ``container``), so the pieces go into ``container`` in order, each moved once."""
    for call in reversed(calls):
        container.extend(call.inner or [])
        call.inner = None


def arguments(text: str) -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    named: dict[str, str] = {}
    for match in ARGUMENT.finditer(text):
        value = match.group("quoted")
        if value is not None:
            value = value.replace('\\"', '"').replace("\\\\", "\\")
        else:
            value = match.group("raw") if match.group("raw") is not None else match.group("bare")
        if match.group("key"):
            named[match.group("key")] = value or ""
        else:
            positional.append(value or "")
    return positional, named


def render_piece(piece: str | Call, site: HugoSite, page: HugoPage, depth: int = 0) -> str:
    if isinstance(piece, str):
        return piece
    if time.monotonic() > page.deadline:
        raise ShortcodeError(
            page.name, piece.line, "the shortcodes took too long and were given up"
        )
    if depth >= MAX_DEPTH:
        raise ShortcodeError(
            page.name, piece.line, f"shortcodes nested more than {MAX_DEPTH} deep; given up"
        )
    inner = None
    if piece.inner is not None and piece.name != "comment":
        inner = "".join(render_piece(part, site, page, depth + 1) for part in piece.inner)
        if len(inner) > MAX_OUTPUT:
            raise ShortcodeError(page.name, piece.line, "shortcode output too large; given up")
    builtin = BUILTINS.get(piece.name)
    page.rendered += 1
    if builtin is not None:
        return builtin(piece, inner or "", site, page)
    return custom(piece, inner, site, page)


# Built-ins.


def video_link(url: str, title: str, thumbnail: str | None) -> str:
    label = escape(title)
    picture = (
        f'<a href="{escape(url)}"><img src="{escape(thumbnail)}" alt="{label}"></a><br>'
        if thumbnail
        else ""
    )
    return f'\n\n<p>{picture}<a href="{escape(url)}">{label}</a></p>\n\n'


def youtube(call: Call, inner: str, site: HugoSite, page: HugoPage) -> str:
    video = call.get("id") or call.get(0)
    if not video:
        return warn(call, page, "has no video id")
    url = f"https://www.youtube.com/watch?v={quote(video)}"
    title = call.get("title") or "Watch the video on YouTube"
    return video_link(url, title, f"https://i.ytimg.com/vi/{quote(video)}/hqdefault.jpg")


def vimeo(call: Call, inner: str, site: HugoSite, page: HugoPage) -> str:
    video = call.get("id") or call.get(0)
    if not video:
        return warn(call, page, "has no video id")
    title = call.get("title") or "Watch the video on Vimeo"
    return video_link(f"https://vimeo.com/{quote(video)}", title, None)


def post_link(url: str, label: str) -> str:
    return f'\n\n<p><a href="{escape(url)}">{escape(label)}</a></p>\n\n'


def x_post(call: Call, inner: str, site: HugoSite, page: HugoPage) -> str:
    user, number = call.get("user"), call.get("id") or call.get(0)
    if not number:
        return warn(call, page, "has no post id")
    if user:
        return post_link(
            f"https://x.com/{quote(user)}/status/{quote(number)}", f"View the post by @{user} on X"
        )
    return post_link(f"https://x.com/i/status/{quote(number)}", "View the post on X")


def instagram(call: Call, inner: str, site: HugoSite, page: HugoPage) -> str:
    post = call.get("id") or call.get(0)
    if not post:
        return warn(call, page, "has no post id")
    return post_link(f"https://www.instagram.com/p/{quote(post)}/", "View the post on Instagram")


def gist(call: Call, inner: str, site: HugoSite, page: HugoPage) -> str:
    user, number, name = (
        call.get("user") or call.get(0),
        call.get("id") or call.get(1),
        call.get("file") or call.get(2),
    )
    if not user or not number:
        return warn(call, page, "needs a user and a gist id")
    url = f"https://gist.github.com/{quote(user)}/{quote(number)}"
    if name:
        url += "#file-" + re.sub(r"[^\w-]", "-", name.lower())
    return post_link(url, f"View {name or 'the gist'} on GitHub")


def figure(call: Call, inner: str, site: HugoSite, page: HugoPage) -> str:
    source = call.get("src")
    if not source:
        return warn(call, page, "has no src")
    alt = call.get("alt") or call.get("caption") or call.get("title")
    size = "".join(
        f' {key}="{escape(call.get(key))}"' for key in ("width", "height") if call.get(key)
    )
    image = f'<img src="{escape(source)}" alt="{escape(alt)}"{size}>'
    if call.get("link"):
        image = f'<a href="{escape(call.get("link"))}">{image}</a>'
    caption = ""
    if call.get("title") or call.get("caption"):
        heading = f"<h4>{escape(call.get('title'))}</h4>" if call.get("title") else ""
        text = inline_markdown(call.get("caption"), page) if call.get("caption") else ""
        caption = f"<figcaption>{heading}{text}</figcaption>"
    return f"\n\n<figure>{image}{caption}</figure>\n\n"


def highlight(call: Call, inner: str, site: HugoSite, page: HugoPage) -> str:
    language = call.get("lang") or call.get(0)
    code = call.get("code") or inner
    attribute = f' class="language-{escape(language)}"' if language else ""
    return f"\n\n<pre><code{attribute}>{escape(code.strip(chr(10)), quote=False)}</code></pre>\n\n"


def details(call: Call, inner: str, site: HugoSite, page: HugoPage) -> str:
    summary = escape(call.get("summary") or "Details")
    return f"\n\n<details><summary>{summary}</summary>\n\n{inner.strip()}\n\n</details>\n\n"


def reference(call: Call, inner: str, site: HugoSite, page: HugoPage) -> str:
    target = call.get("path") or call.get(0)
    path, _, anchor = target.partition("#")
    query = f"ref:{path}"
    url = page.resolve(query) if path else page.url
    page.lookups[query] = url or ""
    if not url:
        # The marker, not "": an empty href would link to the post itself; the rendered HTML
        # drops the link, keeping its text.
        return warn(call, page, f"finds no page {target!r}") + MISSING_LINK
    return url + (f"#{anchor}" if anchor else "")


def param(call: Call, inner: str, site: HugoSite, page: HugoPage) -> str:
    name = call.get("name") or call.get(0)
    value = lookup_param(page.params, name)
    if value is None:
        value = lookup_param(site.params, name)
    if value is None:
        return warn(call, page, f"finds no parameter {name!r} in the page or the site")
    return str(value)


def lookup_param(values: Mapping[str, Any], name: str) -> Any:
    current: Any = {str(key).lower(): value for key, value in values.items()}
    for part in name.lower().split("."):
        if not isinstance(current, Mapping):
            return None
        current = {str(key).lower(): value for key, value in current.items()}.get(part)
    return current


def comment(call: Call, inner: str, site: HugoSite, page: HugoPage) -> str:
    return ""


BUILTINS: dict[str, Callable[[Call, str, HugoSite, HugoPage], str]] = {
    "youtube": youtube,
    "vimeo": vimeo,
    "x": x_post,
    "tweet": x_post,
    "twitter": x_post,
    "instagram": instagram,
    "gist": gist,
    "figure": figure,
    "highlight": highlight,
    "details": details,
    "ref": reference,
    "relref": reference,
    "param": param,
    "comment": comment,
}


def warn(call: Call, page: HugoPage, problem: str) -> str:
    page.warnings.append(
        f"{page.name}: line {call.line}: shortcode '{call.name}' {problem}; removed"
    )
    page.rendered -= 1
    page.unknown += 1
    return ""


def inline_markdown(text: str, page: HugoPage) -> str:
    html = page.markdownify(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


# A site's own shortcodes.


def custom(call: Call, inner: str | None, site: HugoSite, page: HugoPage) -> str:
    template = load_template(call.name, site, page)
    kept = inner or ""
    if template is None:
        page.rendered -= 1
        page.unknown += 1
        page.warnings.append(
            f"{page.name}: line {call.line}: shortcode '{call.name}' has no template in "
            f"layouts/shortcodes/; {'its inner text is kept' if kept else 'removed'}"
        )
        return kept
    output = simple_template(template, call, kept, site, page)
    if output is None:
        page.rendered -= 1
        page.unknown += 1
        page.warnings.append(
            f"{page.name}: line {call.line}: shortcode '{call.name}' does more than print its "
            f"text and parameters; {'its inner text is kept' if kept else 'removed'}"
        )
        return kept
    return output


def load_template(name: str, site: HugoSite, page: HugoPage) -> str | None:
    if name not in page.templates:
        page.templates[name] = None
        if re.fullmatch(r"[\w-]+(?:/[\w-]+)*", name):
            for folder in ("layouts/shortcodes", "layouts/_shortcodes"):
                for suffix in (".html", ".md"):
                    text = read_inside(site.root, f"{folder}/{name}{suffix}")
                    if text is not None:
                        page.templates[name] = text
                        break
                if page.templates[name] is not None:
                    break
    return page.templates[name]


def simple_template(
    template: str, call: Call, inner: str, site: HugoSite, page: HugoPage
) -> str | None:
    """The template's output, if every action in it only prints a value; otherwise None."""
    pieces: list[str] = []
    position = 0
    trim_next = False
    for match in ACTION.finditer(template):
        text = template[position : match.start()]
        if trim_next:
            text = text.lstrip()
        if match.group(1):
            text = text.rstrip()
        pieces.append(text)
        position = match.end()
        trim_next = bool(match.group(3))
        action = match.group(2).strip()
        if action.startswith("/*") and action.endswith("*/"):
            continue
        value = evaluate(action, call, inner, site, page)
        if value is None:
            return None
        pieces.append(value)
    tail = template[position:]
    pieces.append(tail.lstrip() if trim_next else tail)
    return "".join(pieces).strip("\n")


def evaluate(action: str, call: Call, inner: str, site: HugoSite, page: HugoPage) -> str | None:
    stages = [stage.strip() for stage in action.split("|")]
    head, pipes = stages[0], stages[1:]
    if not VALUE.match(head) or any(
        pipe not in PIPES and pipe != ".Page.RenderString" for pipe in pipes
    ):
        return None
    head = head.lstrip("$")
    value: str
    safe = False
    if head in (".Inner", ".InnerDeindent"):
        value, safe = inner, True
    elif head.startswith(".Get"):
        argument = head[4:].strip()
        value = call.get(int(argument)) if argument.isdigit() else call.get(argument.strip('"'))
    elif head == ".Name":
        value = call.name
    elif head.startswith(".Site.Params."):
        value = str(lookup_param(site.params, head[len(".Site.Params.") :]) or "")
    elif head.startswith(".Page.Params."):
        value = str(lookup_param(page.params, head[len(".Page.Params.") :]) or "")
    else:
        value = {
            ".Site.Title": site.title,
            ".Site.BaseURL": site.base_url,
            ".Page.Title": page.title,
            ".Page.Permalink": page.url,
            ".Page.RelPermalink": page.url,
        }[head]
    for pipe in pipes:
        if pipe in ("markdownify", ".Page.RenderString"):
            value, safe = inline_markdown(value, page), True
        elif pipe == "safeHTML":
            safe = True
        elif pipe == "htmlEscape":
            value, safe = escape(value), True
        elif pipe == "plainify":
            value = re.sub(r"<[^>]*>", "", value)
        elif pipe in ("upper", "lower"):
            value = value.upper() if pipe == "upper" else value.lower()
        else:
            value = value.strip() if pipe == "trim" else value.rstrip("\n")
    return value if safe else escape(value)


def hugo_params(settings: Mapping[str, Any]) -> dict[str, Any]:
    params = settings.get("params")
    return dict(params) if isinstance(params, Mapping) else {}
