"""Worker processes for the CPU-bound parts of a build (parsing frontmatter, rendering Markdown).
Processes, not threads: feedgen switches the process locale while formatting dates, and the
parsers hold the GIL."""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager


def available_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def process_pool(workers: int) -> ProcessPoolExecutor:
    # fork starts a worker in milliseconds with the parent's imports already done; elsewhere
    # (macOS, Windows) the platform's default start method is the safe one.
    context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


@contextmanager
def bulk_allocation() -> Iterator[None]:
    """Pause the cyclic garbage collector while tens of thousands of long-lived objects are
    made: its full collections would rescan them all, again and again (half a cold build's
    loading time at 10,000 posts). Nothing made here forms cycles; refcounting frees the rest."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
