"""The server on real sockets on 127.0.0.1: ASGI and direct faces, pipelining,
100-continue, chunked uploads, disconnects, slow clients, limits, shutdown."""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import BackgroundTasks, FastAPI
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from fulmen_http import Config, Limits, Request, Response, Server

pytestmark = pytest.mark.timeout(30)


# ---- a tiny HTTP/1.1 response reader (pipelining-aware) -----------------------


class Conn:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        self.buf += data
        return bool(data)

    def _line(self) -> bytes:
        while b"\r\n" not in self.buf:
            if not self._fill():
                raise ConnectionError("closed")
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _take(self, n: int) -> bytes:
        while len(self.buf) < n:
            if not self._fill():
                raise ConnectionError("closed")
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def response(self) -> tuple[int, dict[bytes, bytes], bytes]:
        status = int(self._line().split(b" ")[1])
        headers: dict[bytes, bytes] = {}
        while line := self._line():
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if status < 200 or status in (204, 304):
            return status, headers, b""
        if b"content-length" in headers:
            return status, headers, self._take(int(headers[b"content-length"]))
        if headers.get(b"transfer-encoding") == b"chunked":
            body = b""
            while size := int(self._line().split(b";")[0], 16):
                body += self._take(size)
                self._take(2)
            self._line()
            return status, headers, body
        while self._fill():
            pass
        body, self.buf = self.buf, b""
        return status, headers, body

    def closed(self) -> bool:
        try:
            return not self.sock.recv(1) and not self.buf
        except TimeoutError:
            return False

    def close(self) -> None:
        self.sock.close()


# ---- the apps -------------------------------------------------------------------

events: list[str] = []


async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            events.append(message["type"])
            if message["type"] == "lifespan.startup":
                scope["state"]["token"] = "from-lifespan"
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope["path"]
    if path == "/slow":
        await asyncio.sleep(float(scope["query_string"] or b"0.5"))
    if path == "/disconnect":
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                events.append("disconnected")
                return
    if path == "/boom":
        raise RuntimeError("boom")
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    if path == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for piece in (b"a", b"bc", b""):
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b"d"})
        return
    reply = body or f"{scope['method']} {path} {scope['query_string'].decode()}".encode()
    if path == "/state":
        reply = scope["state"]["token"].encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [[b"content-type", b"text/plain"], (b"x-path", path.encode())],
        }
    )
    await send({"type": "http.response.body", "body": reply})


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[Server] = []

    def start(app: Any = asgi_app, handler: Any = None, **options: Any) -> tuple[Server, int]:
        config = Config(port=0, timeout_graceful_shutdown=options.pop("grace", 5.0), **options)
        server = (
            Server(app, config=config)
            if app is not None
            else Server(handler=handler, config=config)
        )
        server.start_in_thread()
        servers.append(server)
        return server, server.addresses[0][1]

    yield start
    for server in servers:
        server.stop(timeout=15)


def test_get_post_keep_alive(serve: Any) -> None:
    _, port = serve()
    conn = Conn(port)
    conn.send(b"GET /hello?x=1 HTTP/1.1\r\nHost: a\r\n\r\n")
    status, headers, body = conn.response()
    assert (status, body) == (200, b"GET /hello x=1")
    assert headers[b"x-path"] == b"/hello"
    assert b"date" in headers
    conn.send(b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
    assert conn.response()[2] == b"hello"
    conn.close()


def test_lifespan_state(serve: Any) -> None:
    events.clear()
    server, port = serve()
    conn = Conn(port)
    conn.send(b"GET /state HTTP/1.1\r\nHost: a\r\n\r\n")
    assert conn.response()[2] == b"from-lifespan"
    conn.close()
    server.stop()
    assert events[:1] == ["lifespan.startup"]
    assert events[-1] == "lifespan.shutdown"


def test_pipelining_in_order(serve: Any) -> None:
    _, port = serve()
    conn = Conn(port)
    conn.send(
        b"GET /slow?0.2 HTTP/1.1\r\nHost: a\r\n\r\n"
        b"POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
        b"GET /third HTTP/1.1\r\nHost: a\r\n\r\n" * 1
    )
    assert conn.response()[2] == b"GET /slow 0.2"
    assert conn.response()[2] == b"abc"
    assert conn.response()[2] == b"GET /third "
    conn.close()


def test_many_pipelined(serve: Any) -> None:
    _, port = serve()
    conn = Conn(port)
    conn.send(b"".join(b"GET /%d HTTP/1.1\r\nHost: a\r\n\r\n" % i for i in range(200)))
    for i in range(200):
        assert conn.response()[2] == b"GET /%d " % i
    conn.close()


def test_expect_100_continue(serve: Any) -> None:
    _, port = serve()
    conn = Conn(port)
    conn.send(b"POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
    assert conn.response()[0] == 100
    conn.send(b"data")
    assert conn.response()[2] == b"data"
    conn.close()


def test_chunked_upload_and_streamed_response(serve: Any) -> None:
    _, port = serve()
    conn = Conn(port)
    conn.send(
        b"POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n1;x=y\r\n \r\n5\r\nworld\r\n0\r\n\r\n"
    )
    assert conn.response()[2] == b"hello world"
    conn.send(b"GET /stream HTTP/1.1\r\nHost: a\r\n\r\n")
    _, headers, body = conn.response()
    assert headers[b"transfer-encoding"] == b"chunked"
    assert body == b"abcd"
    conn.send(b"GET /stream HTTP/1.0\r\n\r\n")  # 1.0: no chunked, close-delimited
    _status, headers, body = conn.response()
    assert b"transfer-encoding" not in headers
    assert body == b"abcd"
    conn.close()


def test_early_disconnect(serve: Any) -> None:
    events.clear()
    _, port = serve()
    conn = Conn(port)
    conn.send(b"POST /disconnect HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\npartial")
    time.sleep(0.2)
    conn.close()
    deadline = time.monotonic() + 5
    while "disconnected" not in events and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "disconnected" in events
    conn = Conn(port)  # the server is fine
    conn.send(b"GET /ok HTTP/1.1\r\nHost: a\r\n\r\n")
    assert conn.response()[0] == 200
    conn.close()


def test_slow_client_byte_by_byte(serve: Any) -> None:
    _, port = serve()
    conn = Conn(port)
    raw = b"POST /slowly HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz"
    for i in range(len(raw)):
        conn.send(raw[i : i + 1])
        time.sleep(0.002)
    assert conn.response()[2] == b"xyz"
    conn.close()


def test_request_head_timeout_408(serve: Any) -> None:
    _, port = serve(timeout_request_head=0.5)
    conn = Conn(port)
    conn.send(b"GET / HTTP/1.1\r\nHost: a\r\n")  # never finished
    assert conn.response()[0] == 408
    assert conn.closed()
    conn.close()


def test_keep_alive_timeout(serve: Any) -> None:
    _, port = serve(timeout_keep_alive=0.5)
    conn = Conn(port)
    conn.send(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    conn.response()
    start = time.monotonic()
    assert conn.closed()
    assert 0.3 < time.monotonic() - start < 3
    conn.close()


def test_503_at_the_concurrency_limit(serve: Any) -> None:
    _, port = serve(limit_concurrency=1)
    busy = Conn(port)
    busy.send(b"GET /slow?1 HTTP/1.1\r\nHost: a\r\n\r\n")
    time.sleep(0.2)
    other = Conn(port)
    other.send(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
    assert other.response()[0] == 503
    assert busy.response()[0] == 200
    other.send(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n")  # the slot is free again
    assert other.response()[0] == 200
    busy.close()
    other.close()


def test_graceful_shutdown_with_requests_in_flight(serve: Any) -> None:
    server, port = serve()
    busy = Conn(port)
    idle = Conn(port)
    busy.send(b"GET /slow?0.5 HTTP/1.1\r\nHost: a\r\n\r\n")
    time.sleep(0.1)
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    status, headers, body = busy.response()
    assert (status, body) == (200, b"GET /slow 0.5")
    assert headers[b"connection"] == b"close"
    assert idle.closed()
    stopper.join(10)
    with pytest.raises(ConnectionRefusedError):
        Conn(port)
    busy.close()
    idle.close()


def test_errors(serve: Any) -> None:
    _, port = serve()
    conn = Conn(port)
    conn.send(b"GET /boom HTTP/1.1\r\nHost: a\r\n\r\n")
    assert conn.response()[0] == 500
    conn.send(b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
    status, headers, _ = conn.response()
    assert status == 400
    assert headers[b"connection"] == b"close"
    assert conn.closed()
    conn.close()
    conn = Conn(port)
    conn.send(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 200\r\n\r\n")
    conn.close()
    _, port = serve(limits=Limits(max_body=100))
    conn = Conn(port)
    conn.send(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 200\r\n\r\n")
    assert conn.response()[0] == 413
    conn.close()


# ---- the direct face ------------------------------------------------------------

kept: list[Request] = []


async def direct_handler(request: Request) -> Response | tuple[int, list[tuple[bytes, bytes]], Any]:
    if request.path == "/stream":

        async def pieces() -> AsyncIterator[bytes]:
            yield b"one,"
            await asyncio.sleep(0.01)
            yield b"two"

        return 200, [(b"content-type", b"text/plain")], pieces()
    kept.append(request)
    body = await request.body()
    text = (
        f"{request.method}|{request.path}|{request.raw_path.decode()}|"
        f"{request.query_string.decode()}|{request.http_version}|{request.keep_alive}|"
        f"{request.header(b'x-a')!r}|{request.get_all(b'x-b')!r}|{request.scheme}|"
        f"{request.client is not None}|{len(body)}"
    )
    return Response(201, [(b"content-type", b"text/plain")], text.encode())


def test_direct_handler(serve: Any) -> None:
    kept.clear()
    _, port = serve(app=None, handler=direct_handler)
    conn = Conn(port)
    conn.send(
        b"PUT /a%2Fb/c%20d?q=1 HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nX-B: 2\r\nX-B: 3\r\n"
        b"Content-Length: 4\r\n\r\nbody"
        b"GET /stream HTTP/1.1\r\nHost: a\r\n\r\n"
    )
    status, _, body = conn.response()
    assert status == 201
    assert body == b"PUT|/a/b/c d|/a%2Fb/c%20d|q=1|1.1|True|b'1'|[b'2', b'3']|http|True|4"
    assert conn.response()[2] == b"one,two"
    conn.close()
    # What the handler kept owns its data: still intact after more traffic.
    conn = Conn(port)
    conn.send(b"GET /zzzzzzzzzzzzzz HTTP/1.1\r\nHost: zzzz\r\nX-A: zzzz\r\n\r\n")
    conn.response()
    conn.close()
    assert kept[0].headers[1] == (b"x-a", b"1")
    assert kept[0].raw_path == b"/a%2Fb/c%20d"


fastapi_app = FastAPI()


class Item(BaseModel):
    name: str
    price: float


@fastapi_app.get("/users/{user_id}")
async def user(user_id: int, q: str | None = None) -> dict[str, Any]:
    return {"id": user_id, "q": q}


@fastapi_app.post("/items")
async def items(item: Item) -> Item:
    return item


streamed_app = FastAPI()
background_done: list[str] = []


@streamed_app.middleware("http")
async def tag(request: Any, call_next: Any) -> Any:
    # Starlette's BaseHTTPMiddleware: the app's send goes through anyio streams.
    response = await call_next(request)
    response.headers["x-tagged"] = "1"
    return response


@streamed_app.get("/stream")
async def stream() -> StreamingResponse:
    async def pieces() -> AsyncIterator[bytes]:
        for i in range(3):
            await asyncio.sleep(0)
            yield b"piece-%d;" % i

    return StreamingResponse(pieces(), media_type="text/plain")


@streamed_app.get("/later")
async def later(tasks: BackgroundTasks) -> dict[str, bool]:
    tasks.add_task(background_done.append, "ran")
    return {"ok": True}


def test_starlette_machinery_over_our_send(serve: Any) -> None:
    # Our ASGI send returns an awaitable rather than being a coroutine function:
    # Starlette's middleware, streaming and background tasks must not notice.
    _, port = serve(app=streamed_app)
    conn = Conn(port)
    conn.send(b"GET /stream HTTP/1.1\r\nHost: a\r\n\r\n")
    status, headers, body = conn.response()
    assert status == 200
    assert headers.get(b"x-tagged") == b"1"
    assert body == b"piece-0;piece-1;piece-2;"
    conn.send(b"GET /later HTTP/1.1\r\nHost: a\r\n\r\n")
    assert conn.response()[2] == b'{"ok":true}'
    conn.close()
    deadline = time.monotonic() + 5
    while not background_done and time.monotonic() < deadline:
        time.sleep(0.01)
    assert background_done == ["ran"]


def test_fastapi_app(serve: Any) -> None:
    _, port = serve(app=fastapi_app)
    conn = Conn(port)
    conn.send(b"GET /users/7?q=x HTTP/1.1\r\nHost: a\r\n\r\n")
    assert conn.response()[2] == b'{"id":7,"q":"x"}'
    payload = b'{"name":"W","price":1.5}'
    conn.send(
        b"POST /items HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload)
    )
    assert conn.response()[2] == payload
    conn.close()


def test_cli_serves_and_stops_on_sigterm(tmp_path: Path, start_cli: Any) -> None:
    (tmp_path / "cliapp.py").write_text(
        "async def app(scope, receive, send):\n"
        "    if scope['type'] != 'http':\n        return\n"
        "    await send({'type': 'http.response.start', 'status': 200, 'headers': []})\n"
        "    await send({'type': 'http.response.body', 'body': b'cli'})\n"
    )
    proc, port = start_cli("cliapp:app")
    conn = Conn(port)
    conn.send(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert conn.response()[2] == b"cli"
    conn.close()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0


async def big_handler(request: Request) -> Response | tuple[int, list[tuple[bytes, bytes]], Any]:
    if request.path == "/ignore-body":
        return Response(200, [], b"ignored")

    async def pieces() -> AsyncIterator[bytes]:
        for _ in range(256):
            yield b"x" * 65536

    return 200, [], pieces()


def test_unread_body_then_keep_alive(serve: Any) -> None:
    _, port = serve(app=None, handler=big_handler)
    conn = Conn(port)
    big = b"y" * 300_000
    conn.send(b"POST /ignore-body HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n" % len(big))
    conn.send(big)
    assert conn.response()[2] == b"ignored"
    conn.send(b"POST /ignore-body HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc")
    assert conn.response()[2] == b"ignored"
    conn.close()


def test_large_streamed_response_to_a_slow_reader(serve: Any) -> None:
    _, port = serve(app=None, handler=big_handler)
    conn = Conn(port)
    conn.send(b"GET /big HTTP/1.1\r\nHost: a\r\n\r\n")
    time.sleep(0.5)  # 16 MiB fill the socket buffers: the server must wait to write more
    assert len(conn.response()[2]) == 256 * 65536
    conn.close()


def test_access_log(serve: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="fulmen_http.access")
    _, port = serve(access_log=True)
    conn = Conn(port)
    conn.send(b"GET /logged?x=1 HTTP/1.1\r\nHost: a\r\n\r\n")
    conn.response()
    conn.close()
    deadline = time.monotonic() + 5  # the line is logged by the server's thread

    def logged() -> bool:
        return any('"GET /logged?x=1 HTTP/1.1" 200' in r.getMessage() for r in caplog.records)

    while not logged() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert logged()
