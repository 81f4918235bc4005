"""Live mode with an app that offers fulmen_http a direct handler
(``__fulmen_http__``, the framework's fast path): the handler serves the
requests, its exceptions re-raise in the test, and what it declines is served
over ASGI and recorded as usual."""

from __future__ import annotations

from typing import Any

import pytest

from fulmen_http import Response
from fulmen_testclient import TestClient

pytestmark = pytest.mark.timeout(30)


class HookedApp:
    def __init__(self) -> None:
        self.served: list[tuple[str, str]] = []
        self.saw_header = False

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.served.append(("asgi", scope["path"]))
        if scope["path"] == "/asgi-boom":
            raise KeyError("asgi boom")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"asgi"})

    def __fulmen_http__(self, *, state: dict[str, Any], root_path: str) -> Any:
        async def handler(request: Any) -> Any:
            if request.path.startswith("/asgi"):
                return NotImplemented
            self.served.append(("direct", request.path))
            # The test client's bookkeeping header never reaches the app.
            self.saw_header |= any(name.startswith(b"x-fulmen") for name, _ in request.headers)
            if request.path == "/boom":
                raise ValueError("direct boom")
            return Response(200, [], b"direct")

        return handler


def test_live_mode_uses_the_direct_handler() -> None:
    app = HookedApp()
    with TestClient(app, live=True) as client:
        assert client.get("/x").text == "direct"
        assert client.get("/asgi").text == "asgi"
        with pytest.raises(ValueError, match="direct boom"):
            client.get("/boom")
        with pytest.raises(KeyError, match="asgi boom"):
            client.get("/asgi-boom")
        assert client.get("/y").text == "direct"
    assert app.served == [
        ("direct", "/x"),
        ("asgi", "/asgi"),
        ("direct", "/boom"),
        ("asgi", "/asgi-boom"),
        ("direct", "/y"),
    ]
    assert not app.saw_header


def test_live_mode_without_raising_gives_the_500() -> None:
    app = HookedApp()
    with TestClient(app, live=True, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
