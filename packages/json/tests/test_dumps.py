"""Encoding: every supported type, byte-identical to FastAPI's json.dumps rendering."""

from __future__ import annotations

import collections
import dataclasses
import datetime
import decimal
import enum
import json
import math
import os
import threading
import uuid
from typing import Any, ClassVar

import pytest

import fulmen_json
from fulmen_json import Encoder, JSONEncodeError, dumps


def fastapi_render(value: object, **kw: Any) -> bytes:
    """What FastAPI's JSONResponse.render produces."""
    return json.dumps(
        value, ensure_ascii=False, allow_nan=False, separators=(",", ":"), **kw
    ).encode()


def test_public_api() -> None:
    assert fulmen_json.__all__ == sorted(fulmen_json.__all__)
    assert set(fulmen_json.__all__) == {
        "Decoder",
        "Encoder",
        "JSONDecodeError",
        "JSONEncodeError",
        "__version__",
        "dumps",
        "loads",
    }


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
        pytest.param(2**64, b"18446744073709551616", id="beyond-64-bits"),
        pytest.param(-(10**30), b"-1" + b"0" * 30, id="big-negative"),
        pytest.param("", b'""', id="empty-str"),
        pytest.param("caf\u00e9 \u20ac \U0001f600", '"café € \U0001f600"'.encode(), id="non-ascii"),
        pytest.param('quote " backslash \\', b'"quote \\" backslash \\\\"', id="escapes"),
        pytest.param("\x00\x1f\n\t\x7f", b'"\\u0000\\u001f\\n\\t\x7f"', id="control"),
        pytest.param(0.1, b"0.1", id="0.1"),
        pytest.param(1.0, b"1.0", id="1.0"),
        pytest.param(-0.0, b"-0.0", id="-0.0"),
        pytest.param(1e-07, b"1e-07", id="1e-07"),
        pytest.param(1e16, b"1e+16", id="1e16"),
        pytest.param(1e15, b"1000000000000000.0", id="1e15"),
        pytest.param(0.0001, b"0.0001", id="1e-4"),
        pytest.param(1.5e300, b"1.5e+300", id="1.5e300"),
        pytest.param(5e-324, b"5e-324", id="min-subnormal"),
        pytest.param([], b"[]", id="empty-list"),
        pytest.param({}, b"{}", id="empty-dict"),
        pytest.param((1, "a"), b'[1,"a"]', id="tuple"),
        pytest.param({"a": [1, {"b": None}]}, b'{"a":[1,{"b":null}]}', id="nested"),
    ],
)
def test_values(value: object, expected: bytes) -> None:
    assert dumps(value) == expected
    assert dumps(value) == fastapi_render(value)


def test_long_strings_with_escapes_at_every_offset() -> None:
    for i in range(20):
        for special in ['"', "\\", "\n", "\x01", "é"]:
            s = "a" * i + special + "b" * (20 - i)
            assert dumps(s) == fastapi_render(s)


def test_short_keys_and_values_with_escapes_at_every_offset() -> None:
    # Strings of up to 16 bytes take the overlapping-word path (keys with their
    # separator and colon): every length, a special byte at every offset.
    for n in range(24):
        for at in range(n):
            for special in ['"', "\\", "\n", "\x1f", "\x7f", "é"]:
                s = "k" * at + special + "v" * (n - at - 1)
                doc = {s: s, "x": [s, s], s + "!": {s: 1.5}}
                assert dumps(doc) == fastapi_render(doc)
        plain = "p" * n
        assert dumps({plain: plain, "y": plain}) == fastapi_render({plain: plain, "y": plain})


def test_ints_at_every_digit_count_and_word_boundary() -> None:
    # The integer writer works in chunks of 8 digits with a separate digit
    # count per chunk: check both sides of every power of ten and of two.
    values = [0, 2**63 - 1, -(2**63), 2**64 - 1, 2**64, -(2**64), 2**100]
    for k in range(21):
        values += [10**k + d for d in (-1, 0, 1)]
    for k in range(66):
        values += [2**k + d for d in (-1, 0, 1)]
    values += [-v for v in values]
    for v in values:
        assert dumps(v) == str(v).encode()
        assert dumps({"n": [v, v]}) == fastapi_render({"n": [v, v]})


def test_lone_surrogate_is_an_error() -> None:
    with pytest.raises(JSONEncodeError, match="surrogates"):
        dumps("\ud800")
    with pytest.raises(JSONEncodeError, match="surrogates"):
        dumps({"\udc00": 1})


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity(value: float) -> None:
    with pytest.raises(JSONEncodeError, match="NaN and Infinity"):
        dumps(value)
    assert dumps([value], nan_as_null=True) == b"[null]"


def test_unsupported_type_names_the_type() -> None:
    with pytest.raises(JSONEncodeError, match="object"):
        dumps(object())
    with pytest.raises(JSONEncodeError, match="set"):
        dumps({1})


def test_returns_bytes() -> None:
    assert type(dumps("x")) is bytes


class Color(enum.Enum):
    RED = "red"
    NUMBER = 7


class Level(enum.IntEnum):
    HIGH = 3


class Kind(enum.StrEnum):
    A = "a"


@dataclasses.dataclass
class Point:
    x: int
    y: float = 0.5
    label: str = "p"
    registry: ClassVar[int] = 0


@dataclasses.dataclass
class Line:
    start: Point
    end: Point


def test_rich_types() -> None:
    utc = datetime.UTC
    plus2 = datetime.timezone(datetime.timedelta(hours=2))
    values: list[tuple[object, bytes]] = [
        (datetime.datetime(2024, 5, 6, 7, 8, 9), b'"2024-05-06T07:08:09"'),
        (
            datetime.datetime(2024, 5, 6, 7, 8, 9, 123, tzinfo=utc),
            b'"2024-05-06T07:08:09.000123+00:00"',
        ),
        (datetime.datetime(2024, 5, 6, tzinfo=plus2), b'"2024-05-06T00:00:00+02:00"'),
        (datetime.date(2024, 1, 31), b'"2024-01-31"'),
        (datetime.time(23, 59, 1, 5), b'"23:59:01.000005"'),
        (
            uuid.UUID("12345678-1234-5678-1234-567812345678"),
            b'"12345678-1234-5678-1234-567812345678"',
        ),
        (decimal.Decimal("1.10"), b"1.10"),
        (decimal.Decimal("-1E+2"), b"-1E+2"),
        (Color.RED, b'"red"'),
        (Color.NUMBER, b"7"),
        (Level.HIGH, b"3"),
        (Kind.A, b'"a"'),
        (Point(1), b'{"x":1,"y":0.5,"label":"p"}'),
        (
            Line(Point(1), Point(2, 1.0)),
            b'{"start":{"x":1,"y":0.5,"label":"p"},"end":{"x":2,"y":1.0,"label":"p"}}',
        ),
    ]
    for value, expected in values:
        assert dumps(value) == expected, value


def test_decimal_nan() -> None:
    with pytest.raises(JSONEncodeError, match="Decimal"):
        dumps(decimal.Decimal("NaN"))
    assert dumps(decimal.Decimal("-Infinity"), nan_as_null=True) == b"null"


class MyStr(str):
    pass


class MyInt(int):
    pass


class MyFloat(float):
    pass


class MyDict(dict[str, Any]):
    pass


class MyList(list[Any]):
    pass


def test_subclasses_are_encoded_like_their_base() -> None:
    value = MyDict(a=MyList([MyStr("s"), MyInt(5), MyFloat(0.25)]))
    value["od"] = collections.OrderedDict(z=1)
    assert dumps(value) == fastapi_render(value) == b'{"a":["s",5,0.25],"od":{"z":1}}'


def test_passthrough_subclass_sends_them_to_default() -> None:
    seen: list[object] = []

    def default(obj: object) -> object:
        seen.append(obj)
        return type(obj).__name__

    out = dumps(
        [MyStr("s"), MyInt(1), MyDict(), "plain"], passthrough_subclass=True, default=default
    )
    assert out == b'["MyStr","MyInt","MyDict","plain"]'
    assert len(seen) == 3
    with pytest.raises(JSONEncodeError, match="MyInt"):
        dumps(MyInt(1), passthrough_subclass=True)


def test_default() -> None:
    assert dumps({"s": {1, 2}}, default=sorted) == b'{"s":[1,2]}'
    with pytest.raises(ZeroDivisionError):
        dumps(object(), default=lambda o: 1 / 0)
    with pytest.raises(TypeError, match="callable"):
        dumps(1, default=3)  # type: ignore[arg-type]


def test_default_that_never_converges_hits_the_depth_limit() -> None:
    class Node:
        pass

    with pytest.raises(JSONEncodeError, match="depth"):
        dumps(Node(), default=lambda o: [Node()])


def test_circular_references() -> None:
    a: list[Any] = []
    a.append(a)
    with pytest.raises(JSONEncodeError, match="Circular reference"):
        dumps(a)
    d: dict[str, Any] = {}
    d["self"] = [d]
    with pytest.raises(JSONEncodeError, match="Circular reference"):
        dumps(d)


def test_depth_limit() -> None:
    deep: list[Any] = []
    for _ in range(2000):
        deep = [deep]
    with pytest.raises(JSONEncodeError, match="depth"):
        dumps(deep)
    assert dumps(deep, max_depth=2001).startswith(b"[[[")
    with pytest.raises(ValueError, match="max_depth"):
        dumps(1, max_depth=10**6)


def test_sort_keys() -> None:
    value = {"b": 1, "a": {"é": 1, "z": 2, "A": 3}, "\U0001f600": 0, "\uffff": 1}
    assert dumps(value, sort_keys=True) == fastapi_render(value, sort_keys=True)


@pytest.mark.parametrize("indent", [0, 2, 4])
def test_indent(indent: int) -> None:
    value = {"a": [1, [], {}, {"b": (2, 3)}], "c": "d", "e": {}}
    expected = json.dumps(value, ensure_ascii=False, indent=indent).encode()
    assert dumps(value, indent=indent) == expected
    assert (
        dumps(value, indent=indent, sort_keys=True)
        == json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=True).encode()
    )


def test_non_str_keys() -> None:
    value = {1: "a", 2.5: "b", None: "c", False: "d", Color.RED: "e", uuid.UUID(int=1): "f"}
    with pytest.raises(JSONEncodeError, match="Dict key must be str"):
        dumps(value)
    out = dumps(value, non_str_keys=True)
    assert out == (
        b'{"1":"a","2.5":"b","null":"c","false":"d","red":"e",'
        b'"00000000-0000-0000-0000-000000000001":"f"}'
    )
    json_keys = {1: "a", 2.5: "b", None: "c", False: "d"}
    assert dumps(json_keys, non_str_keys=True) == fastapi_render(json_keys)
    assert dumps({2: 1, 10: 2}, non_str_keys=True, sort_keys=True) == b'{"10":2,"2":1}'
    with pytest.raises(JSONEncodeError, match="tuple"):
        dumps({(1,): 1}, non_str_keys=True)


def test_append_newline() -> None:
    assert dumps([1], append_newline=True) == b"[1]\n"


def test_keyword_only_options() -> None:
    with pytest.raises(TypeError):
        dumps({}, None)  # type: ignore[misc]
    with pytest.raises(TypeError, match="unexpected keyword"):
        dumps({}, sortkeys=True)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="indent"):
        dumps({}, indent=-1)


def test_encoder_object() -> None:
    enc = Encoder(sort_keys=True, indent=2, default=str, append_newline=True)
    assert enc.encode({"b": 1, "a": {1, 2} - {1}}) == b'{\n  "a": "{2}",\n  "b": 1\n}\n'
    assert Encoder().encode([1.5, "x"]) == b'[1.5,"x"]'
    with pytest.raises(JSONEncodeError):
        Encoder().encode(object())


def test_reentrant_default() -> None:
    """A default that calls dumps itself must not corrupt the shared buffer."""
    out = dumps([object(), 1], default=lambda o: dumps([2]).decode())
    assert out == b'["[2]",1]'
    enc = Encoder(default=lambda o: enc.encode([3]).decode())
    assert enc.encode([object(), "x" * 300]) == b'["[3]","' + b"x" * 300 + b'"]'


def test_mutating_default_does_not_crash() -> None:
    items: list[Any] = [object(), 1, 2, 3]

    def shrink(obj: object) -> int:
        items.clear()
        return 0

    assert dumps(items, default=shrink) == b"[0]"


def test_pydantic_models_use_their_json_mode_dump() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Item(pydantic.BaseModel):  # type: ignore[name-defined,misc]
        name: str
        price: float
        when: datetime.datetime
        tags: list[str] = pydantic.Field(default_factory=list)

    item = Item(name="Widget", price=9.99, when=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    assert dumps({"item": item}) == b'{"item":' + item.model_dump_json().encode() + b"}"


def test_tuple_subclasses_and_str_subclass_keys() -> None:
    pair = collections.namedtuple("pair", "a b")
    value = {MyStr("k"): pair(1, MyStr("v")), "z": MyList([pair(2, 3)])}
    assert dumps(value) == fastapi_render(value) == b'{"k":[1,"v"],"z":[[2,3]]}'
    assert dumps(value, sort_keys=True) == fastapi_render(value, sort_keys=True)


def test_every_unicode_scalar_value_round_trips() -> None:
    """All of U+0000..U+10FFFF except surrogates, in one string, as json writes it."""
    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    out = dumps(text)
    assert out == fastapi_render(text)
    assert json.loads(out) == text


def test_circular_reference_through_objects() -> None:
    @dataclasses.dataclass
    class Node:
        next: object = None

    node = Node()
    node.next = node
    with pytest.raises(JSONEncodeError, match="Circular reference"):
        dumps(node)

    class Opaque:
        pass

    thing = Opaque()
    with pytest.raises(JSONEncodeError, match="Circular reference"):
        dumps(thing, default=lambda obj: obj)  # default hands back the same object
    d: dict[str, Any] = {}
    d["a"] = {"b": (d,)}
    with pytest.raises(JSONEncodeError, match="Circular reference"):
        dumps(d, sort_keys=True)


def test_deep_dict_nesting_is_an_error_not_a_crash() -> None:
    deep: dict[str, Any] = {}
    for _ in range(100_000):
        deep = {"a": deep}
    with pytest.raises(JSONEncodeError, match="depth"):
        dumps(deep)
    with pytest.raises(JSONEncodeError, match="depth"):
        dumps(deep, max_depth=10_000)


def test_small_thread_stack_is_an_error_not_a_crash() -> None:
    """10,000 levels need ~2 MiB of C stack: a 512 KiB thread stack runs out first."""
    deep: list[Any] = []
    for _ in range(10_000):
        deep = [deep]
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            dumps(deep, max_depth=10_000)
        except JSONEncodeError as exc:
            outcome.append(exc)

    previous = threading.stack_size(512 * 1024)
    try:
        worker = threading.Thread(target=run)
        worker.start()
    finally:
        threading.stack_size(previous)
    worker.join(timeout=30)
    assert len(outcome) == 1
    assert "C stack nearly exhausted" in str(outcome[0])
    if "libasan" not in os.environ.get("LD_PRELOAD", ""):  # ASan frames are far larger
        assert dumps(deep, max_depth=10_000).startswith(b"[[[")  # the main thread has room


def test_enum_with_non_json_value_and_int_flag() -> None:
    class Shape(enum.Enum):
        BOX = (1, 2)

    class Perm(enum.IntFlag):
        R = 4
        W = 2

    assert dumps([Shape.BOX, Perm.R | Perm.W]) == b"[[1,2],6]"


def test_datetime_subclass_and_dataclass_inside_containers() -> None:
    class Stamp(datetime.datetime):
        pass

    value = {"at": Stamp(2024, 1, 2, 3, 4, 5), "points": (Point(1), Point(2, 2.5, "q"))}
    assert dumps(value) == (
        b'{"at":"2024-01-02T03:04:05","points":[{"x":1,"y":0.5,"label":"p"},'
        b'{"x":2,"y":2.5,"label":"q"}]}'
    )


def test_int_beyond_python_digit_limit_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="digits"):
        dumps(10**5000)


def test_pydantic_model_in_a_list_with_nested_model() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Owner(pydantic.BaseModel):  # type: ignore[name-defined,misc]
        id: int
        uid: uuid.UUID

    class Item(pydantic.BaseModel):  # type: ignore[name-defined,misc]
        name: str
        owner: Owner
        price: decimal.Decimal

    items = [Item(name="a", owner=Owner(id=1, uid=uuid.UUID(int=5)), price=decimal.Decimal("1.5"))]
    expected = b"[" + items[0].model_dump_json().encode() + b"]"
    assert dumps(items) == expected
