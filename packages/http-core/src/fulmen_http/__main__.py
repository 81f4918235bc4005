"""``python -m fulmen_http module:app --host 127.0.0.1 --port 8000``"""

from fulmen_http._cli import main

raise SystemExit(main())
