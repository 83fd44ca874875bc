"""What `feeds init` learns about a blog: one ``Guess`` per setting, each with where it came
from, and the one table of what each generator does (``GENERATORS``)."""

from __future__ import annotations

from dataclasses import dataclass

# A TOML value as init writes it: text, a whole number, a flag or a list of text.
Value = str | int | bool | tuple[str, ...]


@dataclass(frozen=True)
class Choice:
    value: Value
    source: str


@dataclass(frozen=True)
class Guess:
    """One setting. ``choices`` in order of preference: the first one this version of feeds
    declares and accepts is written, the ones before it become comments (they need a newer
    feeds). No choice at all is a TODO, and ``todo`` says what to fill in."""

    section: str
    key: str
    choices: tuple[Choice, ...] = ()
    todo: str = ""

    @classmethod
    def of(cls, section: str, key: str, value: Value | None, source: str, todo: str = "") -> Guess:
        """``value`` from ``source``; when there is none, a TODO saying ``todo``."""
        if value is None or value == "" or value == ():
            return cls(section, key, todo=todo or f"not found ({source})")
        return cls(section, key, (Choice(value, source),))


@dataclass(frozen=True)
class Generator:
    """How one generator makes a blog: the row of ``GENERATORS`` a recogniser starts from."""

    name: str
    # [site] markdown: the engine closest to the generator's own.
    markdown: str
    markdown_source: str
    # [site] slug_style: how its URLs turn a file name into the last segment.
    slug_style: str
    slug_source: str
    # Where its build puts the site: checked for the feed links when present.
    built: tuple[str, ...]
    # [site] output: where the feeds go so they are served at the site's root.
    output: str
    output_source: str
    include: tuple[str, ...] = ("**/*.md", "**/*.markdown")


# One row per generator; the lead extends it when new settings land (see docs/ARCHITECTURE.md).
GENERATORS: dict[str, Generator] = {
    "jekyll": Generator(
        "Jekyll", "commonmark", "Jekyll's kramdown reads GFM by default, closest to CommonMark",
        "jekyll", "Jekyll's :title keeps the file name's case and punctuation",
        ("_site",), "_site", "Jekyll's build folder; run feeds build after jekyll build",
    ),
    "hugo": Generator(
        "Hugo", "commonmark", "Hugo's goldmark is CommonMark",
        "hugo", "Hugo keeps the date prefix and lower-cases the file name",
        ("public",), "public", "Hugo's build folder; run feeds build after hugo",
    ),
    "eleventy": Generator(
        "Eleventy", "commonmark", "Eleventy's markdown-it is CommonMark",
        "keep", "Eleventy keeps the file name as it is (date, case, spaces)",
        ("_site",), "_site", "Eleventy's build folder; run feeds build after eleventy",
    ),
    "next": Generator(
        "Next.js", "commonmark", "Next.js renders Markdown and MDX with remark (CommonMark)",
        "keep", "Next.js routes keep the file name as it is",
        ("out",), "public", "Next.js serves public/ at the site's root",
        ("**/*.md", "**/*.mdx"),
    ),
    "astro": Generator(
        "Astro", "commonmark", "Astro renders Markdown with remark (CommonMark)",
        "default", "Astro lower-cases ids with github-slugger (it drops dots, where feeds makes '-')",
        ("dist",), "public", "Astro serves public/ at the site's root",
        ("**/*.md", "**/*.mdx"),
    ),
    "pelican": Generator(
        "Pelican", "python-markdown", "Pelican renders Markdown with Python-Markdown",
        "default", "Pelican slugifies (from the title unless SLUGIFY_SOURCE says 'basename')",
        ("output",), "output", "Pelican's build folder; run feeds build after pelican",
    ),
    "markdown": Generator(
        "plain Markdown", "python-markdown", "feeds' default",
        "default", "feeds' default", ("_site", "public", "out", "dist"), "public", "feeds' default",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Recognised:
    """A blog as its generator's files describe it."""

    generator: Generator
    # The file that gave the generator away, e.g. "_config.yml".
    evidence: str
    guesses: tuple[Guess, ...]
    # Things the settings cannot say (yet), for the report.
    notes: tuple[str, ...] = ()
    # Read by later steps: the content folder relative to the blog, include / exclude.
    content: str = "."
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    timezone: str = "UTC"
