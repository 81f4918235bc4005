"""Routing: decorators, routers, prefixes, first match, 404/405, redirect_slashes, names."""

from types import SimpleNamespace
from typing import Any

import pytest
from fw_differential import FULMEN, call, compare, get, post


def build_routing(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.get("/")
    async def root() -> dict[str, str]:
        return {"at": "root"}

    @app.get("/users/me")
    async def me() -> dict[str, str]:
        return {"user": "me"}

    @app.get("/users/{user_id}")
    async def user(user_id: str) -> dict[str, str]:
        return {"user": user_id}

    @app.get("/files/{file_path:path}")
    async def files(file_path: str) -> dict[str, str]:
        return {"path": file_path}

    @app.get("/ints/{n:int}")
    async def ints(n: int) -> dict[str, int]:
        return {"n": n}

    @app.get("/slash/")
    async def slash() -> str:
        return "slash"

    for method in ("put", "post", "delete", "options", "patch"):
        getattr(app, method)("/m")(lambda: {"method": "any"})

    @app.api_route("/multi", methods=["GET", "POST"])
    def multi() -> str:
        return "multi"

    def added() -> str:
        return "added"

    app.add_api_route("/added", added, methods=["GET"], status_code=202)

    router = fw.APIRouter(prefix="/api", tags=["api"])
    inner = fw.APIRouter(prefix="/v1")

    @inner.get("/things/{thing_id}", name="thing")
    async def thing(thing_id: int) -> dict[str, int]:
        return {"thing": thing_id}

    router.include_router(inner)
    app.include_router(router, prefix="/outer")
    return app


ROUTING_CALLS = [
    get("/"),
    get("/users/me"),
    get("/users/42"),
    get("/files/a/b/c.txt"),
    get("/ints/12"),
    get("/ints/x"),
    get("/slash/"),
    get("/slash"),
    get("/users/me/"),
    get("/nowhere"),
    post("/users/me"),
    call("PUT", "/m"),
    call("PATCH", "/m"),
    call("DELETE", "/m"),
    call("OPTIONS", "/m"),
    get("/m"),
    get("/multi"),
    post("/multi"),
    call("DELETE", "/multi"),
    get("/added"),
    get("/outer/api/v1/things/5"),
    get("/outer/api/v1/things/five"),
    call("HEAD", "/users/me"),
    get("/users/me?x=1&y=2"),
    get("/slash?keep=1"),
]


def test_routing_matches_fastapi() -> None:
    compare(build_routing, ROUTING_CALLS)


def test_url_path_for() -> None:
    for fw in (FULMEN,):
        app = build_routing(fw)
        assert app.url_path_for("thing", thing_id=5) == "/outer/api/v1/things/5"
        assert app.url_path_for("user", user_id="x") == "/users/x"
        with pytest.raises(fw.routing.NoMatchFound):
            app.url_path_for("thing")


def test_route_hook_points() -> None:
    app = build_routing(FULMEN)
    route = next(r for r in app.routes if getattr(r, "name", "") == "thing")
    assert isinstance(route, FULMEN.routing.APIRoute)
    assert route.path == "/outer/api/v1/things/{thing_id}"
    assert route.tags == ["api"]
    assert [f.name for f in route.dependant.path_params] == ["thing_id"]
    assert callable(app.build_middleware_stack())


def test_first_match_wins_like_fastapi() -> None:
    def build(fw: SimpleNamespace) -> Any:
        app = fw.FastAPI()

        @app.get("/items/{item}")
        def first(item: str) -> str:
            return "first " + item

        @app.get("/items/special")
        def second() -> str:
            return "second"

        @app.post("/items/special")
        def third() -> str:
            return "third"

        return app

    compare(build, [get("/items/special"), post("/items/special"), call("PUT", "/items/x")])


def test_redirect_slashes_off() -> None:
    def build(fw: SimpleNamespace) -> Any:
        app = fw.FastAPI(redirect_slashes=False)
        app.get("/a")(lambda: "a")
        return app

    compare(build, [get("/a/"), get("/a")])
