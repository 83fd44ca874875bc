"""The flow runs one way: settings → content → feed / newsletter → delivery → pipeline → CLI.
A module that reaches back up the flow, or a library leaking out of the one module that owns
it, fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "feeds"

# Each part of the package and its layer: a module may import only from its own part or from
# a lower layer. feed/ and newsletter/ share a layer and must not import each other.
LAYERS: dict[str, float] = {
    "feeds.errors": 0,
    "feeds.checks": 1,
    "feeds.jsontext": 1,
    "feeds.config": 2,
    "feeds.config_reader": 2.5,
    "feeds.cache": 2,
    "feeds.output": 2,
    "feeds.workers": 2,
    "feeds.sitecheck": 2,
    "feeds.content": 3,
    "feeds.feed": 4,
    "feeds.newsletter": 4,
    "feeds.delivery": 5,
    "feeds.pipeline": 6,
    "feeds.init": 7,
    "feeds.arguments": 7.5,
    "feeds.cli": 8,
    "feeds.__main__": 9,
}
# Each library and the one module allowed to import it.
OWNERS = {
    "feedgen": "feeds.feed.xml",
    "premailer": "feeds.newsletter.inline",
    "jinja2": "feeds.newsletter.templates",
    "nh3": "feeds.content.sanitize",
    "liquid": "feeds.content.liquid",
    "markdown": "feeds.content.markdown_engine",
    "cmarkgfm": "feeds.content.markdown_engine",
    "sqlite3": "feeds.delivery.journal",
    "smtplib": "feeds.delivery.smtp",
    "frontmatter": "feeds.content.source",
    "yaml": "feeds.content.source",
    "argparse": "feeds.arguments",
    "ctypes": "feeds.workers",
    "waitress": "feeds.delivery.server",
    "orjson": "feeds.jsontext",
}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(module: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def part_of(name: str) -> str | None:
    """The entry of LAYERS that ``name`` belongs to, or None for ``feeds`` itself."""
    return next((part for part in LAYERS if name == part or name.startswith(part + ".")), None)


def reaches(imported: set[str], target: str) -> bool:
    return any(name == target or name.startswith(target + ".") for name in imported)


def test_every_module_has_a_layer() -> None:
    assert [name for name in modules() if name != "feeds" and part_of(name) is None] == []


def wrong_imports(name: str, imported: set[str]) -> list[str]:
    """What ``name`` imports from its own layer (other than its own part) or above."""
    own = part_of(name)
    assert own is not None
    wrong = []
    for item in sorted(imported):
        target = part_of(item)
        if target is not None and target != own and LAYERS[target] >= LAYERS[own]:
            wrong.append(item)
    return wrong


@pytest.mark.parametrize("name", sorted(set(modules()) - {"feeds"}))
def test_no_module_reaches_up_or_across_the_flow(name: str) -> None:
    assert wrong_imports(name, imports_of(modules()[name])) == []


def test_the_package_itself_holds_only_the_version() -> None:
    assert not any(item.startswith("feeds.") for item in imports_of(modules()["feeds"]))


@pytest.mark.parametrize("library", sorted(OWNERS))
def test_each_library_has_one_owner(library: str) -> None:
    users = [name for name, path in modules().items() if reaches(imports_of(path), library)]
    assert users == [OWNERS[library]]


def test_the_layer_check_catches_upward_and_sideways_imports() -> None:
    imported = {"feeds.feed.build", "feeds.feed.build.build_feeds", "feeds.config"}
    assert wrong_imports("feeds.content.render", imported) == [
        "feeds.feed.build",
        "feeds.feed.build.build_feeds",
    ]
    assert wrong_imports("feeds.newsletter.issue", {"feeds.feed.model"}) == ["feeds.feed.model"]
    assert wrong_imports("feeds.content.render", {"feeds.content.model"}) == []
