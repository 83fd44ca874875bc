"""The newsletter's Jinja2 templates: loaded from a folder, rendered with one-line errors.
The only module that imports jinja2."""

from __future__ import annotations

import textwrap
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from feeds.errors import ConfigError

TEXT_WIDTH = 72
# Shipped inside the package, so an installed tool has them; `feeds init --templates` copies
# them next to the settings for editing.
BUILT_IN = Path(__file__).resolve().parent / "default_templates"


@dataclass(frozen=True)
class Templates:
    html: jinja2.Template
    text: jinja2.Template
    css: str


def load_templates(folder: Path | None = None) -> Templates:
    """The three templates from ``folder`` (the built-in ones when None); a missing or broken
    one is a one-line ConfigError.
    Templates are code someone else may have written: they run sandboxed (no attribute that
    starts with '_', no unsafe method) and see only what they are given — none of Jinja's
    default globals, nothing of the process (its environment holds the SMTP password)."""
    folder = BUILT_IN if folder is None else folder
    environment = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals.clear()
    environment.filters["wrap"] = wrap
    try:
        html = environment.get_template("newsletter.html")
        text = environment.get_template("newsletter.txt")
        css = (folder / "newsletter.css").read_text(encoding="utf-8")
    except jinja2.TemplateNotFound as missing:
        raise ConfigError(folder / str(missing.name), [("template", "not found")]) from None
    except jinja2.TemplateSyntaxError as error:
        where = error.filename or str(folder / str(error.name))
        raise ConfigError(
            where, [(f"line {error.lineno}", error.message or "syntax error")]
        ) from None
    except FileNotFoundError:
        raise ConfigError(folder / "newsletter.css", [("template", "not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(folder, [("templates", f"cannot be read: {error}")]) from None
    return Templates(html=html, text=text, css=css)


def render_template(template: jinja2.Template, context: dict[str, Any]) -> str:
    try:
        return template.render(context)
    except Exception as error:  # a template's own code can raise anything
        filename = template.filename or template.name or "template"
        message = " ".join(str(error).split()) or type(error).__name__
        if not isinstance(error, jinja2.TemplateError):
            message = f"{type(error).__name__}: {message}"
        raise ConfigError(filename, [(template_line(error, filename), message)]) from None


def template_line(error: Exception, filename: str) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename]
    return f"line {frames[-1].lineno}" if frames else "render"


def wrap(text: str, width: int = TEXT_WIDTH) -> str:
    return textwrap.fill(str(text), width=width, break_long_words=False, break_on_hyphens=False)
