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
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

# prctl(2) option: the signal a process gets when its parent dies (Linux).
PR_SET_PDEATHSIG = 1
# How often a worker looks whether its parent is still there, where prctl is not available.
PARENT_CHECK_SECONDS = 1.0

# fork starts a worker in milliseconds with the parent's imports already done; elsewhere
# (macOS, Windows) the platform's default start method is the safe one.
START_METHOD = "fork" if sys.platform == "linux" else None

Shared = TypeVar("Shared")
Item = TypeVar("Item")
Result = TypeVar("Result")

# What ``spread``'s worker processes work on, set as each starts: a forked worker inherits it
# from the parent's memory instead of receiving a pickled copy with every task.
_shared: Any = None


def available_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def process_pool(workers: int, shared: object = None) -> ProcessPoolExecutor:
    """Worker processes that exit with their parent, each holding ``shared`` (see ``spread``)."""
    # Under fork the initializer's arguments are inherited, not pickled; under spawn each
    # worker gets one copy.
    context = multiprocessing.get_context(START_METHOD) if START_METHOD else None
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=start_worker,
        initargs=(os.getpid(), shared),
    )


def start_worker(parent: int, shared: object) -> None:
    global _shared
    _shared = shared
    exit_with_parent(parent)


def spread(
    function: Callable[[Shared, Item], Result],
    shared: Shared,
    items: Sequence[Item],
    workers: int,
) -> list[Result]:
    """``function(shared, item)`` for every item, the results in the items' order.

    ``workers - 1`` worker processes take the items from the first on, while the main process,
    which would otherwise only wait, takes them from the last back, until the two meet: one
    process fewer to start, and no item or result of the main process's share crosses a
    process boundary. The workers get ``shared`` once, as they start (forked, they inherit
    it), and each of their items pickled, so items should be small (indices) and ``function``
    a module-level function."""
    if workers <= 1 or len(items) <= 1:
        return [function(shared, item) for item in items]
    with process_pool(workers - 1, shared) as pool:
        futures = [pool.submit(run_shared, function, item) for item in items]
        try:
            return _gather(function, shared, items, futures)
        except BaseException:
            # Nothing more to start: a failure (or ^C) in the main process's share ends it all.
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _gather(
    function: Callable[[Shared, Item], Result],
    shared: Shared,
    items: Sequence[Item],
    futures: list[Future[Result]],
) -> list[Result]:
    done: dict[int, Result] = {}
    for index in reversed(range(len(items))):
        # Workers take queued items strictly in order: once one is theirs, so are all before it.
        if not futures[index].cancel():
            break
        done[index] = function(shared, items[index])
    return [
        done[index] if index in done else future.result() for index, future in enumerate(futures)
    ]


def run_shared(function: Callable[[Any, Item], Result], item: Item) -> Result:
    """A ``spread`` task in a worker process: the function, given what the worker holds."""
    return function(_shared, item)


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
