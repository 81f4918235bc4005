"""The hook points monitoring tools patch behave the same in FastAPI and Fulmen."""

from typing import Any

import pytest
from fw_differential import FASTAPI, FULMEN, client_for


@pytest.mark.parametrize("fw", [FASTAPI, FULMEN], ids=lambda fw: fw.name)
def test_patched_get_request_handler_is_used(fw: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sentry's FastAPI integration replaces routing.get_request_handler."""
    seen: list[str] = []
    original = fw.routing.get_request_handler

    def patched(*args: Any, **kwargs: Any) -> Any:
        handler = original(*args, **kwargs)

        async def wrapped(request: Any) -> Any:
            seen.append(request.url.path)
            return await handler(request)

        return wrapped

    monkeypatch.setattr(fw.routing, "get_request_handler", patched)
    app = fw.FastAPI()
    app.get("/x/{n}")(lambda n: n)
    with client_for(fw, app) as client:
        assert client.get("/x/1").json() == "1"
    assert seen == ["/x/1"]


@pytest.mark.parametrize("fw", [FASTAPI, FULMEN], ids=lambda fw: fw.name)
def test_patched_build_middleware_stack_and_route_templates(fw: Any) -> None:
    """OpenTelemetry wraps build_middleware_stack and finds the template with matches()."""
    templates: list[str] = []
    app = fw.FastAPI()

    @app.get("/users/{user_id}")
    def user(user_id: int) -> int:
        return user_id

    @app.post("/users/{user_id}")
    def post_user(user_id: int) -> int:
        return -user_id

    original = app.build_middleware_stack

    def instrumented() -> Any:
        inner = original()

        async def middleware(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                for route in app.routes:
                    match, _ = route.matches(scope)
                    if match.name == "FULL":
                        templates.append(route.path)
                        break
            await inner(scope, receive, send)

        return middleware

    app.build_middleware_stack = instrumented
    with client_for(fw, app) as client:
        assert client.get("/users/3").json() == 3
        assert client.post("/users/3").json() == -3
        assert client.put("/users/3").status_code == 405
    assert templates == ["/users/{user_id}", "/users/{user_id}"]


@pytest.mark.parametrize("fw", [FASTAPI, FULMEN], ids=lambda fw: fw.name)
def test_route_attributes(fw: Any) -> None:
    app = fw.FastAPI()

    @app.put("/items/{item_id}", name="put_item", tags=["t"], status_code=202)
    def put_item(item_id: int, q: str | None = None) -> dict[str, int]:
        return {"item_id": item_id}

    route = next(r for r in app.routes if getattr(r, "name", None) == "put_item")
    assert isinstance(route, fw.routing.APIRoute)
    assert (route.path, route.methods, route.tags, route.status_code) == (
        "/items/{item_id}",
        {"PUT"},
        ["t"],
        202,
    )
    assert route.endpoint is put_item
    assert [f.name for f in route.dependant.path_params] == ["item_id"]
    assert [f.name for f in route.dependant.query_params] == ["q"]
    assert route.response_field is not None
    assert route.dependant.call is put_item
