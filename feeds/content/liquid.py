"""Liquid in post bodies (Jekyll, Eleventy), rendered by python-liquid: the only module that
imports it.

The engine follows Shopify's Liquid; Jekyll's own tags (``highlight``, ``link``, ``post_url``,
``include`` with ``key=value`` parameters, ``include_relative``) and filters (``relative_url``,
``markdownify``, ``jsonify``, ``date_to_string``, …) and Eleventy's ``url`` are added here.

A tag or filter the engine does not know is a warning naming the post and the tag, and only that
tag's text is taken out. A template that cannot be parsed is one ``TemplateError`` with its file
and line. Sandboxed: includes are read only from the site's include folders through
``siteroot.read_inside``, nothing reaches the network, and a render stops at a deadline checked
before every node (so it works in worker processes, where no alarm signal can be relied on),
with limits on loop length, context depth and output size.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, urljoin

from liquid import BoundTemplate, Environment, RenderContext
from liquid.ast import BlockNode, Node
from liquid.builtin.expressions import FilteredExpression
from liquid.builtin.expressions._tokenize import tokenize
from liquid.exceptions import LiquidError, LiquidSyntaxError, TemplateNotFoundError
from liquid.loader import BaseLoader, TemplateSource
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_OUTPUT, TOKEN_TAG, Token
from liquid.undefined import Undefined

from feeds.content.siteroot import fingerprint, inside, read_inside
from feeds.content.slugs import tag_slug
from feeds.content.templating import MISSING_LINK

# Tags that only close or divide a block of a known tag: an error about one of these is a
# broken template, not an unknown tag.
INNER_TAGS = frozenset(
    {"else", "elsif", "when", "break", "continue", "empty", "endraw", "endcomment"}
)
UNEXPECTED_TAG = re.compile(r"unexpected tag '([^']+)'")
INCLUDE_PARAMETER = re.compile(
    r"""([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s"']+)""", re.DOTALL
)
RAW_BLOCK = re.compile(r"{%-?\s*raw\s*-?%}")
# Jekyll refuses an include name holding two of ``.`` and ``/`` in a row (its ``INVALID_SEQUENCES``),
# whether or not the file it names is inside the site.
INVALID_INCLUDE_NAME = re.compile(r"[./]{2,}")
# How many unknown tags or filters one template may lose before it counts as broken.
MAX_REPAIRS = 200
DEFAULT_TIMEOUT = 5.0
# The largest text or list a filter may take or make: as much as a whole render may print.
MAX_VALUE = 4_000_000


class TemplateError(Exception):
    """A template that cannot be rendered: its file, line and the problem."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(f"{path}: line {line}: {message}" if line else f"{path}: {message}")


class Deadline(Exception):
    """The render ran past its time limit."""


@dataclass(frozen=True)
class LiquidSite:
    """What templates of one site see besides the post: top-level variables (``site`` for
    Jekyll, the data files for Eleventy), where includes live, and the URL base."""

    root: Path
    kind: str
    variables: Mapping[str, Any]
    include_dirs: tuple[Path, ...]
    url: str
    baseurl: str


@dataclass
class RenderState:
    """What one post's render collects: warnings, the links it looked up, a deadline."""

    post: str
    post_dir: Path
    # Lines of the post file above its body: messages count lines in the file.
    line_offset: int
    resolve: Callable[[str], str | None]
    markdownify: Callable[[str], str]
    deadline: float
    warnings: list[str] = field(default_factory=list)
    lookups: dict[str, str] = field(default_factory=dict)
    unknown: int = 0
    # Filters applied: each one checked the deadline and the size of what it made.
    filter_calls: int = 0
    # Each template text parsed (the post's, its includes') and its file, for error lines.
    sources: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LiquidResult:
    text: str
    rendered: int
    unknown: int
    warnings: tuple[str, ...]
    lookups: tuple[tuple[str, str], ...]


class PostContext(RenderContext):
    """A render context that checks the clock before every node (the engine reads
    ``disabled_tags`` first thing in ``Node.render``) and around every filter, and bounds
    what a filter may make: a chain of filters in one expression (``append`` doubling, ``join``
    with a long separator) could otherwise fill memory before any output or namespace limit is
    checked."""

    @property
    def disabled_tags(self) -> list[str]:
        env: Any = self.env
        if time.monotonic() > env.state.deadline:
            raise Deadline
        return self._disabled

    @disabled_tags.setter
    def disabled_tags(self, value: list[str]) -> None:
        self._disabled = value

    def filter(self, name: str, token: Token | None) -> Callable[..., object]:
        function = super().filter(name, token=token)
        env: Any = self.env
        state: RenderState = env.state

        def guarded(left: object, *args: object, **kwargs: object) -> object:
            if time.monotonic() > state.deadline:
                raise Deadline
            state.filter_calls += 1
            if filter_cost(name, left, args) > MAX_VALUE:
                raise LiquidError(f"{name}: the value it would make is too large", token=token)
            result = function(left, *args, **kwargs)
            if size_of(result) > MAX_VALUE:
                raise LiquidError(f"{name}: the value it made is too large", token=token)
            return result

        return guarded


def size_of(value: object) -> int:
    """Characters in a text, items in a list (and the characters of its texts); a first
    measure of the memory a value takes, cheap enough to take after every filter."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, range):
        return len(value)
    if isinstance(value, list | tuple):
        return len(value) + sum(len(item) for item in value if isinstance(item, str))
    if isinstance(value, Mapping):
        return len(value)
    return 0


def filter_cost(name: str, left: object, args: tuple[object, ...]) -> int:
    """An upper bound of a filter's result before it runs: its inputs, and for the filters
    whose result multiplies them (``join``, ``replace``) the product."""
    cost = size_of(left) + sum(size_of(arg) for arg in args)
    if name == "join" and args:
        cost += size_of(left) * size_of(args[0])
    elif name == "replace" and len(args) > 1 and isinstance(left, str):
        found = left.count(args[0]) if isinstance(args[0], str) and args[0] else len(left) + 1
        cost += found * size_of(args[1])
    return cost


class PostTemplate(BoundTemplate):
    context_class = PostContext


class PostEnvironment(Environment):
    """One post's Liquid environment, with the limits that keep a template from running away."""

    template_class = PostTemplate
    loop_iteration_limit = 100_000
    output_stream_limit = MAX_VALUE
    context_depth_limit = 20
    local_namespace_limit = 8_000_000

    def __init__(self, site: LiquidSite, state: RenderState) -> None:
        self.site = site
        self.state = state
        super().__init__(loader=IncludeLoader(site), strict_filters=True)
        for name, function in FILTERS.items():
            self.add_filter(name, function)
        for tag in (HighlightTag, LinkTag, PostUrlTag, IncludeRelativeTag):
            self.add_tag(tag)
        if site.kind == "jekyll":
            self.add_tag(JekyllIncludeTag)


class IncludeLoader(BaseLoader):
    """Includes from the site's include folders only, each cleaned of unknown tags."""

    def __init__(self, site: LiquidSite) -> None:
        self.site = site

    def get_source(
        self, env: Environment, template_name: str, *, context: Any = None, **kwargs: object
    ) -> TemplateSource:
        for folder in self.site.include_dirs:
            for name in (template_name, f"{template_name}.liquid", f"{template_name}.html"):
                text = read_inside(folder, name)
                if text is not None:
                    label = str(folder / name)
                    assert isinstance(env, PostEnvironment)
                    cleaned = repair(env, text, label, env.state)
                    env.state.sources[cleaned] = label
                    return TemplateSource(cleaned, label, None)
        raise TemplateNotFoundError(template_name, token=None)


def render_liquid(
    text: str,
    variables: Mapping[str, Any],
    site: LiquidSite,
    state: RenderState,
) -> LiquidResult:
    """``text`` rendered with ``variables`` on top of the site's. Raises TemplateError."""
    env = PostEnvironment(site, state)
    try:
        source = repair(env, text, state.post, state)
        state.sources[source] = state.post
        rendered = count_tags(env, source)
        template = env.from_string(source, globals={**site.variables, **variables})
        output = template.render()
    except Deadline:
        raise TemplateError(
            state.post, None, "the template took too long and was given up"
        ) from None
    except LiquidError as error:
        raise template_error(error, state.post, state) from None
    except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as error:
        raise TemplateError(state.post, None, f"Liquid: {error}") from None
    return LiquidResult(
        text=output,
        rendered=rendered,
        unknown=state.unknown,
        warnings=tuple(state.warnings),
        lookups=tuple(sorted(state.lookups.items())),
    )


def count_tags(env: Environment, source: str) -> int:
    kinds = [token.kind for token in env.tokenizer()(source)]
    return kinds.count(TOKEN_TAG) + kinds.count(TOKEN_OUTPUT) + len(RAW_BLOCK.findall(source))


def template_error(
    error: LiquidError, name: str, state: RenderState, source: str = ""
) -> TemplateError:
    """One line for ``error``: the file it is in (the post, or the include it happened in),
    its line in that file, and the engine's message."""
    token = error.token
    if token is not None and token.source in state.sources:
        name = state.sources[token.source]
    elif error.template_name and not isinstance(error, TemplateNotFoundError):
        name = str(error.template_name)
    if isinstance(error, TemplateNotFoundError):
        missing = str(error.message)
        error = TemplateNotFoundError(
            f"include {missing!r} not found in the site's include folders", token=token
        )
    if token is not None and token.source and token.start_index >= 0:
        text, index = token.source, token.start_index
    else:
        # An error at the end (a block never closed) has no position: its last line.
        text = token.source if token is not None and token.source else source
        index = len(text.rstrip())
    line = line_of(text, index) + offset(name, state) if text else None
    message = str(error.message or type(error).__name__)
    return TemplateError(name, line, f"Liquid: {message}")


def line_of(source: str, index: int) -> int:
    return source.count("\n", 0, max(index, 0)) + 1


def repair(env: Environment, source: str, name: str, state: RenderState) -> str:
    """``source`` without the markup of tags and filters ``env`` does not know, each with a
    warning. Any other syntax error is a TemplateError."""
    for _ in range(MAX_REPAIRS):
        if time.monotonic() > state.deadline:
            raise Deadline
        try:
            template = env.from_string(source, name=name)
        except LiquidSyntaxError as error:
            unknown = unknown_tag(env, error)
            if unknown is None or error.token is None or error.token.source != source:
                raise template_error(error, name, state, source) from None
            source = remove_markup(source, error.token.start_index, name, unknown, "tag", state)
            continue
        except LiquidError as error:
            raise template_error(error, name, state, source) from None
        spans = [
            (span.index, filter_name)
            for filter_name, found in template.analyze(include_partials=False).filters.items()
            if filter_name not in env.filters
            for span in found
        ]
        if not spans:
            return source
        for index, filter_name in sorted(spans, reverse=True):
            source = remove_markup(source, index, name, filter_name, "filter", state)
    raise TemplateError(name, None, "Liquid: too many unknown tags and filters")


def offset(name: str, state: RenderState) -> int:
    return state.line_offset if name == state.post else 0


def unknown_tag(env: Environment, error: LiquidSyntaxError) -> str | None:
    found = UNEXPECTED_TAG.search(str(error.message))
    if found is None:
        return None
    tag = found.group(1)
    if tag in env.tags or tag in INNER_TAGS:
        return None
    if tag.startswith("end") and tag[3:] in env.tags:
        return None
    return tag


def remove_markup(
    source: str, index: int, name: str, what: str, kind: str, state: RenderState
) -> str:
    """``source`` without the ``{% … %}`` or ``{{ … }}`` around ``index``."""
    start = max(source.rfind("{%", 0, index + 1), source.rfind("{{", 0, index + 1))
    if start < 0:
        start = index
    closer = "%}" if source.startswith("{%", start) else "}}"
    end = source.find(closer, index)
    end = len(source) if end < 0 else end + 2
    state.unknown += 1
    state.warnings.append(
        f"{name}: line {line_of(source, start) + offset(name, state)}: unknown Liquid {kind} '{what}'; "
        f"its text ({source[start:end][:60]!r}) was removed"
    )
    return source[:start] + source[end:]


# Tags.


def tag_markup(stream: TokenStream) -> tuple[Token, str]:
    """The tag's token and its text after the name, as written; the stream is left on the
    tag's last token, as the parser expects of a tag without a block."""
    token = stream.current
    if stream.peek.kind == TOKEN_EXPRESSION:
        next(stream)
        return token, stream.current.value.strip()
    return token, ""


def block_markup(stream: TokenStream) -> tuple[Token, str]:
    """The same for a block tag, leaving the stream on the first token of its block."""
    token = stream.eat(TOKEN_TAG)
    if stream.current.kind == TOKEN_EXPRESSION:
        value = stream.current.value
        next(stream)
        return token, value.strip()
    return token, ""


def state_of(context: RenderContext) -> RenderState:
    env: Any = context.env
    state: RenderState = env.state
    return state


def site_of(context: RenderContext) -> LiquidSite:
    env: Any = context.env
    site: LiquidSite = env.site
    return site


def render_markup(markup: str, context: RenderContext) -> str:
    """A tag argument that may itself hold ``{{ … }}`` (Jekyll 4 allows it)."""
    if "{{" not in markup:
        return markup
    template = context.env.from_string(markup)
    buffer = context.get_buffer()
    template.render_with_context(context, buffer, partial=True)
    return buffer.getvalue().strip()


class TextNode(Node):
    """A tag with one argument, turned into text when rendered."""

    __slots__ = ("markup", "turn")

    def __init__(self, token: Token, markup: str, turn: Callable[[str, RenderContext], str]):
        super().__init__(token)
        self.markup = markup
        self.turn = turn
        # Not blank: the engine drops a block (an ``if``, a ``for``) whose nodes are all
        # blank, and this one prints.
        self.blank = False

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        return buffer.write(self.turn(render_markup(self.markup, context), context))


def lookup(query: str, tag: str, context: RenderContext) -> str:
    """A post's URL by ``query``; a missing post is a warning and a marker the rendered HTML
    drops, with any link made of it (an empty ``href`` would link to the post itself)."""
    state = state_of(context)
    url = state.resolve(query)
    state.lookups[query] = url or ""
    if not url:
        state.warnings.append(
            f"{state.post}: {{% {tag} %}}: no post found for {query!r}; the link is removed, "
            "its text kept"
        )
    return url or MISSING_LINK


class LinkTag(Tag):
    name = "link"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token, markup = tag_markup(stream)
        return TextNode(
            token,
            markup,
            lambda path, context: lookup(f"link:{path.lstrip('/')}", "link " + path, context),
        )


class PostUrlTag(Tag):
    name = "post_url"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token, markup = tag_markup(stream)
        return TextNode(
            token,
            markup,
            lambda name, context: lookup(
                f"post_url:{name.strip('/')}", "post_url " + name, context
            ),
        )


class HighlightNode(Node):
    __slots__ = ("block", "language")

    def __init__(self, token: Token, language: str, block: BlockNode) -> None:
        super().__init__(token)
        self.language = language
        self.block = block
        self.blank = False

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        inner = context.get_buffer(buffer)
        self.block.render(context, inner)
        code = inner.getvalue().strip("\n")
        language = f' class="language-{escape(self.language)}"' if self.language else ""
        # HTML, not a fence: a backtick run inside the code cannot end it early.
        return buffer.write(
            f"\n\n<pre><code{language}>{escape(code, quote=False)}</code></pre>\n\n"
        )

    def children(self, static_context: RenderContext, *, include_partials: bool = True) -> Any:
        yield self.block


class HighlightTag(Tag):
    name = "highlight"
    end = "endhighlight"

    def parse(self, stream: TokenStream) -> Node:
        token, markup = block_markup(stream)
        words = markup.split()
        block = get_parser(self.env).parse_block(stream, frozenset(("endhighlight", TOKEN_EOF)))
        stream.expect(TOKEN_TAG, value="endhighlight")
        return HighlightNode(token, words[0] if words else "", block)


class IncludeNode(Node):
    """Jekyll's include: ``{% include file.html key="value" other=page.title %}``, the
    parameters seen as ``include.key`` (and, as Eleventy's Liquid has it, as ``key``)."""

    __slots__ = ("markup", "relative")

    def __init__(self, token: Token, markup: str, relative: bool) -> None:
        super().__init__(token)
        self.markup = markup
        self.relative = relative
        self.blank = False

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        name, parameters = self.split(context)
        if INVALID_INCLUDE_NAME.search(name):
            tag = "include_relative" if self.relative else "include"
            raise LiquidError(
                f"{tag} {name!r}: a name with '..', './', '/.' or '//' is refused, as Jekyll does",
                token=self.token,
            )
        template = self.load(name, context)
        namespace = {"include": parameters}
        with context.extend(namespace, template=template):
            template.render_with_context(context, buffer, partial=True)
        return 1

    def split(self, context: RenderContext) -> tuple[str, dict[str, Any]]:
        markup = self.markup
        if markup.startswith("{{"):
            end = markup.find("}}") + 2
            name, rest = render_markup(markup[:end], context), markup[end:]
        else:
            name, _, rest = markup.partition(" ")
        parameters = {}
        for key, value in INCLUDE_PARAMETER.findall(rest):
            parameters[key] = self.value(value, context)
        return name.strip("'\""), parameters

    def value(self, text: str, context: RenderContext) -> Any:
        if text[:1] in ("'", '"'):
            return text[1:-1]
        expression = FilteredExpression.parse(
            context.env, TokenStream(tokenize(text, parent_token=self.token))
        )
        return expression.evaluate(context)

    def load(self, name: str, context: RenderContext) -> BoundTemplate:
        if not self.relative:
            return context.env.get_template(name, context=context)
        state, site = state_of(context), site_of(context)
        text = read_inside(site.root, name, state.post_dir)
        found = inside(site.root, state.post_dir / name)
        if text is None or found is None:
            raise TemplateNotFoundError(name, token=self.token)
        # Not in the include folders the cache watches: the render remembers what it read.
        relative = found.relative_to(site.root.resolve()).as_posix()
        state.lookups[f"file:{relative}"] = fingerprint(text)
        label = str(state.post_dir / name)
        cleaned = repair(context.env, text, label, state)
        state.sources[cleaned] = label
        return context.env.from_string(cleaned, name=label)


class JekyllIncludeTag(Tag):
    name = "include"
    block = False
    relative = False

    def parse(self, stream: TokenStream) -> Node:
        token, markup = tag_markup(stream)
        return IncludeNode(token, markup, self.relative)


class IncludeRelativeTag(JekyllIncludeTag):
    name = "include_relative"
    relative = True


# Filters.


def relative_url(value: object, *, context: RenderContext) -> str:
    site = site_of(context)
    path = str(value if value is not None and not isinstance(value, Undefined) else "")
    if "://" in path:
        return path
    base = "/" + site.baseurl.strip("/") if site.baseurl.strip("/") else ""
    return base + "/" + path.lstrip("/")


def absolute_url(value: object, *, context: RenderContext) -> str:
    path = relative_url(value, context=context)
    return path if "://" in path else urljoin(site_of(context).url, path.lstrip("/"))


def eleventy_url(value: object, *, context: RenderContext) -> str:
    """Eleventy's ``url``: the path with the site's path prefix."""
    return relative_url(value, context=context)


def markdownify(value: object, *, context: RenderContext) -> str:
    return state_of(context).markdownify(str(value or ""))


def to_json(value: object) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, Undefined):
        return None
    return value


def jsonify(value: object) -> str:
    return json.dumps(to_json(value), ensure_ascii=False, separators=(",", ":"))


def as_datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip().replace(" ", "T", 1))
        except ValueError:
            return None
    return None


def date_format(pattern: str) -> Callable[[object], object]:
    def format_date(value: object) -> object:
        moment = as_datetime(value)
        if moment is None:
            return value
        return moment.strftime(pattern)

    return format_date


def date_to_xmlschema(value: object) -> object:
    moment = as_datetime(value)
    return moment.isoformat() if moment else value


def date_to_rfc822(value: object) -> object:
    moment = as_datetime(value)
    return moment.strftime("%a, %d %b %Y %H:%M:%S %z").strip() if moment else value


def stringly(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None or isinstance(value, Undefined) else str(value)


def where(items: object, key: object, value: object = None) -> list[Any]:
    """Jekyll's ``where``: items whose ``key`` is ``value``, compared as text (so a version
    written 3.3 in YAML matches "3.3"); an array property matches when it holds the value."""
    if isinstance(items, Mapping):
        items = list(items.values())
    if not isinstance(items, list | tuple):
        return []
    wanted = stringly(value)
    found = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        have = item.get(str(key))
        if isinstance(have, list | tuple):
            if wanted in [stringly(part) for part in have]:
                found.append(item)
        elif (value is None and have is None) or stringly(have) == wanted:
            found.append(item)
    return found


def where_exp(
    items: object, name: object, expression: object, *, context: RenderContext
) -> list[Any]:
    """Jekyll's ``where_exp``: items for which the Liquid condition holds, ``name`` bound to each."""
    if isinstance(items, Mapping):
        items = list(items.values())
    if not isinstance(items, list | tuple):
        return []
    test = context.env.from_string("{% if " + str(expression) + " %}1{% endif %}")
    values = dict(site_of(context).variables)
    return [item for item in items if test.render({**values, str(name): item}) == "1"]


def find(items: object, key: object, value: object = None) -> Any:
    found = where(items, key, value)
    return found[0] if found else None


def find_exp(items: object, name: object, expression: object, *, context: RenderContext) -> Any:
    found = where_exp(items, name, expression, context=context)
    return found[0] if found else None


def group_by(items: object, key: object) -> list[dict[str, Any]]:
    groups: dict[str, list[Any]] = {}
    for item in items if isinstance(items, list | tuple) else []:
        if isinstance(item, Mapping):
            groups.setdefault(stringly(item.get(str(key))), []).append(item)
    return [
        {"name": name, "items": members, "size": len(members)} for name, members in groups.items()
    ]


def array_to_sentence_string(items: object, connector: object = "and") -> str:
    words = [stringly(item) for item in items] if isinstance(items, list | tuple) else []
    if len(words) < 3:
        return f" {connector} ".join(words)
    return f"{', '.join(words[:-1])}, {connector} {words[-1]}"


def with_context(function: Callable[..., Any]) -> Callable[..., Any]:
    function.with_context = True  # type: ignore[attr-defined]
    return function


FILTERS: dict[str, Callable[..., Any]] = {
    "relative_url": with_context(relative_url),
    "absolute_url": with_context(absolute_url),
    "url": with_context(eleventy_url),
    "markdownify": with_context(markdownify),
    "jsonify": jsonify,
    "json": jsonify,
    "where": where,
    "where_exp": with_context(where_exp),
    "find": find,
    "find_exp": with_context(find_exp),
    "group_by": group_by,
    "date_to_string": date_format("%d %b %Y"),
    "date_to_long_string": date_format("%d %B %Y"),
    "date_to_xmlschema": date_to_xmlschema,
    "date_to_rfc822": date_to_rfc822,
    "xml_escape": lambda value: escape(stringly(value)),
    "cgi_escape": lambda value: quote(stringly(value), safe=""),
    "uri_escape": lambda value: quote(stringly(value), safe="/:?#[]@!$&'()*+,;=%"),
    "slugify": lambda value, *_: tag_slug(stringly(value)),
    "slug": lambda value, *_: tag_slug(stringly(value)),
    "number_of_words": lambda value, *_: len(stringly(value).split()),
    "array_to_sentence_string": array_to_sentence_string,
    "normalize_whitespace": lambda value: " ".join(stringly(value).split()),
    "smartify": stringly,
    "inspect": jsonify,
    "log": lambda value, *_: value,
}
