"""Worker processes for the CPU-bound parts of a build (parsing frontmatter, rendering Markdown).
Processes, not threads: feedgen switches the process locale while formatting dates, and the
parsers hold the GIL."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

# prctl(2) option: the signal a process gets when its parent dies (Linux).
PR_SET_PDEATHSIG = 1
# How often a worker looks whether its parent is still there, where prctl is not available.
PARENT_CHECK_SECONDS = 1.0


def available_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


# fork starts a worker in milliseconds with the parent's imports already done, and the worker
# inherits what the parent holds when a pool's first task is submitted, so it need not be sent
# it; elsewhere (macOS, Windows) the platform's default start method is the safe one.
POOLS_FORK = sys.platform == "linux"


def process_pool(workers: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("fork") if POOLS_FORK else None
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=exit_with_parent,
        initargs=(os.getpid(),),
    )


def exit_with_parent(parent: int) -> None:
    """Run in each worker as it starts: when the build is killed (``kill -9``, a CI timeout),
    its workers go too, instead of waiting forever for work while holding the caller's
    stdout and stderr open (a CI step reading them would hang)."""
    if sys.platform == "linux":
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)
    # Also where prctl is missing: a look every second costs nothing measurable.
    threading.Thread(target=watch_parent, args=(parent,), daemon=True).start()


def watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


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
