"""Regenerate the golden files from the sample content: `make golden`, then review the diff."""

from __future__ import annotations

import shutil
from pathlib import Path

from feeds.build import build_feeds
from feeds.config import load_site
from feeds.output import write_outputs
from feeds.posts import load_posts

from .conftest import NOW, ROOT

GOLDEN = Path(__file__).resolve().parent / "golden"


def sample_feed_files() -> dict[str, bytes]:
    site = load_site(ROOT / "feeds.toml")
    return build_feeds(site, load_posts(site.content_dir, site.tz), NOW).files


def main() -> None:
    target = GOLDEN / "feeds"
    shutil.rmtree(target, ignore_errors=True)
    report = write_outputs(target, sample_feed_files())
    print(f"wrote {len(report.written)} golden feed files to {target}")


if __name__ == "__main__":
    main()
