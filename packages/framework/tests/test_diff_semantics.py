"""Finer FastAPI semantics: yield teardown order against background tasks and the
response, swallowed exceptions, custom validation handlers, param-model extras."""

from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

from fw_differential import FASTAPI, FULMEN, client_for, compare, get, post
from pydantic import BaseModel, ConfigDict


class StrictFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = 10


class Tokens(BaseModel):
    x_token: list[str]
    user_agent: str | None = None


def build_semantics(fw: Any) -> Any:
    log: list[str] = []
    app = fw.FastAPI()
    app.state.name = "app-state"
    Depends, Query, Header = fw.Depends, fw.Query, fw.Header

    async def request_scoped() -> AsyncIterator[str]:
        log.append("request dep open")
        yield "r"
        log.append("request dep close")

    def function_scoped() -> Iterator[str]:
        log.append("function dep open")
        yield "f"
        log.append("function dep close")

    async def swallowing() -> AsyncIterator[None]:
        try:
            yield
        except Exception:
            log.append("swallowed")

    async def translating() -> AsyncIterator[None]:
        try:
            yield
        except KeyError as exc:
            raise fw.HTTPException(status_code=404, detail=f"missing {exc}") from exc

    def forbidden() -> None:
        raise fw.HTTPException(status_code=403, detail="nope", headers={"X-Tag": "dep"})

    @app.get("/order")
    async def order(
        tasks: fw.BackgroundTasks,
        r: Annotated[str, Depends(request_scoped)],
        f: Annotated[str, Depends(function_scoped, scope="function")],
    ) -> Any:
        tasks.add_task(log.append, "background")
        log.append("endpoint")
        return {"r": r, "f": f}

    @app.get("/log")
    def read_log() -> Any:
        copied = list(log)
        log.clear()
        return copied

    @app.get("/swallow")
    async def swallow(_: Annotated[None, Depends(swallowing)]) -> Any:
        raise RuntimeError("lost")

    @app.get("/translate")
    async def translate(_: Annotated[None, Depends(translating)]) -> Any:
        raise KeyError("thing")

    @app.get("/forbidden", dependencies=[Depends(forbidden)])
    async def forbidden_route() -> Any:
        return "unreachable"

    @app.get("/strict-query")
    async def strict_query(f: Annotated[StrictFilters, Query()]) -> Any:
        return f

    @app.get("/header-tokens")
    async def header_tokens(t: Annotated[Tokens, Header()]) -> Any:
        return t

    @app.get("/return-response")
    async def return_response(response: fw.Response) -> Any:
        response.headers["X-Tag"] = "injected-ignored"
        return fw.responses.PlainTextResponse("direct")

    @app.get("/state")
    async def state(request: fw.Request) -> Any:
        return {
            "app": request.app.state.name,
            "url_for": str(request.url_for("state")),
            "body": (await request.body()).decode(),
        }

    @app.get("/status-const", status_code=fw.status.HTTP_202_ACCEPTED)
    async def status_const() -> Any:
        return {"ok": True}

    class Odd(Exception):
        pass

    @app.exception_handler(fw.exceptions.RequestValidationError)
    async def on_invalid(request: Any, exc: Any) -> Any:
        return fw.responses.JSONResponse(
            {"errors": len(exc.errors()), "body": exc.body}, status_code=400
        )

    @app.post("/validated")
    async def validated(limit: int, item: StrictFilters) -> Any:
        return item

    return app


SEMANTICS_CALLS = [
    get("/order"),
    get("/log"),
    get("/translate"),
    get("/log"),
    get("/forbidden"),
    get("/strict-query?limit=3"),
    get("/strict-query?limit=3&other=1"),
    get("/header-tokens", headers=[("x-token", "a"), ("x-token", "b"), ("user-agent", "u")]),
    get("/header-tokens"),
    get("/return-response"),
    get("/state"),
    get("/status-const"),
    post("/validated?limit=x", json={"limit": 1, "extra": 2}),
    post("/validated?limit=1", json={"limit": 2}),
]


def test_semantics_match_fastapi() -> None:
    compare(build_semantics, SEMANTICS_CALLS)


def test_swallowed_exception_is_a_500_in_both() -> None:
    for fw in (FASTAPI, FULMEN):
        with client_for(fw, build_semantics(fw), raise_server_exceptions=False) as client:
            response = client.get("/swallow")
            assert (response.status_code, response.text) == (500, "Internal Server Error")
            assert client.get("/log").json() == ["swallowed"], fw.name
