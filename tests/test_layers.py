"""The flow runs one way: settings and posts → render → feeds → build → CLI. A module that
reaches back up the flow, or a library leaking out of the one module that owns it, fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "feeds"

# For each module: what it must never import (project modules and third-party libraries).
FORBIDDEN = {
    "errors": {"feeds", "feedgen", "jinja2", "premailer", "markdown"},
    "config": {
        "feeds.posts",
        "feeds.render",
        "feeds.feed",
        "feeds.build",
        "feeds.output",
        "feeds.cli",
    },
    "posts": {
        "feeds.render",
        "feeds.feed",
        "feeds.build",
        "feeds.cli",
        "feedgen",
        "jinja2",
        "premailer",
        "markdown",
    },
    "render": {"feeds.feed", "feeds.build", "feeds.cli", "feedgen", "jinja2", "premailer"},
    "feed": {"feeds.build", "feeds.cli", "jinja2", "premailer", "markdown"},
    "build": {"feeds.cli", "feedgen", "jinja2", "premailer"},
    "output": {"feeds.posts", "feeds.render", "feeds.feed", "feeds.build", "feeds.cli"},
    "newsletter": {
        "feeds.feed",
        "feeds.build",
        "feeds.message",
        "feeds.send",
        "feeds.cli",
        "feedgen",
    },
    "message": {"feeds.send", "feeds.smtp", "feeds.journal", "feeds.cli", "premailer", "jinja2"},
    "newsletter_build": {"feeds.send", "feeds.smtp", "feeds.journal", "feeds.cli"},
    "subscribers": {"feeds.send", "feeds.smtp", "feeds.journal", "feeds.cli"},
    "journal": {"feeds.send", "feeds.smtp", "feeds.cli", "feeds.posts", "feeds.newsletter"},
    "smtp": {"feeds.send", "feeds.journal", "feeds.cli", "feeds.posts", "feeds.newsletter"},
    "send": {"feeds.cli", "feedgen"},
    "source": {"feeds.posts", "feeds.render", "feeds.feed", "feeds.build", "feeds.cli", "markdown"},
    "sanitize": {"feeds.posts", "feeds.render", "feeds.feed", "feeds.build", "feeds.cli"},
    "templatetags": {"feeds.posts", "feeds.render", "feeds.feed", "feeds.build", "feeds.cli"},
}
OWNERS = {
    "feedgen": "feed",
    "premailer": "newsletter",
    "nh3": "sanitize",
    "jinja2": "newsletter",
    "markdown": "render",
    "sqlite3": "journal",
    "frontmatter": "source",
    "yaml": "source",
    "smtplib": "smtp",
}


def imports_of(module: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def reaches(imported: set[str], target: str) -> bool:
    return any(name == target or name.startswith(target + ".") for name in imported)


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_no_module_reaches_back_up_the_flow(module: str) -> None:
    imported = imports_of(PACKAGE / f"{module}.py")
    if module == "errors":
        assert not any(reaches(imported, target) for target in FORBIDDEN[module])
        return
    assert sorted(t for t in FORBIDDEN[module] if reaches(imported, t)) == []


def test_each_library_has_one_owner() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        imported = imports_of(path)
        for library, owner in OWNERS.items():
            if reaches(imported, library):
                assert path.stem == owner, f"{path.name} imports {library}; only {owner}.py may"


def test_nothing_imports_the_cli() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        if path.stem != "cli":
            assert not reaches(imports_of(path), "feeds.cli"), path.name
