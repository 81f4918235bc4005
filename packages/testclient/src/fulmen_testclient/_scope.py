"""ASGI scopes built from an httpx request, as a server would build them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from fulmen_testclient._asgi import ASGI_VERSIONS, Scope
from fulmen_testclient._httpx import httpx

_DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}


def _common(
    request: httpx.Request, *, root_path: str, client: tuple[str, int], state: dict[str, Any]
) -> dict[str, Any]:
    url = request.url
    headers = [(key.lower(), value) for key, value in request.headers.raw]
    if "host" not in request.headers:  # httpx always sets it; a server always sees one
        headers.insert(0, (b"host", url.netloc))
    return {
        "asgi": dict(ASGI_VERSIONS),
        "http_version": "1.1",
        "scheme": url.scheme,
        # A server percent-decodes the path and keeps the raw one (ASGI spec).
        "path": unquote(url.path),
        "raw_path": url.raw_path.split(b"?", 1)[0],
        "root_path": root_path,
        "query_string": url.query,
        "headers": headers,
        "client": client,
        "server": (url.raw_host.decode("ascii"), url.port or _DEFAULT_PORTS[url.scheme]),
        # Each request sees a shallow copy of what lifespan put in its state.
        "state": state.copy(),
    }


def http_scope(
    request: httpx.Request, *, root_path: str, client: tuple[str, int], state: dict[str, Any]
) -> Scope:
    scope = _common(request, root_path=root_path, client=client, state=state)
    scope["type"] = "http"
    scope["method"] = request.method
    scope["extensions"] = {"http.response.debug": {}, "http.response.trailers": {}}
    return scope


def websocket_scope(
    request: httpx.Request,
    *,
    root_path: str,
    client: tuple[str, int],
    state: dict[str, Any],
    subprotocols: Sequence[str],
) -> Scope:
    scope = _common(request, root_path=root_path, client=client, state=state)
    scope["type"] = "websocket"
    scope["subprotocols"] = list(subprotocols)
    scope["extensions"] = {"websocket.http.response": {}}
    return scope
