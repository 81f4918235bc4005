"""One request through the whole ASGI app, in-process: Fulmen against FastAPI.

No server and no HTTP client: a minimal ASGI driver calls the app directly,
so the numbers are the framework's own per-request cost (routing, parameter
validation, dependency solving, serialization). The standard benchmark app of
../shared/BENCHMARKING.md, `async def` endpoints. Outputs are compared first.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel


class Item(BaseModel):
    name: str
    price: float
    tags: list[str]


def build_app(framework: str) -> Any:
    fw = importlib.import_module(framework)
    responses = importlib.import_module(f"{framework}.responses")
    app = fw.FastAPI()

    @app.get("/plaintext", response_class=responses.PlainTextResponse)
    async def plaintext() -> str:
        return "Hello, World!"

    @app.get("/json")
    async def json() -> dict[str, str]:
        return {"message": "Hello, World!"}

    @app.get("/users/{user_id}")
    async def user(user_id: int, q: str | None = None) -> dict[str, Any]:
        return {"id": user_id, "q": q}

    @app.post("/items")
    async def items(item: Item) -> Item:
        return item

    return app


BODY = b'{"name": "Widget", "price": 9.99, "tags": ["a", "b", "c"]}'
REQUESTS: dict[str, tuple[str, str, bytes, bytes]] = {
    "GET /plaintext": ("GET", "/plaintext", b"", b""),
    "GET /json": ("GET", "/json", b"", b""),
    "GET /users/{id}?q=": ("GET", "/users/42", b"q=hello", b""),
    "POST /items": ("POST", "/items", b"", BODY),
}
HEADERS = [
    (b"host", b"127.0.0.1:8000"),
    (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"),
    (b"accept", b"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    (b"accept-language", b"en-US,en;q=0.5"),
    (b"accept-encoding", b"gzip, deflate, br"),
    (b"connection", b"keep-alive"),
]


def make_call(
    loop: asyncio.AbstractEventLoop, app: Any, method: str, path: str, query: bytes, body: bytes
) -> Callable[[], Any]:
    headers = list(HEADERS)
    if body:
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]

    async def one() -> tuple[int, bytes]:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query,
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app(scope, receive, send)
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])

    async def batch() -> tuple[int, bytes]:
        # PERF (of the harness): 20 requests per loop entry, so the event loop's own
        # start/stop cost does not drown the frameworks' differences.
        for _ in range(BATCH - 1):
            await one()
        return await one()

    return lambda: loop.run_until_complete(batch())


BATCH = 20
FRAMEWORKS = ("fulmen", "fastapi")


@pytest.fixture(scope="module")
def apps() -> Any:
    built = {name: build_app(name) for name in FRAMEWORKS}
    yield built
    built.clear()  # no app outlives the module (native tables are freed before exit)


@pytest.fixture(scope="module")
def loop() -> Any:
    event_loop = asyncio.new_event_loop()
    yield event_loop
    event_loop.close()


@pytest.mark.parametrize("request_name", REQUESTS)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_asgi_request(
    benchmark: Any,
    loop: asyncio.AbstractEventLoop,
    apps: dict[str, Any],
    framework: str,
    request_name: str,
) -> None:
    method, path, query, body = REQUESTS[request_name]
    ours = make_call(loop, apps["fulmen"], method, path, query, body)()
    theirs = make_call(loop, apps["fastapi"], method, path, query, body)()
    assert ours == theirs
    assert ours[0] == 200
    benchmark.group = f"ASGI in-process, {BATCH} requests: {request_name}"
    benchmark(make_call(loop, apps[framework], method, path, query, body))
