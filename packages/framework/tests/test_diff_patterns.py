"""Patterns from FastAPI's docs that apps rely on: custom route classes, callable
instances as dependencies, Annotated aliases, custom Request subclasses."""

import time
from typing import Annotated, Any

from fw_differential import compare, get, post
from pydantic import BaseModel


class Item(BaseModel):
    name: str


def build_patterns(fw: Any) -> Any:
    APIRoute, Depends = fw.routing.APIRoute, fw.Depends

    class TaggedRoute(APIRoute):
        def get_route_handler(self) -> Any:
            original = super().get_route_handler()

            async def handler(request: Any) -> Any:
                started = time.perf_counter()
                response = await original(request)
                response.headers["X-Tag"] = "tagged" if time.perf_counter() >= started else "?"
                return response

            return handler

    class UpperRequest(fw.Request):
        async def body(self) -> bytes:
            return (await super().body()).upper()

    class UpperRoute(APIRoute):
        def get_route_handler(self) -> Any:
            original = super().get_route_handler()

            async def handler(request: Any) -> Any:
                return await original(UpperRequest(request.scope, request.receive))

            return handler

    class ContentChecker:
        def __init__(self, fixed: str) -> None:
            self.fixed = fixed

        def __call__(self, q: str = "") -> bool:
            return self.fixed in q

    class AsyncChecker:
        async def __call__(self, n: int = 0) -> int:
            return n * 2

    def common(q: str | None = None) -> dict[str, Any]:
        return {"q": q}

    CommonsDep = Annotated[dict[str, Any], Depends(common)]

    app = fw.FastAPI()
    tagged = fw.APIRouter(route_class=TaggedRoute)

    @tagged.get("/tagged")
    async def tagged_endpoint() -> dict[str, str]:
        return {"route": "tagged"}

    @tagged.get("/tagged-error")
    async def tagged_error() -> Any:
        raise fw.HTTPException(status_code=400, detail="bad")

    app.include_router(tagged)
    upper = fw.APIRouter(route_class=UpperRoute)

    @upper.post("/upper")
    async def upper_endpoint(item: Item) -> Item:
        return item

    app.include_router(upper)

    @app.get("/checker")
    def checker(found: Annotated[bool, Depends(ContentChecker("bar"))]) -> Any:
        return {"found": found}

    @app.get("/async-checker")
    async def async_checker(doubled: Annotated[int, Depends(AsyncChecker())]) -> Any:
        return {"doubled": doubled}

    @app.get("/alias-dep")
    async def alias_dep(commons: CommonsDep, again: CommonsDep) -> Any:
        return {"commons": commons, "again": again}

    return app


PATTERN_CALLS = [
    get("/tagged"),
    get("/tagged-error"),
    post("/upper", content=b'{"name": "x"}', headers={"content-type": "application/json"}),
    post("/upper", content=b'{"NAME": "x"}', headers={"content-type": "application/json"}),
    get("/checker?q=foobar"),
    get("/checker?q=foo"),
    get("/async-checker?n=4"),
    get("/async-checker?n=x"),
    get("/alias-dep?q=1"),
]


def test_patterns_match_fastapi() -> None:
    compare(build_patterns, PATTERN_CALLS)


def build_plain_routes(fw: Any) -> Any:
    app = fw.FastAPI()

    async def metrics(request: Any) -> Any:
        return fw.responses.PlainTextResponse(f"requests_total 1 # {request.url.path}")

    def health(request: Any) -> Any:
        return fw.responses.JSONResponse({"ok": True, "id": request.path_params.get("n")})

    app.add_route("/metrics", metrics)
    app.add_route("/health/{n:int}", health, methods=["GET", "POST"], name="health")
    sub = fw.APIRouter()
    sub.add_route("/ping", metrics, methods=["POST"])
    app.include_router(sub, prefix="/sub")
    return app


def test_plain_routes_match_fastapi() -> None:
    calls = [
        get("/metrics"),
        post("/metrics"),
        get("/health/3"),
        post("/health/4"),
        get("/health/x"),
        post("/sub/ping"),
        get("/sub/ping"),
    ]
    compare(build_plain_routes, calls)


def build_mounts(fw: Any) -> Any:
    app = fw.FastAPI()
    sub = fw.FastAPI()

    @sub.get("/")
    async def sub_root(request: fw.Request) -> Any:
        return {"root_path": request.scope["root_path"], "path": request.url.path}

    @sub.get("/items/{item_id}", name="sub_item")
    async def sub_item(item_id: int, request: fw.Request) -> Any:
        return {"item_id": item_id, "url": str(request.url_for("v1:sub_item", item_id=9))}

    async def raw_asgi(scope: Any, receive: Any, send: Any) -> None:
        body = f"{scope['root_path']}|{scope['path']}".encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    @app.get("/top")
    async def top() -> str:
        return "top"

    app.mount("/v1", sub, name="v1")
    app.mount("/raw/", raw_asgi)
    return app


def test_mounts_match_fastapi() -> None:
    calls = [
        get("/top"),
        get("/v1/"),
        get("/v1"),
        get("/v1/items/3"),
        get("/v1/items/x"),
        get("/v1/missing"),
        post("/v1/items/3"),
        get("/raw/anything/here"),
        post("/raw/"),
    ]
    compare(build_mounts, calls)
