"""Work spread over the main process and worker processes gives what one process gives, in
order, whoever did each item; failures arrive as they would have alone."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds import workers
from feeds.config_reader import load_site
from feeds.content import loader, render
from feeds.content.loader import load_site_posts
from feeds.feed import build
from feeds.feed.build import build_feeds
from feeds.workers import spread

from .conftest import NOW, Blog

# How long the main process waits for a worker to show up before it gives up on it.
PATIENCE = 30.0


def double_where(shared: tuple[int, Path], item: int) -> tuple[int, int]:
    """The item doubled, and which process did it. The main process waits until a worker has
    done an item, so that both are sure to have a share, however busy the machine is."""
    parent, marker = shared
    if os.getpid() == parent:
        deadline = time.monotonic() + PATIENCE
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    else:
        marker.touch()
        # Slow enough that the main process takes items from the end meanwhile.
        time.sleep(0.02)
    return item * 2, os.getpid()


def test_results_come_back_in_order_from_both_processes(tmp_path: Path) -> None:
    items = list(range(30))
    done = spread(double_where, (os.getpid(), tmp_path / "worker"), items, workers=2)
    assert [value for value, _ in done] == [item * 2 for item in items]
    pids = [pid for _, pid in done]
    # The main process works from the end, the worker from the start.
    assert pids[-1] == os.getpid() and pids[0] != os.getpid()


def test_one_worker_is_the_main_process_alone(tmp_path: Path) -> None:
    (tmp_path / "worker").touch()
    done = spread(double_where, (os.getpid(), tmp_path / "worker"), [1, 2, 3], workers=1)
    assert done == [(2, os.getpid()), (4, os.getpid()), (6, os.getpid())]


def scaled(shared: int, item: int) -> int:
    return shared * item + 1


# Each example starts worker processes: a few dozen examples are plenty.
@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(), max_size=40), st.integers(1, 3), st.integers())
def test_spread_is_map(items: list[int], workers: int, factor: int) -> None:
    """Whoever takes which items, and wherever they meet, the results are the plain map's."""
    assert spread(scaled, factor, items, workers) == [scaled(factor, item) for item in items]


def fail_on(shared: int, item: int) -> int:
    if item == shared:
        raise ValueError(f"item {item} is bad")
    return item


@pytest.mark.parametrize("bad", [0, 39])
def test_a_failure_in_either_process_is_raised(bad: int) -> None:
    # Item 0 goes to the worker, item 39 to the main process.
    with pytest.raises(ValueError, match=f"item {bad} is bad"):
        spread(fail_on, bad, list(range(40)), workers=2)


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_worker_processes_write_the_same_feeds(
    blog: Blog, monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    """A site with many tag feeds, rendered and serialised in worker processes (forced here,
    however few posts), gives every file byte for byte as one process does; also where
    workers are spawned (macOS, Windows), and so get what they share pickled."""
    for day in range(1, 41):
        tags = ", ".join(f"{name}{day % n}" for name, n in (("A", 3), ("B", 5), ("C", 7)))
        blog.post(
            f"p{day:02d}.md",
            f"---\ntitle: Post {day} <&>\ndate: 2021-03-{1 + day % 28:02d}\n"
            f"tags: [{tags}]\nimage: /img/{day}.png\n---\n"
            f"# Heading\n\nText *{day}* with a [link](/x/{day}/) and “quotes” & <b>tags</b>.\n",
        )
    site = load_site(blog.config)
    posts = load_site_posts(site, workers=1)
    alone = build_feeds(site, posts, NOW, workers=1)
    for module in (loader, render, build):
        monkeypatch.setattr(module, "PARALLEL_FROM", 2)
    monkeypatch.setattr(workers, "START_METHOD", start)
    together = build_feeds(site, posts, NOW, workers=2)
    assert len(alone.files) == 3 * (1 + 3 + 5 + 7)
    assert together.files == alone.files
    assert list(together.files) == list(alone.files)
    assert together.feed_keys == alone.feed_keys
