"""fulmen_router.Router: matching, priority, 405, mounts, slashes, freeze, handles."""

from __future__ import annotations

import gc
import uuid
import weakref
from typing import Any

import pytest

import fulmen_router
from fulmen_router import (
    FOUND,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    Router,
    RouteTemplateError,
)


def test_public_api() -> None:
    assert fulmen_router.__all__ == sorted(fulmen_router.__all__)
    assert set(fulmen_router.__all__) == {
        "FOUND",
        "METHOD_NOT_ALLOWED",
        "RouteMatch",
        "NOT_FOUND",
        "NoMatchFound",
        "RouteTemplateError",
        "Router",
        "__version__",
    }
    assert (FOUND, NOT_FOUND, METHOD_NOT_ALLOWED) == (0, 1, 2)


@pytest.fixture
def router() -> Router[str]:
    r: Router[str] = Router()
    r.add("/", "root", methods=["GET"])
    r.add("/users/me", "me", methods=["GET"])
    r.add("/users/{user_id:int}", "user", methods=["GET", "PUT"])
    r.add("/users/{name}", "by-name", methods=["GET"])
    r.add("/items/{price:float}", "price")
    r.add("/things/{u:uuid}", "thing")
    r.add("/files/{p:path}", "file")
    r.add("/files/{name}.{ext}", "shadowed-by-path")
    r.add("/docs/{name}.{ext}", "doc")
    r.add("/{p:path}/edit", "edit")
    r.add("/caf\u00e9/{x}", "cafe")
    return r


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        pytest.param("GET", "/", (FOUND, "root", {}), id="root"),
        pytest.param("GET", "/users/me", (FOUND, "me", {}), id="static-before-param"),
        pytest.param("GET", "/users/42", (FOUND, "user", {"user_id": 42}), id="int"),
        pytest.param("GET", "/users/007", (FOUND, "user", {"user_id": 7}), id="int-leading-zeros"),
        pytest.param("GET", "/users/-1", (FOUND, "by-name", {"name": "-1"}), id="int-rejects-sign"),
        pytest.param("PUT", "/users/42", (FOUND, "user", {"user_id": 42}), id="second-method"),
        pytest.param("DELETE", "/users/42", (METHOD_NOT_ALLOWED, ("GET", "PUT"), None), id="405"),
        pytest.param(
            "POST", "/users/me", (METHOD_NOT_ALLOWED, ("GET",), None), id="405-first-route"
        ),
        pytest.param("GET", "/items/1.5", (FOUND, "price", {"price": 1.5}), id="float"),
        pytest.param("POST", "/items/3", (FOUND, "price", {"price": 3.0}), id="float-int-form"),
        pytest.param("GET", "/items/3.", (NOT_FOUND, None, None), id="float-needs-fraction"),
        pytest.param(
            "GET",
            "/things/0F8FAD5BD9CB469FA16570867728950E",
            (FOUND, "thing", {"u": uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e")}),
            id="uuid-upper-no-hyphens",
        ),
        pytest.param("GET", "/files/a/b.txt", (FOUND, "file", {"p": "a/b.txt"}), id="path"),
        pytest.param("GET", "/files/", (FOUND, "file", {"p": ""}), id="path-empty"),
        pytest.param(
            "GET", "/docs/a.tar.gz", (FOUND, "doc", {"name": "a.tar", "ext": "gz"}), id="mixed"
        ),
        pytest.param("GET", "/x/y/edit", (FOUND, "edit", {"p": "x/y"}), id="after-path"),
        pytest.param(
            "GET", "/caf\u00e9/\u00e9t\u00e9", (FOUND, "cafe", {"x": "\u00e9t\u00e9"}), id="utf8"
        ),
        pytest.param("GET", "/users/me/", (NOT_FOUND, None, None), id="trailing-slash"),
        pytest.param("GET", "/Users/me", (NOT_FOUND, None, None), id="case-sensitive"),
        pytest.param("GET", "", (NOT_FOUND, None, None), id="empty"),
        pytest.param("GET", "users", (NOT_FOUND, None, None), id="relative"),
        pytest.param("GET", "/users/me\n", (FOUND, "me", {}), id="dollar-before-final-newline"),
        pytest.param(
            "GET", "/users/a\nb", (FOUND, "by-name", {"name": "a\nb"}), id="newline-in-str"
        ),
        pytest.param(
            "GET", "/users/\udcff", (FOUND, "by-name", {"name": "\udcff"}), id="lone-surrogate"
        ),
        pytest.param("OPTIONS", "/items/1", (FOUND, "price", {"price": 1.0}), id="any-method"),
    ],
)
def test_match(router: Router[str], method: str, path: str, expected: Any) -> None:
    assert router.match(method, path) == expected


def test_first_registered_route_wins() -> None:
    r: Router[str] = Router()
    r.add("/users/{id}", "param")
    r.add("/users/me", "static")  # registered after: shadowed, as in FastAPI
    assert r.match("GET", "/users/me") == (FOUND, "param", {"id": "me"})


def test_405_lists_the_first_path_match_and_a_later_full_match_wins() -> None:
    r: Router[str] = Router()
    r.add("/a/{x:int}", "post", methods=["post"])
    r.add("/a/{x}", "put", methods=["PUT", "PATCH", "PUT"])
    r.add("/a/{x}", "get", methods=["GET"])
    assert r.match("GET", "/a/1") == (FOUND, "get", {"x": "1"})
    assert r.match("DELETE", "/a/1") == (METHOD_NOT_ALLOWED, ("POST",), None)
    assert r.match("DELETE", "/a/z") == (METHOD_NOT_ALLOWED, ("PUT", "PATCH"), None)


def test_methods_must_not_be_a_string() -> None:
    with pytest.raises(TypeError):
        Router().add("/", None, methods="GET")


def test_params_dict_is_fresh_each_time(router: Router[str]) -> None:
    _, _, first = router.match("GET", "/users/1")
    assert first is not None
    first["user_id"] = "changed"
    assert router.match("GET", "/users/1") == (FOUND, "user", {"user_id": 1})


def test_big_int_and_float_conversion() -> None:
    r: Router[str] = Router()
    r.add("/i/{n:int}", "int")
    r.add("/f/{x:float}", "float")
    digits = "123456789" * 5
    assert r.match("GET", f"/i/{digits}") == (FOUND, "int", {"n": int(digits)})
    assert r.match("GET", f"/f/{digits}.5") == (FOUND, "float", {"x": float(digits + ".5")})
    assert r.match("GET", "/f/" + "9" * 400) == (FOUND, "float", {"x": float("inf")})


def test_mount() -> None:
    r: Router[str] = Router()
    r.add("/api/health", "health", methods=["GET"])
    r.mount("/api/", "api-app")
    r.mount("", "fallback")
    assert r.match("GET", "/api/health") == (FOUND, "health", {})
    assert r.match("POST", "/api/health") == (FOUND, "api-app", {"path": "health"})
    assert r.match("GET", "/api/v1/users") == (FOUND, "api-app", {"path": "v1/users"})
    assert r.match("GET", "/api") == (FOUND, "fallback", {"path": "api"})
    assert r.match("GET", "/") == (FOUND, "fallback", {"path": ""})


def test_mount_with_params() -> None:
    r: Router[str] = Router()
    r.mount("/org/{org:int}", "org-app")
    assert r.match("GET", "/org/7/repos") == (FOUND, "org-app", {"org": 7, "path": "repos"})
    with pytest.raises(RouteTemplateError, match="repeated"):
        r.mount("/{path}", "bad")
    with pytest.raises(RouteTemplateError):
        r.mount("api", "bad")


def test_redirect_slashes_path() -> None:
    r: Router[str] = Router()
    r.add("/a/", "a", methods=["POST"])
    r.add("/b", "b")
    assert r.redirect_slashes_path("/a") == "/a/"
    assert r.redirect_slashes_path("/b/") == "/b"
    assert r.redirect_slashes_path("/b//") == "/b"
    assert r.redirect_slashes_path("/c") is None
    assert r.redirect_slashes_path("/") is None
    assert r.path_matches("/a/")
    assert not r.path_matches("/a")


@pytest.mark.parametrize(
    ("template", "message"),
    [
        pytest.param("users", "start with '/'", id="relative"),
        pytest.param("/{id", "unbalanced '{'", id="open-brace"),
        pytest.param("/id}", "unbalanced '}'", id="close-brace"),
        pytest.param("/{a{b}}", "unbalanced '{'", id="nested"),
        pytest.param("/{}", "invalid parameter name", id="empty-name"),
        pytest.param("/{1a}", "invalid parameter name", id="bad-name"),
        pytest.param("/{a:number}", "unknown converter 'number'", id="unknown-converter"),
        pytest.param("/{a}/{a:int}", "repeated parameter name 'a'", id="repeated"),
        pytest.param(
            "/" + "".join(f"{{p{i}}}/" for i in range(33)), "more than 32 parameters", id="too-many"
        ),
        pytest.param("/" + "a" * 9000, "longer than", id="too-long"),
    ],
)
def test_bad_templates_raise_at_registration(template: str, message: str) -> None:
    r: Router[None] = Router()
    with pytest.raises(RouteTemplateError, match=message):
        r.add(template, None)
    assert len(r) == 0
    assert issubclass(RouteTemplateError, ValueError)


def test_freeze() -> None:
    r: Router[str] = Router()
    r.add("/a", "a")
    assert not r.frozen
    r.freeze()
    assert r.frozen
    with pytest.raises(RouteTemplateError, match="frozen"):
        r.add("/b", "b")
    assert r.match("GET", "/a") == (FOUND, "a", {})


def test_wrong_argument_types() -> None:
    r: Router[str] = Router()
    r.add("/a", "a")
    with pytest.raises(TypeError, match="path must be str"):
        r.match("GET", b"/a")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="method must be str"):
        r.match(None, "/a")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        r.match("GET")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="max_backtrack_steps"):
        Router(max_backtrack_steps=0)


def test_uninterned_method_names_match() -> None:
    r: Router[str] = Router()
    r.add("/a", "a", methods=["GET"])
    method = "".join(["G", "E", "T"])  # a new, uninterned str
    assert r.match(method, "/a") == (FOUND, "a", {})


def test_hostile_path_is_bounded() -> None:
    r: Router[str] = Router(max_backtrack_steps=10_000)
    r.add("/{a}.{b}.{c}.{d}!", "x")
    assert r.match("GET", "/" + "." * 20_000) == (NOT_FOUND, None, None)


def test_handles_are_any_object_and_cycles_are_collected() -> None:
    class Endpoint:
        router: Router[Any] | None = None

    endpoint = Endpoint()
    r: Router[Any] = Router()
    r.add("/x", endpoint)
    assert r.match("GET", "/x")[1] is endpoint
    assert r.handle(0) is endpoint
    endpoint.router = r  # a cycle through the native table
    ref = weakref.ref(endpoint)
    del endpoint, r
    gc.collect()
    assert ref() is None
