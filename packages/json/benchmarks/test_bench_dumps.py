"""fulmen_json.dumps against orjson and the standard json module, same inputs.

Run for real with ``tools/bench json``; in CI these run once as smoke tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import orjson
import pytest

import fulmen_json

# The scalars a typical response body is made of (containers arrive later).
SCALARS: list[object] = ["Hello, World!", 1234567, True, None, "caf\u00e9 \u20ac", -42, "x" * 64]

CODECS: dict[str, Callable[[object], bytes]] = {
    "fulmen_json": fulmen_json.dumps,
    "orjson": orjson.dumps,
    "json": lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode(),
}


def encode_all(dumps: Callable[[object], bytes]) -> list[bytes]:
    return [dumps(v) for v in SCALARS]


@pytest.mark.parametrize("codec", CODECS)
def test_dumps_scalars(benchmark: pytest.FixtureRequest, codec: str) -> None:
    expected = encode_all(CODECS["json"])
    assert encode_all(CODECS[codec]) == expected
    benchmark.group = "dumps scalars"
    benchmark(encode_all, CODECS[codec])
