"""A deterministic synthetic blog for the benchmark: realistic Markdown of about 10 KB a post
(headings, lists, code, links, images, tables), about 40 tags, some top posts, mixed date shapes."""

from __future__ import annotations

import random
import textwrap
from datetime import date, timedelta
from pathlib import Path

TAGS = [f"Topic {name}" for name in (
    "Python", "Rust", "Go", "Feeds", "Email", "DevRel", "CSS", "HTML", "Testing", "Ops",
    "Databases", "SQLite", "Postgres", "Caching", "Search", "Security", "Privacy", "Design",
    "Writing", "Talks", "Community", "Docs", "APIs", "CLI", "Packaging", "Performance",
    "Linux", "Networking", "Cloud", "Kubernetes", "Observability", "Accessibility", "i18n",
    "Mobile", "Web", "Git", "Review", "Hiring", "Career", "Release Notes",
)]  # fmt: skip
WORDS = [
    "feed",
    "reader",
    "post",
    "build",
    "cache",
    "render",
    "output",
    "markdown",
    "email",
    "subscriber",
    "newsletter",
    "tag",
    "date",
    "atom",
    "rss",
    "json",
    "valid",
    "stable",
    "fast",
    "deterministic",
    "journal",
    "server",
    "client",
    "template",
    "header",
    "link",
    "image",
    "table",
    "code",
    "list",
    "paragraph",
    "section",
    "release",
    "version",
    "change",
    "fix",
    "feature",
    "test",
    "bench",
]

ENGINES = ("python-markdown", "commonmark")
SETTINGS = """\
[site]
title = "Benchmark Blog"
base_url = "https://bench.example.com/"
since = 2005
timezone = "Europe/Berlin"
items_per_feed = 20
markdown = "{engine}"
output = "public-{engine}"

[site.author]
name = "Bench Mark"
email = "bench@example.com"
"""


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    return textwrap.fill(" ".join(sentence(rng, rng.randint(8, 18)) for _ in range(5)), 90)


def body(rng: random.Random, index: int) -> str:
    parts = [paragraph(rng)]
    for section in range(7):
        parts.append(f"## Section {section + 1}: {sentence(rng, 3)[:-1]}")
        parts.append(paragraph(rng))
        parts.append(
            "\n".join(
                f"- {sentence(rng, 6)} [link](/blog/post-{rng.randrange(index + 1)}/)"
                for _ in range(4)
            )
        )
        parts.append(
            f"```python\ndef step_{section}(value):\n    return value * {section + 2}\n```"
        )
        parts.append(f"![Figure {section}](/img/{index}/figure-{section}.png)")
        parts.append("| a | b | c |\n|---|---|---|\n| 1 | 2 | 3 |\n| 4 | 5 | 6 |")
        parts.append(paragraph(rng))
    return "\n\n".join(parts) + "\n"


def date_of(index: int, count: int) -> str:
    # Spread over twenty years, whatever the count, so no post is in the future.
    moment = date(2005, 1, 1) + timedelta(days=index * 7300 // count)
    year, month, day = moment.year, moment.month, moment.day
    shape = index % 10
    if shape == 0:
        return f'"{year}-{month:02d}-{day:02d}T08:30:00+02:00"'
    if shape == 1:
        return f'"{year}-{month:02d}-{day:02d}T06:15:00Z"'
    return f'"{year}-{month:02d}-{day:02d}"'


def write_corpus(folder: Path, count: int, seed: int = 2026) -> None:
    rng = random.Random(seed)
    # Bodies are drawn from a pool, so a 100,000-post corpus takes seconds, not minutes.
    pool = [body(rng, index) for index in range(min(count, 400))]
    posts = folder / "content" / "posts"
    posts.mkdir(parents=True, exist_ok=True)
    for engine in ENGINES:
        (folder / f"{engine}.toml").write_text(SETTINGS.format(engine=engine), encoding="utf-8")
    for index in range(count):
        tags = rng.sample(TAGS, rng.randint(1, 4))
        top = "true" if index % 17 == 0 else "false"
        text = (
            "---\n"
            f'title: "Post {index}: {sentence(rng, 5)[:-1]}"\n'
            f'description: "{sentence(rng, 14)}"\n'
            f"date: {date_of(index, count)}\n"
            f"topPost: {top}\n"
            f'image: "/img/{index}/cover.png"\n'
            f"tags: [{', '.join(repr(tag) for tag in tags)}]\n"
            "---\n\n" + pool[index % len(pool)] + f"\nPost number {index}.\n"
        )
        (posts / f"post-{index:06d}.md").write_text(text, encoding="utf-8")


def edit_one(folder: Path, index: int = 0) -> None:
    """Change one post's text, as an author editing a typo would."""
    path = folder / "content" / "posts" / f"post-{index:06d}.md"
    path.write_text(
        path.read_text(encoding="utf-8") + "\nOne more line, edited.\n", encoding="utf-8"
    )
