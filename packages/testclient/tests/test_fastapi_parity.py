"""A differential test: the same scenarios against a FastAPI app through Starlette's
TestClient and through ours (on httpx2 and on httpx); what the tests observe must match.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from starlette.testclient import TestClient as StarletteTestClient
from starlette.websockets import WebSocketDisconnect as StarletteWebSocketDisconnect
from testclient_fastapi_app import SCENARIOS, Boom, http_view, make_app


@pytest.mark.parametrize("name", SCENARIOS)
def test_same_observations_as_starlette(tc: ModuleType, name: str) -> None:
    scenario = SCENARIOS[name]
    starlette_app, starlette_events = make_app()
    fulmen_app, fulmen_events = make_app()
    expected = scenario(StarletteTestClient(starlette_app))
    actual = scenario(tc.TestClient(fulmen_app))
    assert actual == expected
    assert fulmen_events == starlette_events


@pytest.mark.parametrize("root_path", ["", "/api"])
def test_root_path_matches_starlette(tc: ModuleType, root_path: str) -> None:
    app, _ = make_app()
    expected = StarletteTestClient(app, root_path=root_path).get("/state").json()
    assert tc.TestClient(app, root_path=root_path).get("/state").json() == expected


@pytest.mark.parametrize("raise_server_exceptions", [True, False])
def test_endpoint_exception_matches_starlette(
    tc: ModuleType, raise_server_exceptions: bool
) -> None:
    app, _ = make_app()

    def outcome(client: Any) -> Any:
        try:
            return http_view(client.get("/boom"))
        except Boom as exc:
            return ("raised", str(exc))

    expected = outcome(StarletteTestClient(app, raise_server_exceptions=raise_server_exceptions))
    actual = outcome(tc.TestClient(app, raise_server_exceptions=raise_server_exceptions))
    assert actual == expected
    assert actual == (
        ("raised", "kaboom") if raise_server_exceptions else (500, actual[1], actual[2], [])
    )


def test_websocket_disconnect_names_match(tc: ModuleType) -> None:
    # Same class name, code and reason; a different class (Starlette's is not a
    # run-time dependency of ours), so `except WebSocketDisconnect` must import ours.
    assert tc.WebSocketDisconnect.__name__ == StarletteWebSocketDisconnect.__name__
    ours, theirs = tc.WebSocketDisconnect(4000, "r"), StarletteWebSocketDisconnect(4000, "r")
    assert (ours.code, ours.reason) == (theirs.code, theirs.reason)
