"""Eager start of request coroutines (fulmen_http/_eager.py, _core.run_eagerly)."""

from __future__ import annotations

import asyncio
import contextvars
import traceback
from typing import Any

import pytest

from fulmen_http import _core, _eager

current: contextvars.ContextVar[str] = contextvars.ContextVar("current", default="outside")


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, BaseException | None]] = []

    def __call__(self, value: Any, exc: BaseException | None) -> None:
        self.calls.append((value, exc))


def test_a_coroutine_that_returns_reports_its_value_without_a_task() -> None:
    async def handler() -> str:
        current.set("inside")  # in the request's own context copy
        return "done"

    done = Recorder()
    assert _core.run_eagerly(handler(), done) is None
    assert done.calls == [("done", None)]
    assert current.get() == "outside"


def test_an_exception_is_handed_over_with_its_traceback() -> None:
    async def handler() -> None:
        raise KeyError("boom")

    done = Recorder()
    assert _core.run_eagerly(handler(), done) is None
    ((value, exc),) = done.calls
    assert value is None
    assert isinstance(exc, KeyError)
    frames = traceback.extract_tb(exc.__traceback__)
    assert frames[-1].name == "handler"


def test_a_suspension_returns_the_context_and_what_was_yielded() -> None:
    loop = asyncio.new_event_loop()
    try:
        future = loop.create_future()

        async def handler() -> int:
            current.set("request")
            return int(await future)

        done = Recorder()
        coro = handler()
        suspended = _core.run_eagerly(coro, done)
        assert suspended is not None
        context, yielded = suspended
        assert yielded is future
        assert context[current] == "request"
        assert current.get() == "outside"
        assert done.calls == []
        coro.close()
    finally:
        loop.close()


def test_on_done_errors_propagate() -> None:
    async def handler() -> None:
        return None

    def broken(_value: Any, _exc: BaseException | None) -> None:
        raise RuntimeError("on_done failed")

    with pytest.raises(RuntimeError, match="on_done failed"):
        _core.run_eagerly(handler(), broken)


def test_start_finishes_a_suspended_coroutine_in_a_task() -> None:
    async def main() -> list[tuple[Any, BaseException | None]]:
        done = Recorder()
        tasks: set[asyncio.Task[None]] = set()

        async def handler() -> str:
            current.set("request")
            await asyncio.sleep(0)
            await asyncio.sleep(0.001)
            return current.get()

        _eager.start(handler(), done, tasks)
        assert len(tasks) == 1
        while tasks:
            await asyncio.sleep(0.001)
        assert current.get() == "outside"
        return done.calls

    assert asyncio.run(main()) == [("request", None)]
