"""``python -m fulmen run TARGET`` is ``fulmen run TARGET``."""

from fulmen.cli import main

raise SystemExit(main())
