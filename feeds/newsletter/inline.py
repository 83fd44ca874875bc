"""CSS inlined into the newsletter's HTML for mail clients. The only module that imports
premailer."""

from __future__ import annotations

import logging

from premailer import Premailer

from feeds.errors import ConfigError


def inline_css(html: str, css: str) -> tuple[str, list[str]]:
    """Every CSS rule inlined into the elements it styles; only ``@media`` rules stay, in one
    ``<style>`` in the head, with their ``!important`` kept so they can beat the inlined styles.
    Returns the HTML and the CSS problems worth telling a person about."""
    if 'rel="stylesheet"' in html or "rel='stylesheet'" in html:
        raise ConfigError("newsletter.html", [("link", "external stylesheets are not allowed; "
                                                "put the CSS in newsletter.css")])  # fmt: skip
    problems: list[str] = []
    handler = _CollectErrors(problems)
    inliner = Premailer(
        html=html,
        css_text=[css],
        keep_style_tags=False,
        strip_important=False,
        # premailer turns CSS width/height into attributes, e.g. height="auto" on images,
        # which mail clients take for zero; the templates set those attributes themselves.
        disable_basic_attributes=["width", "height"],
        disable_link_rewrites=True,
        allow_network=False,
        allow_loading_external_files=False,
        disable_validation=True,
        cssutils_logging_handler=handler,
        cssutils_logging_level=logging.ERROR,
        remove_classes=False,
        method="html",
    )
    return str(inliner.transform(pretty_print=False)), problems


class _CollectErrors(logging.Handler):
    """cssutils logs a warning for every vendor property (about twenty a call); only its
    errors, which mean a rule was dropped, are worth showing."""

    def __init__(self, sink: list[str]) -> None:
        super().__init__(level=logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())
