"""WebSocket sessions against raw ASGI WebSocket apps."""

from __future__ import annotations

from types import ModuleType

import pytest
import testclient_apps as apps


def test_echo_text_bytes_json(tc: ModuleType) -> None:
    client = tc.TestClient(apps.ws_echo_app)
    with client.websocket_connect("/ws") as ws:
        ws.send_text("hi")
        assert ws.receive_text() == "echo:hi"
        ws.send_bytes(b"\x00\x01")
        assert ws.receive_bytes() == b"echo:\x00\x01"
        ws.send_json({"a": [1, 2]})
        assert ws.receive_text() == 'echo:{"a":[1,2]}'
        ws.send_json({"b": 1}, mode="binary")
        assert ws.receive_bytes() == b'echo:{"b":1}'


def test_receive_json_both_modes(tc: ModuleType) -> None:
    async def json_app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": '{"t": 1}'})
        await send({"type": "websocket.send", "bytes": b'{"b": 2}'})
        await receive()

    with tc.TestClient(json_app).websocket_connect("/") as ws:
        assert ws.receive_json() == {"t": 1}
        assert ws.receive_json(mode="binary") == {"b": 2}


def test_app_closing_with_a_code_raises_websocket_disconnect(tc: ModuleType) -> None:
    with tc.TestClient(apps.ws_close_with_code_app).websocket_connect("/") as ws:
        assert ws.receive_text() == "bye soon"
        with pytest.raises(tc.WebSocketDisconnect) as info:
            ws.receive_text()
    assert (info.value.code, info.value.reason) == (4001, "going away")


def test_subprotocol_headers_params_cookies_and_state(tc: ModuleType) -> None:
    client = tc.TestClient(apps.ws_subprotocol_app, cookies={"sid": "s1"})
    with client.websocket_connect(
        "/chat?room=1", subprotocols=["v1.chat", "v2.chat"], headers={"X-Token": "tok"}
    ) as ws:
        assert ws.accepted_subprotocol == "v2.chat"
        assert ws.extra_headers == [(b"x-extra", b"yes")]
        info = ws.receive_json()
    assert info == {
        "subprotocols": ["v1.chat", "v2.chat"],
        "path": "/chat",
        "query": "room=1",
        "token": "tok",
        "cookie": "sid=s1",
        "scheme": "ws",
        "state": {},
    }


def test_close_before_accept_is_a_denial(tc: ModuleType) -> None:
    with (
        pytest.raises(tc.WebSocketDisconnect) as info,
        tc.TestClient(apps.ws_deny_app).websocket_connect("/"),
    ):
        pytest.fail("the handshake must fail")
    assert (info.value.code, info.value.reason) == (1008, "no token")


def test_denial_response_is_a_response_and_a_disconnect(tc: ModuleType) -> None:
    with (
        pytest.raises(tc.WebSocketDenialResponse) as info,
        tc.TestClient(apps.ws_denial_response_app).websocket_connect("/"),
    ):
        pytest.fail("the handshake must fail")
    denial = info.value
    assert isinstance(denial, tc.WebSocketDisconnect)
    assert (denial.status_code, denial.text) == (403, "forbidden")
    assert denial.headers["content-type"] == "text/plain"


def test_app_exception_is_raised_in_the_test_once(tc: ModuleType) -> None:
    with tc.TestClient(apps.ws_raising_app).websocket_connect("/") as ws:
        ws.send_text("trigger")
        with pytest.raises(KeyError, match="handler bug"):
            ws.receive_text()


def test_app_exception_is_raised_on_exit(tc: ModuleType) -> None:
    with (
        pytest.raises(KeyError, match="handler bug"),
        tc.TestClient(apps.ws_raising_app).websocket_connect("/") as ws,
    ):
        ws.send_text("trigger")


def test_app_returning_without_close_is_an_abnormal_closure(tc: ModuleType) -> None:
    with tc.TestClient(apps.ws_returns_without_close_app).websocket_connect("/") as ws:
        with pytest.raises(tc.WebSocketDisconnect) as info:
            ws.receive_text()
        assert info.value.code == 1006
        with pytest.raises(tc.WebSocketDisconnect):  # and it stays closed
            ws.receive_bytes()


def test_client_close_reaches_the_app(tc: ModuleType) -> None:
    seen: list[object] = []

    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await receive()
        await send({"type": "websocket.accept"})
        seen.append(await receive())

    with tc.TestClient(app).websocket_connect("/") as ws:
        ws.close(code=4000, reason="done")
    assert seen == [{"type": "websocket.disconnect", "code": 4000, "reason": "done"}]


def test_session_shares_the_with_block_loop_and_lifespan_state(tc: ModuleType) -> None:
    app = apps.LifespanApp()

    async def both(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] == "websocket":
            await apps.ws_subprotocol_app(scope, receive, send)
        else:
            await app(scope, receive, send)

    with (
        tc.TestClient(both) as client,
        client.websocket_connect("/", subprotocols=["p"]) as ws,
    ):
        assert ws.receive_json()["state"] == {"greeting": "hello"}


def test_base_url_scheme_becomes_wss(tc: ModuleType) -> None:
    client = tc.TestClient(apps.ws_subprotocol_app, base_url="https://secure")
    with client.websocket_connect("/x", subprotocols=["p"]) as ws:
        assert ws.receive_json()["scheme"] == "wss"


def test_session_must_be_entered(tc: ModuleType) -> None:
    ws = tc.TestClient(apps.ws_echo_app).websocket_connect("/")
    with pytest.raises(RuntimeError, match="context manager"):
        ws.send_text("x")
    with pytest.raises(RuntimeError, match="context manager"):
        ws.receive_text()
    with ws:
        ws.send_text("now")
        assert ws.receive_text() == "echo:now"
    with pytest.raises(RuntimeError, match="entered once"), ws:
        pass
