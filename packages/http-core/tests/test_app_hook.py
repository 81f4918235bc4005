"""Apps that offer a direct handler (``__fulmen_http__``): the server uses it,
falls back to ASGI for the requests it declines, honours ``fast_path=False`` and
``--no-fast-path``, and gives the hook the lifespan state."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import fulmen_http
from fulmen_http import Config, Request, Response, Server

pytestmark = pytest.mark.timeout(30)


class HookedApp:
    """An ASGI app that also offers a direct handler for some paths."""

    def __init__(self) -> None:
        self.asgi_paths: list[str] = []
        self.hook_calls: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    scope["state"]["token"] = "from-lifespan"
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        self.asgi_paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"asgi " + scope["path"].encode()})

    def __fulmen_http__(self, *, state: dict[str, Any], root_path: str) -> Any:
        self.hook_calls.append({"state": dict(state), "root_path": root_path})

        async def handler(request: Request) -> Any:
            if request.path == "/asgi":
                return NotImplemented
            if request.path == "/self":
                # Writes the response itself, then does more work: returns None.
                request.send_response(200, [(b"x-by", b"self")], b"written")
                return None
            if request.path == "/none":
                return None  # without answering: a 500
            body = await request.body()
            return Response(200, [(b"x-by", b"direct")], b"direct " + body)

        return handler


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[Server] = []

    def start(app: Any, **options: Any) -> Server:
        server = Server(app, config=Config(port=0, timeout_graceful_shutdown=5, **options))
        server.start_in_thread()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop(timeout=15)


def test_the_hook_serves_and_declines(serve: Any) -> None:
    app = HookedApp()
    server = serve(app, root_path="/r")
    assert server.fast_path
    assert app.hook_calls == [{"state": {"token": "from-lifespan"}, "root_path": "/r"}]
    with httpx.Client(base_url=server.url, timeout=10) as client:
        direct = client.post("/x", content=b"abc")
        assert (direct.text, direct.headers["x-by"]) == ("direct abc", "direct")
        declined = client.get("/asgi")  # NotImplemented: served over ASGI
        assert declined.text == "asgi /asgi"
        written = client.get("/self")
        assert (written.text, written.headers["x-by"]) == ("written", "self")
        unanswered = client.get("/none")
        assert unanswered.status_code == 500
        assert client.get("/x").text == "direct "  # the connection still works
    assert app.asgi_paths == ["/asgi"]


def test_fast_path_off_is_plain_asgi(serve: Any) -> None:
    app = HookedApp()
    server = serve(app, fast_path=False)
    assert not server.fast_path
    assert app.hook_calls == []
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.get("/x").text == "asgi /x"
    assert app.asgi_paths == ["/x"]


def test_a_hook_returning_none_means_asgi(serve: Any) -> None:
    class Declining(HookedApp):
        def __fulmen_http__(self, *, state: dict[str, Any], root_path: str) -> Any:
            return None

    app = Declining()
    server = serve(app)
    assert not server.fast_path
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.get("/x").text == "asgi /x"


def _cli(tmp_path: Path, start_cli: Any, *extra: str) -> str:
    (tmp_path / "hookapp.py").write_text(
        "from fulmen_http import Response\n"
        "async def asgi(scope, receive, send):\n"
        "    if scope['type'] != 'http':\n        return\n"
        "    await send({'type': 'http.response.start', 'status': 200, 'headers': []})\n"
        "    await send({'type': 'http.response.body', 'body': b'asgi'})\n"
        "class App:\n"
        "    async def __call__(self, scope, receive, send):\n"
        "        await asgi(scope, receive, send)\n"
        "    def __fulmen_http__(self, *, state, root_path):\n"
        "        async def handler(request):\n"
        "            return Response(200, [], b'direct')\n"
        "        return handler\n"
        "app = App()\n"
    )
    _, port = start_cli("hookapp:app", *extra)
    return httpx.get(f"http://127.0.0.1:{port}/", timeout=5).text


def test_cli_uses_the_hook_unless_told_not_to(tmp_path: Path, start_cli: Any) -> None:
    assert _cli(tmp_path, start_cli) == "direct"
    assert _cli(tmp_path, start_cli, "--no-fast-path") == "asgi"


def test_failed_lifespan_startup_raises_lifespan_startup_error() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "lifespan"
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "no database"})

    async def start() -> None:
        await Server(app, port=0).serve()

    with pytest.raises(fulmen_http.LifespanStartupError, match="no database"):
        asyncio.run(start())
