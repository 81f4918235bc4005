"""Lean routes (fulmen._lean): the fast path's shortcut for endpoints that never
see the request answers exactly as the ASGI path does, takes over only where it
may, and builds no scope or Request unless something needs them."""

from __future__ import annotations

import functools
from typing import Any

import httpx
import pytest
from fw_differential import FULMEN, call, get, post
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from test_fast_path import answers, compare_paths, serve

import fulmen
from fulmen import routing
from fulmen._dependant import get_parameterless_sub_dependant
from fulmen._lean_params import ParamPlan, query_source
from fulmen._solve import request_params_to_args
from fulmen.datastructures import Headers, QueryParams
from fulmen.requests import Request, parse_cookies

pytestmark = pytest.mark.timeout(60)


class Item(BaseModel):
    name: str
    price: float
    note: str | None = None


def build_lean(fw: Any) -> Any:
    app = fw.FastAPI()
    responses = fw.responses

    @app.exception_handler(fw.exceptions.RequestValidationError)
    async def invalid(request: Any, exc: Any) -> Any:
        # What a handler can see of a request a lean route failed on: the body it
        # read, the scope's keys in order, the URL and the path parameters.
        body = await request.body()
        return responses.JSONResponse(
            {
                "errors": fw.encoders.jsonable_encoder(exc.errors()),
                "body": body.decode("latin-1"),
                "keys": [key for key in request.scope if key != "fastapi_astack"],
                "url": str(request.url),
                "path_params": request.path_params,
                "route": request.scope["route"].path,
            },
            status_code=422,
        )

    @app.exception_handler(KeyError)
    async def missing(request: Any, exc: Exception) -> Any:
        return responses.PlainTextResponse(f"missing {exc} at {request.url.path}", status_code=404)

    @app.get("/q/{n}")
    async def query(n: int, q: int, flag: bool = False, tags: list[str] | None = None) -> Any:
        return {"n": n, "q": q, "flag": flag, "tags": tags}

    @app.get("/hc")
    async def header_cookie(
        x_token: str = fw.Header(), session: str | None = fw.Cookie(default=None)
    ) -> Any:
        return {"token": x_token, "session": session}

    @app.post("/items", status_code=201)
    async def create(item: Item) -> Item:
        return item

    @app.post("/embed")
    async def embed(item: Item, count: int = fw.Body()) -> Any:
        return {"item": item, "count": count}

    @app.post("/sync")
    def sync_items(item: Item) -> dict[str, Any]:
        return {"name": item.name}

    @app.get("/model", response_model=Item, response_model_exclude_none=True)
    async def model() -> Any:
        return {"name": "a", "price": 1}

    @app.get("/bad-model", response_model=Item)
    async def bad_model() -> Any:
        return {"name": "a"}

    @app.get("/html", response_class=responses.HTMLResponse)
    async def html() -> str:
        return "<b>hé</b>"

    @app.get("/text", response_class=responses.PlainTextResponse)
    async def text() -> bytes:
        return b"raw"

    @app.get("/none", response_class=responses.Response)
    async def none() -> None:
        return None

    @app.get("/json")
    async def json_value() -> Any:
        return {"a": [1, 2.5, None, "ü"]}

    @app.get("/returns-response")
    async def returns_response() -> Any:
        return responses.JSONResponse({"own": True}, status_code=202, headers={"x-tag": "t"})

    @app.get("/redirect")
    async def redirect() -> Any:
        return responses.RedirectResponse("/json")

    @app.get("/http-error")
    async def http_error() -> Any:
        raise fw.HTTPException(409, "conflict", headers={"x-tag": "h"})

    @app.get("/key-error/{name}")
    async def key_error(name: str) -> Any:
        raise KeyError(name)

    @app.get("/crash")
    async def crash() -> Any:
        raise ValueError("unhandled")

    return app


JSON = {"content-type": "application/json"}
LEAN_CALLS = [
    get("/q/1?q=2&flag=true&tags=a&tags=b"),
    get("/q/x?q=y&flag=maybe"),
    get("/q/1"),
    get("/hc", headers={"x-token": "t", "cookie": "session=s; other=o"}),
    get("/hc"),
    post("/items", content=b'{"name": "w", "price": 2}', headers=JSON),
    post("/items", content=b'{"name": "w"}', headers=JSON),
    post("/items", content=b'{"name": ', headers=JSON),
    post("/items", content=b"[1, 2]", headers=JSON),
    post("/items", content=b'{"name": "w", "price": 2}', headers={"content-type": "text/plain"}),
    post("/items", content=b'{"name": "w", "price": 2}'),
    post("/items"),
    post("/embed", content=b'{"item": {"name": "w", "price": 2}, "count": 3}', headers=JSON),
    post("/embed", content=b'{"item": {"name": "w"}}', headers=JSON),
    post("/embed", content=b"[]", headers=JSON),
    post("/sync", content=b'{"name": "s", "price": 1}', headers=JSON),
    post("/sync", content=b"{}", headers=JSON),
    get("/model"),
    get("/bad-model"),
    get("/html"),
    get("/text"),
    get("/none"),
    get("/json"),
    get("/returns-response"),
    get("/redirect"),
    get("/http-error"),
    get("/key-error/k"),
    get("/crash"),
    call("HEAD", "/json"),
    post("/json"),
]


def test_lean_routes_answer_as_asgi() -> None:
    results = compare_paths(build_lean, LEAN_CALLS)
    by_url = {(c.method, c.url): r for c, r in zip(LEAN_CALLS, results, strict=True)}
    assert by_url[("POST", "/items")]["status"] == 422  # the last POST /items: no body
    invalid = results[7]  # invalid JSON: the handler still read the body
    assert invalid["status"] == 422
    assert b'"body":"{\\"name\\": "' in invalid["body"]
    assert b'"fastapi_function_astack"' in invalid["body"]
    assert results[5]["status"] == 201
    assert results[18]["status"] == 500
    assert results[26]["body"] == b"missing 'k' at /key-error/k"


def test_lean_routes_build_no_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of lean routes: on success, no Request (nor scope) is made."""
    made: list[Any] = []
    original = Request.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Request, "__init__", counting)
    ok = [LEAN_CALLS[0], LEAN_CALLS[5], get("/json"), get("/model")]
    results = answers(build_lean(FULMEN), ok, fast=True)
    assert [r["status"] for r in results] == [200, 201, 200, 200]
    assert made == []
    answers(build_lean(FULMEN), ok, fast=False)
    assert len(made) >= len(ok)  # the ASGI path makes them (the counter works)
    made.clear()
    results = answers(build_lean(FULMEN), [LEAN_CALLS[1]], fast=True)
    assert results[0]["status"] == 422
    assert len(made) == 1  # the exception handler got one


def _lean_of(app: Any, path: str) -> Any:
    route = next(r for r in app.routes if getattr(r, "path", None) == path)
    return route._fast[3]


def test_which_routes_are_lean(monkeypatch: pytest.MonkeyPatch) -> None:
    app = fulmen.FastAPI()

    class Rendered(fulmen.responses.JSONResponse):
        def render(self, content: Any) -> bytes:
            return b"custom"

    async def dep() -> int:
        return 1

    @app.get("/plain")
    async def plain(q: int = 0) -> Any:
        return q

    @app.get("/request")
    async def with_request(request: Request) -> Any:
        return 1

    @app.get("/dep")
    async def with_dep(value: int = fulmen.Depends(dep)) -> Any:
        return value

    @app.get("/tasks")
    async def with_tasks(tasks: fulmen.BackgroundTasks) -> Any:
        return 1

    @app.get("/response")
    async def with_response(response: fulmen.Response) -> Any:
        return 1

    @app.get("/no-content", status_code=204)
    async def no_content() -> None:
        return None

    @app.get("/rendered", response_class=Rendered)
    async def rendered() -> Any:
        return 1

    @app.get("/stream")
    async def stream() -> Any:
        yield b"x"

    assert _lean_of(app, "/plain") is not None
    for path in ("/request", "/dep", "/tasks", "/response", "/no-content", "/rendered", "/stream"):
        assert _lean_of(app, path) is None, path

    # A replaced get_request_handler (as Sentry's), even one that copies the
    # wrapped function's attributes, is called: no lean form.
    original = routing.get_request_handler
    calls: list[str] = []

    def instrumented(*args: Any, **kwargs: Any) -> Any:
        handler = original(*args, **kwargs)

        @functools.wraps(handler)
        async def wrapped(request: Any) -> Any:
            calls.append(request.url.path)
            return await handler(request)

        return wrapped

    monkeypatch.setattr(routing, "get_request_handler", instrumented)
    other = fulmen.FastAPI()

    @other.get("/plain")
    async def plain_again() -> Any:
        return 1

    assert _lean_of(other, "/plain") is None


def test_custom_route_class_handler_is_called() -> None:
    """A route class wrapping get_route_handler (a common FastAPI recipe) keeps
    its wrapper on the fast path."""
    seen: list[str] = []

    def build(fw: Any) -> Any:
        class Logged(fw.routing.APIRoute):
            def get_route_handler(self) -> Any:
                handler = super().get_route_handler()

                async def logged(request: Any) -> Any:
                    seen.append(request.url.path)
                    response = await handler(request)
                    response.headers["x-tag"] = "logged"
                    return response

                return logged

        app = fw.FastAPI()
        app.router.route_class = Logged

        @app.get("/plain")
        async def plain() -> Any:
            return {"ok": True}

        return app

    results = compare_paths(build, [get("/plain")])
    assert results[0]["headers"]["x-tag"] == ["logged"]
    assert seen == ["/plain", "/plain"]
    assert _lean_of(build(FULMEN), "/plain") is None


def _param_route() -> Any:
    app = fulmen.FastAPI()

    @app.get("/p/{n}")
    async def params(
        n: int,
        i: int,
        f: float = 0.5,
        s: str | None = None,
        alias: str = fulmen.Query(default="d", alias="a-b"),
        tags: list[str] = fulmen.Query(default=[]),  # noqa: B008 - FastAPI's style
        x_token: str | None = fulmen.Header(default=None),
        session: int | None = fulmen.Cookie(default=None),
    ) -> Any:
        return 1

    return next(r for r in app.routes if getattr(r, "path", None) == "/p/{n}")


QUERY_TEXT = st.text(alphabet="ai=&%+fsbtg-x1.2AZ é", max_size=30)


@settings(max_examples=300, deadline=None)
@given(query=QUERY_TEXT, n=st.sampled_from(["1", "x", ""]), cookie=st.text(max_size=12))
def test_lean_params_solve_as_the_general_solver(query: str, n: str, cookie: str) -> None:
    """ParamPlan and query_source give the values and errors request_params_to_args
    gives on the sources a Request would have made."""
    lean = _param_route()._fast[3]
    dependant = lean.dependant
    raw = query.encode("latin-1", "replace")
    headers = Headers(raw=[(b"x-token", b"t"), (b"cookie", cookie.encode("latin-1", "replace"))])
    cookie_value = headers.get("cookie")
    cookies = parse_cookies(cookie_value) if cookie_value else {}
    sources = [
        (lean.path, dependant.path_params, {"n": n}, {"n": n}),
        (lean.query, dependant.query_params, query_source(raw, lean.query), QueryParams(raw)),
        (lean.header, dependant.header_params, headers, headers),
        (lean.cookie, dependant.cookie_params, cookies, cookies),
    ]
    for plan, fields, lean_source, source in sources:
        values: dict[str, Any] = {}
        errors: list[Any] = []
        plan.solve(lean_source, values, errors)
        assert (values, errors) == request_params_to_args(fields, source)


def test_query_source_matches_query_params() -> None:
    plan = _param_route()._fast[3].query
    assert plan.lists  # a list[str] field: the full QueryParams
    assert plan.generic is None
    scalar = ParamPlan([e[-1] for e in plan.fields if not e[-1].is_sequence], multi=True)
    assert not scalar.lists
    for raw in [b"", b"a=1&a=2&b", b"a=%20&b=+", b"&&a==1&", b"x=\xe9"]:
        assert dict(query_source(raw, scalar)) == dict(QueryParams(raw).items())
        assert isinstance(query_source(raw, plan), QueryParams)


def test_routes_added_while_serving() -> None:
    """The fast path routes outside a coroutine only with a settled plan: the
    first request, and routes added after it, still answer."""
    app = fulmen.FastAPI()

    @app.get("/a")
    async def first() -> Any:
        return "a"

    server = serve(app, fast=True)
    try:
        with httpx.Client(base_url=server.url, timeout=20) as client:
            assert client.get("/a").json() == "a"
            assert client.get("/b").status_code == 404

            @app.get("/b")
            async def second(n: int = 1) -> Any:
                return n

            assert client.get("/b?n=5").json() == 5
            assert client.get("/a").json() == "a"
    finally:
        server.stop()


def test_dependency_added_after_registration_runs() -> None:
    """Code that appends a dependency to a route's dependant later (as some
    libraries do) gets it solved: such a route leaves the lean form."""
    seen: list[str] = []

    def build(fw: Any) -> Any:
        app = fw.FastAPI()

        @app.get("/items/{n}")
        async def item(n: int) -> Any:
            return {"n": n}

        def audit(n: int) -> None:
            seen.append(f"audit {n}")

        route = next(r for r in app.routes if getattr(r, "path", None) == "/items/{n}")
        route.dependant.dependencies.append(
            get_parameterless_sub_dependant(depends=fw.Depends(audit), path=route.path_format)
        )
        return app

    # Two requests: the first one is routed inside the coroutine (the fast path's
    # plan is made then), the second before it.
    results = compare_paths(build, [get("/items/3"), get("/items/4")])
    assert results[1]["body"] == b'{"n":4}'
    assert seen == ["audit 3", "audit 4"] * 2  # the ASGI run, then the fast run
