"""``python -m locreview`` works like the ``locreview`` command."""

from .cli import main

raise SystemExit(main())
