"""One in-process GET against a raw ASGI app: fulmen_testclient vs Starlette's TestClient.

A test suite makes thousands of these calls, so the client's own overhead is
what a user feels. Both clients are used as context managers (one loop).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import pytest
from starlette.testclient import TestClient as StarletteTestClient

from fulmen_testclient import TestClient

Message = MutableMapping[str, Any]


async def hello_app(
    scope: MutableMapping[str, Any],
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    if scope["type"] == "lifespan":  # Starlette's client runs lifespan in `with`
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": b"Hello, World!"})


CLIENTS: dict[str, Callable[..., Any]] = {
    "fulmen_testclient": TestClient,
    "starlette": StarletteTestClient,
}


@pytest.mark.parametrize("client_name", CLIENTS)
def test_get(benchmark: Any, client_name: str) -> None:
    with CLIENTS[client_name](hello_app) as client:
        response = client.get("/")
        assert (response.status_code, response.text) == (200, "Hello, World!")
        benchmark.group = "testclient GET"
        benchmark(client.get, "/")
