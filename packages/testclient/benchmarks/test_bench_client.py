"""fulmen_testclient vs Starlette's TestClient: the client's own cost per call.

A test suite makes thousands of these calls, so the client's overhead is what a
user feels. Both clients run the same raw ASGI app, used as context managers (one
loop for every request), and must return the same thing before being timed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import pytest
from starlette.testclient import TestClient as StarletteTestClient

from fulmen_testclient import TestClient

Message = MutableMapping[str, Any]

STREAM_CHUNKS = 64
STREAM_CHUNK = b"x" * 1024
ITEM = {"name": "Widget", "price": 9.99, "tags": ["a", "b", "c"]}


async def app(
    scope: MutableMapping[str, Any],
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    if scope["type"] == "websocket":  # echo each text message
        await receive()
        await send({"type": "websocket.accept"})
        while (message := await receive())["type"] == "websocket.receive":
            await send({"type": "websocket.send", "text": message["text"]})
        return
    if scope["type"] == "lifespan":  # both clients run lifespan in `with`
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    path = scope["path"]
    if path == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for i in range(STREAM_CHUNKS):
            more = i < STREAM_CHUNKS - 1
            await send({"type": "http.response.body", "body": STREAM_CHUNK, "more_body": more})
        return
    if path == "/items":  # echo the JSON body back, as an API would
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return
    headers = [(b"content-type", b"text/plain")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"Hello, World!"})


CLIENTS: dict[str, Callable[..., Any]] = {
    "fulmen_testclient": TestClient,
    "starlette": StarletteTestClient,
}


def _get(client: Any) -> Any:
    response = client.get("/")
    return response.status_code, response.text


def _post_json(client: Any) -> Any:
    response = client.post("/items", json=ITEM)
    return response.status_code, response.json()


def _stream(client: Any) -> Any:
    with client.stream("GET", "/stream") as response:
        return response.status_code, sum(len(chunk) for chunk in response.iter_bytes())


CALLS = {"GET": _get, "POST json": _post_json, "stream 64 KiB": _stream}
EXPECTED = {
    "GET": (200, "Hello, World!"),
    "POST json": (200, ITEM),
    "stream 64 KiB": (200, STREAM_CHUNKS * len(STREAM_CHUNK)),
}


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("client_name", CLIENTS)
def test_call(benchmark: Any, client_name: str, call: str) -> None:
    with CLIENTS[client_name](app) as client:
        assert CALLS[call](client) == EXPECTED[call]
        benchmark.group = f"testclient {call}"
        benchmark(CALLS[call], client)


@pytest.mark.parametrize("client_name", CLIENTS)
def test_get_without_with_block(benchmark: Any, client_name: str) -> None:
    """No `with`: each request gets its own loop (and thread), in both clients."""
    client = CLIENTS[client_name](app)
    assert _get(client) == EXPECTED["GET"]
    benchmark.group = "testclient GET, no with block"
    benchmark(_get, client)


def _websocket_echo(session: Any) -> str:
    session.send_text("ping")
    return str(session.receive_text())


@pytest.mark.parametrize("client_name", CLIENTS)
def test_websocket_round_trip(benchmark: Any, client_name: str) -> None:
    with CLIENTS[client_name](app) as client, client.websocket_connect("/ws") as session:
        assert _websocket_echo(session) == "ping"
        benchmark.group = "testclient WebSocket send + receive"
        benchmark(_websocket_echo, session)


def test_outputs_agree() -> None:
    with TestClient(app) as ours, StarletteTestClient(app) as theirs:
        for call in CALLS.values():
            assert call(ours) == call(theirs)
