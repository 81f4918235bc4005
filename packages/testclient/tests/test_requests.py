"""HTTP requests to raw ASGI apps, in-process."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import pytest

import fulmen_testclient
from fulmen_testclient import TestClient

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


async def echo_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers with what it saw: the scope's main fields and the whole body."""
    assert scope["type"] == "http"
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    seen = {
        "method": scope["method"],
        "path": scope["path"],
        "raw_path": scope["raw_path"].decode(),
        "query_string": scope["query_string"].decode(),
        "root_path": scope["root_path"],
        "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
        "body": body.decode(),
    }
    payload = json.dumps(seen).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [(b"content-type", b"application/json"), (b"x-seen", b"1")],
        }
    )
    await send({"type": "http.response.body", "body": payload[:10], "more_body": True})
    await send({"type": "http.response.body", "body": payload[10:]})


async def failing_app(scope: Scope, receive: Receive, send: Send) -> None:
    raise ValueError("boom")


def test_public_api() -> None:
    assert fulmen_testclient.__all__ == sorted(fulmen_testclient.__all__)


def test_request_reaches_the_app() -> None:
    client = TestClient(echo_app, root_path="/api")
    response = client.post(
        "/caf%C3%A9/x", params={"q": "1 2"}, json={"a": 1}, headers={"X-Token": "t"}
    )
    assert response.status_code == 201
    assert response.headers["x-seen"] == "1"
    seen = response.json()
    assert seen["method"] == "POST"
    assert seen["path"] == "/caf\u00e9/x"
    assert seen["raw_path"] == "/caf%C3%A9/x"
    assert seen["query_string"] == "q=1+2"
    assert seen["root_path"] == "/api"
    assert seen["headers"]["x-token"] == "t"
    assert seen["headers"]["host"] == "testserver"
    assert seen["headers"]["user-agent"] == "testclient"
    assert json.loads(seen["body"]) == {"a": 1}


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete", "head", "options"])
def test_every_method(method: str) -> None:
    with TestClient(echo_app) as client:
        response = getattr(client, method)("/m")
    assert response.status_code == 201
    if method != "head":
        assert response.json()["method"] == method.upper()


def test_app_exception_is_raised_in_the_test() -> None:
    client = TestClient(failing_app)
    with pytest.raises(ValueError, match="boom"):
        client.get("/")


def test_app_exception_is_a_500_when_asked() -> None:
    client = TestClient(failing_app, raise_server_exceptions=False)
    assert client.get("/").status_code == 500


def test_context_manager_reuses_one_loop() -> None:
    loops: list[object] = []

    async def loop_app(scope: Scope, receive: Receive, send: Send) -> None:
        import asyncio

        loops.append(asyncio.get_running_loop())
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    with TestClient(loop_app) as client:
        client.get("/")
        client.get("/")
    assert len(loops) == 2
    assert loops[0] is loops[1]
