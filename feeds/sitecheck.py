"""``feeds check --site DIR``: is every feed link a page of the blog's built site?

A link is a page when the built site (Jekyll's ``_site/``, Hugo's ``public/``, Next.js's
``out/``, Astro's ``dist/``) has a file for it — ``path/index.html`` for a path ending in ``/``;
else the file itself, ``path.html`` or ``path/index.html`` — or when its ``sitemap.xml`` (or a
sitemap that a sitemap index there names) lists it. Links to other hosts are not checked.
Standard library only.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

SITEMAP = "sitemap.xml"


def missing_pages(links: Iterable[str], base_url: str, site_dir: Path) -> list[str]:
    """The links (in the order given) that are no page of the site built in ``site_dir``."""
    base = urlsplit(base_url)
    listed = sitemap_paths(site_dir, base_url)
    missing = []
    for link in links:
        parts = urlsplit(link)
        if parts.hostname != base.hostname:
            continue
        path = unquote(parts.path)
        if path in listed or path.rstrip("/") in listed or path + "/" in listed:
            continue
        if not has_file(site_dir, relative_to(path, base.path)):
            missing.append(link)
    return missing


def relative_to(path: str, base_path: str) -> str | None:
    """``path`` inside the site, or None when it is outside the base URL's path."""
    prefix = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    if not path.startswith(prefix) and path + "/" != prefix:
        return None
    return path[len(prefix) :]


def has_file(site_dir: Path, relative: str | None) -> bool:
    if relative is None or ".." in relative.split("/"):
        return False
    if relative == "" or relative.endswith("/"):
        candidates = [relative + "index.html"]
    else:
        candidates = [relative, relative + ".html", relative + "/index.html"]
    return any((site_dir / candidate).is_file() for candidate in candidates)


def sitemap_paths(site_dir: Path, base_url: str) -> set[str]:
    """Every page path the site's sitemap lists, following a sitemap index one level down
    (Hugo writes one for a multilingual site) to the sitemaps inside the built site."""
    base_path = urlsplit(base_url).path
    paths: set[str] = set()
    for kind, loc in read_sitemap(site_dir / SITEMAP):
        path = unquote(urlsplit(loc).path)
        if kind == "sitemap":
            inner = relative_to(path, base_path)
            if inner is not None and ".." not in inner.split("/"):
                paths.update(
                    unquote(urlsplit(item).path) for _, item in read_sitemap(site_dir / inner)
                )
        else:
            paths.add(path)
    return paths


def read_sitemap(path: Path) -> list[tuple[str, str]]:
    """(``url`` or ``sitemap``, location) for each entry; nothing for a missing or broken file."""
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError):
        return []
    entries = []
    for element in root:
        kind = element.tag.rsplit("}", 1)[-1]
        loc = next((child.text for child in element if child.tag.endswith("loc")), None)
        if loc:
            entries.append((kind, loc.strip()))
    return entries
