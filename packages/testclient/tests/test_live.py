"""Live mode: the same client API over real sockets to a real server.

The machinery runs against uvicorn (UvicornServer, a test-only backend) so it is
tested today; the default backend is fulmen_http's server, which the last tests
use when the installed fulmen_http has one.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import pytest
import testclient_apps as apps
import testclient_fastapi_app as fastapi_app
from starlette.testclient import TestClient as StarletteTestClient
from testclient_servers import UvicornServer

import fulmen_testclient
from fulmen_testclient import LiveModeUnavailable, LiveServer, TestClient

HAS_FULMEN_SERVER = hasattr(importlib.import_module("fulmen_http"), "Server")


def test_live_server_listens_on_a_free_local_port() -> None:
    with LiveServer(apps.echo_app, server_factory=UvicornServer, lifespan=False) as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert not server.url.endswith(":0")
        with fulmen_testclient._httpx.httpx.Client() as plain:
            assert plain.get(server.url + "/x").json()["path"] == "/x"
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url


def test_request_over_sockets_looks_the_same_to_the_app() -> None:
    in_process = TestClient(apps.echo_app)
    live = TestClient(apps.echo_app, live=UvicornServer)
    assert live.live
    assert not in_process.live

    def seen(client: TestClient) -> dict[str, object]:
        response = client.post("/p%20q/r", params={"a": "1"}, json={"k": "v"})
        assert response.status_code == 201
        data = response.json()
        del data["client"], data["server"]  # the real peer and listening address
        data["headers"].pop("content-length")
        return data

    assert seen(live) == seen(in_process)


def test_with_block_runs_lifespan_in_the_server() -> None:
    app = apps.LifespanApp()
    with TestClient(app, live=UvicornServer) as client:
        assert app.events == ["startup"]
        assert client.get("/").json() == {"greeting": "hello"}
        assert client.app_state == {"greeting": "hello"}
        assert client.get("/").json() == {"greeting": "hello"}
    assert app.events == ["startup", "shutdown"]


def test_startup_failure_raises_the_apps_exception() -> None:
    with (
        pytest.raises(RuntimeError, match="database unreachable"),
        TestClient(apps.LifespanApp(fail_startup="raise"), live=UvicornServer),
    ):
        pytest.fail("the with block must not run")


@pytest.mark.parametrize("entered", [False, True], ids=["server-per-request", "with-block"])
def test_app_exceptions_reraise_or_500(entered: bool) -> None:
    client = TestClient(apps.raise_before_start, live=UvicornServer)
    quiet = TestClient(apps.raise_after_body, live=UvicornServer, raise_server_exceptions=False)
    if entered:
        client.__enter__()
    try:
        with pytest.raises(ValueError, match="before start"):
            client.get("/")
        assert quiet.get("/").text == "complete"
        with pytest.raises(ValueError, match="after the body"):
            TestClient(apps.raise_after_body, live=UvicornServer).get("/")
    finally:
        if entered:
            client.__exit__()
    quiet_500 = TestClient(
        apps.raise_before_start, live=UvicornServer, raise_server_exceptions=False
    )
    assert quiet_500.get("/").status_code == 500


def test_stream_is_incremental_over_sockets_and_closing_cancels_the_app() -> None:
    app = apps.StreamingApp()
    with TestClient(app, live=UvicornServer) as client:
        with client.stream("GET", "/") as response:
            chunks = response.iter_bytes()
            assert next(chunks) == b"first"
            assert app.events == ["first sent"]
        assert app.events == ["first sent", "cancelled"]


def test_cookies_and_redirects_live() -> None:
    with TestClient(apps.cookie_app, live=UvicornServer) as client:
        client.get("/set")
        assert client.get("/get").text == "session=abc"
    assert TestClient(apps.redirect_app, live=UvicornServer).get("/old").text == "/new?x=1"


def test_websockets_are_not_live_yet() -> None:
    with pytest.raises(LiveModeUnavailable, match="WebSockets"):
        TestClient(apps.ws_echo_app, live=UvicornServer).websocket_connect("/")


def test_environment_variable_makes_every_client_live(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FULMEN_TESTCLIENT_LIVE", "1")
    client = TestClient(apps.no_lifespan_app)
    assert client.live
    if HAS_FULMEN_SERVER:
        assert client.get("/e").text == "ok"
    else:
        with pytest.raises(LiveModeUnavailable, match="has no Server yet"):
            client.get("/e")
    monkeypatch.setenv("FULMEN_TESTCLIENT_LIVE", "0")
    assert not TestClient(apps.echo_app).live
    assert not TestClient(apps.echo_app, live=False).live


LIVE_SCENARIOS = ["requests", "cookies", "background", "streaming"]


NO_FULMEN_SERVER = pytest.mark.skipif(
    not HAS_FULMEN_SERVER, reason="this fulmen_http has no Server yet (live mode unavailable)"
)
# Seen on the wip-http branch (1336f12): a streamed response (body sent with
# more_body=True) makes the server call encode_response(..., None, ...), which its
# binding rejects, and the connection drops. Not strict: it passes once fixed.
FULMEN_STREAMING_BUG = pytest.mark.xfail(
    HAS_FULMEN_SERVER, reason="fulmen_http streamed responses (see comment)", strict=False
)
BACKENDS = [
    pytest.param(UvicornServer, id="uvicorn"),
    pytest.param(True, id="fulmen_http", marks=NO_FULMEN_SERVER),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", LIVE_SCENARIOS)
def test_fastapi_scenarios_live_match_starlette_in_process(
    request: pytest.FixtureRequest, backend: Any, name: str
) -> None:
    """Over real sockets, the observations match Starlette's in-process client
    (headers a server adds by itself — date, server, transfer-encoding — aside)."""
    if backend is True and name == "streaming":
        request.applymarker(FULMEN_STREAMING_BUG)
    scenario = fastapi_app.SCENARIOS[name]
    starlette_app, starlette_events = fastapi_app.make_app()
    live_app, live_events = fastapi_app.make_app()
    with StarletteTestClient(starlette_app) as reference:
        expected = scenario(reference)
    with TestClient(live_app, live=backend) as client:
        actual = scenario(client)
    assert actual == expected
    assert live_events == starlette_events


@NO_FULMEN_SERVER
def test_default_backend_is_fulmen_http(tc: ModuleType) -> None:
    app = apps.LifespanApp()
    with tc.TestClient(app, live=True) as client:
        assert client.get("/").json() == {"greeting": "hello"}
    assert app.events == ["startup", "shutdown"]
    with (
        pytest.raises(RuntimeError, match="database unreachable"),
        tc.TestClient(apps.LifespanApp(fail_startup="raise"), live=True),
    ):
        pytest.fail("the with block must not run")
    with pytest.raises(ValueError, match="before start"):
        tc.TestClient(apps.raise_before_start, live=True).get("/")
    with pytest.raises(ValueError, match="after the body"):
        tc.TestClient(apps.raise_after_body, live=True).get("/")


# -- AsyncTestClient, live --------------------------------------------------------------


@pytest.mark.anyio
async def test_async_client_live_with_lifespan_and_errors() -> None:
    app = apps.LifespanApp()
    async with fulmen_testclient.AsyncTestClient(app, live=UvicornServer) as client:
        assert client.live
        assert (await client.get("/")).json() == {"greeting": "hello"}
        assert client.app_state == {"greeting": "hello"}
    assert app.events == ["startup", "shutdown"]
    with pytest.raises(ValueError, match="after the body"):
        await fulmen_testclient.AsyncTestClient(apps.raise_after_body, live=UvicornServer).get("/")
    with pytest.raises(RuntimeError, match="database unreachable"):
        async with fulmen_testclient.AsyncTestClient(
            apps.LifespanApp(fail_startup="raise"), live=UvicornServer
        ):
            pytest.fail("the block must not run")


@pytest.mark.anyio
async def test_async_client_live_stream_and_cancel() -> None:
    app = apps.StreamingApp()
    async with fulmen_testclient.AsyncTestClient(app, live=UvicornServer) as client:
        async with client.stream("GET", "/") as response:
            chunks = response.aiter_bytes()
            assert await anext(chunks) == b"first"
            assert app.events == ["first sent"]
            await chunks.aclose()
        assert app.events == ["first sent", "cancelled"]


def test_environment_variable_makes_async_clients_live_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FULMEN_TESTCLIENT_LIVE", "yes")
    assert fulmen_testclient.AsyncTestClient(apps.echo_app).live
    assert not fulmen_testclient.AsyncTestClient(apps.echo_app, live=False).live
