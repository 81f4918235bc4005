"""Random inputs, same answers: hypothesis drives query strings, headers and JSON
bodies at one app under FastAPI and Fulmen and compares every response."""

from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import urlencode

import pytest
from fw_differential import FASTAPI, FULMEN, client_for, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field


class Payload(BaseModel):
    name: str = Field(min_length=1, max_length=8)
    count: int = Field(ge=0)
    ratio: float | None = None
    tags: list[str] = []
    nested: dict[str, int] = {}


def build(fw: Any) -> Any:
    app = fw.FastAPI()
    Query, Header = fw.Query, fw.Header

    @app.get("/q")
    async def q(
        i: int,
        f: float = 0.0,
        b: bool = False,
        s: Annotated[str, Query(min_length=2, max_length=4, pattern="^[a-z]*$")] = "ab",
        many: Annotated[list[int], Query()] = [],  # noqa: B006
        h: Annotated[int | None, Header()] = None,
    ) -> dict[str, Any]:
        return {"i": i, "f": f, "b": b, "s": s, "many": many, "h": h}

    @app.post("/p")
    async def p(payload: Payload) -> Payload:
        return payload

    return app


@pytest.fixture(scope="module")
def clients() -> Iterator[dict[str, Any]]:
    opened = {fw.name: client_for(fw, build(fw)) for fw in (FASTAPI, FULMEN)}
    for client in opened.values():
        client.__enter__()
    yield opened
    for client in opened.values():
        client.__exit__(None, None, None)
    opened.clear()


values = st.one_of(
    st.text(max_size=6),
    st.integers(-5, 1000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["true", "false", "on", "off", "yes", "1", "0", ""]),
)


def same(clients: dict[str, Any], method: str, url: str, **kwargs: Any) -> None:
    theirs = snapshot(clients["fastapi"].request(method, url, **kwargs))
    ours = snapshot(clients["fulmen"].request(method, url, **kwargs))
    assert ours == theirs


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(["i", "f", "b", "s", "many", "x"]), values), max_size=6),
    st.one_of(st.none(), values.filter(lambda v: v.isascii() and v.isprintable())),
)
def test_random_query_and_headers(
    clients: dict[str, Any], pairs: list[tuple[str, str]], header: str | None
) -> None:
    headers = {} if header is None else {"h": header.strip() or "x"}
    same(clients, "GET", "/q?" + urlencode(pairs), headers=headers)


json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(-10, 10), st.floats(-1e6, 1e6), st.text(max_size=10)
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
payloads = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"name": json_values, "count": json_values},
        optional={"ratio": json_values, "tags": json_values, "nested": json_values},
    ),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads)
def test_random_json_bodies(clients: dict[str, Any], body: Any) -> None:
    same(clients, "POST", "/p", json=body)
