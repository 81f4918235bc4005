"""Less common but real FastAPI behaviour: streams, enums, converters, aliases,
router-level defaults, dependency bodies, status and header details."""

import enum
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fw_differential import call, compare, get, post
from pydantic import AliasChoices, BaseModel, field_validator


class Kind(str, enum.Enum):  # noqa: UP042 - the FastAPI idiom
    alpha = "alpha"
    beta = "beta"


class Item(BaseModel):
    name: str
    price: float = 0.0


def build_edge(fw: Any) -> Any:
    app = fw.FastAPI()
    r = fw.responses
    Query, Header, Body, Depends = fw.Query, fw.Header, fw.Body, fw.Depends

    @app.get("/jsonl")
    async def jsonl() -> AsyncIterator[Item]:
        for i in range(3):
            yield Item(name=f"i{i}", price=i)

    @app.get("/jsonl-untyped")
    def jsonl_untyped() -> Iterator[dict[str, Any]]:
        yield {"a": 1, "b": [1.5, float("inf")]}
        yield {"c": "\u20ac"}

    @app.get("/gen-stream", response_class=r.StreamingResponse)
    async def gen_stream() -> AsyncIterator[bytes]:
        yield b"x"
        yield b"y"

    @app.get("/kinds/{kind}")
    async def kinds(kind: Kind) -> dict[str, Any]:
        return {"kind": kind, "is_alpha": kind is Kind.alpha}

    @app.get("/uuid/{ident:uuid}")
    async def by_uuid(ident: uuid.UUID) -> dict[str, Any]:
        return {"ident": ident}

    @app.get("/float/{x:float}")
    async def by_float(x: float) -> dict[str, Any]:
        return {"x": x}

    @app.get("/choices")
    async def choices(
        q: Annotated[str | None, Query(validation_alias=AliasChoices("q", "query"))] = None,
        factory: Annotated[list[int], Query(default_factory=lambda: [1, 2])] = ...,  # type: ignore[assignment]
        deprecated: Annotated[str | None, Query(deprecated=True, include_in_schema=False)] = None,
    ) -> dict[str, Any]:
        return {"q": q, "factory": factory, "deprecated": deprecated}

    @app.get("/aliased-header")
    async def aliased_header(
        token: Annotated[str, Header(alias="X-Auth-Token")],
    ) -> dict[str, Any]:
        return {"token": token}

    def body_dep(extra: Annotated[int, Body()]) -> int:
        return extra * 2

    @app.post("/dep-body")
    async def dep_body(item: Item, doubled: Annotated[int, Depends(body_dep)]) -> dict[str, Any]:
        return {"item": item, "doubled": doubled}

    @app.post("/form-like", status_code=202)
    async def form_like(data: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        return data

    html = fw.APIRouter(default_response_class=r.HTMLResponse, prefix="/html")

    @html.get("/page")
    def page() -> str:
        return "<p>page</p>"

    @html.get("/json", response_class=r.JSONResponse)
    def json_in_html() -> dict[str, str]:
        return {"still": "json"}

    app.include_router(html)
    tagged = fw.APIRouter()

    @tagged.get("/tagged", status_code=203)
    def tagged_route() -> list[int]:
        return [1]

    app.include_router(tagged, prefix="/v2", responses={404: {"description": "none"}})

    @app.get("/bytes")
    def raw_bytes() -> Any:
        return r.Response(b"\x00\x01", media_type="application/octet-stream")

    @app.get("/set-status")
    def set_status(response: fw.Response) -> None:
        response.status_code = 204

    @app.get("/none")
    def none() -> None:
        return None

    @app.get("/tuple")
    def as_tuple() -> Any:
        return (1, "two", {3})

    return app


EDGE_CALLS = [
    get("/jsonl"),
    get("/jsonl-untyped"),
    get("/gen-stream"),
    get("/kinds/alpha"),
    get("/kinds/gamma"),
    get("/uuid/12345678-1234-5678-1234-567812345678"),
    get("/uuid/not-a-uuid"),
    get("/float/1.5"),
    get("/float/2"),
    get("/choices?query=via-choice"),
    get("/choices?q=direct&factory=5&deprecated=d"),
    get("/aliased-header", headers={"x-auth-token": "t"}),
    get("/aliased-header", headers={"token": "t"}),
    post("/dep-body", json={"item": {"name": "n"}, "extra": 4}),
    post("/dep-body", json={"item": {"name": "n"}}),
    post("/form-like", json={"k": "v"}),
    get("/html/page"),
    get("/html/json"),
    get("/v2/tagged"),
    get("/bytes"),
    get("/set-status"),
    get("/none"),
    get("/tuple"),
    call("OPTIONS", "/none"),
]


def test_edge_cases_match_fastapi() -> None:
    compare(build_edge, EDGE_CALLS)


class Checked(BaseModel):
    code: str

    @field_validator("code")
    @classmethod
    def must_be_upper(cls, value: str) -> str:
        if value != value.upper():
            raise ValueError("code must be upper case")
        return value


@dataclass
class Pair:
    left: int
    right: str = "r"


def build_more(fw: Any) -> Any:
    app = fw.FastAPI()
    Query = fw.Query

    @app.post("/checked")
    async def checked(body: Checked) -> Checked:
        return body

    @app.get("/literal")
    async def literal(
        mode: Literal["fast", "slow"] = "fast",
        kinds: Annotated[list[Kind], Query()] = [],  # noqa: B006
    ) -> Any:
        return {"mode": mode, "kinds": kinds}

    @app.get("/union", response_model=Pair | Checked)
    async def union(which: int) -> Any:
        return {"left": 1} if which == 1 else {"code": "A"}

    @app.get("/dataclass-response")
    async def dataclass_response() -> Pair:
        return Pair(left=3)

    @app.get("/orm", response_model=Checked)
    async def orm() -> Any:
        class Row:
            code = "FROM-ATTRIBUTES"

        return Row()

    return app


def test_more_edge_cases_match_fastapi() -> None:
    compare(
        build_more,
        [
            post("/checked", json={"code": "ABC"}),
            post("/checked", json={"code": "abc"}),
            get("/literal?mode=slow&kinds=alpha&kinds=beta"),
            get("/literal?mode=medium&kinds=gamma"),
            get("/union?which=1"),
            get("/union?which=2"),
            get("/dataclass-response"),
            get("/orm"),
        ],
    )
