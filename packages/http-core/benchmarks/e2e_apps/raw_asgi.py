"""The standard benchmark app (/work/shared/BENCHMARKING.md) as a raw ASGI 3 app.

Same code under every server: no framework, stdlib json.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

_TEXT = [(b"content-type", b"text/plain")]
_JSON = [(b"content-type", b"application/json")]


async def _reply(send: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
        return
    path = scope["path"]
    if path == "/plaintext":
        await _reply(send, 200, _TEXT, b"Hello, World!")
    elif path == "/json":
        await _reply(send, 200, _JSON, json.dumps({"message": "Hello, World!"}).encode())
    elif path.startswith("/users/"):
        try:
            user_id = int(path[7:])
        except ValueError:
            await _reply(send, 422, _TEXT, b"bad id")
            return
        q = parse_qs(scope["query_string"].decode()).get("q", [None])[0]
        await _reply(send, 200, _JSON, json.dumps({"id": user_id, "q": q}).encode())
    elif path == "/items" and scope["method"] == "POST":
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        item = json.loads(body)
        valid = (
            isinstance(item.get("name"), str)
            and isinstance(item.get("price"), (int, float))
            and all(isinstance(t, str) for t in item.get("tags", []))
        )
        if not valid:
            await _reply(send, 422, _TEXT, b"invalid item")
            return
        out = {"name": item["name"], "price": float(item["price"]), "tags": item["tags"]}
        await _reply(send, 200, _JSON, json.dumps(out).encode())
    else:
        await _reply(send, 404, _TEXT, b"Not Found")
