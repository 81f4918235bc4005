"""fulmen_json against orjson, msgspec and the standard json module, same inputs.

Each group is one document and one direction (dumps or loads); every codec is
first checked to agree with the others. Run for real with ``tools/bench json``
(ratio table) or ``tools/bench_json_interleaved`` (A B A B medians); in CI these
run once as smoke tests.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest

import fulmen_json

DATA = Path(
    os.environ.get(
        "FULMEN_SHARED_DATA", Path(__file__).resolve().parents[3].parent / "shared" / "data"
    )
)
DOCS = DATA / "nativejson-benchmark" / "data"


def small_payload(i: int = 0) -> dict[str, Any]:
    """The shape a typical endpoint returns: about ten fields of mixed types."""
    return {
        "id": 1000 + i,
        "name": f"Widget {i}",
        "email": f"user{i}@example.com",
        "active": i % 2 == 0,
        "price": 9.99 + i,
        "rating": 4.25,
        "tags": ["tools", "hardware", "sale"],
        "created_at": "2024-05-06T07:08:09+00:00",
        "owner": {"id": 7, "login": "octocat"},
        "description": None,
    }


def documents() -> dict[str, bytes]:
    """The benchmark documents as bytes, by name."""
    docs = {
        name: (DOCS / f"{name}.json").read_bytes() for name in ("twitter", "citm_catalog", "canada")
    }
    docs["small"] = json.dumps(small_payload()).encode()
    docs["list_1000"] = json.dumps([small_payload(i) for i in range(1000)]).encode()
    return docs


msgspec_encoder = msgspec.json.Encoder()
msgspec_decoder = msgspec.json.Decoder()

DUMPS: dict[str, Callable[[Any], bytes]] = {
    "fulmen_json": fulmen_json.dumps,
    "orjson": orjson.dumps,
    "msgspec": msgspec_encoder.encode,
    # What FastAPI's JSONResponse does.
    "json": lambda v: json.dumps(
        v, ensure_ascii=False, allow_nan=False, separators=(",", ":")
    ).encode(),
}
LOADS: dict[str, Callable[[bytes], Any]] = {
    "fulmen_json": fulmen_json.loads,
    "orjson": orjson.loads,
    "msgspec": msgspec_decoder.decode,
    "json": json.loads,
}
DOC_NAMES = ["small", "list_1000", "twitter", "citm_catalog", "canada"]


@cache
def doc_bytes(name: str) -> bytes:
    return documents()[name]


@cache
def doc_value(name: str) -> Any:
    return json.loads(doc_bytes(name))


@pytest.mark.parametrize("codec", DUMPS)
@pytest.mark.parametrize("doc", DOC_NAMES)
def test_dumps(benchmark: Any, doc: str, codec: str) -> None:
    value = doc_value(doc)
    out = DUMPS[codec](value)
    # Ours is byte-identical to FastAPI's rendering; peers must agree on the value
    # (orjson and msgspec spell some float exponents differently).
    assert fulmen_json.dumps(value) == DUMPS["json"](value)
    assert json.loads(out) == value
    benchmark.group = f"dumps {doc}"
    benchmark(DUMPS[codec], value)


@pytest.mark.parametrize("codec", LOADS)
@pytest.mark.parametrize("doc", DOC_NAMES)
def test_loads(benchmark: Any, doc: str, codec: str) -> None:
    data = doc_bytes(doc)
    assert LOADS[codec](data) == doc_value(doc)
    benchmark.group = f"loads {doc}"
    benchmark(LOADS[codec], data)
