"""fulmen_testclient: an httpx-based test client for any ASGI application.

This release sends HTTP requests to an ASGI app in-process; lifespan,
WebSockets, the async client and the live mode follow.
"""

from fulmen_testclient._client import TestClient

__version__ = "0.1.0"

__all__ = ["TestClient", "__version__"]
