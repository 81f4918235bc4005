"""Raw ASGI apps written to exercise the client, tricky ones included."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


async def respond(
    send: Send,
    status: int,
    body: bytes,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers or []})
    await send({"type": "http.response.body", "body": body})


async def read_body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body", False):
            return body


async def echo_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers with what it saw: the scope's main fields and the whole body."""
    assert scope["type"] == "http"
    body = await read_body(receive)
    seen = {
        "method": scope["method"],
        "path": scope["path"],
        "raw_path": scope["raw_path"].decode(),
        "query_string": scope["query_string"].decode(),
        "root_path": scope["root_path"],
        "scheme": scope["scheme"],
        "server": list(scope["server"]),
        "client": list(scope["client"]),
        "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
        "body": body.decode("latin-1"),
    }
    payload = json.dumps(seen).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"x-seen", b"1"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload[:10], "more_body": True})
    await send({"type": "http.response.body", "body": payload[10:]})


class LifespanApp:
    """Lifespan sets state; HTTP answers with that state; events are recorded."""

    def __init__(self, *, fail_startup: str = "", fail_shutdown: bool = False) -> None:
        self.events: list[str] = []
        self.fail_startup = fail_startup
        self.fail_shutdown = fail_shutdown

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(scope, receive, send)
            return
        await respond(send, 200, json.dumps(scope["state"]).encode())

    async def lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert (await receive())["type"] == "lifespan.startup"
        if self.fail_startup == "raise":
            raise RuntimeError("database unreachable")
        if self.fail_startup == "message":
            await send({"type": "lifespan.startup.failed", "message": "no config"})
            return
        scope["state"]["greeting"] = "hello"
        self.events.append("startup")
        await send({"type": "lifespan.startup.complete"})
        assert (await receive())["type"] == "lifespan.shutdown"
        self.events.append("shutdown")
        if self.fail_shutdown:
            await send({"type": "lifespan.shutdown.failed", "message": "flush failed"})
            return
        await send({"type": "lifespan.shutdown.complete"})


async def no_lifespan_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Returns at once on lifespan, as the ASGI spec lets an app say "not supported"."""
    if scope["type"] == "lifespan":
        return
    await respond(send, 200, b"ok")


async def raise_before_start(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        return
    raise ValueError("before start")


async def raise_after_start(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"partial", "more_body": True})
    raise ValueError("after start")


async def raise_after_body(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        return
    await respond(send, 200, b"complete")
    raise ValueError("after the body")


async def no_body_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Starts the response and returns without a single body message."""
    if scope["type"] == "lifespan":
        return
    await send({"type": "http.response.start", "status": 204, "headers": [(b"x-a", b"1")]})


async def no_response_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Returns without sending anything."""


async def double_start_app(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.start", "status": 200, "headers": []})


class StreamingApp:
    """Sends "first", then waits (up to 5 s) before anything more: only a client
    that streams incrementally can hand "first" to the test while it waits."""

    def __init__(self) -> None:
        self.events: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        # Recorded before sending: over a socket the client may read the chunk
        # before this coroutine resumes.
        self.events.append("first sent")
        await send({"type": "http.response.body", "body": b"first", "more_body": True})
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            self.events.append("cancelled")
            raise
        self.events.append("timed out")
        await send({"type": "http.response.body", "body": b"late"})


async def counting_stream_app(scope: Scope, receive: Receive, send: Send) -> None:
    """A 1 MiB body in 1 KiB chunks, to exercise back-pressure."""
    if scope["type"] == "lifespan":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    for i in range(1024):
        chunk = bytes([i % 256]) * 1024
        await send({"type": "http.response.body", "body": chunk, "more_body": i < 1023})


class BackgroundApp:
    """Finishes the body, then keeps working, as Starlette's background tasks do."""

    def __init__(self) -> None:
        self.events: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return
        await respond(send, 200, b"done")
        await asyncio.sleep(0.01)
        self.events.append("background ran")


async def cookie_app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        return
    if scope["path"] == "/set":
        await respond(send, 200, b"set", [(b"set-cookie", b"session=abc; Path=/")])
        return
    headers = dict(scope["headers"])
    await respond(send, 200, headers.get(b"cookie", b""))


async def redirect_app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        return
    if scope["path"] == "/old":
        await respond(send, 307, b"", [(b"location", b"/new?x=1")])
        return
    await respond(send, 200, f"{scope['path']}?{scope['query_string'].decode()}".encode())


# -- WebSocket apps ----------------------------------------------------------------


async def ws_echo_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Accepts, echoes text and bytes, ends on disconnect."""
    assert scope["type"] == "websocket"
    assert (await receive())["type"] == "websocket.connect"
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") is not None:
            await send({"type": "websocket.send", "text": "echo:" + message["text"]})
        else:
            await send({"type": "websocket.send", "bytes": b"echo:" + message["bytes"]})


async def ws_close_with_code_app(scope: Scope, receive: Receive, send: Send) -> None:
    await receive()
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": "bye soon"})
    await send({"type": "websocket.close", "code": 4001, "reason": "going away"})


async def ws_subprotocol_app(scope: Scope, receive: Receive, send: Send) -> None:
    await receive()
    headers = dict(scope["headers"])
    await send(
        {
            "type": "websocket.accept",
            "subprotocol": scope["subprotocols"][-1],
            "headers": [(b"x-extra", b"yes")],
        }
    )
    info = {
        "subprotocols": scope["subprotocols"],
        "path": scope["path"],
        "query": scope["query_string"].decode(),
        "token": headers.get(b"x-token", b"").decode(),
        "cookie": headers.get(b"cookie", b"").decode(),
        "scheme": scope["scheme"],
        "state": scope["state"],
    }
    await send({"type": "websocket.send", "text": json.dumps(info)})
    await receive()  # the disconnect


async def ws_deny_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Closes before accepting: the handshake is refused."""
    await receive()
    await send({"type": "websocket.close", "code": 1008, "reason": "no token"})


async def ws_denial_response_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Refuses with an HTTP response (the websocket.http.response extension)."""
    await receive()
    await send(
        {
            "type": "websocket.http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "websocket.http.response.body", "body": b"for", "more_body": True})
    await send({"type": "websocket.http.response.body", "body": b"bidden"})


async def ws_raising_app(scope: Scope, receive: Receive, send: Send) -> None:
    await receive()
    await send({"type": "websocket.accept"})
    await receive()
    raise KeyError("handler bug")


async def ws_returns_without_close_app(scope: Scope, receive: Receive, send: Send) -> None:
    await receive()
    await send({"type": "websocket.accept"})
