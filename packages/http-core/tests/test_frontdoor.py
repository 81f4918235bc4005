"""The front door (proxy headers, request ids, extra headers, the response hook)
on a real server on 127.0.0.1, through both faces."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from fulmen_http import Config, Request, Response, Server
from fulmen_http._frontdoor import FrontDoor, TrustedProxies

pytestmark = pytest.mark.timeout(30)


async def direct(request: Request) -> Response:
    seen = {
        "client": request.client[0] if request.client else None,
        "scheme": request.scheme,
        "host": (request.header(b"host") or b"").decode(),
        "request_id": (request.header(b"x-request-id") or b"").decode() or None,
    }
    return Response(200, [(b"content-type", b"application/json")], json.dumps(seen).encode())


async def asgi(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return

    async def pieces() -> AsyncIterator[bytes]:
        yield b"streamed "
        yield (scope["scheme"] + " " + scope["client"][0]).encode()

    await send({"type": "http.response.start", "status": 200, "headers": [[b"x-app", b"1"]]})
    async for piece in pieces():
        await send({"type": "http.response.body", "body": piece, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


@pytest.fixture
def start() -> Iterator[Any]:
    servers: list[Server] = []

    def run(app: Any = None, handler: Any = direct, **options: Any) -> str:
        config = Config(port=0, timeout_graceful_shutdown=5.0, **options)
        server = Server(app, config=config) if app else Server(handler=handler, config=config)
        server.start_in_thread()
        servers.append(server)
        return server.url

    yield run
    for server in servers:
        server.stop(timeout=15)


def test_trusted_proxies() -> None:
    trusted = TrustedProxies("127.0.0.1, 10.0.0.0/8,::1")
    assert "10.200.3.4" in trusted
    assert "::1" in trusted
    assert "11.0.0.1" not in trusted
    assert "not-an-ip" not in trusted
    assert not trusted.trusts_client(None)  # a Unix-socket peer, not listed
    assert TrustedProxies(["unix"]).trusts_client(None)
    assert TrustedProxies("*").trusts_client(("198.51.100.1", 1))
    with pytest.raises(ValueError, match="not an IP or network"):
        TrustedProxies("localhost")


def test_inactive_front_door_changes_nothing() -> None:
    front = FrontDoor(Config())
    assert not front.active

    def dispatch(_request: Request) -> None:
        return None

    assert front.wrap(dispatch, Request) == (dispatch, Request)


def test_forwarded_for_chain_picks_the_nearest_untrusted_hop(start: Any) -> None:
    url = start(proxy_headers=True, forwarded_allow_ips="127.0.0.1,10.0.0.0/8")
    cases = {
        "198.51.100.1, 10.0.0.5": "198.51.100.1",
        # The client wrote the leftmost entries itself: only the hop the proxy saw counts.
        "6.6.6.6, 203.0.113.2, 10.0.0.5": "203.0.113.2",
        "10.0.0.9": "10.0.0.9",  # all trusted: the farthest one
    }
    for header, client in cases.items():
        seen = httpx.get(url, headers={"x-forwarded-for": header}).json()
        assert seen["client"] == client, header
    odd = httpx.get(url, headers={"x-forwarded-proto": "gopher"}).json()
    assert odd["scheme"] == "http"  # an unknown scheme is ignored


def test_rfc7239_forwarded_wins_over_x_forwarded(start: Any) -> None:
    url = start(proxy_headers=True)
    seen = httpx.get(
        url,
        headers={
            "forwarded": "for=192.0.2.60;proto=https;host=a.example, for=127.0.0.1",
            "x-forwarded-for": "203.0.113.1",
        },
    ).json()
    assert seen == {
        "client": "192.0.2.60",
        "scheme": "https",
        "host": "a.example",
        "request_id": None,
    }


def test_request_id_headers_and_hook_on_both_faces(
    start: Any, caplog: pytest.LogCaptureFixture
) -> None:
    served: list[int] = []
    options: dict[str, Any] = {
        "request_id": True,
        "headers": [(b"X-Frame-Options", b"DENY")],
        "on_response": lambda: served.append(1),
        "access_log": True,
    }
    with caplog.at_level(logging.INFO, logger="fulmen_http.access"):
        direct_url = start(**options)
        one = httpx.get(direct_url)
        assert one.headers["x-frame-options"] == "DENY"
        assert one.json()["request_id"] == one.headers["x-request-id"]
        # Not behind a trusted proxy here (proxy_headers off): a client's id is replaced.
        two = httpx.get(direct_url, headers={"x-request-id": "mine"})
        assert two.headers["x-request-id"] not in ("mine", one.headers["x-request-id"])

        asgi_url = start(app=asgi, handler=None, **options)
        streamed = httpx.get(asgi_url)
        assert streamed.text == "streamed http 127.0.0.1"
        assert streamed.headers["x-app"] == "1"
        assert streamed.headers["x-frame-options"] == "DENY"
        assert len(streamed.headers["x-request-id"]) == 32
        # The hook and the log line come right after the response is written, on the
        # server's thread: the client may read the response a moment before.
        deadline = time.monotonic() + 5
        while len(served) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert len(served) == 3
    records = [r for r in caplog.records if r.name == "fulmen_http.access"]
    assert [r.access["status"] for r in records] == [200, 200, 200]  # type: ignore[attr-defined]
    assert records[-1].access["request_id"] == streamed.headers["x-request-id"]  # type: ignore[attr-defined]
