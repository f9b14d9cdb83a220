"""``python -m app``: start the reviewer."""

import sys

from .main import main

sys.exit(main())
