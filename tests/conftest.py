"""Shared fixtures: a fixed clock, a site, and a throw-away blog to write posts into."""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feeds.config import Author, Site

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

SITE_TOML = """\
[site]
title = "Test Blog"
base_url = "https://example.com/"
since = 2020
description = "A blog for tests."
timezone = "Europe/Berlin"

[site.author]
name = "Tess Ter"
email = "tess@example.com"
"""


def make_site(root: Path, **changes: object) -> Site:
    values: dict[str, object] = {
        "title": "Test Blog",
        "base_url": "https://example.com/",
        "since": "2020",
        "description": "A blog for tests.",
        "author": Author(name="Tess Ter", email="tess@example.com"),
        "timezone": "Europe/Berlin",
        "content_dir": root / "content",
        "output_dir": root / "public",
    }
    values.update(changes)
    return Site(**values)  # type: ignore[arg-type]


@dataclass
class Blog:
    """A temporary blog folder with feeds.toml, content/ and public/."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def public(self) -> Path:
        return self.root / "public"

    @property
    def config(self) -> Path:
        return self.root / "feeds.toml"

    def post(self, name: str, text: str) -> Path:
        path = self.content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def raw(self, name: str, data: bytes) -> Path:
        path = self.content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def args(self, command: str = "build", *extra: str) -> list[str]:
        return [command, "--config", str(self.config), *extra]


@pytest.fixture
def blog(tmp_path: Path) -> Blog:
    made = Blog(tmp_path)
    made.config.write_text(SITE_TOML, encoding="utf-8")
    made.content.mkdir()
    shutil.copytree(ROOT / "templates", made.root / "templates")
    return made


@pytest.fixture
def sample_blog(tmp_path: Path) -> Blog:
    """A copy of the project's own content/ and feeds.toml."""
    made = Blog(tmp_path)
    shutil.copytree(ROOT / "content", made.content)
    shutil.copy(ROOT / "feeds.toml", made.config)
    shutil.copytree(ROOT / "templates", made.root / "templates")
    return made
