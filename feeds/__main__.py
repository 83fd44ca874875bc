"""``python -m feeds``: the same command line as ``feeds``."""

import sys

from feeds.cli import main

sys.exit(main())
