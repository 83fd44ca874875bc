"""README's generated parts: the table of every setting, made from the declarations in
``feeds.config``. ``make golden`` writes it into README; tests/test_docs.py checks it."""

from __future__ import annotations

from dataclasses import Field
from pathlib import Path
from typing import Any

from feeds.config import SECTIONS, Setting, declared

START = "<!-- settings table: made by `make golden` from feeds/config.py -->\n"
END = "<!-- end of settings table -->\n"


def settings_table() -> str:
    rows = ["| setting | default | what it is |", "| --- | --- | --- |"]
    for section, classes in SECTIONS.items():
        for cls in classes:
            for item, setting in declared(cls):
                rows.append(
                    f"| `[{section}] {setting.key}` | {default_text(item, setting)} "
                    f"| {setting.help} |"
                )
    return "\n".join(rows) + "\n"


def default_text(item: Field[Any], setting: Setting) -> str:
    if setting.required:
        return "required"
    if setting.default_text:
        return setting.default_text
    value = item.default
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, tuple):
        return "`[" + ", ".join(f'"{part}"' for part in value) + "]`"
    if isinstance(value, str | Path):
        return f'`"{value}"`'
    return f"`{value}`"


def readme_block(readme: str) -> str:
    """The settings table as README holds it now."""
    start = readme.index(START) + len(START)
    return readme[start : readme.index(END, start)]


def with_table(readme: str) -> str:
    """README with its settings table made anew."""
    start = readme.index(START) + len(START)
    end = readme.index(END, start)
    return readme[:start] + settings_table() + readme[end:]
