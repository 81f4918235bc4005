"""The fast path (fulmen._fast) answers exactly as the ASGI path does.

Each app is served by fulmen_http on 127.0.0.1 twice -- through the app's
``__fulmen_http__`` direct handler, and with ``fast_path=False`` (plain ASGI) --
and a real HTTP client compares what it sees: status, the headers that matter
(framing included), body. The apps are the differential suite's.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import test_diff_dependencies as deps
import test_diff_edge as edge
import test_diff_params as params_mod
import test_diff_patterns as patterns
import test_diff_responses as responses_mod
import test_diff_routing as routing_mod
import test_diff_semantics as semantics
from fw_differential import COMPARED_HEADERS, FULMEN, Call, call, get, post, snapshot

import fulmen
import fulmen_http
from fulmen import BackgroundTasks, Request
from fulmen_http._asgi import AsgiRequest

pytestmark = pytest.mark.timeout(60)

HEADERS = (*COMPARED_HEADERS, "transfer-encoding", "connection", "allow")


def serve(app: Any, *, fast: bool, **options: Any) -> fulmen_http.Server:
    server = fulmen_http.Server(app, port=0, fast_path=fast, timeout_graceful_shutdown=5, **options)
    server.start_in_thread()
    assert server.fast_path is fast
    return server


def answers(app: Any, calls: list[Call], *, fast: bool, **options: Any) -> list[dict[str, Any]]:
    server = serve(app, fast=fast, **options)
    try:
        with httpx.Client(base_url=server.url, follow_redirects=False, timeout=20) as client:
            results = []
            for c in calls:
                if c.url.startswith("/log"):
                    # These apps log work done after the response (background tasks,
                    # request-scoped dependency exits). Over sockets the next
                    # request races with it on either path: let it finish first.
                    time.sleep(0.1)
                result = snapshot(client.request(c.method, c.url, **c.kwargs), HEADERS)
                for name in c.ignore_headers:
                    result["headers"].pop(name, None)
                # The two servers listen on different ports (both ephemeral, so of
                # the same length: content-length is unaffected): compare without.
                host = f"127.0.0.1:{server.addresses[0][1]}"
                result["body"] = result["body"].replace(host.encode(), b"<host>")
                if "location" in result["headers"]:
                    result["headers"]["location"] = [
                        v.replace(host, "<host>") for v in result["headers"]["location"]
                    ]
                results.append(result)
            return results
    finally:
        server.stop()


def compare_paths(
    build: Callable[[Any], Any], calls: list[Call], **options: Any
) -> list[dict[str, Any]]:
    expected = answers(build(FULMEN), calls, fast=False, **options)
    actual = answers(build(FULMEN), calls, fast=True, **options)
    for c, asgi, fast in zip(calls, expected, actual, strict=True):
        assert fast == asgi, f"{c.method} {c.url}: fast path {fast} != ASGI {asgi}"
    return actual


SUITES = {
    "responses": (responses_mod.build_responses, responses_mod.RESPONSE_CALLS),
    "params": (params_mod.build_params, params_mod.PARAM_CALLS),
    "dependencies": (deps.build_dependencies, deps.DEPENDENCY_CALLS),
    "edge": (edge.build_edge, edge.EDGE_CALLS),
    "patterns": (patterns.build_patterns, patterns.PATTERN_CALLS),
    "routing": (routing_mod.build_routing, routing_mod.ROUTING_CALLS),
    "semantics": (semantics.build_semantics, semantics.SEMANTICS_CALLS),
    "plain routes": (
        patterns.build_plain_routes,
        [get("/metrics"), post("/metrics"), get("/health/3"), post("/health/4"), get("/sub/ping")],
    ),
    "mounts (declined: ASGI)": (
        patterns.build_mounts,
        [get("/top"), get("/v1/"), get("/v1/items/3"), get("/raw/anything/here"), post("/raw/")],
    ),
}


@pytest.mark.parametrize("name", list(SUITES))
def test_differential_apps_answer_the_same(name: str) -> None:
    build, calls = SUITES[name]
    compare_paths(build, calls)


@pytest.fixture
def asgi_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts what only the ASGI path does: http scopes reaching ``Fulmen.__call__``
    and ASGI ``send`` messages on the server's requests."""
    counts = {"app": 0, "send": 0}
    original_call = fulmen.FastAPI.__call__
    original_send = AsgiRequest.send

    async def counting_call(self: Any, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            counts["app"] += 1
        await original_call(self, scope, receive, send)

    async def counting_send(self: Any, message: Any) -> None:
        counts["send"] += 1
        await original_send(self, message)

    monkeypatch.setattr(fulmen.FastAPI, "__call__", counting_call)
    monkeypatch.setattr(AsgiRequest, "send", counting_send)
    return counts


def build_hot(fw: Any) -> Any:
    app = fw.FastAPI()

    @app.get("/plain")
    async def plain() -> Any:
        return fw.responses.PlainTextResponse("hi")

    @app.get("/users/{user_id}")
    async def user(user_id: int, q: str | None = None) -> Any:
        return {"id": user_id, "q": q}

    @app.get("/stream")
    async def stream() -> Any:
        async def pieces() -> Any:
            yield "a"
            yield b"b"

        return fw.responses.StreamingResponse(pieces(), media_type="text/plain")

    return app


HOT_CALLS = [
    get("/plain"),
    get("/users/3?q=x"),
    get("/users/x"),
    get("/nope"),
    post("/plain"),
    get("/plain/"),
    get("/stream"),
    call("HEAD", "/plain"),
]


def test_fast_path_builds_no_asgi_cycle(asgi_calls: dict[str, int]) -> None:
    compare_paths(build_hot, HOT_CALLS)
    # The ASGI run: every request went through Fulmen.__call__ and ASGI sends.
    # The fast run added nothing to either count.
    assert asgi_calls["app"] == len(HOT_CALLS)
    assert asgi_calls["send"] >= 2 * len(HOT_CALLS)


def test_declined_apps_are_served_over_asgi(asgi_calls: dict[str, int]) -> None:
    """User middleware: the whole app goes through ASGI (same answers)."""

    def build(fw: Any) -> Any:
        app = build_hot(fw)

        class Tag:
            def __init__(self, app: Any) -> None:
                self.app = app

            async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
                async def tagged(message: Any) -> None:
                    if message["type"] == "http.response.start":
                        message["headers"] = [*message["headers"], (b"x-tag", b"mw")]
                    await send(message)

                await self.app(scope, receive, tagged)

        app.add_middleware(Tag)
        return app

    results = compare_paths(build, HOT_CALLS[:3])
    assert all(r["headers"]["x-tag"] == ["mw"] for r in results)
    assert asgi_calls["app"] == 2 * 3


def test_patched_middleware_stack_is_honoured() -> None:
    """OpenTelemetry-style patching of build_middleware_stack: its middleware runs."""
    seen: list[str] = []

    def build(fw: Any) -> Any:
        app = build_hot(fw)
        original = app.build_middleware_stack

        def instrumented() -> Any:
            inner = original()

            async def middleware(scope: Any, receive: Any, send: Any) -> None:
                if scope["type"] == "http":
                    seen.append(scope["path"])
                await inner(scope, receive, send)

            return middleware

        app.build_middleware_stack = instrumented
        return app

    compare_paths(build, [get("/plain"), get("/users/1")])
    assert seen == ["/plain", "/users/1"] * 2


def test_replaced_route_app_is_honoured() -> None:
    """A route whose ``app`` was wrapped (as instrumentation does) goes through it."""

    def build(fw: Any) -> Any:
        app = build_hot(fw)
        route = next(r for r in app.routes if r.path == "/plain")
        inner = route.app

        async def wrapped(scope: Any, receive: Any, send: Any) -> None:
            async def tag(message: Any) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [*message["headers"], (b"x-tag", b"route")]
                await send(message)

            await inner(scope, receive, tag)

        route.app = wrapped
        return app

    results = compare_paths(build, [get("/plain"), get("/users/1")])
    assert results[0]["headers"]["x-tag"] == ["route"]


def build_lifecycle(fw: Any, log: list[str]) -> Any:
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app: Any) -> Any:
        log.append("startup")
        yield {"greeting": "hello"}
        log.append("shutdown")

    app = fw.FastAPI(lifespan=lifespan)

    async def remember(what: str) -> None:
        await asyncio.sleep(0.01)
        log.append(what)

    @app.get("/state")
    async def state(request: Request, tasks: BackgroundTasks) -> Any:
        tasks.add_task(remember, "task")
        return {"greeting": request.state.greeting, "log": list(log)}

    @app.get("/crash")
    async def crash() -> Any:
        raise RuntimeError("boom")

    return app


def test_lifespan_state_background_tasks_and_errors(caplog: pytest.LogCaptureFixture) -> None:
    logs: dict[bool, list[str]] = {}
    seen: dict[bool, list[Any]] = {}
    for fast in (False, True):
        log: list[str] = []
        server = serve(build_lifecycle(FULMEN, log), fast=fast)
        try:
            with httpx.Client(base_url=server.url, timeout=20) as client:
                first = client.get("/state")
                second = client.get("/state")
                with caplog.at_level(logging.ERROR, logger="fulmen_http.error"):
                    crash = client.get("/crash")
                seen[fast] = [
                    first.json(),
                    second.status_code,
                    crash.status_code,
                    crash.text,
                    crash.headers["content-type"],
                ]
        finally:
            server.stop()
        logs[fast] = log
    assert seen[True] == seen[False]
    assert seen[True][0] == {"greeting": "hello", "log": ["startup"]}
    assert seen[True][2:] == [500, "Internal Server Error", "text/plain; charset=utf-8"]
    # The background task ran after each response; shutdown ran last.
    assert logs[True] == logs[False] == ["startup", "task", "task", "shutdown"]
    assert any("boom" in str(r.exc_info) for r in caplog.records if r.exc_info)


def test_file_response_on_the_fast_path(tmp_path: Any) -> None:
    data = tmp_path / "data.txt"
    data.write_bytes(b"0123456789" * 1000)

    def build(fw: Any) -> Any:
        app = fw.FastAPI()

        @app.get("/file")
        async def file() -> Any:
            return fw.responses.FileResponse(data)

        return app

    calls = [get("/file"), get("/file", headers={"range": "bytes=5-14"}), call("HEAD", "/file")]
    results = compare_paths(build, calls)
    assert results[1]["status"] == 206
    assert results[1]["body"] == b"5678901234"


def test_own_call_responses_and_error_handlers() -> None:
    """A response class with its own __call__ that fails before starting, a
    streaming body that fails midway, handlers by class and by status."""

    def build(fw: Any) -> Any:
        app = fw.FastAPI()

        class Broken(fw.responses.Response):
            async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
                raise LookupError("before start")

        class Echo(fw.responses.Response):
            async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
                await send({"type": "http.response.start", "status": 201, "headers": []})
                await send({"type": "http.response.body", "body": b"own", "more_body": True})
                await send({"type": "http.response.body", "body": b" call"})

        @app.exception_handler(LookupError)
        async def lookup(request: Any, exc: Exception) -> Any:
            return fw.responses.JSONResponse({"lookup": str(exc)}, status_code=418)

        @app.exception_handler(500)
        async def server_error(request: Any, exc: Exception) -> Any:
            return fw.responses.PlainTextResponse("custom 500", status_code=500)

        @app.get("/broken")
        async def broken() -> Any:
            return Broken(b"never")

        @app.get("/echo")
        async def echo() -> Any:
            return Echo()

        @app.get("/teapot")
        async def teapot() -> Any:
            raise KeyError("missing")

        @app.get("/crash")
        async def crash() -> Any:
            raise ValueError("unhandled")

        @app.get("/half")
        async def half() -> Any:
            async def pieces() -> Any:
                yield b"first"
                raise LookupError("midway")

            return fw.responses.StreamingResponse(pieces())

        @app.get("/empty-stream")
        async def empty_stream() -> Any:
            async def pieces() -> Any:
                return
                yield b""  # an async generator that yields nothing

            return fw.responses.StreamingResponse(pieces(), headers={"x-tag": "empty"})

        return app

    calls = [get("/broken"), get("/echo"), get("/teapot"), get("/crash"), get("/empty-stream")]
    results = compare_paths(build, calls)
    assert results[0]["status"] == 418
    assert results[1]["body"] == b"own call"
    assert results[3]["body"] == b"custom 500"
    with pytest.raises(httpx.RemoteProtocolError):  # a stream cut midway, on both paths
        answers(build(FULMEN), [get("/half")], fast=True)
    with pytest.raises(httpx.RemoteProtocolError):
        answers(build(FULMEN), [get("/half")], fast=False)
