"""`make bench`: build synthetic blogs of several sizes, time cold, no-change and one-edit builds
(medians of several runs), measure peak memory, build the same corpus with Hugo when it is on the
PATH, and write BENCHMARKS.md. Not part of `make test`: it takes minutes and measures, not checks.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .corpus import edit_one, write_corpus

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".bench"
FEEDS = [sys.executable, "-m", "feeds", "build"]
HUGO_CONFIG = """\
baseURL = "https://bench.example.com/"
title = "Benchmark Blog"
disableKinds = ["sitemap", "robotsTXT", "404", "taxonomy"]
ignoreErrors = ["error-disable-taxonomy"]
[outputs]
home = ["RSS"]
page = []
section = []
term = ["RSS"]
[services.rss]
limit = 20
[taxonomies]
tag = "tags"
"""
# Full content in every item, as our feeds carry it: Hugo's built-in template has only summaries.
HUGO_RSS = """\
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{{ .Site.Title }}</title><link>{{ .Permalink }}</link>
<description>{{ .Site.Title }}</description>
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = .Site.RegularPages }}{{ end }}
{{ range first 20 $pages }}<item><title>{{ .Title }}</title><link>{{ .Permalink }}</link>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
<guid>{{ .Permalink }}</guid><description>{{ .Params.description }}</description>
<content:encoded>{{ .Content | html }}</content:encoded></item>{{ end }}</channel></rss>
"""


@dataclass
class Timing:
    seconds: list[float]
    peak_kb: int

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def measure(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time of one run, and the peak RSS of the largest process it started (a helper
    process reports its children's ru_maxrss, so runs never mix)."""
    probe = (
        "import resource, subprocess, sys, time; start = time.perf_counter(); "
        f"subprocess.run({command!r}, check=True, stdout=subprocess.DEVNULL); "
        "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True, env=env, check=True
    )
    seconds, peak = done.stdout.split()
    return float(seconds), int(peak)


def clear(folder: Path, *names: str) -> None:
    for name in names:
        shutil.rmtree(folder / name, ignore_errors=True)


def cold_builds(folder: Path, runs: int) -> Timing:
    seconds, peak = [], 0
    for _ in range(runs):
        clear(folder, "public", ".feeds-cache")
        took, used = measure(FEEDS, folder)
        seconds.append(took)
        peak = max(peak, used)
    return Timing(seconds, peak)


def bench_feeds(folder: Path, runs: int) -> dict[str, Timing]:
    cold = cold_builds(folder, runs)
    unchanged = [measure(FEEDS, folder)[0] for _ in range(runs)]
    edited, edit_peak = [], 0
    for run in range(runs):
        edit_one(folder, run)
        seconds, peak = measure(FEEDS, folder)
        edited.append(seconds)
        edit_peak = max(edit_peak, peak)
    return {
        "cold": cold,
        "no change": Timing(unchanged, 0),
        "one edit": Timing(edited, edit_peak),
    }


def bench_hugo(folder: Path, runs: int) -> dict[str, Timing] | None:
    hugo = shutil.which("hugo")
    if hugo is None:
        return None
    site = folder / "hugo-site"
    clear(folder, "hugo-site")
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (site / "layouts" / "_default" / "rss.xml").write_text(HUGO_RSS, encoding="utf-8")
    (site / "content").symlink_to(folder / "content")
    command = [hugo, "--quiet"]
    cold, peak = [], 0
    for _ in range(runs):
        clear(site, "public", "resources")
        seconds, used = measure(command, site)
        cold.append(seconds)
        peak = max(peak, used)
    warm = [measure(command, site)[0] for _ in range(runs)]
    return {"cold": Timing(cold, peak), "warm": Timing(warm, 0)}


def corpus(size: int) -> Path:
    """A fresh corpus every time, so earlier one-edit runs never change the starting point."""
    folder = WORK / f"corpus-{size}"
    clear(WORK, f"corpus-{size}")
    write_corpus(folder, size)
    return folder


def machine() -> list[str]:
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor() or "unknown",
        )
        if Path("/proc/cpuinfo").exists()
        else platform.processor()
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("feedgen", "markdown", "PyYAML", "lxml")
    )
    hugo = shutil.which("hugo")
    hugo_version = (
        subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()[1]
        if hugo
        else "not installed"
    )
    return [
        f"- Machine: {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB memory, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; {versions}; Hugo {hugo_version}",
        f"- Date: {time.strftime('%Y-%m-%d')}",
    ]


def report(
    results: dict[int, tuple[dict[str, Timing], dict[str, Timing] | None]], runs: int, command: str
) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (tests/bench/run.py); do not edit by hand.",
        "",
        f"Command: `{command}`. Each figure is the median of {runs} runs (the 100,000-post cold",
        "build: of the runs given for that size). Peak memory is the largest resident set of any one",
        "process of the build (the main process or one of its worker processes).",
        "",
        *machine(),
        "",
        "| posts | case | feeds (median) | runs | peak memory | Hugo 0.111 (median) | ratio |",
        "|---:|---|---:|---|---:|---:|---:|",
    ]
    for size, (ours, hugo) in sorted(results.items()):
        for case, timing in ours.items():
            theirs = None
            if hugo is not None:
                theirs = (
                    hugo["cold"]
                    if case == "cold"
                    else hugo["warm"]
                    if case == "no change"
                    else None
                )
            ratio = f"{timing.median / theirs.median:.2f}" if theirs else ""
            peak = f"{timing.peak_kb / 1024:.0f} MB" if timing.peak_kb else ""
            runs_text = ", ".join(f"{s:.2f}" for s in timing.seconds)
            hugo_text = f"{theirs.median:.2f} s" if theirs else ""
            lines.append(
                f"| {size:,} | {case} | {timing.median:.2f} s | {runs_text} | {peak} | {hugo_text} | {ratio} |"
            )
        if hugo is not None:
            lines.append(
                f"| {size:,} | Hugo cold peak memory | | | {hugo['cold'].peak_kb / 1024:.0f} MB | | |"
            )
    lines += ["", "## Targets", "", *targets(results), "", NOTES]
    return "\n".join(lines) + "\n"


NOTES = """\
## Where the time goes

- A cold build reads every file's frontmatter (PyYAML's C parser; Python builds the objects)
  and renders Markdown only for the posts that reach a feed — about 350 of 10,000 here (the
  site feed and 40 tag feeds of 20 items). Both run in worker processes, one per core.
- Python-Markdown needs 7 to 10 ms for a 10 KB post on this machine, so those 350 posts cost
  about 3 s of CPU, 1.5 to 2 s on two cores, before anything else; it is the same at 1,000
  posts, where as many posts reach a feed. That is the floor of a cold build with the
  client's Markdown library (Hugo's Go renderer does all 10,000 posts in less), so the cold
  build misses both of its targets; every other target is met. Rendering fewer posts would
  mean feeds without full content, which the feeds must carry.
- A rebuild stats every file, compares it with the cache (`.feeds-cache/`), and stops there
  when nothing changed, without importing feedgen, lxml, Markdown, Jinja2 or PyYAML.
- After one edit, only that file is parsed again, only that post is rendered again, and only
  the feeds that carry it are serialised and written again; the rest come from the cache.
"""


def targets(results: dict[int, tuple[dict[str, Timing], dict[str, Timing] | None]]) -> list[str]:
    def line(ok: bool, text: str) -> str:
        return f"- {'met' if ok else 'NOT met'}: {text}"

    found = []
    if 10000 in results:
        ours, hugo = results[10000]
        cold = ours["cold"].median
        if hugo is not None:
            limit = 0.6 * hugo["cold"].median
            found.append(
                line(
                    cold <= limit,
                    f"10,000 posts cold in {cold:.2f} s; target 0.6 x Hugo's {hugo['cold'].median:.2f} s = {limit:.2f} s",
                )
            )
        found.append(line(cold <= 2.0, f"10,000 posts cold in {cold:.2f} s; target about 2 s"))
        found.append(
            line(
                ours["no change"].median <= 0.3,
                f"no-change rebuild in {ours['no change'].median:.2f} s; target 0.3 s",
            )
        )
        found.append(
            line(
                ours["one edit"].median <= 1.0,
                f"one-edit rebuild in {ours['one edit'].median:.2f} s; target 1 s",
            )
        )
        peak = max(ours["cold"].peak_kb, ours["one edit"].peak_kb) / 1024
        found.append(line(peak <= 250, f"peak memory at 10,000 posts {peak:.0f} MB; target 250 MB"))
    large = [size for size in results if size >= 100000]
    for size in large:
        cold_timing = results[size][0]["cold"]
        found.append(
            line(
                cold_timing.median <= 25,
                f"{size:,} posts cold in {cold_timing.median:.1f} s; target 25 s",
            )
        )
        found.append(
            line(
                cold_timing.peak_kb / 1024 <= 600,
                f"peak memory at {size:,} posts {cold_timing.peak_kb / 1024:.0f} MB; target 600 MB",
            )
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated post counts")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--large", type=int, default=0, help="also a cold build of this many posts")
    parser.add_argument("--write", type=Path, help="write the report here (else print it)")
    args = parser.parse_args()
    results = {}
    for size in (int(n) for n in args.sizes.split(",")):
        folder = corpus(size)
        print(f"benchmarking {size} posts …", file=sys.stderr)
        results[size] = (bench_feeds(folder, args.runs), bench_hugo(folder, args.runs))
    if args.large:
        folder = corpus(args.large)
        print(f"benchmarking a cold build of {args.large} posts …", file=sys.stderr)
        results[args.large] = ({"cold": cold_builds(folder, max(1, args.runs // 2))}, None)
    command = "make bench  # " + " ".join(sys.argv[1:])
    text = report(results, args.runs, command)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
