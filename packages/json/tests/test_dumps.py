"""Encoding of the scalar types: None, bool, int (64-bit) and str."""

from __future__ import annotations

import json

import pytest

import fulmen_json
from fulmen_json import JSONEncodeError, dumps


def test_public_api() -> None:
    assert fulmen_json.__all__ == sorted(fulmen_json.__all__)
    assert set(fulmen_json.__all__) == {"JSONEncodeError", "__version__", "dumps"}


def test_encode_error_is_a_type_error() -> None:
    assert issubclass(JSONEncodeError, TypeError)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, b"null", id="none"),
        pytest.param(True, b"true", id="true"),
        pytest.param(False, b"false", id="false"),
        pytest.param(0, b"0", id="zero"),
        pytest.param(-1, b"-1", id="minus-one"),
        pytest.param(2**63 - 1, b"9223372036854775807", id="int64-max"),
        pytest.param(-(2**63), b"-9223372036854775808", id="int64-min"),
        pytest.param(2**64 - 1, b"18446744073709551615", id="uint64-max"),
        pytest.param("", b'""', id="empty-str"),
        pytest.param("caf\u00e9 \u20ac \U0001f600", '"café € \U0001f600"'.encode(), id="non-ascii"),
        pytest.param('quote " backslash \\', b'"quote \\" backslash \\\\"', id="escapes"),
        pytest.param("\x00\x1f\n\t", b'"\\u0000\\u001f\\n\\t"', id="control"),
    ],
)
def test_scalars(value: object, expected: bytes) -> None:
    assert dumps(value) == expected


@pytest.mark.parametrize(
    "value", [None, True, 12345, "ascii", "\u00e9\u4e2d\U0001f600", "\x7f\x00"]
)
def test_matches_json_module(value: object) -> None:
    """Byte-identical to how FastAPI's JSONResponse renders (ensure_ascii=False)."""
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    assert dumps(value) == expected


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1], ids=["2**64", "-2**63-1"])
def test_integers_beyond_64_bits_are_an_error(value: int) -> None:
    with pytest.raises(JSONEncodeError, match="64-bit"):
        dumps(value)


def test_lone_surrogate_is_an_error() -> None:
    with pytest.raises(JSONEncodeError, match="surrogates"):
        dumps("\ud800")


def test_unsupported_type_names_the_type() -> None:
    with pytest.raises(JSONEncodeError, match="object"):
        dumps(object())


def test_returns_bytes() -> None:
    assert type(dumps("x")) is bytes
