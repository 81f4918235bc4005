"""``python -m fulmen_workers MODULE:CALLABLE [options]``."""

from fulmen_workers._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
