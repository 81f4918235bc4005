"""Static-route matching: exact, case-sensitive, first registration wins."""

from __future__ import annotations

import pytest

import fulmen_router
from fulmen_router import Router, RouteTemplateError


def test_public_api() -> None:
    assert fulmen_router.__all__ == sorted(fulmen_router.__all__)
    assert set(fulmen_router.__all__) == {"RouteTemplateError", "Router", "__version__"}


@pytest.fixture
def router() -> Router[str]:
    r: Router[str] = Router()
    r.add("/", "root")
    r.add("/users/me", "me")
    r.add("/users", "users")
    r.add("/caf\u00e9", "cafe")
    return r


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param("/", "root", id="root"),
        pytest.param("/users", "users", id="users"),
        pytest.param("/users/me", "me", id="nested"),
        pytest.param("/caf\u00e9", "cafe", id="decoded-non-ascii"),
        pytest.param("/users/", None, id="trailing-slash-is-another-path"),
        pytest.param("/Users", None, id="case-sensitive"),
        pytest.param("/users/me/x", None, id="longer"),
        pytest.param("", None, id="empty"),
    ],
)
def test_match(router: Router[str], path: str, expected: str | None) -> None:
    assert router.match(path) == expected


def test_first_registration_wins() -> None:
    r: Router[str] = Router()
    r.add("/a", "first")
    r.add("/a", "second")
    assert r.match("/a") == "first"
    assert len(r) == 1


def test_handles_are_any_object() -> None:
    r: Router[object] = Router()
    handle = object()
    r.add("/x", handle)
    assert r.match("/x") is handle


@pytest.mark.parametrize("path", ["users", "/users/{id}", "/a}"])
def test_unsupported_templates_are_rejected(path: str) -> None:
    with pytest.raises(RouteTemplateError):
        Router().add(path, None)
