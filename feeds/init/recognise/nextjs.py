"""Next.js: the pages router (Markdown pages) or an app router ``[slug]`` route over a content folder."""

from __future__ import annotations

from pathlib import Path

from feeds.init.model import GENERATORS, Choice, Recognised
from feeds.init.readers import (
    first_existing,
    js_flag,
    js_string,
    read_text,
)
from feeds.init.recognise.common import (
    NOT_CONTENT,
    author_of,
    dependencies,
    direct_folders,
    join_url,
    language_tag,
    nested_folders,
    package_json,
    post_files,
    relative,
    site_guesses,
    text,
    with_dir,
)


def next_js(root: Path) -> Recognised | None:
    package = package_json(root)
    if "next" not in dependencies(package):
        return None
    generator = GENERATORS["next"]
    suffixes = (".md", ".mdx")
    config_path = first_existing(root, "next.config.js", "next.config.mjs", "next.config.ts")
    code = read_text(config_path) if config_path else ""
    end = "/" if js_flag(code, "trailingSlash") else ""
    base_path = js_string(code, "basePath")
    notes: list[str] = []
    folder, prefix, source = next_pages(root, suffixes)
    if folder is None:
        folder, prefix, source = next_app(root, suffixes)
    permalink: list[Choice] | str
    if folder is None:
        folder = root
        permalink = "no Markdown under pages/, and no […slug] route: write the posts' URL"
    else:
        nested = nested_folders(folder, suffixes)
        permalink = with_dir(f"{prefix}/", end, f"{prefix}/{{slug}}{end}", source, nested)
    meta_path = first_existing(
        root, "data/siteMetadata.js", "data/siteMetadata.mjs", "data/siteMetadata.ts",
        "siteMetadata.js", "site.config.js", "site.config.ts", "config/site.ts", "lib/constants.ts",
    )  # fmt: skip
    meta = read_text(meta_path) if meta_path else ""
    msrc = relative(meta_path, root) if meta_path else "package.json"
    package_name, package_email = author_of(package.get("author"))
    url = js_string(meta, "siteUrl", "siteURL", "url") or text(package.get("homepage"))
    name, email = author_of(js_string(meta, "author"))
    guesses = site_guesses(
        generator,
        title=(js_string(meta, "title") or None, f"{msrc}: title"),
        base_url=(join_url(url, base_path), f"{msrc}: siteUrl" + (" + next.config basePath" if base_path else "")),
        description=(js_string(meta, "description") or text(package.get("description")), f"{msrc}: description"),
        language=(language_tag(js_string(meta, "language", "locale")), f"{msrc}: language"),
        author=(name or package_name, f"{msrc}: author"),
        email=(js_string(meta, "email") or email or package_email, f"{msrc}: email"),
        content=relative(folder, root),
        include=generator.include,
        permalink=permalink,
    )  # fmt: skip
    return Recognised(
        generator, "package.json (next)", tuple(guesses), tuple(notes), relative(folder, root),
        generator.include,
    )  # fmt: skip


def next_pages(root: Path, suffixes: tuple[str, ...]) -> tuple[Path | None, str, str]:
    """pages router: Markdown pages are routes; the URL is the file's path without suffix."""
    for pages in (root / "pages", root / "src" / "pages"):
        files = post_files(pages, suffixes, skip={"api"}) if pages.is_dir() else []
        folder = direct_folders(files)
        if folder is not None:
            route = relative(folder, pages)
            prefix = "" if route == "." else "/" + route
            return folder, prefix, f"Next.js pages router: {relative(folder, root)}/<file>"
    return None, "", ""


# A dynamic route serving a content folder: app/…/[slug]/page.tsx, or pages/…/[slug].tsx.
DYNAMIC_ROUTES = (
    ("app", "**/[[]*slug[]]/page.*"), ("src/app", "**/[[]*slug[]]/page.*"),
    ("pages", "**/[[]*slug[]].*"), ("src/pages", "**/[[]*slug[]].*"),
)  # fmt: skip


def next_app(root: Path, suffixes: tuple[str, ...]) -> tuple[Path | None, str, str]:
    """A dynamic route (``app/…/[slug]/page.*`` or ``pages/…/[slug].*``) serving the files
    of a content folder, named by their file name."""
    for folder_name, pattern in DYNAMIC_ROUTES:
        app = root / folder_name
        routes = sorted(app.glob(pattern)) if app.is_dir() else []
        if not routes:
            continue
        route_dir = (
            routes[0].parent if routes[0].stem.startswith("page") else routes[0].with_suffix("")
        )
        parts = route_dir.relative_to(app).parts[:-1]
        # Route groups, "(blog)", are not part of the URL.
        prefix = "".join(f"/{part}" for part in parts if not part.startswith("("))
        skip = NOT_CONTENT | {"src"}
        files = post_files(root, suffixes, skip=skip)
        folder = direct_folders(files)
        if folder is not None:
            route = relative(routes[0], root)
            return folder, prefix, f"Next.js route {route} serving {relative(folder, root)}"
    return None, "", ""
