"""``from fulmen.testclient import TestClient``: the fulmen-testclient package, re-exported."""

from __future__ import annotations

try:
    from fulmen_testclient import TestClient
except ImportError as exc:  # pragma: no cover - exercised only without the extra installed
    raise ImportError(
        "fulmen.testclient needs the fulmen-testclient package: "
        "pip install 'fulmen[testclient]' (or pip install fulmen-testclient)"
    ) from exc

__all__ = ["TestClient"]
