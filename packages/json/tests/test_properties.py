"""Property tests: round trips, agreement with json, and exact float text."""

from __future__ import annotations

import json
import math
import struct
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fulmen_json import dumps, loads

# Strings without lone surrogates (those have no UTF-8 form, so no JSON text).
text = st.text(st.characters(exclude_categories=["Cs"]))
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=6) | st.dictionaries(text, children, max_size=6),
    max_leaves=30,
)


def render(value: Any, **kw: Any) -> bytes:
    """FastAPI's JSONResponse rendering."""
    return json.dumps(
        value, ensure_ascii=False, allow_nan=False, separators=(",", ":"), **kw
    ).encode()


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_loads_dumps_round_trip(value: Any) -> None:
    assert loads(dumps(value)) == value


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_dumps_is_byte_identical_to_fastapi_rendering(value: Any) -> None:
    assert dumps(value) == render(value)
    assert dumps(value, sort_keys=True) == render(value, sort_keys=True)


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_indent_matches_json(value: Any) -> None:
    expected = json.dumps(value, ensure_ascii=False, allow_nan=False, indent=2).encode()
    assert dumps(value, indent=2) == expected


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from([True, False]))
def test_loads_agrees_with_json_on_generated_documents(value: Any, ascii_only: bool) -> None:
    document = json.dumps(value, ensure_ascii=ascii_only, indent=1 if ascii_only else None)
    assert repr(loads(document.encode())) == repr(json.loads(document))
    assert repr(loads(document)) == repr(json.loads(document))


@settings(max_examples=2000, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_text_is_python_repr(x: float) -> None:
    assert dumps(x) == repr(x).encode()
    assert loads(repr(x)) == x


@settings(max_examples=2000, deadline=None)
@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_float_from_random_bits(bits: int) -> None:
    (x,) = struct.unpack("<d", bits.to_bytes(8, "little"))
    if math.isfinite(x):
        assert dumps(x) == repr(x).encode()


@settings(max_examples=1000, deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=0, max_value=9))
def test_short_decimals(mantissa: int, decimals: int) -> None:
    """The few-decimals fast path (prices, ratings) against repr."""
    x = mantissa / 10**decimals
    assert dumps(x) == repr(x).encode()


@settings(max_examples=400, deadline=None)
@given(
    st.from_regex(r"-?(0|[1-9][0-9]{0,25})(\.[0-9]{1,25})?([eE][+-]?[0-9]{1,3})?", fullmatch=True)
)
def test_number_parsing_is_python_float(number: str) -> None:
    assert repr(loads(number)) == repr(json.loads(number))
