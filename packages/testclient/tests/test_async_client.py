"""AsyncTestClient: the same behaviours on the test's own event loop."""

from __future__ import annotations

from types import ModuleType

import pytest
import testclient_apps as apps

pytestmark = pytest.mark.anyio


async def test_request_and_lifespan_state(tc: ModuleType) -> None:
    app = apps.LifespanApp()
    async with tc.AsyncTestClient(app) as client:
        assert app.events == ["startup"]
        response = await client.get("/")
        assert response.json() == {"greeting": "hello"}
    assert app.events == ["startup", "shutdown"]


async def test_echo(tc: ModuleType) -> None:
    client = tc.AsyncTestClient(apps.echo_app)
    seen = (await client.post("/p?x=1", content=b"body", headers={"x-h": "v"})).json()
    assert (seen["method"], seen["path"], seen["query_string"]) == ("POST", "/p", "x=1")
    assert (seen["body"], seen["headers"]["x-h"]) == ("body", "v")
    assert seen["headers"]["user-agent"] == "testclient"


async def test_startup_failure_raises(tc: ModuleType) -> None:
    with pytest.raises(RuntimeError, match="database unreachable"):
        async with tc.AsyncTestClient(apps.LifespanApp(fail_startup="raise")):
            pytest.fail("the block must not run")


async def test_exceptions_and_500(tc: ModuleType) -> None:
    with pytest.raises(ValueError, match="before start"):
        await tc.AsyncTestClient(apps.raise_before_start).get("/")
    with pytest.raises(ValueError, match="after start"):
        await tc.AsyncTestClient(apps.raise_after_start).get("/")
    quiet = tc.AsyncTestClient(apps.raise_before_start, raise_server_exceptions=False)
    assert (await quiet.get("/")).status_code == 500
    with pytest.raises(AssertionError):
        await tc.AsyncTestClient(apps.no_response_app).get("/")


async def test_stream_is_incremental(tc: ModuleType) -> None:
    app = apps.StreamingApp()
    async with tc.AsyncTestClient(app) as client, client.stream("GET", "/") as response:
        chunks = response.aiter_bytes()
        assert await anext(chunks) == b"first"
        assert app.events == ["first sent"]
        await chunks.aclose()
    assert app.events == ["first sent", "cancelled"]


async def test_background_work_finishes_before_the_response_returns(tc: ModuleType) -> None:
    app = apps.BackgroundApp()
    assert (await tc.AsyncTestClient(app).get("/")).text == "done"
    assert app.events == ["background ran"]


async def test_cookies_and_redirects(tc: ModuleType) -> None:
    client = tc.AsyncTestClient(apps.cookie_app)
    await client.get("/set")
    assert (await client.get("/get")).text == "session=abc"
    redirected = await tc.AsyncTestClient(apps.redirect_app).get("/old")
    assert redirected.text == "/new?x=1"


async def test_websocket(tc: ModuleType) -> None:
    client = tc.AsyncTestClient(apps.ws_echo_app)
    async with client.websocket_connect("/ws") as ws:
        await ws.send_text("hi")
        assert await ws.receive_text() == "echo:hi"
        await ws.send_json([1])
        assert await ws.receive_text() == "echo:[1]"
    async with tc.AsyncTestClient(apps.ws_close_with_code_app).websocket_connect("/") as ws:
        assert await ws.receive_text() == "bye soon"
        with pytest.raises(tc.WebSocketDisconnect) as info:
            await ws.receive_text()
        assert info.value.code == 4001


async def test_stalled_stream_times_out_when_asked(tc: ModuleType) -> None:
    app = apps.StreamingApp()
    with pytest.raises(tc._httpx.httpx.ReadTimeout):
        await tc.AsyncTestClient(app, timeout=0.05).get("/")
    assert app.events == ["first sent", "cancelled"]


async def test_websocket_session_must_be_entered(tc: ModuleType) -> None:
    ws = tc.AsyncTestClient(apps.ws_echo_app).websocket_connect("/")
    with pytest.raises(RuntimeError, match="context manager"):
        await ws.receive_text()
