"""Worker processes for the CPU-bound parts of a build (parsing frontmatter, rendering Markdown).
Processes, not threads: feedgen switches the process locale while formatting dates, and the
parsers hold the GIL."""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor


def available_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def process_pool(workers: int) -> ProcessPoolExecutor:
    # fork starts a worker in milliseconds with the parent's imports already done; elsewhere
    # (macOS, Windows) the platform's default start method is the safe one.
    context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)
