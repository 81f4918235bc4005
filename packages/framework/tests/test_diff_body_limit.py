"""max_body_size on the app, a router and a route: the same 413s as FastAPI."""

from collections.abc import Iterator
from typing import Any

import pytest
from fw_differential import compare, post
from pydantic import BaseModel


class Item(BaseModel):
    name: str


def build_limited(fw: Any) -> Any:
    app = fw.FastAPI(max_body_size=20)

    @app.post("/read")
    async def read(item: Item) -> Item:
        return item

    @app.post("/noread")
    async def noread() -> str:
        return "ok"

    @app.post("/big", max_body_size=100)
    async def big(item: Item) -> Item:
        return item

    small = fw.APIRouter(max_body_size=5)

    @small.post("/small")
    async def small_route(item: Item) -> Item:
        return item

    app.include_router(small)

    @app.post("/raw")
    async def raw(request: fw.Request) -> int:
        return len(await request.body())

    return app


class Chunks:
    """A re-iterable chunked body (each framework's run iterates it afresh)."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"name": "'
        yield b"x" * self.size
        yield b'"}'


def streamed(url: str, size: int) -> Any:
    # A generator body goes out chunked: no Content-Length, the limit hits while reading.
    return post(url, content=Chunks(size), headers={"content-type": "application/json"})


def test_body_limits_match_fastapi() -> None:
    compare(
        build_limited,
        [
            post("/read", json={"name": "x"}),
            post("/read", json={"name": "x" * 30}),
            post("/noread", content=b"x" * 30),
            post("/noread", content=b"x" * 5),
            post("/big", json={"name": "x" * 30}),
            post("/big", json={"name": "x" * 300}),
            post("/small", json={"name": "x"}),
            post("/missing", content=b"x" * 30),
            streamed("/raw", 30),
            streamed("/read", 30),
            streamed("/read", 2),
        ],
    )


@pytest.mark.parametrize("bad", [-1, 1.5, True, "10"])
def test_invalid_limits_are_refused(bad: Any) -> None:
    import fulmen

    with pytest.raises(ValueError, match="max_body_size must be a non-negative integer"):
        fulmen.FastAPI(max_body_size=bad)


def build_lenient(fw: Any) -> Any:
    app = fw.FastAPI(strict_content_type=False)

    @app.post("/lenient")
    async def lenient(item: Item) -> Item:
        return item

    strict = fw.APIRouter(strict_content_type=True)

    @strict.post("/strict")
    async def strict_route(item: Item) -> Item:
        return item

    app.include_router(strict)
    return app


def test_strict_content_type_matches_fastapi() -> None:
    body = b'{"name": "x"}'
    compare(
        build_lenient,
        [
            post("/lenient", content=body),
            post("/strict", content=body),
            post("/lenient", content=body, headers={"content-type": "text/plain"}),
        ],
    )
