"""Checks of single setting values: each returns None when the value is fine, otherwise the
problem, phrased to follow the value (``'yes' must be true or false``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Check = Callable[[Any], str | None]
PERMALINK_FIELDS = ("slug", "year", "month", "day")
SUBJECT_FIELDS = ("site", "title", "date", "count")
SECURITY_MODES = ("starttls", "ssl", "none")
MARKDOWN_ENGINES = ("python-markdown", "commonmark")
# The GFM extensions of the "commonmark" engine, by the names cmark-gfm gives them.
COMMONMARK_EXTENSIONS = ("table", "strikethrough", "autolink", "tasklist", "footnotes")


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
    if not isinstance(value, str) or not value.startswith("/"):
        return "must be a path pattern starting with '/', like '/blog/{slug}/'"
    fields = re.findall(r"{([^{}]*)}", value)
    unknown = [field for field in fields if field not in PERMALINK_FIELDS]
    if unknown or "slug" not in fields:
        return f"must contain {{slug}} and only {{{'}, {'.join(PERMALINK_FIELDS)}}}"
    return None


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
    return None if value in ("strip", "keep") else "must be 'strip' or 'keep'"


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
    unknown = [f for f in re.findall(r"{([^{}]*)}", value) if f not in SUBJECT_FIELDS]
    if unknown:
        return f"may only use {{{'}, {'.join(SUBJECT_FIELDS)}}}"
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


def seconds(value: Any) -> str | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    return None if ok else "must be a number of seconds, 0 or more"


def rate(value: Any) -> str | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    return None if ok else "must be messages per second, 0 (no limit) or more"


def unsubscribe_url(value: Any) -> str | None:
    if base_url(value.split("?")[0] if isinstance(value, str) else value):
        return "must be an https URL, e.g. 'https://example.com/unsubscribe?token={token}'"
    fields = re.findall(r"{([^{}]*)}", value)
    if any(f not in ("email", "token") for f in fields):
        return "may only use {email} and {token}"
    return None
