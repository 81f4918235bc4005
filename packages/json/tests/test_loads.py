"""Decoding: values, input types, error positions and the safety limits."""

from __future__ import annotations

import json
import pickle

import pytest

from fulmen_json import Decoder, JSONDecodeError, loads


def test_decode_error_is_a_json_decode_error() -> None:
    assert issubclass(JSONDecodeError, json.JSONDecodeError)
    assert issubclass(JSONDecodeError, ValueError)


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": [1, 2.5, -0.0, null, true, false, "x"], "b": {}}',
        b"[]",
        b" \t\r\n 1 \n",
        b'"\\u00e9\\ud83d\\ude00\\n\\/\\"\\\\"',
        b'{"caf\xc3\xa9": "\xe2\x82\xac"}',
        b"[1e5, 1E-5, 0.5e+3, -12, 123456789012345678901234567890]",
    ],
)
def test_values_match_json(data: bytes) -> None:
    assert repr(loads(data)) == repr(json.loads(data))


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview, lambda b: b.decode()])
def test_input_types(kind: object) -> None:
    data = b'{"k": [1, "\xc3\xa9"]}'
    assert loads(kind(data)) == {"k": [1, "é"]}  # type: ignore[operator]


def test_rejects_other_input_types() -> None:
    with pytest.raises(TypeError, match="bytes, bytearray, memoryview or str"):
        loads(123)  # type: ignore[arg-type]


def test_big_integers_are_exact() -> None:
    for n in [2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64 - 1, 2**64, 10**100, -(10**100)]:
        assert loads(str(n).encode()) == n


def test_duplicate_keys_last_wins() -> None:
    assert loads(b'{"a": 1, "a": 2}') == {"a": 2}


def test_bom_is_an_error() -> None:
    with pytest.raises(JSONDecodeError, match="byte order mark"):
        loads(b"\xef\xbb\xbf{}")


@pytest.mark.parametrize(
    "data", [b'"\xff"', b'"\xc0\xaf"', b'"\xed\xa0\x80"', b'"\xf4\x90\x80\x80"', b'"\xe2\x82"']
)
def test_invalid_utf8_is_an_error(data: bytes) -> None:
    with pytest.raises(JSONDecodeError, match="UTF-8") as info:
        loads(data)
    assert info.value.pos == 1


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(JSONDecodeError, match="depth") as info:
        loads(b"[" * 100_000)
    assert info.value.pos == 1024
    with pytest.raises(JSONDecodeError, match="depth"):
        loads(b'{"a":' * 100_000)


def test_max_depth_is_configurable() -> None:
    assert loads(b"[[[1]]]", max_depth=3) == [[[1]]]
    with pytest.raises(JSONDecodeError, match="max_depth=2"):
        loads(b"[[[1]]]", max_depth=2)
    assert loads(b"[" * 5000 + b"]" * 5000, max_depth=5000) is not None
    with pytest.raises(ValueError, match="max_depth"):
        loads(b"1", max_depth=0)


def test_error_position_line_and_column() -> None:
    with pytest.raises(JSONDecodeError) as info:
        loads(b'{\n  "a": 1,\n  "b": x\n}')
    err = info.value
    assert (err.pos, err.lineno, err.colno, err.byte_offset) == (19, 3, 8, 19)
    assert err.msg == "Expecting value"
    assert "line 3 column 8 (char 19)" in str(err)


def test_error_position_of_str_input_is_in_characters() -> None:
    with pytest.raises(JSONDecodeError) as info:
        loads('["é€", x]')
    assert (info.value.pos, info.value.colno, info.value.byte_offset) == (7, 8, 10)


def test_decode_error_pickles() -> None:
    with pytest.raises(JSONDecodeError) as info:
        loads(b"[1,]")
    copy = pickle.loads(pickle.dumps(info.value))
    assert (type(copy), copy.pos, copy.msg) == (JSONDecodeError, 3, "Expecting value")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty input"),
        (b"[1,]", "Expecting value"),
        (b'{"a" 1}', "':'"),
        (b"{1: 2}", "property name"),
        (b"[1 2]", "','"),
        (b"tru", "literal"),
        (b"01", "number"),
        (b"1.", "number"),
        (b"-", "number"),
        (b'"a\x01"', "control character"),
        (b'"\\x"', "escape"),
        (b'"\\u12"', "escape"),
        (b'"abc', "end of input"),
        (b"1 2", "Extra data"),
        (b"NaN", "Expecting value"),
    ],
)
def test_error_messages(data: bytes, message: str) -> None:
    with pytest.raises(JSONDecodeError, match=message):
        loads(data)


def test_lone_surrogate_escapes_are_kept_like_json() -> None:
    assert loads(b'"\\ud800x"') == json.loads('"\\ud800x"') == "\ud800x"


def test_huge_numbers_like_python_float() -> None:
    for text in ["1e400", "-1e400", "1e-400", "-1e-400", "0." + "0" * 400 + "1", "9" * 400 + ".5"]:
        assert repr(loads(text)) == repr(float(text))


def test_keys_are_shared_strings() -> None:
    """Decoded keys come from the key cache: equal keys are the same object."""
    first, second = loads(b'[{"name": 1}, {"name": 2}]')
    (k1,), (k2,) = first.keys(), second.keys()
    assert k1 is k2


def test_decoder_object() -> None:
    decoder = Decoder(max_depth=2)
    assert decoder.decode(b"[[1]]") == [[1]]
    assert decoder.decode("[2]") == [2]
    with pytest.raises(JSONDecodeError, match="depth"):
        decoder.decode(b"[[[1]]]")
    with pytest.raises(ValueError, match="max_depth"):
        Decoder(max_depth=0)


def test_int_digit_limit_is_a_decode_error() -> None:
    with pytest.raises(JSONDecodeError, match="digits"):
        loads(b"1" * 5000)
