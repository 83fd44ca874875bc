"""Checks of single setting values: each returns None when the value is fine, otherwise the
problem, phrased to follow the value (``'yes' must be true or false``)."""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feeds.errors import shown

Check = Callable[[Any], str | None]
PERMALINK_FIELDS = ("slug", "slug_or_title", "year", "month", "day", "dir")
# Any other {name} in a permalink pattern is the frontmatter field of that name.
PLACEHOLDER = re.compile(r"{([A-Za-z_][A-Za-z0-9_-]*)}")
SLUG_STYLES = ("default", "keep", "raw", "hugo", "jekyll", "astro")
SUBJECT_FIELDS = ("site", "title", "date", "count")
SECURITY_MODES = ("starttls", "ssl", "none")
MARKDOWN_ENGINES = ("python-markdown", "commonmark")
# The GFM extensions of the "commonmark" engine, by the names cmark-gfm gives them.
COMMONMARK_EXTENSIONS = ("table", "strikethrough", "autolink", "tasklist", "footnotes")


def text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a non-empty string"


# A host name as feeds and browsers accept it: dot-separated labels of letters, digits and
# hyphens (internationalised names in their xn-- form), or an IP address in brackets.
LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
HOST = re.compile(rf"(?:{LABEL}\.)*{LABEL}\.?|\[[0-9A-Fa-f:.]+\]")


# Characters no feed can carry (XML 1.0 forbids them) or that only ever arrive by mistake:
# C0 and C1 controls, lone surrogates, U+FFFE and U+FFFF.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def display_text(value: Any) -> str | None:
    """Text shown in every feed (the site's title, description, author): no control
    characters, which XML cannot carry."""
    problem = text(value)
    if problem:
        return problem
    if CONTROL.search(value):
        return "must not hold control characters (tabs, line breaks, escapes like \\u0001)"
    if len(value) > 1000:
        return "must be at most 1,000 characters long"
    return None


def base_url(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a string like 'https://example.com/'"
    if CONTROL.search(value) or any(char.isspace() for char in value):
        return "must not hold spaces or control characters (write %20 for a space in a path)"
    try:
        parts = urlsplit(value)
    except ValueError:
        return "is not a valid URL: check its brackets (like 'https://[2001:db8::1]/')"
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        return "has a port that is not a number from 1 to 65535"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an absolute http(s) URL like 'https://example.com/'"
    if parts.username is not None or parts.password is not None:
        return "must not hold a user name or password: they would be in every link of every feed"
    host = parts.netloc.rpartition("@")[2]
    host = host[: -len(f":{port}")] if port is not None else host.removesuffix(":")
    if not HOST.fullmatch(host):
        return (
            f"has a host name {shown(host)} that is not letters, digits, '-' and '.' "
            "(write an internationalised name in its xn-- form)"
        )
    if parts.query or parts.fragment:
        return "must not have a query or fragment"
    return None


def since(value: Any) -> str | None:
    hint = "must be a year (2019) or a date ('2019-04-01') on which the site owned its domain"
    if isinstance(value, bool):
        return hint
    if isinstance(value, int) and 1990 <= value <= 2200:
        return None
    if isinstance(value, str) and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        # A real date: "2021-13-45" would go into every id (tag URIs need a valid date).
        try:
            date.fromisoformat((value + "-01-01")[:10])
        except ValueError:
            return f"is not a real date; {hint.removeprefix('must be ')}"
        if 1990 <= int(value[:4]) <= 2200:
            return None
    return hint


def timezone(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be an IANA time zone name like 'Europe/Berlin'"
    try:
        ZoneInfo(value)
    # OSError: a name too long for a file name (zoneinfo looks names up as files).
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return "is not a known time zone (use an IANA name like 'Europe/Berlin' or 'UTC')"
    return None


def permalink(value: Any) -> str | None:
    """A URL path pattern. Besides the date parts and ``{dir}``, it must name something that
    differs from post to post — ``{slug}`` or a frontmatter field — or posts of one day or
    folder would share a URL."""
    if not isinstance(value, str) or not value.startswith("/"):
        return "must be a path pattern starting with '/', like '/blog/{slug}/'"
    if CONTROL.search(value) or any(char.isspace() for char in value):
        return "must not hold spaces or control characters"
    names = PLACEHOLDER.findall(value)
    if "{" in PLACEHOLDER.sub("", value) or "}" in PLACEHOLDER.sub("", value):
        return "has a '{' or '}' that is not part of a {name} placeholder"
    if not [name for name in names if name not in PERMALINK_FIELDS[2:]]:
        return (
            "must contain {slug}, {slug_or_title} or a frontmatter field such as {category}, "
            f"and may use {{{'}, {'.join(PERMALINK_FIELDS[2:])}}}"
        )
    return None


def web_url(value: Any) -> str | None:
    if isinstance(value, str):
        parts = urlsplit(value)
        if parts.scheme in ("http", "https") and parts.hostname:
            return None
    return "must be an absolute http(s) URL like 'https://example.com/about/'"


def slug_style(value: Any) -> str | None:
    return None if value in SLUG_STYLES else f"must be one of: {', '.join(SLUG_STYLES)}"


def pattern_fields(pattern: str) -> list[str] | None:
    """The {fields} of a str.format pattern as format() reads them; None when a brace does not
    pair up, or a field has a conversion, a format spec or an index (format would fail or
    reach into an attribute)."""
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError:
        return None
    fields = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            return None
        fields.append(name)
    return fields


def folder(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a folder path"


def count(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return None if ok else "must be a whole number, 0 or more (0 = all posts)"


def flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def language(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value)
    return None if ok else "must be a language tag like 'en' or 'pt-BR'"


def email(value: Any) -> str | None:
    # isprintable: a control character (a TOML escape can make one) would break every feed.
    ok = (
        isinstance(value, str)
        and value.isprintable()
        and re.fullmatch(r"[^@\s<>()]+@[^@\s<>()]+\.[^@\s<>()]+", value)
    )
    return None if ok else "must be an email address like 'jane@example.com'"


def globs(value: Any) -> str | None:
    ok = isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)
    if not ok:
        return 'must be a list of patterns like ["posts/**/*.md"]'
    if any(item.startswith("/") or ".." in item.split("/") for item in value):
        return "patterns are relative to the content folder; no '/' at the start, no '..'"
    return None


def template_tags(value: Any) -> str | None:
    return None if value in ("render", "strip", "keep") else "must be 'render', 'strip' or 'keep'"


def markdown_engine(value: Any) -> str | None:
    return None if value in MARKDOWN_ENGINES else f"must be one of: {', '.join(MARKDOWN_ENGINES)}"


def markdown_extensions(value: Any) -> str | None:
    """A list of extension names; whether each suits the chosen engine is checked with both
    settings together (``config.check_markdown``)."""
    ok = isinstance(value, list) and all(
        isinstance(item, str) and re.fullmatch(r"[\w.]+(:\w+)?", item) for item in value
    )
    return None if ok else 'must be a list of extension names like ["extra", "toc"]'


def subject(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty pattern like '{site}: {title}'"
    return placeholders(value, SUBJECT_FIELDS)


def placeholders(value: str, allowed: Sequence[str]) -> str | None:
    """None when ``value`` formats with exactly the ``allowed`` names: no stray brace, no
    other name, no conversion or format spec (``str.format`` would raise on them)."""
    names = f"{{{'}, {'.join(allowed)}}}"
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError:
        return f"has a stray '{{' or '}}' (only {names}; write {{{{ or }}}} for a brace)"
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in allowed or spec or conversion:
            return f"may only use {names}"
    return None


def any_text(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be text"


def utm_value(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"[\w.+-]+", value)
    return None if ok else "must be letters, digits, '.', '+', '-' or '_'"


def subfolder(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip("/ "):
        return "must be a folder name inside the output folder, like 'newsletter'"
    if value.startswith("/") or ".." in value.replace("\\", "/").split("/"):
        return "must stay inside the output folder: no '/' at the start, no '..'"
    return None


def count_positive(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return None if ok else "must be a whole number, 1 or more"


def port(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536
    return None if ok else "must be a port number (25, 465, 587, …)"


def security(value: Any) -> str | None:
    return None if value in SECURITY_MODES else f"must be one of: {', '.join(SECURITY_MODES)}"


def number(value: Any) -> float | None:
    """A finite int or float (never a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def seconds(value: Any) -> str | None:
    amount = number(value)
    ok = amount is not None and 0 <= amount <= 600
    return None if ok else "must be a number of seconds from 0 to 600"


def timeout(value: Any) -> str | None:
    amount = number(value)
    ok = amount is not None and 0 < amount <= 600
    return None if ok else "must be a number of seconds above 0, at most 600"


def rate(value: Any) -> str | None:
    amount = number(value)
    ok = amount is not None and (amount == 0 or 0.001 <= amount <= 10_000)
    return None if ok else "must be messages per second: 0 (no limit), or from 0.001 to 10000"


def retries(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10
    return None if ok else "must be a whole number from 0 to 10"


def days(value: Any) -> str | None:
    amount = number(value)
    ok = amount is not None and 0 < amount <= 365
    return None if ok else "must be a number of days above 0, at most 365"


def limit(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 1000
    return None if ok else "must be a whole number from 1 to 1000"


def unsubscribe_url(value: Any) -> str | None:
    if base_url(value.split("?")[0] if isinstance(value, str) else value):
        return "must be an https URL, e.g. 'https://example.com/unsubscribe?token={token}'"
    return placeholders(value, ("email", "token"))
