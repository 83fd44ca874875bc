"""Reading ``feeds.toml``: every section checked against the declarations in ``config``, every
problem reported at once, defaults worked out from other settings, ``[smtp]`` overridden from
``FEEDS_SMTP_*``, and the folders checked against each other."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from feeds import checks
from feeds.config import (
    DEFAULT_CONFIG,
    DEFAULT_FIELDS,
    ENV_PREFIX,
    KNOWN_SECTIONS,
    SECRET_VARIABLE,
    SECTIONS,
    Author,
    Config,
    ContentOptions,
    DeliverySettings,
    Language,
    NewsletterSettings,
    Person,
    Site,
    SmtpSettings,
    declared,
    name_languages,
)
from feeds.errors import ConfigError, shown


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


Problems = list[tuple[str, str]]
