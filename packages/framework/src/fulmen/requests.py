"""The incoming request, read lazily from the ASGI scope and receive channel."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Mapping
from http.cookies import _unquote
from typing import Any

from fulmen import _json
from fulmen._types import Message, Receive, Scope, Send
from fulmen.datastructures import URL, Address, Headers, QueryParams, State


class ClientDisconnect(Exception):
    """The client went away before the request body was fully read."""


async def _empty_receive() -> Message:
    raise RuntimeError("Receive channel has not been made available")


async def _empty_send(message: Message) -> None:
    raise RuntimeError("Send channel has not been made available")


def parse_cookies(cookie_header: str) -> dict[str, str]:
    """Parse a Cookie header leniently, as browsers send it (RFC 6265 §5.4).

    Like Starlette: chunks without '=' become a key of '', quotes are undone.
    """
    cookies: dict[str, str] = {}
    for chunk in cookie_header.split(";"):
        key, sep, value = chunk.partition("=")
        if not sep:
            key, value = "", key
        key, value = key.strip(), value.strip()
        if key or value:
            cookies[key] = _unquote(value)
    return cookies


class HTTPConnection(Mapping[str, Any]):
    """What a request and a websocket share: scope access and parsed views."""

    def __init__(self, scope: Scope, receive: Receive | None = None) -> None:
        self.scope = scope

    def __getitem__(self, key: str) -> Any:
        return self.scope[key]

    def __iter__(self) -> Any:
        return iter(self.scope)

    def __len__(self) -> int:
        return len(self.scope)

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    @property
    def app(self) -> Any:
        return self.scope["app"]

    @functools.cached_property
    def url(self) -> URL:
        return URL.from_scope(self.scope)

    @functools.cached_property
    def base_url(self) -> URL:
        # The top-level app's root: inside a Mount, url_for still builds from it.
        root = self.scope.get("app_root_path", self.scope.get("root_path", ""))
        path = root if root.endswith("/") else root + "/"
        return URL.from_scope({**self.scope, "path": path, "query_string": b"", "root_path": root})

    @functools.cached_property
    def headers(self) -> Headers:
        return Headers(scope=self.scope)

    @functools.cached_property
    def query_params(self) -> QueryParams:
        return QueryParams(self.scope.get("query_string", b""))

    @property
    def path_params(self) -> dict[str, Any]:
        params: dict[str, Any] = self.scope.get("path_params", {})
        return params

    @functools.cached_property
    def cookies(self) -> dict[str, str]:
        header = self.headers.get("cookie")
        return parse_cookies(header) if header else {}

    @property
    def client(self) -> Address | None:
        client = self.scope.get("client")
        return None if client is None else Address(*client)

    @property
    def state(self) -> State:
        if "state" not in self.scope:
            self.scope["state"] = {}
        return State(self.scope["state"])

    def url_for(self, name: str, /, **path_params: Any) -> URL:
        router = self.scope.get("router") or self.scope["app"].router
        url: URL = router.url_path_for(name, **path_params).make_absolute_url(self.base_url)
        return url


class Request(HTTPConnection):
    """An HTTP request: method, URL, headers, and a body read on demand."""

    def __init__(
        self, scope: Scope, receive: Receive = _empty_receive, send: Send = _empty_send
    ) -> None:
        super().__init__(scope)
        if scope["type"] != "http":
            raise AssertionError("Request needs an http scope")
        self._receive = receive
        self._send = send
        self._stream_consumed = False
        self._is_disconnected = False

    @property
    def method(self) -> str:
        method: str = self.scope["method"]
        return method

    @property
    def receive(self) -> Receive:
        return self._receive

    async def stream(self) -> AsyncIterator[bytes]:
        """The body, chunk by chunk as it arrives; readable once unless body() cached it."""
        if hasattr(self, "_body"):
            yield self._body
            yield b""
            return
        if self._stream_consumed:
            raise RuntimeError("Stream consumed")
        self._stream_consumed = True
        while True:
            message = await self._receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                if chunk:
                    yield chunk
                if not message.get("more_body", False):
                    break
            elif message["type"] == "http.disconnect":
                self._is_disconnected = True
                raise ClientDisconnect()
        yield b""

    async def body(self) -> bytes:
        if not hasattr(self, "_body"):
            self._body = b"".join([chunk async for chunk in self.stream()])
        return self._body

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = _json.loads(await self.body())
        return self._json

    async def is_disconnected(self) -> bool:
        return self._is_disconnected


__all__ = ["ClientDisconnect", "HTTPConnection", "Request"]
