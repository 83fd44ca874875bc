"""The newsletter HTML against real consumers: caniemail's mail-client support data, and Chromium.

Both tools are installed by the project's own files (`make test` runs `npm ci` for caniemail,
`.ci/run` installs Debian's chromium). On a machine without them the tests are skipped with the
reason; under CI (CI=true) a missing tool fails instead, so CI can never pass by skipping.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

from .golden import NEWSLETTERS, sample_newsletter_files

HERE = Path(__file__).resolve().parent
CHECKER = HERE / "email_clients"
ARTIFACTS = HERE.parent / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    # Every host name fails to resolve, so the page's remote images cost no network traffic.
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


def missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must run this test; see .ci/run)")
    pytest.skip(reason)


@pytest.fixture(scope="module", params=sorted(NEWSLETTERS))
def newsletter(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("newsletter") / f"{request.param}.html"
    path.write_bytes(sample_newsletter_files(request.param)["html"])
    return path


# caniemail


def unsupported_features(page: Path) -> dict[str, set[str]]:
    node = shutil.which("node")
    if node is None or not (CHECKER / "node_modules" / "caniemail").is_dir():
        missing("caniemail is not installed (needs node and npm; `make test` installs it)")
    result = subprocess.run(
        [str(node), str(CHECKER / "check.mjs"), str(page)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    found: dict[str, set[str]] = defaultdict(set)
    for issue in json.loads(result.stdout):
        found[issue["feature"]].add(issue["client"])
    return found


def allowed_features() -> dict[str, str]:
    return tomllib.loads((CHECKER / "allowed.toml").read_text(encoding="utf-8"))


def test_every_allowed_feature_has_a_reason() -> None:
    for feature, reason in allowed_features().items():
        assert isinstance(reason, str) and len(reason) > 20, feature


def test_nothing_unsupported_except_what_is_allowed_on_purpose(newsletter: Path) -> None:
    found = unsupported_features(newsletter)
    allowed = allowed_features()
    surprises = {
        feature: sorted(clients) for feature, clients in found.items() if feature not in allowed
    }
    assert surprises == {}, (
        "unsupported in these clients; fix the template or allow it with a reason"
    )
    # The check can fail: the data does flag what the template uses on purpose.
    assert "@media" in found


def test_the_allow_file_lists_nothing_stale(tmp_path: Path) -> None:
    seen: set[str] = set()
    for kind in NEWSLETTERS:
        page = tmp_path / f"{kind}.html"
        page.write_bytes(sample_newsletter_files(kind)["html"])
        seen |= set(unsupported_features(page))
    assert sorted(set(allowed_features()) - seen) == []


def test_the_checker_catches_an_unsupported_feature(tmp_path: Path) -> None:
    page = tmp_path / "flex.html"
    page.write_text('<html><body><div style="display:flex">x</div></body></html>', encoding="utf-8")
    assert "display:flex" in unsupported_features(page)


# Chromium


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    missing("chromium is not installed (Debian: apt-get install chromium; .ci/run does it)")
    raise AssertionError("unreachable")


def framed(page: Path, width: int, height: int) -> str:
    """A page showing ``page`` in an iframe ``width`` pixels wide (headless windows cannot be
    narrower than 500 px), which reports the document's scroll width in its title."""
    source = html.escape(page.read_text(encoding="utf-8"), quote=True)
    return (
        "<!DOCTYPE html><html><head><title>pending</title></head>"
        '<body style="margin:0">'
        f'<iframe id="mail" style="border:0;display:block;width:{width}px;height:{height}px" '
        f'srcdoc="{source}"></iframe>'
        "<script>window.addEventListener('load', function () {"
        "var d = document.getElementById('mail').contentDocument;"
        "document.title = 'width:' + d.documentElement.scrollWidth + ':' + d.documentElement.clientWidth;"
        "});</script></body></html>"
    )


@pytest.mark.parametrize("width", [600, 375])
def test_no_horizontal_overflow_in_a_real_browser(
    newsletter: Path, tmp_path: Path, width: int
) -> None:
    browser = chromium()
    probe = tmp_path / f"probe-{width}.html"
    probe.write_text(framed(newsletter, width, 2400), encoding="utf-8")
    dom = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--window-size={max(width, 500)},800", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    measured = re.search(r"<title>width:(\d+):(\d+)</title>", dom)
    assert measured, "the page did not report its width"
    scroll_width, client_width = map(int, measured.groups())
    assert client_width == width
    assert scroll_width <= client_width, f"content is {scroll_width}px wide in a {width}px window"

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"newsletter-{newsletter.stem}-{width}.png"
    subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--window-size={width},2400", f"--screenshot={shot}", probe.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_overflow_check_can_fail(tmp_path: Path) -> None:
    browser = chromium()
    wide = tmp_path / "wide.html"
    wide.write_text(
        '<html><body><table width="900"><tr><td>x</td></tr></table></body></html>', encoding="utf-8"
    )
    probe = tmp_path / "probe.html"
    probe.write_text(framed(wide, 375, 400), encoding="utf-8")
    dom = subprocess.run(
        [browser, *CHROMIUM_FLAGS, "--window-size=500,800", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    measured = re.search(r"<title>width:(\d+):(\d+)</title>", dom)
    assert measured and int(measured.group(1)) > int(measured.group(2))
