"""Checks of single setting values: each returns None when the value is fine, otherwise the
problem, phrased to follow the value (``'yes' must be true or false``)."""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Check = Callable[[Any], str | None]
PERMALINK_FIELDS = ("slug", "year", "month", "day", "dir")
# Any other {name} in a permalink pattern is the frontmatter field of that name.
PLACEHOLDER = re.compile(r"{([A-Za-z_][A-Za-z0-9_-]*)}")
SLUG_STYLES = ("default", "keep", "hugo", "jekyll", "astro")
SUBJECT_FIELDS = ("site", "title", "date", "count")
SECURITY_MODES = ("starttls", "ssl", "none")


def text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a non-empty string"


def base_url(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a string like 'https://example.com/'"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an absolute http(s) URL like 'https://example.com/'"
    if parts.query or parts.fragment:
        return "must not have a query or fragment"
    return None


def since(value: Any) -> str | None:
    if isinstance(value, int) and 1990 <= value <= 2200:
        return None
    if isinstance(value, str) and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        return None
    return "must be a year (2019) or a date ('2019-04-01') on which the site owned its domain"


def timezone(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be an IANA time zone name like 'Europe/Berlin'"
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return "is not a known time zone (use an IANA name like 'Europe/Berlin' or 'UTC')"
    return None


def permalink(value: Any) -> str | None:
    """A URL path pattern. Besides the date parts and ``{dir}``, it must name something that
    differs from post to post — ``{slug}`` or a frontmatter field — or posts of one day or
    folder would share a URL."""
    if not isinstance(value, str) or not value.startswith("/"):
        return "must be a path pattern starting with '/', like '/blog/{slug}/'"
    names = PLACEHOLDER.findall(value)
    if "{" in PLACEHOLDER.sub("", value) or "}" in PLACEHOLDER.sub("", value):
        return "has a '{' or '}' that is not part of a {name} placeholder"
    if not [name for name in names if name not in PERMALINK_FIELDS[1:]]:
        return (
            "must contain {slug} or a frontmatter field such as {category}, "
            f"and may use {{{'}, {'.join(PERMALINK_FIELDS[1:])}}}"
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
    ok = isinstance(value, str) and re.fullmatch(r"[^@\s<>()]+@[^@\s<>()]+\.[^@\s<>()]+", value)
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
