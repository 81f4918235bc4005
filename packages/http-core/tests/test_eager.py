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
    context = contextvars.copy_context()
    assert _core.run_eagerly(context, handler(), done) is None
    assert done.calls == [("done", None)]
    assert current.get() == "outside"
    assert context[current] == "inside"


def test_an_exception_is_handed_over_with_its_traceback() -> None:
    async def handler() -> None:
        raise KeyError("boom")

    done = Recorder()
    assert _core.run_eagerly(contextvars.copy_context(), handler(), done) is None
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
        context = contextvars.copy_context()
        assert _core.run_eagerly(context, coro, done) == (future,)
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
        _core.run_eagerly(contextvars.copy_context(), handler(), broken)


def test_a_bare_yield_is_a_suspension() -> None:
    async def handler() -> None:
        await asyncio.sleep(0)

    coro = handler()
    assert _core.run_eagerly(contextvars.copy_context(), coro, Recorder()) == (None,)
    coro.close()


def test_the_coroutine_runs_in_one_real_task_throughout() -> None:
    # anyio cancel scopes and asyncio.timeout need a current task, the same one
    # before and after a suspension.
    async def main() -> list[tuple[Any, BaseException | None]]:
        done = Recorder()
        tasks: set[asyncio.Task[None]] = set()

        async def handler() -> bool:
            first = asyncio.current_task()
            async with asyncio.timeout(5):
                await asyncio.sleep(0.001)
            return first is not None and asyncio.current_task() is first

        _eager.start(handler(), done, tasks, asyncio.get_running_loop())
        for _ in range(100):
            if done.calls:
                break
            await asyncio.sleep(0.001)
        assert not tasks
        return done.calls

    assert asyncio.run(main()) == [(True, None)]


def test_a_request_started_inside_another_task_still_runs() -> None:
    async def main() -> list[tuple[Any, BaseException | None]]:
        done = Recorder()
        tasks: set[asyncio.Task[None]] = set()

        async def handler() -> str:
            return "ran"

        async def other_task() -> None:
            _eager.start(
                handler(), done, tasks, asyncio.get_running_loop()
            )  # a task is current: runs later

        await asyncio.create_task(other_task())
        for _ in range(100):
            if done.calls:
                break
            await asyncio.sleep(0.001)
        return done.calls

    assert asyncio.run(main()) == [("ran", None)]


def test_start_finishes_a_suspended_coroutine_in_a_task() -> None:
    async def main() -> list[tuple[Any, BaseException | None]]:
        done = Recorder()
        tasks: set[asyncio.Task[None]] = set()

        async def handler() -> str:
            current.set("request")
            await asyncio.sleep(0)
            await asyncio.sleep(0.001)
            return current.get()

        _eager.start(handler(), done, tasks, asyncio.get_running_loop())
        assert len(tasks) == 1
        while tasks:
            await asyncio.sleep(0.001)
        assert current.get() == "outside"
        return done.calls

    assert asyncio.run(main()) == [("request", None)]
