"""Parameters: path/query/header/cookie/body, both styles, constraints, and the 422 body."""

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Annotated, Any

from fw_differential import compare, get, post
from pydantic import BaseModel, Field


class Item(BaseModel):
    name: str
    price: float
    tags: list[str] = []
    description: str | None = None


class User(BaseModel):
    username: str
    full_name: str | None = None


class Filters(BaseModel):
    limit: int = Field(100, gt=0, le=100)
    offset: int = 0
    order_by: str = "created_at"
    tags: list[str] = []


class CommonHeaders(BaseModel):
    host: str
    x_token: str | None = None
    traceparent: list[str] = []


class Cookies(BaseModel):
    session_id: str
    tracker: str | None = None


@dataclass
class Point:
    x: int
    y: int = 0


def build_params(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    Query, Path, Header, Cookie, Body = fw.Query, fw.Path, fw.Header, fw.Cookie, fw.Body

    @app.get("/path/{item_id}")
    async def path_int(item_id: int) -> dict[str, Any]:
        return {"item_id": item_id}

    @app.get("/path-annotated/{item_id}")
    def path_annotated(item_id: Annotated[int, Path(ge=1, le=1000)]) -> dict[str, Any]:
        return {"item_id": item_id}

    @app.get("/query")
    async def query(
        q: str | None = None,
        skip: int = 0,
        limit: Annotated[int, Query(gt=0, le=50)] = 10,
        flag: bool = False,
        ratio: float | None = None,
    ) -> dict[str, Any]:
        return {"q": q, "skip": skip, "limit": limit, "flag": flag, "ratio": ratio}

    @app.get("/query-required")
    async def query_required(needed: str, number: Annotated[int, Query()]) -> dict[str, Any]:
        return {"needed": needed, "number": number}

    @app.get("/query-default-style")
    def query_default_style(
        q: str = Query("x", min_length=2, max_length=5, pattern="^[a-z]+$"),
        alias_q: str | None = Query(None, alias="item-query"),
    ) -> dict[str, Any]:
        return {"q": q, "alias_q": alias_q}

    @app.get("/query-list")
    async def query_list(
        q: Annotated[list[str] | None, Query()] = None,
        n: Annotated[list[int], Query()] = [],  # noqa: B006 - FastAPI style
    ) -> dict[str, Any]:
        return {"q": q, "n": n}

    @app.get("/query-model")
    async def query_model(filters: Annotated[Filters, Query()]) -> Filters:
        return filters

    @app.get("/headers")
    async def headers(
        user_agent: Annotated[str | None, Header()] = None,
        x_token: Annotated[list[str] | None, Header()] = None,
        strange_header: Annotated[str | None, Header(convert_underscores=False)] = None,
        x_required: str = Header(),
    ) -> dict[str, Any]:
        return {
            "user_agent": user_agent,
            "x_token": x_token,
            "strange_header": strange_header,
            "x_required": x_required,
        }

    @app.get("/header-model")
    async def header_model(headers: Annotated[CommonHeaders, Header()]) -> CommonHeaders:
        return headers

    @app.get("/cookies")
    async def cookies(
        ads_id: Annotated[str | None, Cookie()] = None, session: str = Cookie()
    ) -> dict[str, Any]:
        return {"ads_id": ads_id, "session": session}

    @app.get("/cookie-model")
    async def cookie_model(cookies: Annotated[Cookies, Cookie()]) -> Cookies:
        return cookies

    @app.post("/items")
    async def create_item(item: Item) -> Item:
        return item

    @app.post("/items-dict")
    async def create_item_dict(item: Item) -> dict[str, Any]:
        return {"name": item.name, "total": item.price * 2}

    @app.put("/items/{item_id}")
    async def update_item(
        item_id: int, item: Item, user: User, importance: Annotated[int, Body(gt=0)]
    ) -> dict[str, Any]:
        return {"item_id": item_id, "item": item, "user": user, "importance": importance}

    @app.post("/embed")
    async def embed(item: Annotated[Item, Body(embed=True)]) -> dict[str, Any]:
        return {"item": item}

    @app.post("/scalar-body")
    async def scalar_body(value: Annotated[int, Body()]) -> dict[str, Any]:
        return {"value": value}

    @app.post("/optional-body")
    async def optional_body(item: Item | None = None) -> dict[str, Any]:
        return {"item": item}

    @app.post("/list-body")
    async def list_body(items: list[Item]) -> list[Item]:
        return items

    @app.post("/dict-body")
    async def dict_body(weights: dict[int, float]) -> dict[int, float]:
        return weights

    @app.post("/dataclass")
    async def dataclass_body(point: Point) -> Point:
        return point

    return app


BODY = {"name": "Widget", "price": 9.99, "tags": ["a", "b", "c"]}


PARAM_CALLS = [
    get("/path/3"),
    get("/path/abc"),
    get("/path/3.5"),
    get("/path-annotated/0"),
    get("/path-annotated/1001"),
    get("/path-annotated/7"),
    get("/query"),
    get("/query?q=hello&skip=2&limit=5&flag=yes&ratio=0.5"),
    get("/query?limit=0"),
    get("/query?limit=51&skip=x&flag=maybe&ratio=abc"),
    get("/query?q="),
    get("/query-required"),
    get("/query-required?needed=1&number=two"),
    get("/query-required?needed=1&number=2"),
    get("/query-default-style"),
    get("/query-default-style?q=a"),
    get("/query-default-style?q=abcdef"),
    get("/query-default-style?q=AB"),
    get("/query-default-style?q=ok&item-query=aliased&alias_q=ignored"),
    get("/query-list"),
    get("/query-list?q=a&q=b&n=1&n=2"),
    get("/query-list?n=1&n=x"),
    get("/query-model"),
    get("/query-model?limit=5&offset=2&tags=a&tags=b&extra=1"),
    get("/query-model?limit=500"),
    get("/headers", headers={"x-required": "r"}),
    get(
        "/headers",
        headers=[
            ("x-required", "r"),
            ("x-token", "t1"),
            ("x-token", "t2"),
            ("strange_header", "s"),
        ],
    ),
    get("/headers", headers={"user-agent": "agent/1"}),
    get("/header-model", headers={"x-token": "tok", "traceparent": "tp"}),
    get("/cookies", headers={"cookie": "session=s; ads_id=a"}),
    get("/cookies"),
    get("/cookie-model", headers={"cookie": "session_id=abc; other=1"}),
    get("/cookie-model"),
    post("/items", json=BODY),
    post("/items", json={"name": "x"}),
    post("/items", json={"name": ["x"], "price": "free", "tags": "nope"}),
    post("/items"),
    post("/items", content=b'{"name": "x", ', headers={"content-type": "application/json"}),
    post("/items", content=b"name=x", headers={"content-type": "text/plain"}),
    post("/items", content=b'{"name":"x","price":1}'),
    post("/items", json=[1, 2]),
    post("/items", json={**BODY, "name": "caf\u00e9 \u20ac"}),
    post(
        "/items",
        content=b'{"name":"x","price":1}',
        headers={"content-type": "application/vnd+json"},
    ),
    post("/items-dict", json=BODY),
    post(
        "/items", content=b'{"name":"x","price":1}', headers={"content-type": "application/x+json"}
    ),
    post("/items", json=BODY, headers={"content-type": "application/json; charset=utf-8"}),
    {"method": "PUT"} and get("/items/1"),
    post("/embed", json={"item": BODY}),
    post("/embed", json=BODY),
    post("/embed", json=[1]),
    post("/scalar-body", json=5),
    post("/scalar-body", json="x"),
    post("/optional-body"),
    post("/optional-body", json=BODY),
    post("/list-body", json=[BODY, BODY]),
    post("/list-body", json=[BODY, {"name": 1}]),
    post("/dict-body", json={"1": 0.5, "2": 1}),
    post("/dict-body", json={"x": 0.5}),
    post("/dataclass", json={"x": 1}),
    post("/dataclass", json={"y": 1}),
]


def _put(body: Any) -> Any:
    from fw_differential import call

    return call("PUT", "/items/7", json=body)


PARAM_CALLS += [
    _put({"item": BODY, "user": {"username": "u"}, "importance": 5}),
    _put({"item": BODY, "user": {"username": "u"}, "importance": 0}),
    _put({"item": BODY}),
    _put(None),
    _put([1]),
]


def test_params_match_fastapi() -> None:
    compare(build_params, PARAM_CALLS)
