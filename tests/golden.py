"""Regenerate the golden files from the sample content, and README's settings table from the
declarations: `make golden`, then review the diff."""

from __future__ import annotations

import shutil
from pathlib import Path

from feeds.config_reader import load_config, load_site
from feeds.content.loader import load_site_posts
from feeds.feed.build import build_feeds
from feeds.newsletter.build import build_newsletter
from feeds.newsletter.selection import Selection
from feeds.output import write_outputs

from .conftest import NOW, ROOT
from .docs_tables import with_table

GOLDEN = Path(__file__).resolve().parent / "golden"
NEWSLETTERS = {"latest": (Selection(), False), "top-full": (Selection(top=0), True)}


def sample_feed_files() -> dict[str, bytes]:
    site = load_site(ROOT / "feeds.toml")
    return build_feeds(site, load_site_posts(site), NOW).files


def sample_newsletter_files(kind: str) -> dict[str, bytes]:
    """The files of one sample issue, named by their extension: html, txt, eml."""
    config = load_config(ROOT / "feeds.toml")
    loaded = load_site_posts(config.site)
    selection, full = NEWSLETTERS[kind]
    result = build_newsletter(config, loaded, NOW, selection, full=full)
    assert result is not None
    return {name.rsplit(".", 1)[1]: data for name, data in result.files.items()}


def main() -> None:
    shutil.rmtree(GOLDEN, ignore_errors=True)
    report = write_outputs(GOLDEN / "feeds", sample_feed_files())
    print(f"wrote {len(report.written)} golden feed files to {GOLDEN / 'feeds'}")
    for kind in NEWSLETTERS:
        files = sample_newsletter_files(kind)
        write_outputs(GOLDEN / "newsletter", {f"{kind}.{ext}": data for ext, data in files.items()})
    print(f"wrote the golden newsletters ({', '.join(NEWSLETTERS)}) to {GOLDEN / 'newsletter'}")
    readme = ROOT / "README.md"
    readme.write_text(with_table(readme.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote the settings table into {readme}")


if __name__ == "__main__":
    main()
