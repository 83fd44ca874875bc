"""Settings: defaults, overrides, and every bad key reported at once with what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.config_reader import load_config, load_site
from feeds.errors import ConfigError

from .conftest import SITE_TOML


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_and_paths_relative_to_the_file(tmp_path: Path) -> None:
    site = load_site(write(tmp_path, SITE_TOML))
    assert site.title == "Test Blog"
    assert site.base_url == "https://example.com/"
    assert site.since == "2020"
    assert site.language == "en"
    assert site.content.permalink == "/blog/{slug}/"
    assert site.content.slug_style == "default"
    assert site.content_dir == tmp_path / "content"
    assert site.output_dir == tmp_path / "public"
    assert site.items_per_feed == 20
    assert site.tag_feeds is True
    assert site.domain == "example.com"


def test_base_url_gets_its_trailing_slash(tmp_path: Path) -> None:
    site = load_site(
        write(tmp_path, SITE_TOML.replace('"https://example.com/"', '"https://example.com/blog"'))
    )
    assert site.base_url == "https://example.com/blog/"


def test_every_bad_key_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[site]
titel = "typo"
base_url = "example.com"
since = "last year"
timezone = "Mars/Olympus"
items_per_feed = -1
tag_feeds = "yes"
permalink = "/blog/{year}/{dir}/"

[site.author]
email = "not-an-address"

[extras]
x = 1
""",
    )
    with pytest.raises(ConfigError) as raised:
        load_site(path)
    assert raised.value.lines() == [
        f"{path}: extras: unknown section (expected one of: site, fields, authors, newsletter, smtp, delivery, languages)",
        f"{path}: site.titel: unknown key (expected one of: base_url, content, description, "
        "exclude, include, items_per_feed, language, markdown, markdown_extensions, output, "
        "permalink, root, since, slug_style, tag_feeds, template_tags, timezone, title)",
        f"{path}: site.base_url: 'example.com' must be an absolute http(s) URL like 'https://example.com/'",
        f"{path}: site.since: 'last year' must be a year (2019) or a date ('2019-04-01') on which the site owned its domain",
        f"{path}: site.timezone: 'Mars/Olympus' is not a known time zone (use an IANA name like 'Europe/Berlin' or 'UTC')",
        f"{path}: site.items_per_feed: -1 must be a whole number, 0 or more (0 = all posts)",
        f"{path}: site.tag_feeds: 'yes' must be true or false",
        f"{path}: site.permalink: '/blog/{{year}}/{{dir}}/' must contain {{slug}}, {{slug_or_title}} or a "
        "frontmatter field such as {category}, and may use {year}, {month}, {day}, {dir}",
        f'{path}: site.title: missing; the site\'s name, e.g. title = "My Blog"',
        f"{path}: site.author.email: 'not-an-address' must be an email address like 'jane@example.com'",
        f'{path}: site.author.name: missing; e.g. name = "Jane Doe"',
    ]


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_site(tmp_path / "nope.toml")
    assert raised.value.lines() == [
        f"{tmp_path / 'nope.toml'}: file: not found (pass --config FILE)"
    ]
    path = write(tmp_path, "[site\n")
    with pytest.raises(ConfigError) as raised:
        load_site(path)
    assert raised.value.lines()[0].startswith(f"{path}: file: is not valid TOML: ")


def test_the_newsletter_folder_cannot_leave_the_output_folder(tmp_path: Path) -> None:
    path = write(tmp_path, SITE_TOML + '\n[newsletter]\nfolder = "../../etc"\n')
    with pytest.raises(ConfigError) as raised:
        load_site(path)
    assert raised.value.lines() == [
        f"{path}: newsletter.folder: '../../etc' must stay inside the output folder: "
        "no '/' at the start, no '..'"
    ]


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            '[smtp]\nport = 70000\nsecurity = "tls"\nretries = -1\nrate = "fast"\nserver = "x"\n',
            [
                "smtp.port: 70000 must be a port number (25, 465, 587, …)",
                "smtp.security: 'tls' must be one of: starttls, ssl, none",
                "smtp.retries: -1 must be a whole number from 0 to 10",
                "smtp.rate: 'fast' must be messages per second: 0 (no limit), or from 0.001 to 10000",
                "smtp.server: unknown key (expected one of: allow_plaintext_auth, host, port, rate, retries, "
                "retry_delay, security, timeout, user)",
            ],
        ),
        (
            '[smtp]\npassword = "hunter2"\n',
            ["smtp.password: must not be in a file; set FEEDS_SMTP_PASSWORD instead"],
        ),
        (
            '[delivery]\nlist_address = "nobody"\nunsubscribe_url = "https://x.example/u?{who}"\n'
            "full = 1\n",
            [
                "delivery.list_address: 'nobody' must be an email address like 'jane@example.com'",
                "delivery.unsubscribe_url: 'https://x.example/u?{who}' may only use {email}, "
                "{token}",
                "delivery.full: 1 must be true or false",
            ],
        ),
        (
            '[newsletter]\nsubject = "{site} {author}"\nlatest = 0\n[newsletter.utm]\nsource = "a b"\n',
            [
                "newsletter.subject: '{site} {author}' may only use {site}, {title}, {date}, {count}",
                "newsletter.latest: 0 must be a whole number, 1 or more",
                "newsletter.utm.source: 'a b' must be letters, digits, '.', '+', '-' or '_'",
            ],
        ),
        (
            '[fields]\ndate = 3\nwriter = "by"\n',
            [
                "fields.date: 3 must be a frontmatter name or a list of them",
                "fields.writer: unknown field (expected one of: title, date, updated, "
                "description, top, tags, image, draft, slug, id, authors)",
            ],
        ),
    ],
)
def test_each_section_reports_its_bad_keys(
    tmp_path: Path, section: str, expected: list[str]
) -> None:
    path = write(tmp_path, SITE_TOML + "\n" + section)
    with pytest.raises(ConfigError) as raised:
        load_site(path)
    assert raised.value.lines() == [f"{path}: {line}" for line in expected]


def test_smtp_settings_come_from_the_environment_too(tmp_path: Path) -> None:
    path = write(tmp_path, SITE_TOML + '\n[smtp]\nhost = "file.example"\nport = 25\n')
    env = {"FEEDS_SMTP_PORT": "2525", "FEEDS_SMTP_TIMEOUT": "5", "FEEDS_SMTP_PASSWORD": "pw"}
    smtp = load_config(path, env).smtp
    assert (smtp.host, smtp.port, smtp.timeout, smtp.password) == ("file.example", 2525, 5.0, "pw")
    with pytest.raises(ConfigError) as raised:
        load_config(path, {"FEEDS_SMTP_PORT": "many"})
    assert raised.value.lines() == [
        f"{path}: FEEDS_SMTP_PORT: must be a port number (25, 465, 587, …)"
    ]


def test_defaults_worked_out_from_other_settings(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, SITE_TOML.replace('description = "A blog for tests."\n', ""))
    )
    assert config.site.description == "Test Blog"
    assert config.newsletter.from_address == "tess@example.com"
    assert config.newsletter.from_name == "Tess Ter"
    assert config.newsletter.preheader == "Test Blog"
    assert config.newsletter.templates_dir is None  # the built-in templates
    assert config.delivery.state == tmp_path / ".feeds-state/journal.sqlite3"
    assert config.delivery.subscribers is None


def test_languages_each_a_site_of_their_own(tmp_path: Path) -> None:
    from feeds.config import language_sites

    path = write(
        tmp_path,
        SITE_TOML
        + '\n[languages.fr]\ntitle = "Le blog"\n\n[languages.de]\npermalink = "/de/b/{slug}/"\n'
        'content = "inhalt"\n',
    )
    site, french, german = language_sites(load_site(path))
    assert (site.language, site.language_folder, site.content.permalink) == (
        "en",
        "",
        "/blog/{slug}/",
    )
    assert (french.language, french.title, french.description) == (
        "fr",
        "Le blog",
        "A blog for tests.",
    )
    assert (french.content_dir, french.content.permalink) == (
        tmp_path / "content/fr",
        "/fr/blog/{slug}/",
    )
    assert french.language_folder == "fr/" and french.output_dir == site.output_dir
    assert (german.title, german.content_dir, german.content.permalink) == (
        "Test Blog", tmp_path / "inhalt", "/de/b/{slug}/",
    )  # fmt: skip


def test_a_language_picks_its_files_out_of_a_shared_folder(tmp_path: Path) -> None:
    """Hugo's x.fr.md beside x.md: the language's own include/exclude, else the site's; its
    name's ".fr" (or the site's ".en") is not part of the slug."""
    from feeds.config import language_sites

    path = write(
        tmp_path,
        SITE_TOML.replace("[site]\n", '[site]\nexclude = ["**/*.fr.md"]\n', 1)
        + '\n[languages.fr]\ncontent = "content"\ninclude = ["**/*.fr.md"]\nexclude = []\n'
        "\n[languages.de]\n",
    )
    site, french, german = language_sites(load_site(path))
    assert (site.content.include, site.content.exclude) == (
        ("**/*.md", "**/*.markdown", "**/*.mdx"), ("**/*.fr.md",),
    )  # fmt: skip
    assert (french.content.include, french.content.exclude) == (("**/*.fr.md",), ())
    assert (german.content.include, german.content.exclude) == (
        site.content.include, site.content.exclude,
    )  # fmt: skip
    assert french.content.name_languages == ("en", "fr", "de")
    (tmp_path / "one").mkdir()
    assert load_site(write(tmp_path / "one", SITE_TOML)).content.name_languages == ()


def test_bad_languages_are_reported_with_the_rest(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        SITE_TOML + '\n[languages.en]\ntitle = "x"\n\n[languages.xx_1]\n\n[languages.fr]\n'
        'permalink = "fr/{slug}"\ncolour = 1\n',
    )
    with pytest.raises(ConfigError) as raised:
        load_site(path)
    assert raised.value.lines() == [
        f"{path}: languages.en: is the site's own language",
        f"{path}: languages.xx_1: 'xx_1' must be a language tag like 'en' or 'pt-BR'",
        f"{path}: languages.fr.permalink: 'fr/{{slug}}' must be a path pattern starting with "
        "'/', like '/blog/{slug}/'",
        f"{path}: languages.fr.colour: unknown key (expected one of: content, description, "
        "exclude, include, permalink, title)",
    ]


def test_slug_style_must_be_known(tmp_path: Path) -> None:
    path = write(tmp_path, SITE_TOML.replace("[site]\n", '[site]\nslug_style = "gatsby"\n'))
    with pytest.raises(ConfigError) as raised:
        load_site(path)
    assert raised.value.lines() == [
        f"{path}: site.slug_style: 'gatsby' must be one of: default, keep, raw, hugo, jekyll, astro"
    ]


def with_site_keys(text: str) -> str:
    return SITE_TOML.replace("[site.author]", text + "\n[site.author]")


def test_markdown_engine_and_extensions(tmp_path: Path) -> None:
    assert load_site(write(tmp_path, SITE_TOML)).content.markdown == "python-markdown"
    site = load_site(
        write(tmp_path, with_site_keys('markdown = "commonmark"\nmarkdown_extensions = ["table"]'))
    )
    assert (site.content.markdown, site.content.markdown_extensions) == ("commonmark", ("table",))
    site = load_site(write(tmp_path, with_site_keys('markdown_extensions = ["extra", "toc"]')))
    assert site.content.markdown_extensions == ("extra", "toc")


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        (
            'markdown = "goldmark"',
            "site.markdown: 'goldmark' must be one of: python-markdown, commonmark",
        ),
        (
            'markdown_extensions = "extra"',
            "site.markdown_extensions: 'extra' must be a list of extension names like "
            '["extra", "toc"]',
        ),
        (
            'markdown_extensions = ["extra", "no_such_thing"]',
            "site.markdown_extensions: 'no_such_thing' is not an extension (use a name from "
            "Python-Markdown's list, like 'toc', or an installed module's path)",
        ),
        (
            'markdown = "commonmark"\nmarkdown_extensions = ["table", "extra"]',
            "site.markdown_extensions: 'extra' is not an extension (commonmark has: table, "
            "strikethrough, autolink, tasklist, footnotes)",
        ),
    ],
)
def test_bad_markdown_settings(tmp_path: Path, keys: str, problem: str) -> None:
    path = write(tmp_path, with_site_keys(keys))
    with pytest.raises(ConfigError) as raised:
        load_site(path)
    assert raised.value.lines() == [f"{path}: {problem}"]
