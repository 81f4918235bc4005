"""Building on httpx2 when it is installed, on httpx otherwise (or when forced)."""

from __future__ import annotations

import httpx
import httpx2
import pytest
from testclient_flavours import load_flavour

import fulmen_testclient
from fulmen_testclient._httpx import choose_httpx


def test_default_is_httpx2_when_installed() -> None:
    assert issubclass(fulmen_testclient.TestClient, httpx2.Client)
    assert issubclass(fulmen_testclient.AsyncTestClient, httpx2.AsyncClient)
    assert choose_httpx() is httpx2


def test_forced_choices_build_on_the_named_library() -> None:
    assert choose_httpx("httpx") is httpx
    on_httpx = load_flavour("httpx")
    assert issubclass(on_httpx.TestClient, httpx.Client)
    assert not issubclass(on_httpx.TestClient, httpx2.Client)
    assert issubclass(on_httpx.WebSocketDenialResponse, httpx.Response)
    assert issubclass(load_flavour("httpx2").TestClient, httpx2.Client)


def test_environment_variable_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FULMEN_TESTCLIENT_HTTPX", "httpx")
    assert choose_httpx() is httpx


def test_unknown_choice_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="FULMEN_TESTCLIENT_HTTPX must be one of"):
        choose_httpx("requests")
