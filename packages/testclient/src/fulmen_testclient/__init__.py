"""fulmen_testclient: an httpx-based test client for any ASGI application.

``TestClient`` (sync) and ``AsyncTestClient`` send HTTP requests and open
WebSockets to an ASGI app in-process, behaving like Starlette's TestClient; the
live mode serves the app with the real fulmen_http server instead.
"""

from fulmen_testclient._asgi import ProtocolError
from fulmen_testclient._client import AsyncTestClient, TestClient
from fulmen_testclient._lifespan import LifespanError
from fulmen_testclient._live import LiveModeUnavailable, LiveServer, ServerBackend
from fulmen_testclient._transport import ASGITransport, AsyncASGITransport
from fulmen_testclient._websocket import (
    AsyncWebSocketTestSession,
    WebSocketDenialResponse,
    WebSocketDisconnect,
    WebSocketTestSession,
)

__version__ = "0.1.0"

__all__ = [
    "ASGITransport",
    "AsyncASGITransport",
    "AsyncTestClient",
    "AsyncWebSocketTestSession",
    "LifespanError",
    "LiveModeUnavailable",
    "LiveServer",
    "ProtocolError",
    "ServerBackend",
    "TestClient",
    "WebSocketDenialResponse",
    "WebSocketDisconnect",
    "WebSocketTestSession",
    "__version__",
]
