"""``python -m flyvakt``: the same command line as ``flyvakt``."""

import sys

from flyvakt.cli.main import main

sys.exit(main())
