"""fulmen._json gives exactly the stdlib results FastAPI relies on, native or not."""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fulmen import _json


def stdlib_dumps(value: Any) -> bytes:
    return json.dumps(
        value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


def outcome(func: Any, value: Any) -> Any:
    try:
        return ("ok", func(value))
    except Exception as exc:  # compare the exception type and text too
        return ("error", type(exc), str(exc))


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=2),
)
keys = st.one_of(st.text(max_size=6), st.integers(), st.floats(allow_nan=False), st.none())
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_dumps_same_as_stdlib(value: Any) -> None:
    assert outcome(_json.dumps, value) == outcome(stdlib_dumps, value)


@pytest.mark.parametrize(
    "value",
    [object(), [1, {2, 3}], [[[]]] * 3, {"deep": [[[[[[[[[[1]]]]]]]]]]}, float("inf"), 2**80],
)
def test_dumps_edge_values(value: Any) -> None:
    assert outcome(_json.dumps, value) == outcome(stdlib_dumps, value)


texts = st.one_of(
    documents.map(lambda v: json.dumps(v, allow_nan=True).encode("utf-8", "surrogatepass")),
    st.binary(max_size=20),
    st.text(alphabet='{}[]",:0123456789.eE+-tfnul \\', max_size=20).map(str.encode),
)


def jsonable(value: Any) -> Any:
    # NaN != NaN: compare through repr so equal documents compare equal.
    return repr(value)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_loads_same_as_stdlib(data: bytes) -> None:
    ours, theirs = outcome(_json.loads, data), outcome(json.loads, data)
    if ours[0] == "ok" and theirs[0] == "ok":
        assert jsonable(ours[1]) == jsonable(theirs[1])
    else:
        assert ours == theirs


@pytest.mark.parametrize(
    "data", [b"\xef\xbb\xbf{}", b"NaN", b'"\xff"', b"[" * 5000, b'{"a": 1,}', "[1, 2]"]
)
def test_loads_edge_inputs(data: bytes | str) -> None:
    assert outcome(_json.loads, data) == outcome(json.loads, data)
