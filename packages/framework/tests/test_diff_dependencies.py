"""Dependencies, yield teardown, overrides, Security scopes, background tasks, lifespan."""

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Annotated, Any

from fw_differential import FASTAPI, FULMEN, client_for, compare, get, post


def build_dependencies(fw: SimpleNamespace) -> Any:
    log: list[str] = []
    calls = {"count": 0}
    Depends, Security = fw.Depends, fw.Security

    async def common(q: str | None = None, skip: int = 0) -> dict[str, Any]:
        return {"q": q, "skip": skip}

    def counted() -> int:
        calls["count"] += 1
        return calls["count"]

    def uses_counted(a: Annotated[int, Depends(counted)], b: int = Depends(counted)) -> list[int]:
        return [a, b]

    def uncached(
        a: int = Depends(counted), b: int = Depends(counted, use_cache=False)
    ) -> list[int]:
        return [a, b]

    async def session() -> AsyncIterator[str]:
        log.append("session open")
        try:
            yield "session"
        except ValueError as exc:
            log.append(f"session saw {exc}")
            raise
        finally:
            log.append("session close")

    def sync_resource() -> Iterator[str]:
        log.append("sync open")
        yield "resource"
        log.append("sync close")

    async def function_scoped() -> AsyncIterator[str]:
        log.append("function open")
        yield "function"
        log.append("function close")

    def verify_token(x_token: Annotated[str, fw.Header()]) -> None:
        if x_token != "secret":
            raise fw.HTTPException(status_code=400, detail="X-Token header invalid")

    def scopes_of(security_scopes: fw.security.SecurityScopes) -> list[str]:
        return security_scopes.scopes

    def needs_read(scopes: Annotated[list[str], Security(scopes_of, scopes=["read"])]) -> list[str]:
        return scopes

    class Pagination:
        def __init__(self, page: int = 1, size: int = 10) -> None:
            self.page, self.size = page, size

    app = fw.FastAPI(dependencies=[Depends(counted)])

    @app.get("/common")
    async def read_common(commons: Annotated[dict[str, Any], Depends(common)]) -> Any:
        return commons

    @app.get("/cached")
    def read_cached(
        values: list[int] = Depends(uses_counted),  # noqa: B008
        again: int = Depends(counted),
    ) -> Any:
        return {"values": values, "again": again}

    @app.get("/uncached")
    def read_uncached(values: Annotated[list[int], Depends(uncached)]) -> Any:
        return values

    @app.get("/yield")
    async def read_yield(
        s: Annotated[str, Depends(session)],
        r: Annotated[str, Depends(sync_resource)],
        f: Annotated[str, Depends(function_scoped, scope="function")],
    ) -> Any:
        log.append("endpoint")
        return [s, r, f]

    @app.get("/yield-error")
    async def read_yield_error(s: Annotated[str, Depends(session)]) -> Any:
        raise ValueError("oops")

    @app.get("/yield-http-error")
    async def read_yield_http_error(s: Annotated[str, Depends(session)]) -> Any:
        raise fw.HTTPException(status_code=409, detail="conflict")

    @app.get("/log")
    def read_log() -> Any:
        copied = list(log)
        log.clear()
        return copied

    @app.get("/class-dep")
    def read_class(p: Annotated[Pagination, Depends()]) -> Any:
        return {"page": p.page, "size": p.size}

    @app.get("/scopes")
    def read_scopes(s: Annotated[list[str], Security(needs_read, scopes=["write"])]) -> Any:
        return s

    @app.get("/override")
    def read_override(commons: Annotated[dict[str, Any], Depends(common)]) -> Any:
        return commons

    router = fw.APIRouter(prefix="/secure", dependencies=[Depends(verify_token)])

    @router.get("/thing")
    def secure_thing(validated: Annotated[dict[str, Any], Depends(common)]) -> Any:
        return {"ok": True, **validated}

    app.include_router(router)

    @app.post("/background")
    async def background(tasks: fw.BackgroundTasks, name: str) -> Any:
        def write(message: str) -> None:
            log.append(message)

        async def awrite(message: str) -> None:
            log.append(message)

        tasks.add_task(write, f"sync task {name}")
        tasks.add_task(awrite, message=f"async task {name}")
        log.append("endpoint returned")
        return {"scheduled": 2}

    @app.get("/count")
    def count() -> int:
        return calls["count"]

    def override_common() -> dict[str, Any]:
        return {"overridden": True}

    app.dependency_overrides[common] = override_common
    app.dependency_overrides.pop(common)
    app.state.override = override_common
    return app


DEPENDENCY_CALLS = [
    get("/common?q=x&skip=3"),
    get("/common?skip=no"),
    get("/cached"),
    get("/uncached"),
    get("/count"),
    get("/yield"),
    get("/log"),
    get("/yield-http-error"),
    get("/log"),
    get("/class-dep?page=3"),
    get("/class-dep?size=x"),
    get("/scopes"),
    get("/secure/thing", headers={"x-token": "secret"}),
    get("/secure/thing", headers={"x-token": "wrong"}),
    get("/secure/thing"),
    post("/background?name=n"),
    get("/log"),
]


def test_dependencies_match_fastapi() -> None:
    compare(build_dependencies, DEPENDENCY_CALLS)


def test_yield_dependency_sees_the_endpoint_error() -> None:
    for fw in (FASTAPI, FULMEN):
        app = build_dependencies(fw)
        with client_for(fw, app, raise_server_exceptions=False) as client:
            assert client.get("/yield-error").status_code == 500
            assert client.get("/log").json() == [
                "session open",
                "session saw oops",
                "session close",
            ], fw.name


def test_dependency_overrides() -> None:
    def build(fw: SimpleNamespace) -> Any:
        app = build_dependencies(fw)
        common = (
            next(r for r in app.routes if r.path == "/override").dependant.dependencies[-1].call
        )
        app.dependency_overrides[common] = app.state.override
        return app

    compare(build, [get("/override?q=1"), get("/common")])


def test_def_endpoints_run_in_threads_async_on_the_loop() -> None:
    def build(fw: SimpleNamespace) -> Any:
        app = fw.FastAPI()
        loop_thread: dict[str, Any] = {}

        @app.get("/async")
        async def on_loop() -> bool:
            loop_thread["id"] = threading.get_ident()
            asyncio.get_running_loop()
            return True

        @app.get("/sync")
        def in_pool() -> bool:
            return threading.get_ident() != loop_thread["id"]

        return app

    compare(build, [get("/async"), get("/sync")])


def test_lifespan_state_and_events() -> None:
    events: list[str] = []

    def build(fw: SimpleNamespace) -> Any:
        @asynccontextmanager
        async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
            events.append("start")
            yield {"db": "connected"}
            events.append("stop")

        app = fw.FastAPI(lifespan=lifespan)

        @app.get("/state")
        async def state(request: fw.Request) -> Any:
            return {"db": request.state.db}

        return app

    def build_events(fw: SimpleNamespace) -> Any:
        import warnings

        app = fw.FastAPI()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)

            @app.on_event("startup")
            async def up() -> None:
                events.append("startup event")

            @app.on_event("shutdown")
            def down() -> None:
                events.append("shutdown event")

        return app

    for fw in (FASTAPI, FULMEN):
        events.clear()
        with client_for(fw, build(fw)) as client:
            assert client.get("/state").json() == {"db": "connected"}
        assert events == ["start", "stop"]
        events.clear()
        with client_for(fw, build_events(fw)):
            assert events == ["startup event"]
        assert events == ["startup event", "shutdown event"], fw.name
