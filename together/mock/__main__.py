"""``python -m together.mock``: the same as ``together-mock``."""

import sys

from together.mock.cli import main

sys.exit(main())
