"""Installed like any Python tool: the wheel built from this repository, installed into a fresh
virtual environment outside it, gives a working `feeds` with its built-in templates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from .conftest import ROOT

POST = "---\ntitle: Installed\ndate: 2024-05-01\ntags: [setup]\n---\nIt *works* outside the repo.\n"
SETTINGS = """\
[site]
title = "Outside"
base_url = "https://outside.example/"
since = 2024
content = "posts"

[site.author]
name = "Olive Outside"
email = "olive@outside.example"
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh virtual environment with the built wheel installed."""
    work = tmp_path_factory.mktemp("install")
    wheels = work / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        cwd=work,
    )
    (wheel,) = wheels.glob("feeds-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)
    subprocess.run(
        [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", str(wheel)],
        check=True,
        cwd=work,
    )  # fmt: skip
    return env_dir / "bin"


def run(bin_dir: Path, blog: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Run from the blog, with nothing of this repository on the path.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run(
        [str(bin_dir / "feeds"), *args], cwd=blog, env=env, capture_output=True, text=True
    )


def test_the_wheel_carries_the_templates_and_no_tests(installed: Path) -> None:
    site_packages = next((installed.parent / "lib").glob("python3*/site-packages"))
    package = site_packages / "feeds"
    shipped = sorted(p.name for p in (package / "newsletter" / "default_templates").iterdir())
    assert shipped == ["newsletter.css", "newsletter.html", "newsletter.txt"]
    assert not (site_packages / "tests").exists()


def test_build_and_newsletter_outside_the_repository(installed: Path, tmp_path: Path) -> None:
    blog = tmp_path / "blog"
    (blog / "posts").mkdir(parents=True)
    (blog / "posts" / "installed.md").write_text(POST, encoding="utf-8")
    (blog / "feeds.toml").write_text(SETTINGS, encoding="utf-8")
    built = run(installed, blog, "build")
    assert built.returncode == 0, built.stderr
    assert (blog / "public" / "rss.xml").read_text(encoding="utf-8").count("<item>") == 1
    letter = run(installed, blog, "newsletter")
    assert letter.returncode == 0, letter.stderr
    (html,) = (blog / "public" / "newsletter").glob("*.html")
    assert "Installed" in html.read_text(encoding="utf-8")
    module = subprocess.run(
        [str(installed / "python"), "-m", "feeds", "--version"], capture_output=True, text=True
    )
    assert module.stdout.startswith("feeds ")


def test_init_build_and_newsletter_on_an_existing_blog(installed: Path, tmp_path: Path) -> None:
    """An Eleventy blog as a new user has it: `feeds init`, then `feeds build` and
    `feeds newsletter` with the settings it wrote, untouched."""
    blog = tmp_path / "eleventy"
    shutil.copytree(ROOT / "tests" / "fixtures" / "init" / "eleventy", blog)
    init = run(installed, blog, "init")
    assert init.returncode == 0, init.stderr
    assert "https://eleven.example/blog/first-post/" in init.stdout
    built = run(installed, blog, "build")
    assert built.returncode == 0, built.stderr
    assert "https://eleven.example/blog/first-post/" in (blog / "_site" / "rss.xml").read_text(
        encoding="utf-8"
    )
    letter = run(installed, blog, "newsletter")
    assert letter.returncode == 0, letter.stderr
    assert list((blog / "_site" / "newsletter").glob("*.eml"))
