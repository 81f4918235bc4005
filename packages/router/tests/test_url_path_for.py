"""Reverse routing: url_path_for formats, escapes, and names what is wrong."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fulmen_router import FOUND, NoMatchFound, Router


@pytest.fixture
def router() -> Router[str]:
    r: Router[str] = Router()
    r.add("/users/{user_id:int}", "user", name="get_user")
    r.add("/users/{user_id:int}/posts/{slug}", "post", name="get_post")
    r.add("/items/{price:float}", "price", name="price")
    r.add("/things/{u:uuid}", "thing", name="thing")
    r.add("/files/{p:path}", "file", name="file")
    r.add("/caf\u00e9", "cafe", name="cafe")
    r.add("/dup/{a}", "dup-a", name="dup")
    r.add("/dup/{b}", "dup-b", name="dup")
    r.mount("/static", "static-app", name="static")
    return r


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        pytest.param("get_user", {"user_id": 42}, "/users/42", id="int"),
        pytest.param("get_user", {"user_id": "7"}, "/users/7", id="int-from-str"),
        pytest.param(
            "get_post", {"user_id": 1, "slug": "a b"}, "/users/1/posts/a%20b", id="escaped"
        ),
        pytest.param(
            "get_post", {"user_id": 1, "slug": "100%"}, "/users/1/posts/100%25", id="percent"
        ),
        pytest.param("price", {"price": 1.5}, "/items/1.5", id="float"),
        pytest.param("price", {"price": 3}, "/items/3", id="float-whole"),
        pytest.param(
            "thing",
            {"u": uuid.UUID(int=1)},
            "/things/00000000-0000-0000-0000-000000000001",
            id="uuid",
        ),
        pytest.param("file", {"p": "a/b c.txt"}, "/files/a/b%20c.txt", id="path-keeps-slashes"),
        pytest.param("cafe", {}, "/caf%C3%A9", id="literal-escaped"),
        pytest.param("dup", {"b": "x"}, "/dup/x", id="first-route-with-these-params"),
        pytest.param("static", {"path": "/css/site.css"}, "/static/css/site.css", id="mount"),
    ],
)
def test_url_path_for(
    router: Router[str], name: str, params: dict[str, Any], expected: str
) -> None:
    assert router.url_path_for(name, **params) == expected


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        pytest.param("nope", {}, "no route is named 'nope'", id="unknown-name"),
        pytest.param("get_user", {}, "missing user_id", id="missing"),
        pytest.param("get_user", {"user_id": 1, "x": 2}, "unexpected x", id="extra"),
    ],
)
def test_url_path_for_errors(
    router: Router[str], name: str, params: dict[str, Any], message: str
) -> None:
    with pytest.raises(NoMatchFound, match=message):
        router.url_path_for(name, **params)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        pytest.param("get_user", {"user_id": -1}, id="negative-int"),
        pytest.param("price", {"price": float("nan")}, id="nan"),
        pytest.param("price", {"price": float("inf")}, id="inf"),
        pytest.param("price", {"price": -0.5}, id="negative-float"),
        pytest.param("get_post", {"user_id": 1, "slug": "a/b"}, id="slash-in-str"),
        pytest.param("get_post", {"user_id": 1, "slug": ""}, id="empty-str"),
        pytest.param("thing", {"u": "not-a-uuid"}, id="bad-uuid"),
    ],
)
def test_unformattable_values(router: Router[str], name: str, params: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the converter's own message
        router.url_path_for(name, **params)


@given(
    st.integers(min_value=0),
    st.text(st.characters(blacklist_characters="/", blacklist_categories=("Cs",)), min_size=1),
    st.text(st.characters(blacklist_characters="\n", blacklist_categories=("Cs",))),
)
def test_round_trip(user_id: int, slug: str, rest: str) -> None:
    """Decoding url_path_for's answer gives a path that matches the same route
    with the same params (the router matches decoded paths)."""
    r: Router[str] = Router()
    r.add("/u/{user_id:int}/{slug}/{rest:path}", "route", name="n")
    path = r.url_path_for("n", user_id=user_id, slug=slug, rest=rest)
    assert r.match("GET", unquote(path)) == (
        FOUND,
        "route",
        {"user_id": user_id, "slug": slug, "rest": rest},
    )
