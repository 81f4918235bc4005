"""Responses: classes, injected Response, response_model options, status codes, errors."""

from types import SimpleNamespace
from typing import Any

import pytest
from fw_differential import FASTAPI, FULMEN, call, client_for, compare, get, post
from pydantic import BaseModel, Field


class Item(BaseModel):
    name: str
    price: float = 1.0
    tax: float | None = None
    tags: list[str] = []


class Aliased(BaseModel):
    full_name: str = Field(alias="fullName")
    age: int = 0


def build_responses(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    r = fw.responses

    @app.get("/html", response_class=r.HTMLResponse)
    async def html() -> str:
        return "<h1>caf\u00e9</h1>"

    @app.get("/text", response_class=r.PlainTextResponse, status_code=201)
    def text() -> str:
        return "plain"

    @app.get("/direct")
    async def direct() -> Any:
        return r.JSONResponse({"direct": True}, status_code=203, headers={"X-Custom": "1"})

    @app.get("/redirect")
    async def redirect() -> Any:
        return r.RedirectResponse("/html?x=1 2")

    @app.get("/redirect-class", response_class=r.RedirectResponse, status_code=302)
    async def redirect_class() -> str:
        return "/text"

    @app.get("/stream")
    async def stream() -> Any:
        async def chunks() -> Any:
            for i in range(3):
                yield f"chunk{i},"

        return r.StreamingResponse(chunks(), media_type="text/csv")

    @app.get("/stream-sync")
    def stream_sync() -> Any:
        return r.StreamingResponse(iter([b"a", b"b"]), headers={"X-Custom": "s"})

    @app.get("/injected")
    async def injected(response: fw.Response) -> dict[str, str]:
        response.headers["X-Custom"] = "yes"
        response.set_cookie("session", "abc", httponly=True, max_age=60)
        response.status_code = 202
        return {"ok": "injected"}

    @app.get("/delete-cookie")
    def delete_cookie(response: fw.Response) -> dict[str, str]:
        response.delete_cookie("session")
        return {}

    @app.post("/created", status_code=201)
    async def created() -> dict[str, Any]:
        return {"created": [1, 2.5, None, "\u20ac"]}

    @app.delete("/empty", status_code=204)
    async def empty() -> None:
        return None

    @app.get("/model", response_model=Item)
    async def model() -> Any:
        return {"name": "n", "price": 2, "secret": "dropped"}

    @app.get("/annotated")
    async def annotated() -> Item:
        return Item(name="a", tags=["x"])

    @app.get("/list", response_model=list[Item])
    async def items() -> Any:
        return [{"name": "a"}, Item(name="b", tax=0.5)]

    @app.get("/unset", response_model=Item, response_model_exclude_unset=True)
    async def unset() -> Any:
        return Item(name="u", tax=None)

    @app.get("/none", response_model=Item, response_model_exclude_none=True)
    async def none() -> Any:
        return Item(name="u")

    @app.get("/defaults", response_model=Item, response_model_exclude_defaults=True)
    async def defaults() -> Any:
        return Item(name="u", price=1.0, tax=3)

    @app.get("/include", response_model=Item, response_model_include={"name", "tags"})
    async def include() -> Any:
        return Item(name="i")

    @app.get("/exclude", response_model=Item, response_model_exclude={"tax"})
    async def exclude() -> Any:
        return Item(name="e")

    @app.get("/alias", response_model=Aliased)
    async def alias() -> Any:
        return {"fullName": "A B"}

    @app.get("/no-alias", response_model=Aliased, response_model_by_alias=False)
    async def no_alias() -> Any:
        return {"fullName": "A B"}

    @app.get("/model-html", response_model=Item, response_class=r.JSONResponse)
    async def model_explicit_class() -> Any:
        return {"name": "explicit"}

    @app.get("/none-model", response_model=None)
    async def none_model() -> Any:
        return {"raw": {1, 2}}

    @app.get("/http-error")
    async def http_error() -> Any:
        raise fw.HTTPException(status_code=418, detail={"why": "teapot"}, headers={"X-Tag": "t"})

    @app.get("/http-error-304")
    async def not_modified() -> Any:
        raise fw.HTTPException(status_code=304)

    class Custom(Exception):
        pass

    @app.exception_handler(Custom)
    async def custom_handler(request: fw.Request, exc: Custom) -> Any:
        return r.JSONResponse({"custom": str(exc), "path": request.url.path}, status_code=499)

    @app.get("/custom-error")
    def custom_error() -> Any:
        raise Custom("boom")

    @app.exception_handler(404)
    async def not_found(request: fw.Request, exc: Any) -> Any:
        return r.PlainTextResponse(f"nothing at {request.url.path}", status_code=404)

    @app.get("/request")
    async def request_info(request: fw.Request) -> dict[str, Any]:
        return {
            "method": request.method,
            "url": str(request.url),
            "path": request.url.path,
            "query": dict(request.query_params),
            "header": request.headers.get("x-custom"),
            "cookies": request.cookies,
            "client": request.client is not None,
            "path_params": request.path_params,
            "base_url": str(request.base_url),
        }

    @app.post("/echo-body")
    async def echo_body(request: fw.Request) -> dict[str, Any]:
        raw = await request.body()
        parsed = await request.json()
        streamed = b"".join([c async for c in request.stream()])
        return {"raw": raw.decode(), "json": parsed, "same": raw == streamed}

    return app


RESPONSE_CALLS = [
    get("/html"),
    get("/text"),
    get("/direct"),
    get("/redirect"),
    get("/redirect-class"),
    get("/stream"),
    get("/stream-sync"),
    get("/injected"),
    get("/delete-cookie"),
    post("/created"),
    call("DELETE", "/empty"),
    get("/model"),
    get("/annotated"),
    get("/list"),
    get("/unset"),
    get("/none"),
    get("/defaults"),
    get("/include"),
    get("/exclude"),
    get("/alias"),
    get("/no-alias"),
    get("/model-html"),
    get("/none-model"),
    get("/http-error"),
    get("/http-error-304"),
    get("/custom-error"),
    get("/missing"),
    get("/request?a=1&b=2", headers={"x-custom": "h", "cookie": "c=1"}),
    post("/echo-body", json={"k": ["v", 1]}),
    get("/request", headers={"host": "bad host!"}),
    get("/request", headers={"host": "[::1]:8080"}),
    get("/request", headers={"host": "[zz::1]"}),
    get("/request", headers={"host": "example.com:99999"}),
    get("/request?q=%3F#frag"),
]


def test_responses_match_fastapi() -> None:
    compare(build_responses, RESPONSE_CALLS)


def test_response_validation_error_is_a_server_error() -> None:
    def build(fw: SimpleNamespace) -> Any:
        app = fw.FastAPI()

        @app.get("/bad", response_model=list[int])
        async def bad() -> Any:
            return ["x"]

        return app

    for fw in (FASTAPI, FULMEN):
        with (
            client_for(fw, build(fw)) as client,
            pytest.raises(fw.exceptions.ResponseValidationError) as info,
        ):
            client.get("/bad")
        assert info.value.errors()[0]["loc"] == ("response", 0)
        with client_for(fw, build(fw), raise_server_exceptions=False) as client:
            response = client.get("/bad")
        assert (response.status_code, response.text) == (500, "Internal Server Error")


def test_unhandled_error_with_500_handler() -> None:
    def build(fw: SimpleNamespace) -> Any:
        app = fw.FastAPI()

        @app.exception_handler(Exception)
        async def on_error(request: Any, exc: Exception) -> Any:
            return fw.responses.JSONResponse({"error": repr(exc)}, status_code=500)

        @app.get("/crash")
        def crash() -> Any:
            raise ValueError("bad")

        return app

    compare(build, [get("/crash")], raise_server_exceptions=False)


def test_validation_error_messages_match_fastapi() -> None:
    def build(fw: SimpleNamespace) -> Any:
        app = fw.FastAPI()

        @app.get("/bad", response_model=list[int])
        async def bad() -> Any:
            return ["x", "y"]

        return app

    messages = []
    for fw in (FASTAPI, FULMEN):
        with (
            client_for(fw, build(fw)) as client,
            pytest.raises(fw.exceptions.ResponseValidationError) as info,
        ):
            client.get("/bad")
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert "GET /bad" in messages[1]
