"""``python -m feeds``: the same command line as ``feeds``."""

from feeds.cli import run

run()
