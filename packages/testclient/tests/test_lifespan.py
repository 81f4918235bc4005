"""Lifespan in `with TestClient(app)`: start-up, state, shutdown, failures."""

from __future__ import annotations

from types import ModuleType

import pytest
import testclient_apps as apps


def test_lifespan_runs_and_state_reaches_requests(tc: ModuleType) -> None:
    app = apps.LifespanApp()
    with tc.TestClient(app) as client:
        assert app.events == ["startup"]
        assert client.get("/").json() == {"greeting": "hello"}
        assert client.app_state == {"greeting": "hello"}
    assert app.events == ["startup", "shutdown"]


def test_no_lifespan_without_with(tc: ModuleType) -> None:
    app = apps.LifespanApp()
    assert tc.TestClient(app).get("/").json() == {}
    assert app.events == []


def test_startup_exception_raises_in_the_test(tc: ModuleType) -> None:
    with (
        pytest.raises(RuntimeError, match="database unreachable"),
        tc.TestClient(apps.LifespanApp(fail_startup="raise")),
    ):
        pytest.fail("the with block must not run")


def test_startup_failed_message_raises(tc: ModuleType) -> None:
    with (
        pytest.raises(tc.LifespanError, match="no config"),
        tc.TestClient(apps.LifespanApp(fail_startup="message")),
    ):
        pytest.fail("the with block must not run")


def test_shutdown_failure_raises(tc: ModuleType) -> None:
    app = apps.LifespanApp(fail_shutdown=True)
    with pytest.raises(tc.LifespanError, match="flush failed"), tc.TestClient(app) as client:
        client.get("/")
    assert app.events == ["startup", "shutdown"]


def test_app_without_lifespan_support(tc: ModuleType) -> None:
    with tc.TestClient(apps.no_lifespan_app) as client:
        assert client.get("/").text == "ok"


def test_app_that_raises_on_lifespan_raises_like_starlette(tc: ModuleType) -> None:
    with pytest.raises(AssertionError), tc.TestClient(apps.echo_app):
        pass
