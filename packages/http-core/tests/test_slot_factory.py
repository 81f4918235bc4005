"""_core.SlotFactory: the native constructor of Request objects."""

from __future__ import annotations

import gc
import weakref

import pytest

from fulmen_http import RequestParser, _core
from fulmen_http._request import Request


class Point:
    __slots__ = ("label", "tags", "x", "y")

    def __init__(self) -> None:  # pragma: no cover - must not run
        raise AssertionError("SlotFactory does not run __init__")


def test_fills_head_fields_values_and_defaults_without_init() -> None:
    make = _core.SlotFactory(Point, ("x", "y"), ("label",), {"tags": ()})
    point = make((1, 2), "origin")
    assert isinstance(point, Point)
    assert (point.x, point.y, point.label, point.tags) == (1, 2, "origin", ())
    other = make((3, 4), "b")
    assert other.tags is point.tags  # defaults are shared: immutable values only
    point.x = 10  # an ordinary instance afterwards
    assert point.x == 10
    assert other.x == 3


def test_subclass_fields_and_unset_slots() -> None:
    class Labelled(Point):
        __slots__ = ("extra",)

    make = _core.SlotFactory(Labelled, ("x",), ("extra",), {})
    item = make((1,), "e")
    assert (item.x, item.extra) == (1, "e")
    with pytest.raises(AttributeError):
        _ = item.y  # not named: left unset, as a slot never assigned


@pytest.mark.parametrize(
    ("head_fields", "fields", "defaults", "message"),
    [
        (("x", "nope"), (), {}, "nope"),
        (("x",), ("__init__",), {}, "__init__"),
        ((), (), {"__slots__": 1}, "__slots__"),
    ],
)
def test_rejects_names_that_are_not_slots(
    head_fields: tuple[str, ...], fields: tuple[str, ...], defaults: dict[str, object], message: str
) -> None:
    with pytest.raises((TypeError, AttributeError), match=message):
        _core.SlotFactory(Point, head_fields, fields, defaults)


def test_rejects_bad_calls() -> None:
    make = _core.SlotFactory(Point, ("x", "y"), ("label",), {})
    with pytest.raises(TypeError, match="at least 2 items"):
        make((1,), "a")
    with pytest.raises(TypeError, match="at least 2 items"):
        make([1, 2], "a")
    assert make((1, 2, 3), "a").y == 2  # items past the head fields are not stored
    with pytest.raises(TypeError, match="1 field values, not 2"):
        make((1, 2), "a", "b")
    with pytest.raises(TypeError, match="keyword"):
        make((1, 2), "a", label="b")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="defined in Python"):
        _core.SlotFactory(int, (), (), {})


def test_a_cycle_through_the_class_is_collected() -> None:
    # The factory holds its class; the garbage collector must see that edge
    # (tp_traverse), or a per-server request class would never be freed.
    def make_class() -> weakref.ref[type]:
        class Temporary:
            __slots__ = ("a",)

        Temporary.factory = _core.SlotFactory(Temporary, ("a",), (), {})  # type: ignore[attr-defined]
        assert Temporary.factory((1,)).a == 1  # type: ignore[attr-defined]
        return weakref.ref(Temporary)

    ref = make_class()
    gc.collect()
    assert ref() is None


class _Connection:
    client = ("127.0.0.1", 5000)
    server_address = ("127.0.0.1", 8000)
    scheme = "http"

    def __init__(self) -> None:
        self.buffered = 0

    def body_buffered(self, size: int) -> None:
        self.buffered += size


@pytest.mark.parametrize(
    ("raw", "length"),
    [
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", None),
        (b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", 3),
        (b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", 0),
    ],
)
def test_request_from_a_parsed_head(raw: bytes, length: int | None) -> None:
    # Each request arrives whole (EV_REQUEST): its body comes with the head.
    head = RequestParser().feed(raw)[1]
    connection = _Connection()
    request = Request(connection, head)  # type: ignore[arg-type]
    assert request.method == head.method
    assert request.headers is head.headers
    assert request.content_length == length
    assert request.client == ("127.0.0.1", 5000)
    assert request.scheme == "http"
    assert request.body_complete
    assert not request.disconnected
    assert request._body_waiter is None
    body = raw.partition(b"\r\n\r\n")[2]
    assert list(request._chunks) == ([body] if body else [])
    assert connection.buffered == len(body)


def test_request_whose_body_is_still_to_come() -> None:
    head = RequestParser().feed(b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n")[1]
    request = Request(_Connection(), head)  # type: ignore[arg-type]
    assert request.content_length == 3
    assert not request.body_complete
    assert request._chunks == ()
