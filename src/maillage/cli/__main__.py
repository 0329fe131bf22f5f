"""``python -m maillage.cli``: the ``maillage`` command."""

import sys

from maillage.cli import main

if __name__ == "__main__":
    sys.exit(main())
