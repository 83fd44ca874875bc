"""Settings: read once from TOML into frozen dataclasses, every bad key reported at once.

Each setting is declared once, as a dataclass field with ``setting(...)``: its key in the file,
its default, its check and its help. Reading, the unknown-key messages, the environment
overrides of ``[smtp]`` and README's settings table (``tests/docs_tables.py``) all come from
those declarations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, Field, dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from feeds import checks

DEFAULT_CONFIG = Path("feeds.toml")
ENV_PREFIX = "FEEDS_SMTP_"
SECRET_VARIABLE = "FEEDS_UNSUBSCRIBE_SECRET"


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
