"""HTTP requests to raw ASGI apps, in-process, on httpx2 and on httpx."""

from __future__ import annotations

import asyncio
import json
import threading
from types import ModuleType

import pytest
import testclient_apps as apps

import fulmen_testclient


def test_public_api() -> None:
    assert fulmen_testclient.__all__ == sorted(fulmen_testclient.__all__)
    for name in fulmen_testclient.__all__:
        assert hasattr(fulmen_testclient, name)


def test_request_reaches_the_app(tc: ModuleType) -> None:
    client = tc.TestClient(apps.echo_app, root_path="/api")
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
    assert seen["scheme"] == "http"
    assert seen["server"] == ["testserver", 80]
    assert seen["client"] == ["testclient", 50000]
    assert seen["headers"]["x-token"] == "t"
    assert seen["headers"]["host"] == "testserver"
    assert seen["headers"]["user-agent"] == "testclient"
    assert json.loads(seen["body"]) == {"a": 1}


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
def test_every_method(tc: ModuleType, method: str) -> None:
    response = getattr(tc.TestClient(apps.echo_app), method)("/m")
    assert response.status_code == 201
    assert response.json()["method"] == method.upper()


def test_head_drops_the_body_keeps_the_headers(tc: ModuleType) -> None:
    get = tc.TestClient(apps.echo_app).get("/h")
    head = tc.TestClient(apps.echo_app).head("/h")
    assert head.status_code == 201
    assert head.content == b""
    assert int(head.headers["content-length"]) == len(get.content) + 1  # "HEAD" vs "GET"


def test_base_url_client_headers_and_cookies_defaults(tc: ModuleType) -> None:
    client = tc.TestClient(
        apps.echo_app,
        base_url="https://example.org:8443/prefix/",
        headers={"X-Default": "d", "User-Agent": "mine"},
        cookies={"c": "1"},
        client=("10.0.0.1", 1234),
    )
    seen = client.get("item", headers={"X-Extra": "e"}).json()
    assert seen["path"] == "/prefix/item"
    assert seen["scheme"] == "https"
    assert seen["server"] == ["example.org", 8443]
    assert seen["client"] == ["10.0.0.1", 1234]
    assert seen["headers"]["x-default"] == "d"
    assert seen["headers"]["x-extra"] == "e"
    assert seen["headers"]["user-agent"] == "mine"
    assert seen["headers"]["cookie"] == "c=1"


def test_caller_headers_dict_is_not_mutated(tc: ModuleType) -> None:
    headers = {"x-a": "1"}
    tc.TestClient(apps.echo_app, headers=headers)
    assert headers == {"x-a": "1"}


def test_form_and_multipart_bodies(tc: ModuleType) -> None:
    client = tc.TestClient(apps.echo_app)
    form = client.post("/f", data={"name": "x y", "n": "1"}).json()
    assert form["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert form["body"] == "name=x+y&n=1"
    multipart = client.post(
        "/f", data={"field": "v"}, files={"upload": ("a.txt", b"file-bytes", "text/plain")}
    ).json()
    assert multipart["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    assert 'name="upload"; filename="a.txt"' in multipart["body"]
    assert "file-bytes" in multipart["body"]
    assert 'name="field"' in multipart["body"]


def test_streamed_request_body_reaches_the_app_in_chunks(tc: ModuleType) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        yield b"ab"
        yield b"cd"

    seen = tc.TestClient(apps.echo_app).post("/s", content=chunks()).json()
    assert seen["body"] == "abcd"


def test_cookies_persist_across_requests(tc: ModuleType) -> None:
    client = tc.TestClient(apps.cookie_app)
    assert client.get("/set").text == "set"
    assert client.get("/get").text == "session=abc"
    assert client.cookies["session"] == "abc"


def test_redirects_followed_by_default(tc: ModuleType) -> None:
    client = tc.TestClient(apps.redirect_app)
    response = client.get("/old")
    assert (response.status_code, response.text) == (200, "/new?x=1")
    assert [r.status_code for r in response.history] == [307]
    not_followed = client.get("/old", follow_redirects=False)
    assert not_followed.status_code == 307
    assert tc.TestClient(apps.redirect_app, follow_redirects=False).get("/old").is_redirect


# -- exceptions and broken apps -------------------------------------------------------


def test_exception_before_start_is_raised(tc: ModuleType) -> None:
    with pytest.raises(ValueError, match="before start"):
        tc.TestClient(apps.raise_before_start).get("/")


def test_exception_before_start_is_a_500_when_asked(tc: ModuleType) -> None:
    response = tc.TestClient(apps.raise_before_start, raise_server_exceptions=False).get("/")
    assert (response.status_code, response.content) == (500, b"")


def test_exception_after_start_is_raised(tc: ModuleType) -> None:
    with pytest.raises(ValueError, match="after start"):
        tc.TestClient(apps.raise_after_start).get("/")


def test_exception_after_start_keeps_the_partial_response_when_asked(tc: ModuleType) -> None:
    client = tc.TestClient(apps.raise_after_start, raise_server_exceptions=False)
    response = client.get("/")
    assert (response.status_code, response.content) == (200, b"partial")


def test_exception_after_the_body_is_raised(tc: ModuleType) -> None:
    with pytest.raises(ValueError, match="after the body"):
        tc.TestClient(apps.raise_after_body).get("/")
    response = tc.TestClient(apps.raise_after_body, raise_server_exceptions=False).get("/")
    assert response.text == "complete"


def test_app_that_never_sends_a_body(tc: ModuleType) -> None:
    response = tc.TestClient(apps.no_body_app).get("/")
    assert (response.status_code, response.content, response.headers["x-a"]) == (204, b"", "1")


def test_app_that_sends_no_response(tc: ModuleType) -> None:
    with pytest.raises(AssertionError, match="without sending a response"):
        tc.TestClient(apps.no_response_app).get("/")
    with pytest.raises(tc.ProtocolError):
        tc.TestClient(apps.no_response_app).get("/")
    quiet = tc.TestClient(apps.no_response_app, raise_server_exceptions=False)
    assert quiet.get("/").status_code == 500


def test_protocol_violation_is_reported(tc: ModuleType) -> None:
    with pytest.raises(tc.ProtocolError, match="twice"):
        tc.TestClient(apps.double_start_app).get("/")


# -- streaming -----------------------------------------------------------------------


@pytest.mark.parametrize("entered", [False, True], ids=["loop-per-request", "with-block"])
def test_stream_is_read_incrementally_and_closing_cancels_the_app(
    tc: ModuleType, entered: bool
) -> None:
    app = apps.StreamingApp()
    client = tc.TestClient(app)
    if entered:
        client.__enter__()
    try:
        with client.stream("GET", "/") as response:
            assert response.status_code == 200
            chunks = response.iter_bytes()
            assert next(chunks) == b"first"
            # The app is still waiting: a buffering client could not be here yet.
            assert app.events == ["first sent"]
        assert app.events == ["first sent", "cancelled"]
    finally:
        if entered:
            client.__exit__()


def test_large_stream_arrives_whole_with_back_pressure(tc: ModuleType) -> None:
    with tc.TestClient(apps.counting_stream_app) as client:
        with client.stream("GET", "/") as response:
            chunks = list(response.iter_raw())
        assert len(chunks) > 1  # handed over in several pieces, not buffered at once
        body = b"".join(chunks)
        assert len(body) == 1024 * 1024
        assert body[1024 * 5] == 5
        assert client.get("/").content == body


def test_response_waits_for_work_after_the_body(tc: ModuleType) -> None:
    app = apps.BackgroundApp()
    assert tc.TestClient(app).get("/").text == "done"
    assert app.events == ["background ran"]


def test_open_stream_is_closed_when_the_with_block_ends(tc: ModuleType) -> None:
    app = apps.StreamingApp()
    with tc.TestClient(app) as client:
        response = client.send(client.build_request("GET", "/"), stream=True)
        assert response.status_code == 200
    assert app.events == ["first sent", "cancelled"]


def test_with_block_reuses_one_loop_and_can_be_entered_again(tc: ModuleType) -> None:
    loops: list[object] = []

    async def loop_app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            loops.append(asyncio.get_running_loop())
            await apps.respond(send, 200, b"")

    client = tc.TestClient(loop_app)
    with client:
        client.get("/")
        client.get("/")
    with client:
        client.get("/")
    assert loops[0] is loops[1]
    assert loops[2] is not loops[0]
    client.get("/")  # still usable outside a with block


def test_asgi2_app_is_wrapped(tc: ModuleType) -> None:
    class ASGI2App:
        def __init__(self, scope) -> None:  # type: ignore[no-untyped-def]
            self.scope = scope

        async def __call__(self, receive, send) -> None:  # type: ignore[no-untyped-def]
            await apps.respond(send, 200, self.scope["path"].encode())

    assert tc.TestClient(ASGI2App).get("/two").text == "/two"


# -- timeouts (not in Starlette's client, which ignores them) --------------------------


def test_app_that_never_answers_times_out_when_asked(tc: ModuleType) -> None:
    app = apps.StreamingApp()

    async def silent(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            app.events.append("cancelled")
            raise

    with pytest.raises(tc._httpx.httpx.ReadTimeout, match=r"nothing for 0\.05 s"):
        tc.TestClient(silent).get("/", timeout=0.05)
    assert app.events == ["cancelled"]


@pytest.mark.parametrize("entered", [False, True], ids=["loop-per-request", "with-block"])
def test_stalled_stream_times_out_when_asked(tc: ModuleType, entered: bool) -> None:
    app = apps.StreamingApp()
    client = tc.TestClient(app, timeout=0.05)
    if entered:
        client.__enter__()
    try:
        with pytest.raises(tc._httpx.httpx.ReadTimeout):
            client.get("/")
        assert app.events == ["first sent", "cancelled"]
    finally:
        if entered:
            client.__exit__()


def test_no_loop_thread_is_left_behind(tc: ModuleType) -> None:
    def loop_threads() -> int:
        return sum(t.name == "fulmen-testclient-loop" for t in threading.enumerate())

    before = loop_threads()
    quiet = tc.TestClient(apps.raise_after_start, raise_server_exceptions=False)
    quiet.get("/")
    with pytest.raises(ValueError, match="before start"):
        tc.TestClient(apps.raise_before_start).get("/")
    with pytest.raises(tc.ProtocolError):
        tc.TestClient(apps.no_response_app).get("/")
    with pytest.raises(tc._httpx.httpx.ReadTimeout):
        tc.TestClient(apps.StreamingApp(), timeout=0.01).get("/")
    with tc.TestClient(apps.StreamingApp()).stream("GET", "/") as response:
        next(response.iter_bytes())
    denied = tc.TestClient(apps.ws_deny_app)
    with pytest.raises(tc.WebSocketDisconnect), denied.websocket_connect("/"):
        pass
    tc.TestClient(apps.ws_echo_app).websocket_connect("/")  # never entered
    with pytest.raises(RuntimeError), tc.TestClient(apps.LifespanApp(fail_startup="raise")):
        pass
    assert loop_threads() == before


def test_signature_is_a_drop_in_for_starlettes() -> None:
    import inspect

    from starlette.testclient import TestClient as StarletteTestClient

    theirs = list(inspect.signature(StarletteTestClient.__init__).parameters)
    ours = list(inspect.signature(fulmen_testclient.TestClient.__init__).parameters)
    assert ours[: len(theirs)] == theirs  # same names, same positions; ours adds after


def test_backend_options(tc: ModuleType) -> None:
    import uvloop

    seen: list[object] = []

    async def loop_app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            loop = asyncio.get_running_loop()
            seen.append((type(loop), loop.get_debug()))
            await apps.respond(send, 200, b"")

    tc.TestClient(loop_app, backend="asyncio", backend_options={"use_uvloop": True}).get("/")
    with tc.TestClient(loop_app, backend_options={"debug": True}) as client:
        client.get("/")
    assert seen[0] == (uvloop.Loop, False)
    assert seen[1][1] is True
    with pytest.raises(ValueError, match="'trio' is not supported"):
        tc.TestClient(loop_app, backend="trio")
    with pytest.raises(ValueError, match="unsupported backend_options: loop"):
        tc.TestClient(loop_app, backend_options={"loop": 1})
