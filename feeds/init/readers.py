"""Reading a generator's own files: TOML, YAML and JSON with real parsers, ``pelicanconf.py``
with Python's ``ast`` (only literal assignments, nothing is run), and JavaScript config files
with careful regexes.

JavaScript cannot be parsed here: ``js_string`` finds only a key written as a plain string
literal (``site: "https://example.com"``); anything computed (``site: process.env.URL``) is not
found and becomes a TODO rather than a wrong guess.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from pathlib import Path
from typing import Any

from feeds.content.source import parse_yaml_as_text
from feeds.errors import ConfigError


def unreadable(path: Path, problem: str) -> ConfigError:
    """A generator's file that exists but cannot be read or parsed: bad input, exit 2."""
    return ConfigError(path, [("file", problem)])


def read_data(path: Path) -> dict[str, Any]:
    """A TOML, YAML or JSON file as a mapping, chosen by its suffix."""
    text = read_text(path)
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix in (".yaml", ".yml"):
            data = parse_yaml_as_text(text)
        else:
            data = json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise unreadable(path, f"cannot be parsed: {error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise unreadable(path, "is not a mapping of settings")
    return data


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise unreadable(path, f"cannot be read: {error}") from None


def lower_keys(data: dict[str, Any]) -> dict[str, Any]:
    """Hugo's keys are case-insensitive (baseURL, baseurl)."""
    return {str(key).lower(): value for key, value in data.items()}


# A key followed by a string literal, in an object literal or an assignment:
# `site: "…"`, `"url": '…'`, `export const SITE_TITLE = `…``. Template literals with ${…} are
# computed and are skipped.
JS_STRING = r"""(?:^|[\s{,(])["']?{key}["']?\s*[:=]\s*(["'`])((?:(?!\1)[^\\\n$]|\\.)*)\1"""


def js_string(text: str, *keys: str) -> str | None:
    """The first of ``keys`` assigned a plain string literal in JavaScript source."""
    code = strip_js_comments(text)
    for key in keys:
        found = re.search(JS_STRING.replace("{key}", re.escape(key)), code, re.MULTILINE)
        if found:
            return found.group(2).replace("\\'", "'").replace('\\"', '"')
    return None


def js_flag(text: str, key: str) -> bool | None:
    found = re.search(rf"\b{re.escape(key)}\s*:\s*(true|false)\b", strip_js_comments(text))
    return None if found is None else found.group(1) == "true"


def strip_js_comments(text: str) -> str:
    # Line comments only where they cannot be part of a URL ("https://…").
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    return re.sub(r"(^|[\s;,{}()])//[^\n]*", r"\1", text)


def python_assignments(path: Path) -> dict[str, Any]:
    """Module-level ``NAME = <literal>`` assignments of a Python settings file, read with
    ``ast``: the file is never executed, and computed values are left out."""
    try:
        tree = ast.parse(read_text(path), filename=str(path))
    except SyntaxError as error:
        raise unreadable(path, f"line {error.lineno}: is not valid Python") from None
    values: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            try:
                values[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    return values


def first_existing(root: Path, *names: str) -> Path | None:
    return next((root / name for name in names if (root / name).is_file()), None)
