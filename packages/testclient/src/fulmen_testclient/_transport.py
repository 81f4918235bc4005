"""An httpx transport that hands each request to an ASGI app in-process."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote

import httpx

from fulmen_testclient._portal import LoopThread

Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[Message]],
        Callable[[Message], Awaitable[None]],
    ],
    Awaitable[None],
]


class ASGITransport(httpx.BaseTransport):
    def __init__(
        self,
        app: ASGIApp,
        *,
        raise_server_exceptions: bool = True,
        root_path: str = "",
        client: tuple[str, int] = ("testclient", 50000),
    ) -> None:
        self.app = app
        # Set while the client is used as a context manager: one loop serves
        # every request. Otherwise each request gets a loop of its own, so a
        # client that is never closed leaks nothing.
        self.loop: LoopThread | None = None
        self.raise_server_exceptions = raise_server_exceptions
        self.root_path = root_path
        self.client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        if self.loop is not None:
            status, headers, content = self.loop.run(self._call_app(request, body))
        else:
            loop = LoopThread()
            try:
                status, headers, content = loop.run(self._call_app(request, body))
            finally:
                loop.close()
        return httpx.Response(status, headers=headers, content=content, request=request)

    def _scope(self, request: httpx.Request) -> dict[str, Any]:
        url = request.url
        default_port = {"http": 80, "https": 443}[url.scheme]
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": url.scheme,
            "path": unquote(url.path),
            "raw_path": url.raw_path.split(b"?", 1)[0],
            "root_path": self.root_path,
            "query_string": url.query,
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "client": self.client,
            "server": (url.host, url.port or default_port),
            "extensions": {},
            "state": {},
        }

    async def _call_app(
        self, request: httpx.Request, body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        request_sent = False
        response_complete = asyncio.Event()
        status: int | None = None
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def receive() -> Message:
            nonlocal request_sent
            if not request_sent:
                request_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            # After the body, the next event is the client going away, once the
            # response is complete (ASGI spec: http.disconnect).
            await response_complete.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
            elif message["type"] == "http.response.body":
                if status is None:
                    raise RuntimeError("http.response.body sent before http.response.start")
                chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    response_complete.set()

        try:
            await self.app(self._scope(request), receive, send)
        except BaseException:
            if self.raise_server_exceptions:
                raise
            if status is None:  # nothing sent yet: the client sees a 500, as from a server
                return 500, [], b"Internal Server Error"
        finally:
            response_complete.set()
        if status is None:
            raise RuntimeError("the ASGI app returned without sending a response")
        return status, headers, b"".join(chunks)
