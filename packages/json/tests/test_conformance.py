"""Decoder conformance: JSONTestSuite, JSON_checker and the roundtrip corpus."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fulmen_json import JSONDecodeError, dumps, loads

# Collected at import (each file is a named case), so the path is resolved here
# the same way as the root conftest's `shared_data` fixture does.
DATA = Path(
    os.environ.get(
        "FULMEN_SHARED_DATA", Path(__file__).resolve().parents[3].parent / "shared" / "data"
    )
)
SUITE = DATA / "JSONTestSuite" / "test_parsing"
CHECKER = DATA / "nativejson-benchmark" / "data" / "jsonchecker"
ROUNDTRIP = DATA / "nativejson-benchmark" / "data" / "roundtrip"


def files(folder: Path, prefix: str) -> list[Path]:
    return sorted(p for p in folder.glob(f"{prefix}*") if p.is_file()) if folder.is_dir() else []


# What fulmen_json does with each implementation-defined ("i_") case, and why.
ACCEPTED_I = {
    # Numbers beyond float range become inf / 0.0, big integers stay exact: as json.loads.
    "i_number_double_huge_neg_exp.json",
    "i_number_huge_exp.json",
    "i_number_neg_int_huge_exp.json",
    "i_number_pos_double_huge_exp.json",
    "i_number_real_neg_overflow.json",
    "i_number_real_pos_overflow.json",
    "i_number_real_underflow.json",
    "i_number_too_big_neg_int.json",
    "i_number_too_big_pos_int.json",
    "i_number_very_big_negative_int.json",
    # Lone or mismatched surrogates written as \u escapes are kept, as json.loads keeps them.
    "i_object_key_lone_2nd_surrogate.json",
    "i_string_1st_surrogate_but_2nd_missing.json",
    "i_string_1st_valid_surrogate_2nd_invalid.json",
    "i_string_incomplete_surrogate_and_escape_valid.json",
    "i_string_incomplete_surrogate_pair.json",
    "i_string_incomplete_surrogates_escape_valid.json",
    "i_string_invalid_lonely_surrogate.json",
    "i_string_invalid_surrogate.json",
    "i_string_inverted_surrogates_U+1D11E.json",
    "i_string_lone_second_surrogate.json",
    # 500 levels is within the default max_depth of 1024.
    "i_structure_500_nested_arrays.json",
}
# Rejected with JSONDecodeError, each with the message that names why: bytes that
# are not UTF-8 (RFC 8259 §8.1: UTF-16, Latin-1, overlong forms, encoded
# surrogates, truncated sequences) and the UTF-8 byte order mark.
REJECTED_I = {
    # UTF-16 text: a NUL or 0xFF byte stands where a value must start.
    "i_string_UTF-16LE_with_BOM.json": "Expecting value",
    "i_string_UTF-8_invalid_sequence.json": "UTF-8",
    "i_string_UTF8_surrogate_U+D800.json": "UTF-8",
    "i_string_invalid_utf-8.json": "UTF-8",
    "i_string_iso_latin_1.json": "UTF-8",
    "i_string_lone_utf8_continuation_byte.json": "UTF-8",
    "i_string_not_in_unicode_range.json": "UTF-8",
    "i_string_overlong_sequence_2_bytes.json": "UTF-8",
    "i_string_overlong_sequence_6_bytes.json": "UTF-8",
    "i_string_overlong_sequence_6_bytes_null.json": "UTF-8",
    "i_string_truncated-utf-8.json": "UTF-8",
    "i_string_utf16BE_no_BOM.json": "Expecting value",
    "i_string_utf16LE_no_BOM.json": "Expecting value",
    "i_structure_UTF-8_BOM_empty_object.json": "byte order mark",
}


@pytest.mark.parametrize("path", files(SUITE, "y_"), ids=lambda p: p.name)
def test_accepts_y(path: Path) -> None:
    data = path.read_bytes()
    # repr() compares NaN-free values exactly, including -0.0 and int vs float.
    assert repr(loads(data)) == repr(json.loads(data))


@pytest.mark.parametrize("path", files(SUITE, "n_"), ids=lambda p: p.name)
def test_rejects_n(path: Path) -> None:
    with pytest.raises(JSONDecodeError):
        loads(path.read_bytes())


@pytest.mark.parametrize("path", files(SUITE, "i_"), ids=lambda p: p.name)
def test_implementation_defined_i(path: Path) -> None:
    data = path.read_bytes()
    if path.name in ACCEPTED_I:
        assert repr(loads(data)) == repr(json.loads(data))
    else:
        with pytest.raises(JSONDecodeError, match=REJECTED_I[path.name]):
            loads(data)


def test_every_i_file_has_a_stated_outcome() -> None:
    names = {p.name for p in files(SUITE, "i_")}
    assert not ACCEPTED_I & REJECTED_I.keys()
    assert names == ACCEPTED_I | REJECTED_I.keys()


def test_corpus_sizes() -> None:
    assert len(files(SUITE, "y_")) == 95
    assert len(files(SUITE, "n_")) == 188
    assert len(files(SUITE, "i_")) == 35


@pytest.mark.parametrize(
    "path",
    [p for p in files(CHECKER, "pass") + files(CHECKER, "fail") if "EXCLUDE" not in p.name],
    ids=lambda p: p.name,
)
def test_json_checker(path: Path) -> None:
    data = path.read_bytes()
    if path.name.startswith("pass"):
        assert loads(data) == json.loads(data)
    else:
        with pytest.raises(JSONDecodeError):
            loads(data)


# roundtrip27 is [1.7976931348623157e308]: we write floats exactly as Python's
# repr (and so json.dumps) does, which spells that exponent "e+308".
REPR_SPELLING = {"roundtrip27.json": b"[1.7976931348623157e+308]"}


@pytest.mark.parametrize("path", files(ROUNDTRIP, "roundtrip"), ids=lambda p: p.name)
def test_roundtrip(path: Path) -> None:
    data = path.read_bytes().strip()
    encoded = dumps(loads(data))
    assert encoded == REPR_SPELLING.get(path.name, data)
    assert encoded == json.dumps(json.loads(data), separators=(",", ":")).encode()


def test_roundtrip_corpus_size() -> None:
    assert len(files(ROUNDTRIP, "roundtrip")) == 27
