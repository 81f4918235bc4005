"""Direct ASGI checks: the exact messages Fulmen sends, and the pure pieces."""

import asyncio
import importlib
import uuid
from typing import Any

import pytest

import fulmen
from fulmen._routing_table import RoutingTable, compile_path, url_path
from fulmen.datastructures import URL, Headers, MutableHeaders, QueryParams
from fulmen.requests import Request, parse_cookies
from fulmen.responses import StreamingResponse


def asgi_call(
    app: Any, method: str, path: str, body: bytes = b"", headers: list[Any] | None = None
) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": b"",
        "headers": headers or [(b"host", b"example.org")],
        "scheme": "http",
        "root_path": "",
        "server": ("example.org", 80),
    }
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 5))
    return sent


def test_streaming_response_messages() -> None:
    app = fulmen.FastAPI()

    @app.get("/s")
    def stream() -> Any:
        return StreamingResponse(iter(["a", b"b"]), media_type="text/plain")

    start, *body = asgi_call(app, "GET", "/s")
    assert start == {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", b"text/plain; charset=utf-8")],
    }
    assert [m["body"] for m in body] == [b"a", b"b", b""]
    assert body[-1]["more_body"] is False


def test_json_lines_stream_has_no_content_length() -> None:
    app = fulmen.FastAPI()

    @app.get("/l")
    async def lines() -> Any:
        yield {"a": 1}

    start, *body = asgi_call(app, "GET", "/l")
    assert dict(start["headers"]) == {b"content-type": b"application/jsonl"}
    assert b"".join(m["body"] for m in body) == b'{"a": 1}\n'


def test_request_views() -> None:
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/p",
        "root_path": "",
        "query_string": b"a=1&a=2&b=",
        "headers": [(b"host", b"h:8000"), (b"cookie", b'x=1; y="q"; bare'), (b"X-A", b"v")],
        "scheme": "https",
        "client": ("1.2.3.4", 5),
    }
    request = Request(scope)
    assert request.url == "https://h:8000/p?a=1&a=2&b="
    assert request.url.path == "/p"
    assert request.base_url == "https://h:8000/"
    assert request.query_params.getlist("a") == ["1", "2"]
    assert request.query_params["b"] == ""
    assert request.cookies == {"x": "1", "y": "q", "": "bare"}
    assert request.client is not None
    assert request.client.host == "1.2.3.4"
    request.state.flag = True
    assert scope["state"] == {"flag": True}


def test_datastructures() -> None:
    headers = MutableHeaders(raw=[(b"a", b"1"), (b"a", b"2")])
    assert headers.getlist("A") == ["1", "2"]
    headers["a"] = "3"
    assert headers.raw == [(b"a", b"3")]
    del headers["a"]
    assert "a" not in headers
    assert Headers({"X-Y": "z"})["x-y"] == "z"
    assert str(QueryParams("a=1&b=two")) == "a=1&b=two"
    assert URL("http://h/p?q=1").replace(path="/x") == "http://h/x?q=1"
    assert parse_cookies("a=b;c") == {"a": "b", "": "c"}


def test_routing_table_first_match_and_partial() -> None:
    table: RoutingTable[str] = RoutingTable()
    table.add("/a/{x:int}", frozenset({"GET"}), "int")
    table.add("/a/{x}", frozenset({"POST"}), "str-post")
    table.add("/a/{x}", frozenset({"GET"}), "str-get")
    match = table.match("/a/5", "GET")
    assert match is not None
    assert (match.target, match.params, match.full) == ("int", {"x": 5}, True)
    match = table.match("/a/z", "PUT")
    assert match is not None
    assert (match.target, match.full, match.allowed) == (None, False, {"POST"})
    assert table.match("/b", "GET") is None


def test_compile_path_errors_and_url_path() -> None:
    with pytest.raises(AssertionError, match="Unknown path convertor"):
        compile_path("/{x:nope}")
    with pytest.raises(ValueError, match="Duplicated param name x"):
        compile_path("/{x}/{x}")
    compiled = compile_path("/f/{n:float}/{u:uuid}/{rest:path}")
    ident = uuid.UUID(int=1)
    assert url_path(compiled, {"n": 1.5, "u": ident, "rest": "a/b"}) == f"/f/1.5/{ident}/a/b"
    assert url_path(compiled, {"n": 1.5}) is None


def test_lifespan_startup_failure_is_reported() -> None:
    async def broken(app: Any) -> Any:
        raise RuntimeError("no database")

    class Broken:
        def __init__(self, app: Any) -> None:
            pass

        async def __aenter__(self) -> None:
            raise RuntimeError("no database")

        async def __aexit__(self, *args: object) -> None:
            return None

    app = fulmen.FastAPI(lifespan=Broken)
    sent: list[dict[str, Any]] = []
    messages = [{"type": "lifespan.startup"}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    with pytest.raises(RuntimeError, match="no database"):
        asyncio.run(app({"type": "lifespan", "state": {}}, receive, send))
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert "no database" in sent[0]["message"]


@pytest.mark.parametrize(
    "module",
    [
        "fulmen",
        "fulmen.responses",
        "fulmen.routing",
        "fulmen.params",
        "fulmen.param_functions",
        "fulmen.exceptions",
        "fulmen.exception_handlers",
        "fulmen.encoders",
        "fulmen.requests",
        "fulmen.background",
        "fulmen.datastructures",
        "fulmen.concurrency",
        "fulmen.status",
        "fulmen.testclient",
        "fulmen.applications",
        "fulmen.security",
    ],
)
def test_module_surfaces(module: str) -> None:
    imported = importlib.import_module(module)

    # Sorted the way ruff (RUF022) keeps it: CONSTANTS, then Classes, then the rest.
    def kind(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert imported.__all__ in (sorted(imported.__all__), sorted(imported.__all__, key=kind))
    for name in imported.__all__:
        assert hasattr(imported, name), name


def test_fastapi_top_level_names_exist() -> None:
    """The names FastAPI exports that this release covers are importable from fulmen."""
    covered = {
        "APIRouter", "BackgroundTasks", "Body", "Cookie", "Depends", "FastAPI", "HTTPException",
        "Header", "Path", "Query", "Request", "Response", "Security", "status",
    }  # fmt: skip
    for name in covered:
        assert hasattr(fulmen, name), name


@pytest.mark.anyio
async def test_blocking_def_endpoint_does_not_stall_the_loop() -> None:
    import time

    import httpx

    app = fulmen.FastAPI()
    finished: list[str] = []

    @app.get("/block")
    def block() -> str:
        time.sleep(0.3)
        finished.append("block")
        return "block"

    @app.get("/fast")
    async def fast() -> str:
        finished.append("fast")
        return "fast"

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:

        async def late_fast() -> httpx.Response:
            await asyncio.sleep(0.05)
            return await client.get("/fast")

        slow, quick = await asyncio.wait_for(asyncio.gather(client.get("/block"), late_fast()), 5)
    assert (slow.json(), quick.json()) == ("block", "fast")
    assert finished == ["fast", "block"]


def test_background_tasks_run_after_the_body_is_sent() -> None:
    app = fulmen.FastAPI()
    timeline: list[str] = []

    @app.post("/work")
    async def work(tasks: fulmen.BackgroundTasks) -> dict[str, bool]:
        tasks.add_task(timeline.append, "task")
        return {"queued": True}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        timeline.append(message["type"])

    scope = {"type": "http", "method": "POST", "path": "/work", "query_string": b"", "headers": []}
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 5))
    assert timeline == ["http.response.start", "http.response.body", "task"]


def test_fastapi_names_not_provided_yet_say_so() -> None:
    with pytest.raises(ImportError, match="'UploadFile' yet: forms and uploads"):
        from fulmen import UploadFile  # noqa: F401
    with pytest.raises(AttributeError):
        _ = fulmen.NoSuchThing  # type: ignore[attr-defined]


def test_debug_mode_answers_with_the_traceback() -> None:
    app = fulmen.FastAPI(debug=True)

    @app.get("/crash")
    def crash() -> None:
        raise ValueError("visible in debug")

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/crash", "query_string": b"", "headers": []}
    with pytest.raises(ValueError, match="visible in debug"):
        asyncio.run(asyncio.wait_for(app(scope, receive, send), 5))
    assert sent[0]["status"] == 500
    assert b"ValueError: visible in debug" in sent[1]["body"]
    assert sent[1]["body"].startswith(b"Traceback (most recent call last):")


def test_websocket_connection_is_refused_cleanly() -> None:
    app = fulmen.FastAPI()
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/ws", "query_string": b"", "headers": []}
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 5))
    assert sent == [{"type": "websocket.close", "code": 1000, "reason": ""}]
