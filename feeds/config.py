"""Settings: read once from TOML into frozen dataclasses, every bad key reported at once.

Each setting is declared once, as a dataclass field with ``setting(...)``: its key in the file,
its default, its check and its help. Reading, the unknown-key messages, the environment
overrides of ``[smtp]`` and README's settings table (``tests/docs_tables.py``) all come from
those declarations.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, Field, dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from feeds import checks
from feeds.errors import ConfigError, shown

DEFAULT_CONFIG = Path("feeds.toml")
ENV_PREFIX = "FEEDS_SMTP_"
SECRET_VARIABLE = "FEEDS_UNSUBSCRIBE_SECRET"
Problems = list[tuple[str, str]]


@dataclass(frozen=True)
class Setting:
    """One key of the settings file."""

    key: str
    check: checks.Check
    help: str
    required: bool = False
    # Folders and files are relative to the settings file.
    path: bool = False
    # Shown in README when the default is worked out from other settings.
    default_text: str | None = None


def setting(
    key: str,
    check: checks.Check,
    help: str,
    *,
    default: Any = MISSING,
    required: bool = False,
    path: bool = False,
    default_text: str | None = None,
) -> Any:
    """A dataclass field declared as a setting (see ``Setting``)."""
    declared = Setting(key, check, help, required, path, default_text)
    return field(default=default, metadata={"setting": declared})


def declared(cls: type) -> list[tuple[Field[Any], Setting]]:
    return [(item, item.metadata["setting"]) for item in fields(cls) if "setting" in item.metadata]


@dataclass(frozen=True)
class Author:
    name: str = setting("name", checks.display_text, 'e.g. name = "Jane Doe"', required=True)
    email: str | None = setting("email", checks.email, "the author's address", default=None)


@dataclass(frozen=True)
class Person:
    """A post's author as ``[authors.<id>]`` declares it (and as frontmatter may spell it out)."""

    name: str = setting("name", checks.text, 'e.g. name = "Jane Doe"', required=True)
    email: str | None = setting("email", checks.email, "the author's address", default=None)
    url: str | None = setting("url", checks.web_url, "the author's page", default=None)


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
    "authors": ("authors", "author"),
}


@dataclass(frozen=True)
class ContentOptions:
    """Which files are posts, which frontmatter names hold which field, what to do with
    template tags other generators leave in bodies, and where each post lives (its URL
    pattern and slug style). Read from ``[site]`` and ``[fields]``."""

    include: tuple[str, ...] = setting(
        "include", checks.globs, "patterns of post files, relative to the content folder",
        default=("**/*.md", "**/*.markdown", "**/*.mdx"),
    )  # fmt: skip
    exclude: tuple[str, ...] = setting(
        "exclude", checks.globs, "patterns of files that are not posts", default=()
    )
    # None: "render" when the site root is found, "strip" otherwise (content.templating).
    template_tags: str | None = setting(
        "template_tags", checks.template_tags,
        "Liquid and Hugo shortcode tags in bodies: render, strip or keep", default=None,
        default_text='"render" when the site root is found, else "strip"',
    )  # fmt: skip
    permalink: str = setting(
        "permalink", checks.permalink,
        "URL path of a post: {slug}, {slug_or_title}, {year}, {month}, {day}, {dir}, or a "
        "frontmatter field such as {category}", default="/blog/{slug}/",
    )  # fmt: skip
    slug_style: str = setting(
        "slug_style", checks.slug_style,
        "how a file name becomes a slug: default, keep, raw, hugo, jekyll or astro",
        default="default",
    )  # fmt: skip
    markdown: str = setting(
        "markdown", checks.markdown_engine,
        "python-markdown, or commonmark: CommonMark with GitHub's extensions, "
        "as Hugo, Eleventy, Next.js and GitHub render it", default="python-markdown",
    )  # fmt: skip
    markdown_extensions: tuple[str, ...] | None = setting(
        "markdown_extensions", checks.markdown_extensions,
        "the engine's extensions: Python-Markdown's names, or for commonmark any of "
        + ", ".join(checks.COMMONMARK_EXTENSIONS),
        default=None,
        default_text='python-markdown: ["extra", "sane_lists"]; commonmark: all five',
    )  # fmt: skip
    fields: tuple[tuple[str, tuple[str, ...]], ...] = tuple(DEFAULT_FIELDS.items())
    # [authors]: the ids frontmatter may name, each with its person, in the file's order.
    authors: tuple[tuple[str, Person], ...] = ()
    # A multilingual site's language tags (its own first): Hugo serves x.fr.md and x.en.md as
    # x, so a file or bundle name's trailing ".<tag>" is not part of its slug.
    name_languages: tuple[str, ...] = ()

    @cached_property
    def _by_field(self) -> dict[str, tuple[str, ...]]:
        return dict(self.fields)

    def names(self, field_name: str) -> tuple[str, ...]:
        return self._by_field[field_name]


@dataclass(frozen=True)
class Language:
    """Another language of a multilingual site: ``[languages.<tag>]``. Its posts get a feed set
    of their own under ``<tag>/`` in the output folder; what is not given is the site's."""

    tag: str
    title: str | None = setting("title", checks.text, "the feeds' title", default=None,
                                default_text="[site] title")  # fmt: skip
    description: str | None = setting(
        "description", checks.text, "what the feeds are about", default=None,
        default_text="[site] description",
    )  # fmt: skip
    content_dir: Path | None = setting(
        "content", checks.folder, "this language's posts folder", default=None, path=True,
        default_text="[site] content + /<tag>",
    )  # fmt: skip
    permalink: str | None = setting(
        "permalink", checks.permalink, "URL path of its posts", default=None,
        default_text="/<tag> + [site] permalink",
    )  # fmt: skip
    # Hugo names a translation x.<tag>.md beside x.md: in a folder shared with the default
    # language, its own include (e.g. ["**/*.fr.md"]) picks its posts out.
    include: tuple[str, ...] | None = setting(
        "include", checks.globs, "patterns of its post files", default=None,
        default_text="[site] include",
    )  # fmt: skip
    exclude: tuple[str, ...] | None = setting(
        "exclude", checks.globs, "patterns of its files that are not posts", default=None,
        default_text="[site] exclude",
    )  # fmt: skip


@dataclass(frozen=True)
class Site:
    title: str = setting(
        "title", checks.display_text, 'the site\'s name, e.g. title = "My Blog"', required=True
    )
    base_url: str = setting(
        "base_url", checks.base_url,
        'where the site lives, e.g. base_url = "https://example.com/"', required=True,
    )  # fmt: skip
    since: str = setting(
        "since", checks.since,
        "the year the site began using its domain, e.g. since = 2019 "
        "(it goes into every post's permanent feed id)", required=True,
    )  # fmt: skip
    description: str = setting(
        "description", checks.display_text, "what the site is about", default="",
        default_text="the title",
    )  # fmt: skip
    author: Author = Author(name="")
    language: str = setting("language", checks.language, "language tag of the posts", default="en")
    timezone: str = setting(
        "timezone", checks.timezone, "IANA time zone of dates written without one", default="UTC"
    )
    content_dir: Path = setting(
        "content", checks.folder, "the posts folder", default=Path("content"), path=True
    )
    site_root: Path | None = setting(
        "root", checks.folder,
        "the blog's own folder (with _config.yml, hugo.toml, …) that templates read from",
        default=None, path=True, default_text="found above the content folder",
    )  # fmt: skip
    output_dir: Path = setting(
        "output", checks.folder, "where the feeds are written", default=Path("public"), path=True
    )
    items_per_feed: int = setting(
        "items_per_feed", checks.count, "newest posts per feed (0 = all)", default=20
    )
    tag_feeds: bool = setting("tag_feeds", checks.flag, "a feed set per tag as well", default=True)
    content: ContentOptions = ContentOptions()
    # For a language other than the default one: its folder in the output, e.g. "fr/"; its
    # feeds are written there and its ids carry it (see ``[languages.<tag>]``).
    language_folder: str = ""
    languages: tuple[Language, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def domain(self) -> str:
        return urlsplit(self.base_url).hostname or ""


@dataclass(frozen=True)
class Utm:
    source: str | None = setting(
        "source", checks.utm_value, "utm_source on links into the site", default=None
    )
    medium: str | None = setting("medium", checks.utm_value, "utm_medium", default=None)
    campaign: str | None = setting("campaign", checks.utm_value, "utm_campaign", default=None)


@dataclass(frozen=True)
class NewsletterSettings:
    """How a newsletter issue looks and who it is from; ``[newsletter]`` in the settings."""

    from_address: str | None = setting(
        "from_address", checks.email, "the sender's address", default=None,
        default_text="[site.author] email",
    )  # fmt: skip
    from_name: str = setting(
        "from_name", checks.text, "the sender's name", default="", default_text="[site.author] name"
    )
    subject: str = setting(
        "subject", checks.subject, "subject line: {site}, {title}, {date}, {count}",
        default="{site}: {title}",
    )  # fmt: skip
    preheader: str = setting(
        "preheader", checks.any_text, "the preview text mail clients show",
        default="", default_text="the site description",
    )  # fmt: skip
    footer: str = setting(
        "footer", checks.any_text, "the text at the bottom of every issue", default="",
        default_text='"You are receiving this because you subscribed to <title>."',
    )  # fmt: skip
    templates_dir: Path | None = setting(
        "templates", checks.folder, "folder of newsletter.html, .txt and .css", default=None,
        path=True, default_text="the built-in templates",
    )  # fmt: skip
    folder: str = setting(
        "folder", checks.subfolder, "issues' folder inside the output folder", default="newsletter"
    )
    latest: int = setting("latest", checks.count_positive, "posts in a 'latest' issue", default=5)
    utm: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server: ``[smtp]`` in the settings, each key overridable by FEEDS_SMTP_*.
    The password is only ever read from the environment (FEEDS_SMTP_PASSWORD)."""

    host: str = setting("host", checks.text, "the SMTP server", default="localhost")
    port: int = setting("port", checks.port, "its port", default=587)
    security: str = setting(
        "security", checks.security, "starttls, ssl or none", default="starttls"
    )
    user: str | None = setting("user", checks.any_text, "login name, if it needs one", default=None)
    password: str | None = field(default=None, repr=False)
    timeout: float = setting(
        "timeout", checks.timeout, "seconds to wait for the server (up to 600)", default=30.0
    )
    rate: float = setting(
        "rate", checks.rate, "messages per second at most (0 = no limit)", default=0.0
    )
    retries: int = setting(
        "retries", checks.retries, "tries after the first, per message (up to 10)", default=3
    )
    retry_delay: float = setting(
        "retry_delay", checks.seconds, "seconds before the first retry (doubling; up to 600)",
        default=2.0,
    )  # fmt: skip
    allow_plaintext_auth: bool = setting(
        "allow_plaintext_auth", checks.flag,
        "send the login over a connection without TLS (security = \"none\")", default=False,
    )  # fmt: skip


@dataclass(frozen=True)
class DeliverySettings:
    """Who gets the newsletter and where the job keeps its journal: ``[delivery]``."""

    subscribers: Path | None = setting(
        "subscribers", checks.folder, "subscriber CSV (email, name, token)", default=None, path=True
    )
    list_address: str | None = setting(
        "list_address", checks.email, "one address to send to instead of a CSV", default=None
    )
    unsubscribe_mailto: str | None = setting(
        "unsubscribe_mailto", checks.email, "List-Unsubscribe mailto address", default=None
    )
    unsubscribe_url: str | None = setting(
        "unsubscribe_url", checks.unsubscribe_url, "one-click unsubscribe URL: {token}, {email}",
        default=None,
    )  # fmt: skip
    state: Path = setting(
        "state", checks.folder, "the send journal (SQLite)",
        default=Path(".feeds-state/journal.sqlite3"), path=True,
    )  # fmt: skip
    full: bool = setting("full", checks.flag, "send whole posts, not summaries", default=False)
    max_attempts: int = setting(
        "max_attempts", checks.limit,
        "a subscriber whose server refuses for now this many times fails for good", default=12,
    )  # fmt: skip
    max_days: float = setting(
        "max_days", checks.days,
        "a subscriber still refused this many days after the first refusal fails for good",
        default=3.0,
    )  # fmt: skip
    max_unconfirmed: int = setting(
        "max_unconfirmed", checks.limit,
        "copies sent without the server's confirmation (line lost) before one counts as sent",
        default=2,
    )  # fmt: skip
    signup_url: str | None = setting(
        "signup_url", checks.base_url,
        "public URL of the double opt-in sign-up form (feeds serve-subscriptions)", default=None,
        default_text="no sign-up form",
    )  # fmt: skip
    soft_bounce_limit: int = setting(
        "soft_bounce_limit", checks.count_positive,
        "soft bounces in a row before an address is suppressed", default=3,
    )  # fmt: skip
    # Signs unsubscribe and sign-up links; only ever read from FEEDS_UNSUBSCRIBE_SECRET.
    secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Config:
    site: Site
    newsletter: NewsletterSettings
    source: Path
    smtp: SmtpSettings = SmtpSettings()
    delivery: DeliverySettings = DeliverySettings()


# Every table of the settings file and the dataclasses its keys are declared on.
SECTIONS: dict[str, tuple[type, ...]] = {
    "site": (Site, ContentOptions),
    "site.author": (Author,),
    "fields": (),
    "authors.<id>": (Person,),
    "newsletter": (NewsletterSettings,),
    "newsletter.utm": (Utm,),
    "smtp": (SmtpSettings,),
    "delivery": (DeliverySettings,),
    "languages.<tag>": (Language,),
}
KNOWN_SECTIONS = ("site", "fields", "authors", "newsletter", "smtp", "delivery", "languages")


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
    except RecursionError:
        raise ConfigError(path, [("file", "nests tables or arrays too deeply")]) from None
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
    base = source.parent
    values = read_table(table, "site", problems, base, nested={"author"})
    author = read_author(table.get("author"), problems)
    letter = read_table(data.get("newsletter", {}), "newsletter", problems, base, nested={"utm"})
    utm = read_utm(data.get("newsletter", {}), problems)
    names = read_fields(data.get("fields", {}), problems)
    people = read_authors(data.get("authors", {}), problems)
    smtp = read_smtp(data.get("smtp", {}), env or {}, problems)
    languages = read_languages(data.get("languages", {}), values, problems, base)
    delivery = read_delivery(data.get("delivery", {}), base, env or {}, problems)
    check_markdown(values, problems)
    if problems:
        raise ConfigError(source, problems)
    site = build(
        Site, values, author=author,
        content=build(
            ContentOptions, values, fields=names, authors=people,
            name_languages=name_languages(values, languages),
        ),
        languages=languages,
    )  # fmt: skip
    site = site_defaults(site)
    newsletter = newsletter_defaults(build(NewsletterSettings, letter, utm=utm), site, letter)
    config = Config(
        site=site,
        newsletter=newsletter,
        source=source,
        smtp=build(SmtpSettings, smtp, password=smtp.get("password")),
        delivery=build(DeliverySettings, delivery, secret=delivery.get("secret")),
    )
    check_folders(config)
    return config


def check_folders(config: Config, journal: Path | None = None) -> None:
    """The folders must not overlap: the output folder is deployed as it is, so it must not be
    the content folder, the settings' own folder, or hold the send journal (subscribers'
    addresses). Called again after command-line options change a folder."""
    problems = folder_problems(config.site, config.source.parent, journal or config.delivery.state)
    if problems:
        raise ConfigError(config.source, problems)


def folder_problems(site: Site, home: Path, journal: Path) -> Problems:
    output, content = site.output_dir.resolve(), site.content_dir.resolve()
    problems: Problems = []
    if output == home.resolve() or output in home.resolve().parents:
        problems.append(
            ("site.output", "must not be the settings file's own folder ('.') or above it; "
             "use 'public'")
        )  # fmt: skip
    elif output == content or output in content.parents:
        # Inside the content folder is fine (Jekyll's content is the site's root, '.').
        problems.append(("site.output", "must not be or hold the content folder; use 'public'"))
    if problems:
        return problems
    if output in journal.resolve().parents:
        problems.append(
            (
                "delivery.state",
                "lies inside the output folder, which is deployed; "
                "keep the journal outside it (default '.feeds-state/journal.sqlite3')",
            )
        )
    return problems


def check_markdown(values: Mapping[str, Any], problems: Problems) -> None:
    """Each of ``markdown_extensions`` must be an extension of the chosen ``markdown`` engine."""
    names = values.get("markdown_extensions")
    if names is None:
        return
    if values.get("markdown", "python-markdown") == "commonmark":
        known = checks.COMMONMARK_EXTENSIONS
        wrong = [name for name in names if name not in known]
        fix = f"commonmark has: {', '.join(known)}"
    else:
        wrong = [name for name in names if not python_markdown_extension(name)]
        fix = "use a name from Python-Markdown's list, like 'toc', or an installed module's path"
    for name in wrong:
        problems.append(("site.markdown_extensions", f"{name!r} is not an extension ({fix})"))


def python_markdown_extension(name: str) -> bool:
    """A name Python-Markdown can load: a registered extension (``toc``, or a package's entry
    point), or the dotted path of an installed module. Looked up without importing Markdown;
    imported here, as only a settings file that names extensions needs it."""
    from importlib.metadata import entry_points
    from importlib.util import find_spec

    if name in {entry.name for entry in entry_points(group="markdown.extensions")}:
        return True
    module = name.split(":", 1)[0]
    return "." in module and find_spec(module.split(".", 1)[0]) is not None


def build(cls: type[Any], values: Mapping[str, Any], **extra: Any) -> Any:
    """An instance of ``cls`` from the checked ``values`` of its declared settings."""
    chosen = {item.name: values[item.name] for item, _ in declared(cls) if item.name in values}
    return cls(**chosen, **extra)


def site_defaults(site: Site) -> Site:
    return replace(
        site,
        base_url=site.base_url.rstrip("/") + "/",
        since=str(site.since),
        description=site.description or site.title,
    )


def newsletter_defaults(
    settings: NewsletterSettings, site: Site, given: Mapping[str, Any]
) -> NewsletterSettings:
    return replace(
        settings,
        from_address=given.get("from_address", site.author.email),
        from_name=given.get("from_name", site.author.name),
        preheader=given.get("preheader", site.description),
        footer=given.get(
            "footer", f"You are receiving this because you subscribed to {site.title}."
        ),
    )


def read_table(
    table: Any,
    section: str,
    problems: Problems,
    base: Path | None = None,
    nested: frozenset[str] | set[str] = frozenset(),
    where: str | None = None,
) -> dict[str, Any]:
    """The checked values of ``table`` by attribute name; every unknown, bad or missing key is
    added to ``problems`` (named after ``where``, by default the section). Lists become tuples,
    folders are made relative to ``base``."""
    label = where or section
    if not isinstance(table, dict):
        problems.append((label, f"must be a table: [{label}]"))
        return {}
    keys = {item_setting.key: (item, item_setting) for cls in SECTIONS[section]
            for item, item_setting in declared(cls)}  # fmt: skip
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in nested:
            continue
        if key not in keys:
            expected = ", ".join(sorted(keys))
            problems.append((f"{label}.{key}", f"unknown key (expected one of: {expected})"))
            continue
        item, declared_setting = keys[key]
        message = declared_setting.check(value)
        if message:
            problems.append((f"{label}.{key}", f"{shown(value)} {message}"))
            continue
        if isinstance(value, list):
            value = tuple(value)
        if declared_setting.path and base is not None:
            value = base / value
        values[item.name] = value
    for key, (item, declared_setting) in keys.items():
        if declared_setting.required and key not in table:
            problems.append((f"{label}.{key}", "missing; " + declared_setting.help))
        elif base is not None and item.name not in values and isinstance(item.default, Path):
            values[item.name] = base / item.default
    return values


def read_languages(
    value: Any, site: Mapping[str, Any], problems: Problems, base: Path
) -> tuple[Language, ...]:
    """``[languages.<tag>]`` tables, one per language besides the site's own."""
    if not isinstance(value, dict):
        problems.append(("languages", 'must be tables like [languages.fr] title = "…"'))
        return ()
    found = []
    for tag, table in value.items():
        label = f"languages.{tag}"
        message = checks.language(tag)
        if message or tag == site.get("language", "en"):
            problems.append(
                (label, f"{tag!r} {message}" if message else "is the site's own language")
            )
            continue
        given = read_table(table, "languages.<tag>", problems, base, where=label)
        chosen = {
            item.name: given[item.name] for item, _ in declared(Language) if item.name in given
        }
        found.append(Language(tag=tag, **chosen))
    return tuple(found)


def name_languages(site: Mapping[str, Any], languages: tuple[Language, ...]) -> tuple[str, ...]:
    """The tags a post file's name may end with (``x.fr.md``) on a multilingual site: each
    language's, and the primary subtag of each (Hugo's ``en`` beside ``languageCode = "en-GB"``)."""
    if not languages:
        return ()
    tags = [str(site.get("language", "en")), *(language.tag for language in languages)]
    found = dict.fromkeys(
        name.lower() for tag in tags for name in (tag, tag.partition("-")[0]) if name
    )
    return tuple(found)


def language_sites(site: Site) -> list[Site]:
    """The site itself (its default language, at the output root), then one site per other
    language: its own language, title, posts folder and permalink pattern, under ``<tag>/``."""
    others = [
        replace(
            site,
            language=language.tag,
            title=language.title or site.title,
            description=language.description or site.description,
            content_dir=language.content_dir or site.content_dir / language.tag,
            content=replace(
                site.content,
                permalink=language.permalink or f"/{language.tag}{site.content.permalink}",
                include=site.content.include if language.include is None else language.include,
                exclude=site.content.exclude if language.exclude is None else language.exclude,
            ),
            language_folder=f"{language.tag}/",
            languages=(),
        )
        for language in site.languages
    ]
    return [site, *others]


def read_author(value: Any, problems: Problems) -> Author:
    if value is None:
        problems.append(("site.author", 'missing; add [site.author] with name = "Your Name"'))
        return Author(name="")
    if not isinstance(value, dict):
        problems.append(("site.author", 'must be a table: [site.author] name = "…", email = "…"'))
        return Author(name="")
    values = read_table(value, "site.author", problems)
    return Author(name=values.get("name", ""), email=values.get("email"))


def read_authors(value: Any, problems: Problems) -> tuple[tuple[str, Person], ...]:
    """``[authors.<id>]`` tables: the people frontmatter may name by id."""
    if not isinstance(value, dict):
        problems.append(("authors", 'must be tables: [authors.jane] name = "Jane Doe"'))
        return ()
    people = []
    for key, table in value.items():
        if not isinstance(table, dict):
            problems.append(
                (f"authors.{key}", f'must be a table: [authors.{key}] name = "…", email = "…"')
            )
            continue
        values = read_table(table, "authors.<id>", problems, where=f"authors.{key}")
        if "name" in values:
            people.append((key, build(Person, values)))
    return tuple(people)


def read_utm(letter: Any, problems: Problems) -> tuple[tuple[str, str], ...]:
    utm = letter.get("utm", {}) if isinstance(letter, dict) else {}
    if not isinstance(utm, dict):
        problems.append(
            ("newsletter.utm", 'must be a table: [newsletter.utm] source = "newsletter"')
        )
        return ()
    values = read_table(utm, "newsletter.utm", problems)
    return tuple((f"utm_{key}", values[key]) for key in utm if key in values)


def read_fields(value: Any, problems: Problems) -> tuple[tuple[str, tuple[str, ...]], ...]:
    names = dict(DEFAULT_FIELDS)
    if not isinstance(value, dict):
        problems.append(("fields", 'must be a table: [fields] date = ["date", "pubDate"]'))
        return tuple(names.items())
    for key, given in value.items():
        if key not in DEFAULT_FIELDS:
            expected = ", ".join(DEFAULT_FIELDS)
            problems.append((f"fields.{key}", f"unknown field (expected one of: {expected})"))
        elif isinstance(given, str) and given.strip():
            names[key] = (given,)
        elif isinstance(given, list) and given and all(isinstance(n, str) and n for n in given):
            names[key] = tuple(given)
        else:
            problems.append(
                (f"fields.{key}", f"{shown(given)} must be a frontmatter name or a list of them")
            )
    return tuple(names.items())


def read_smtp(value: Any, env: Mapping[str, str], problems: Problems) -> dict[str, Any]:
    """[smtp] from the file, then FEEDS_SMTP_* from the environment on top."""
    if isinstance(value, dict) and "password" in value:
        problems.append(
            ("smtp.password", f"must not be in a file; set {ENV_PREFIX}PASSWORD instead")
        )
        value = {key: item for key, item in value.items() if key != "password"}
    values = read_table(value, "smtp", problems)
    for item, declared_setting in declared(SmtpSettings):
        variable = f"{ENV_PREFIX}{declared_setting.key.upper()}"
        if variable not in env:
            continue
        parsed = from_environment(env[variable], item.default)
        message = declared_setting.check(parsed)
        if message:
            # The value is not echoed: environment variables often hold secrets.
            problems.append((variable, message))
        else:
            values[item.name] = parsed
    if env.get(f"{ENV_PREFIX}PASSWORD"):
        values["password"] = env[f"{ENV_PREFIX}PASSWORD"]
    if values.get("user") == "":
        values["user"] = None
    return values


def read_delivery(
    value: Any, base: Path, env: Mapping[str, str], problems: Problems
) -> dict[str, Any]:
    """[delivery] from the file; the link-signing secret only from the environment."""
    if isinstance(value, dict) and "secret" in value:
        problems.append(
            ("delivery.secret", f"must not be in a file; set {SECRET_VARIABLE} instead")
        )
        value = {key: item for key, item in value.items() if key != "secret"}
    values = read_table(value, "delivery", problems, base)
    secret = env.get(SECRET_VARIABLE)
    if secret:
        if len(secret) < 32:
            # The value is not echoed: it is a secret.
            problems.append(
                (SECRET_VARIABLE, "must be at least 32 characters (make one with: python3 -c "
                 "'import secrets; print(secrets.token_urlsafe(32))')")
            )  # fmt: skip
        else:
            values["secret"] = secret
    return values


def from_environment(raw: str, default: Any) -> Any:
    """An environment variable's text as the kind of value its setting's default is. Only
    ASCII digits make a number (``int()`` would also read '²' or Arabic-Indic digits); anything
    else stays text, which the setting's check then refuses."""
    text = raw.strip()
    if isinstance(default, bool):
        return {"true": True, "false": False}.get(text.lower(), raw)
    if isinstance(default, int):
        return int(text) if re.fullmatch(r"[0-9]+", text) else raw
    if isinstance(default, float):
        return float(text) if re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", text) else raw
    return raw


def unknown_smtp_variables(env: Mapping[str, str]) -> list[str]:
    """FEEDS_SMTP_* names in ``env`` that no setting reads: most likely a typo."""
    known = {f"{ENV_PREFIX}{s.key.upper()}" for _, s in declared(SmtpSettings)}
    known.add(f"{ENV_PREFIX}PASSWORD")
    return sorted(name for name in env if name.startswith(ENV_PREFIX) and name not in known)
