"""Site settings: read once from TOML into a frozen dataclass, every bad key reported at once."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feeds.errors import ConfigError

DEFAULT_CONFIG = Path("feeds.toml")
PERMALINK_FIELDS = ("slug", "year", "month", "day")


@dataclass(frozen=True)
class Author:
    name: str
    email: str | None = None


# Each field of a post, and the frontmatter names it is read from, first match first (tags merge
# all of them). The defaults cover Jekyll, Hugo, Eleventy and Next.js blogs; [fields] overrides.
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "date": ("date", "pubDate", "published", "publishDate"),
    "updated": ("updated", "lastmod", "last_modified_at"),
    "description": ("description", "summary", "excerpt"),
    "top": ("topPost", "featured"),
    "tags": ("tags", "categories", "category"),
    "image": ("image", "cover", "banner"),
    "draft": ("draft",),
    "slug": ("slug",),
    "id": ("id",),
}


@dataclass(frozen=True)
class ContentOptions:
    """Which files are posts, which frontmatter names hold which field, what to do with
    template tags other generators leave in bodies."""

    include: tuple[str, ...] = ("**/*.md", "**/*.markdown")
    exclude: tuple[str, ...] = ()
    fields: tuple[tuple[str, tuple[str, ...]], ...] = tuple(DEFAULT_FIELDS.items())
    template_tags: str = "strip"

    @cached_property
    def _by_field(self) -> dict[str, tuple[str, ...]]:
        return dict(self.fields)

    def names(self, field_name: str) -> tuple[str, ...]:
        return self._by_field[field_name]


@dataclass(frozen=True)
class Site:
    title: str
    base_url: str
    since: str
    description: str
    author: Author
    language: str = "en"
    timezone: str = "UTC"
    permalink: str = "/blog/{slug}/"
    content_dir: Path = Path("content")
    output_dir: Path = Path("public")
    items_per_feed: int = 20
    tag_feeds: bool = True
    content: ContentOptions = ContentOptions()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def domain(self) -> str:
        return urlsplit(self.base_url).hostname or ""


Problems = list[tuple[str, str]]
Check = Callable[[Any], str | None]


@dataclass(frozen=True)
class NewsletterSettings:
    """How a newsletter issue looks and who it is from; ``[newsletter]`` in the settings."""

    from_address: str | None
    from_name: str
    subject: str = "{site}: {title}"
    preheader: str = ""
    footer: str = ""
    templates_dir: Path = Path("templates")
    folder: str = "newsletter"
    latest: int = 5
    utm: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server: ``[smtp]`` in the settings, each key overridable by FEEDS_SMTP_*.
    The password is only ever read from the environment (FEEDS_SMTP_PASSWORD)."""

    host: str = "localhost"
    port: int = 587
    security: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    rate: float = 0.0
    retries: int = 3
    retry_delay: float = 2.0


@dataclass(frozen=True)
class DeliverySettings:
    """Who gets the newsletter and where the job keeps its journal: ``[delivery]``."""

    subscribers: Path | None = None
    list_address: str | None = None
    unsubscribe_mailto: str | None = None
    unsubscribe_url: str | None = None
    state: Path = Path(".feeds-state/journal.sqlite3")
    full: bool = False


@dataclass(frozen=True)
class Config:
    site: Site
    newsletter: NewsletterSettings
    source: Path
    smtp: SmtpSettings = SmtpSettings()
    delivery: DeliverySettings = DeliverySettings()


def load_site(path: Path = DEFAULT_CONFIG) -> Site:
    """Read ``[site]`` from the TOML file at ``path``; folders are relative to that file."""
    return load_config(path).site


def load_config(path: Path = DEFAULT_CONFIG, env: Mapping[str, str] | None = None) -> Config:
    """Read and check every section of the settings file; all problems are reported at once."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, [("file", "not found (pass --config FILE)")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, [("file", f"cannot be read: {error}")]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, [("file", f"is not valid TOML: {error}")]) from None
    return config_from_mapping(data, path, os.environ if env is None else env)


def config_from_mapping(
    data: Mapping[str, Any], source: Path, env: Mapping[str, str] | None = None
) -> Config:
    problems: Problems = []
    for section in data:
        if section not in KNOWN_SECTIONS:
            expected = ", ".join(KNOWN_SECTIONS)
            problems.append((section, f"unknown section (expected one of: {expected})"))
    table = data.get("site")
    if not isinstance(table, dict):
        raise ConfigError(source, [*problems, ("site", "missing [site] table")])
    values = _check_table(table, SITE_KEYS, "site", problems, nested={"author"})
    author = _author(table.get("author"), problems)
    letter = _newsletter(data.get("newsletter", {}), problems)
    fields = _fields(data.get("fields", {}), problems)
    smtp_values = _smtp(data.get("smtp", {}), env or {}, problems)
    delivery_values = _table(data.get("delivery", {}), DELIVERY_KEYS, "delivery", problems)
    if problems:
        raise ConfigError(source, problems)
    base = source.parent
    site = Site(
        title=values["title"],
        base_url=values["base_url"].rstrip("/") + "/",
        since=str(values["since"]),
        description=values.get("description") or values["title"],
        author=author,
        language=values.get("language", "en"),
        timezone=values.get("timezone", "UTC"),
        permalink=values.get("permalink", "/blog/{slug}/"),
        content_dir=base / values.get("content", "content"),
        output_dir=base / values.get("output", "public"),
        items_per_feed=values.get("items_per_feed", 20),
        tag_feeds=values.get("tag_feeds", True),
        content=ContentOptions(
            include=tuple(values.get("include", ContentOptions.include)),
            exclude=tuple(values.get("exclude", ())),
            fields=tuple(fields.items()),
            template_tags=values.get("template_tags", "strip"),
        ),
    )
    newsletter = NewsletterSettings(
        from_address=letter.get("from_address", author.email),
        from_name=letter.get("from_name", author.name),
        subject=letter.get("subject", "{site}: {title}"),
        preheader=letter.get("preheader", site.description),
        footer=letter.get(
            "footer", f"You are receiving this because you subscribed to {site.title}."
        ),
        templates_dir=base / letter.get("templates", "templates"),
        folder=letter.get("folder", "newsletter"),
        latest=letter.get("latest", 5),
        utm=tuple((f"utm_{key}", value) for key, value in letter.get("utm", {}).items()),
    )
    smtp = SmtpSettings(**smtp_values)
    delivery = DeliverySettings(
        subscribers=base / delivery_values["subscribers"]
        if "subscribers" in delivery_values
        else None,
        list_address=delivery_values.get("list_address"),
        unsubscribe_mailto=delivery_values.get("unsubscribe_mailto"),
        unsubscribe_url=delivery_values.get("unsubscribe_url"),
        state=base / delivery_values.get("state", ".feeds-state/journal.sqlite3"),
        full=delivery_values.get("full", False),
    )
    return Config(site=site, newsletter=newsletter, source=source, smtp=smtp, delivery=delivery)


def _table(
    value: Any, schema: Mapping[str, tuple[bool, Check]], name: str, problems: Problems
) -> dict[str, Any]:
    if not isinstance(value, dict):
        problems.append((name, f"must be a table: [{name}]"))
        return {}
    return _check_table(value, schema, name, problems)


ENV_PREFIX = "FEEDS_SMTP_"


def _fields(value: Any, problems: Problems) -> dict[str, tuple[str, ...]]:
    fields = dict(DEFAULT_FIELDS)
    if not isinstance(value, dict):
        problems.append(("fields", 'must be a table: [fields] date = ["date", "pubDate"]'))
        return fields
    for key, names in value.items():
        if key not in DEFAULT_FIELDS:
            expected = ", ".join(DEFAULT_FIELDS)
            problems.append((f"fields.{key}", f"unknown field (expected one of: {expected})"))
        elif isinstance(names, str) and names.strip():
            fields[key] = (names,)
        elif isinstance(names, list) and names and all(isinstance(n, str) and n for n in names):
            fields[key] = tuple(names)
        else:
            problems.append(
                (f"fields.{key}", f"{names!r} must be a frontmatter name or a list of them")
            )
    return fields


def _smtp(value: Any, env: Mapping[str, str], problems: Problems) -> dict[str, Any]:
    """[smtp] from the file, then FEEDS_SMTP_* from the environment on top."""
    if isinstance(value, dict) and "password" in value:
        problems.append(
            ("smtp.password", f"must not be in a file; set {ENV_PREFIX}PASSWORD instead")
        )
        value = {key: item for key, item in value.items() if key != "password"}
    values = _table(value, SMTP_KEYS, "smtp", problems)
    for key, (_, check) in SMTP_KEYS.items():
        variable = f"{ENV_PREFIX}{key.upper()}"
        if variable not in env:
            continue
        raw = env[variable]
        parsed: Any = raw
        if key in ("port", "retries"):
            parsed = int(raw) if raw.strip().isdigit() else raw
        elif key in ("timeout", "rate", "retry_delay"):
            try:
                parsed = float(raw)
            except ValueError:
                parsed = raw
        message = check(parsed)
        if message:
            # The value is not echoed: environment variables often hold secrets.
            problems.append((variable, message))
        else:
            values[key] = parsed
    if env.get(f"{ENV_PREFIX}PASSWORD"):
        values["password"] = env[f"{ENV_PREFIX}PASSWORD"]
    if values.get("user") == "":
        values["user"] = None
    return values


def _check_table(
    table: Mapping[str, Any],
    schema: Mapping[str, tuple[bool, Check]],
    name: str,
    problems: Problems,
    nested: frozenset[str] | set[str] = frozenset(),
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in nested:
            continue
        if key not in schema:
            expected = ", ".join(sorted(schema))
            problems.append((f"{name}.{key}", f"unknown key (expected one of: {expected})"))
            continue
        message = schema[key][1](value)
        if message:
            problems.append((f"{name}.{key}", f"{value!r} {message}"))
        else:
            values[key] = value
    for key, (required, _) in schema.items():
        if required and key not in table:
            problems.append((f"{name}.{key}", "missing; " + HINTS[key]))
    return values


def _newsletter(value: Any, problems: Problems) -> dict[str, Any]:
    if not isinstance(value, dict):
        problems.append(("newsletter", "must be a table: [newsletter]"))
        return {}
    values = _check_table(value, NEWSLETTER_KEYS, "newsletter", problems, nested={"utm"})
    utm = value.get("utm", {})
    if isinstance(utm, dict):
        values["utm"] = _check_table(utm, UTM_KEYS, "newsletter.utm", problems)
    else:
        problems.append(
            ("newsletter.utm", 'must be a table: [newsletter.utm] source = "newsletter"')
        )
    return values


def _author(value: Any, problems: Problems) -> Author:
    if value is None:
        problems.append(("site.author", 'missing; add [site.author] with name = "Your Name"'))
        return Author(name="")
    if not isinstance(value, dict):
        problems.append(("site.author", 'must be a table: [site.author] name = "…", email = "…"'))
        return Author(name="")
    values = _check_table(value, AUTHOR_KEYS, "site.author", problems)
    return Author(name=values.get("name", ""), email=values.get("email"))


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a non-empty string"


def _base_url(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a string like 'https://example.com/'"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an absolute http(s) URL like 'https://example.com/'"
    if parts.query or parts.fragment:
        return "must not have a query or fragment"
    return None


def _since(value: Any) -> str | None:
    if isinstance(value, int) and 1990 <= value <= 2200:
        return None
    if isinstance(value, str) and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        return None
    return "must be a year (2019) or a date ('2019-04-01') on which the site owned its domain"


def _timezone(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be an IANA time zone name like 'Europe/Berlin'"
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return "is not a known time zone (use an IANA name like 'Europe/Berlin' or 'UTC')"
    return None


def _permalink(value: Any) -> str | None:
    if not isinstance(value, str) or not value.startswith("/"):
        return "must be a path pattern starting with '/', like '/blog/{slug}/'"
    fields = re.findall(r"{([^{}]*)}", value)
    unknown = [field for field in fields if field not in PERMALINK_FIELDS]
    if unknown or "slug" not in fields:
        return f"must contain {{slug}} and only {{{'}, {'.join(PERMALINK_FIELDS)}}}"
    return None


def _folder(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a folder path"


def _count(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return None if ok else "must be a whole number, 0 or more (0 = all posts)"


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _language(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value)
    return None if ok else "must be a language tag like 'en' or 'pt-BR'"


def _email(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"[^@\s<>()]+@[^@\s<>()]+\.[^@\s<>()]+", value)
    return None if ok else "must be an email address like 'jane@example.com'"


def _globs(value: Any) -> str | None:
    ok = isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)
    if not ok:
        return 'must be a list of patterns like ["posts/**/*.md"]'
    if any(item.startswith("/") or ".." in item.split("/") for item in value):
        return "patterns are relative to the content folder; no '/' at the start, no '..'"
    return None


def _template_tags(value: Any) -> str | None:
    return None if value in ("strip", "keep") else "must be 'strip' or 'keep'"


SITE_KEYS: dict[str, tuple[bool, Check]] = {
    "title": (True, _text),
    "base_url": (True, _base_url),
    "since": (True, _since),
    "description": (False, _text),
    "language": (False, _language),
    "timezone": (False, _timezone),
    "permalink": (False, _permalink),
    "content": (False, _folder),
    "output": (False, _folder),
    "items_per_feed": (False, _count),
    "tag_feeds": (False, _flag),
    "include": (False, _globs),
    "exclude": (False, _globs),
    "template_tags": (False, _template_tags),
}
AUTHOR_KEYS: dict[str, tuple[bool, Check]] = {
    "name": (True, _text),
    "email": (False, _email),
}
HINTS = {
    "title": 'the site\'s name, e.g. title = "My Blog"',
    "base_url": 'where the site lives, e.g. base_url = "https://example.com/"',
    "since": "the year the site began using its domain, e.g. since = 2019 "
    "(it goes into every post's permanent feed id)",
    "name": 'e.g. name = "Jane Doe"',
}


def _subject(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty pattern like '{site}: {title}'"
    unknown = [f for f in re.findall(r"{([^{}]*)}", value) if f not in SUBJECT_FIELDS]
    if unknown:
        return f"may only use {{{'}, {'.join(SUBJECT_FIELDS)}}}"
    return None


def _any_text(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be text"


def _utm_value(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"[\w.+-]+", value)
    return None if ok else "must be letters, digits, '.', '+', '-' or '_'"


def _subfolder(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip("/ "):
        return "must be a folder name inside the output folder, like 'newsletter'"
    if value.startswith("/") or ".." in value.replace("\\", "/").split("/"):
        return "must stay inside the output folder: no '/' at the start, no '..'"
    return None


def _count_positive(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return None if ok else "must be a whole number, 1 or more"


def _port(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536
    return None if ok else "must be a port number (25, 465, 587, …)"


def _security(value: Any) -> str | None:
    return None if value in SECURITY_MODES else f"must be one of: {', '.join(SECURITY_MODES)}"


def _seconds(value: Any) -> str | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    return None if ok else "must be a number of seconds, 0 or more"


def _rate(value: Any) -> str | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    return None if ok else "must be messages per second, 0 (no limit) or more"


def _unsubscribe_url(value: Any) -> str | None:
    if _base_url(value.split("?")[0] if isinstance(value, str) else value):
        return "must be an https URL, e.g. 'https://example.com/unsubscribe?token={token}'"
    fields = re.findall(r"{([^{}]*)}", value)
    if any(f not in ("email", "token") for f in fields):
        return "may only use {email} and {token}"
    return None


SECURITY_MODES = ("starttls", "ssl", "none")
SMTP_KEYS: dict[str, tuple[bool, Check]] = {
    "host": (False, _text),
    "port": (False, _port),
    "security": (False, _security),
    "user": (False, _any_text),
    "timeout": (False, _seconds),
    "rate": (False, _rate),
    "retries": (False, _count),
    "retry_delay": (False, _seconds),
}
DELIVERY_KEYS: dict[str, tuple[bool, Check]] = {
    "subscribers": (False, _folder),
    "list_address": (False, _email),
    "unsubscribe_mailto": (False, _email),
    "unsubscribe_url": (False, _unsubscribe_url),
    "state": (False, _folder),
    "full": (False, _flag),
}
SUBJECT_FIELDS = ("site", "title", "date", "count")
NEWSLETTER_KEYS: dict[str, tuple[bool, Check]] = {
    "from_address": (False, _email),
    "from_name": (False, _text),
    "subject": (False, _subject),
    "preheader": (False, _any_text),
    "footer": (False, _any_text),
    "templates": (False, _folder),
    "folder": (False, _subfolder),
    "latest": (False, _count_positive),
}
UTM_KEYS: dict[str, tuple[bool, Check]] = {
    "source": (False, _utm_value),
    "medium": (False, _utm_value),
    "campaign": (False, _utm_value),
}
KNOWN_SECTIONS = ("site", "fields", "newsletter", "smtp", "delivery")
