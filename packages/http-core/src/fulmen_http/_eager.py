"""Run a coroutine eagerly: up to its first real suspension, without a Task.

PERF: most handlers (a hello world, a cached lookup, a small JSON echo) never
wait on anything: the server's ``send`` writes straight to the transport. Python
3.11 has no eager task factory (3.12's ``eager_start``), so the server makes the
request's Task, makes it current, and steps the coroutine itself: the response
leaves at once, and the Task's own first step, a loop turn later, finds
nothing left to do.
"""

from __future__ import annotations

import asyncio
import contextvars
from asyncio import current_task as _current_task
from asyncio.tasks import _enter_task, _leave_task
from collections.abc import Callable, Coroutine
from typing import Any

from fulmen_http import _core

OnDone = Callable[[Any, BaseException | None], None]
"""Called once with (return value, None) or (None, exception)."""


def start(
    coro: Coroutine[Any, Any, Any],
    on_done: OnDone,
    tasks: set[asyncio.Task[None]],
    loop: asyncio.AbstractEventLoop,
) -> None:
    """Run ``coro`` until it finishes or first suspends; ``on_done`` runs when it ends.

    The coroutine always belongs to a real Task, current while it runs (as
    ``asyncio.current_task()`` reports): anyio task groups and cancel scopes
    (Starlette's BaseHTTPMiddleware) and ``asyncio.timeout`` need one. The Task is
    made first and entered for the eager first step; when the coroutine
    suspends, the same Task carries on with it, and sits in ``tasks`` until it
    ends (so the server can cancel what is left at a forced shutdown). Each
    request runs in its own copy of the context, as a Task would. ``loop`` is the
    running loop (PERF: passed in, since asking asyncio for it makes a getpid()
    system call on Python 3.11).
    """
    context = contextvars.copy_context()
    # What the eager start left for the task: [] not started, [_FINISHED], or
    # [what the coroutine yielded]. PERF: a list, not an object with __init__.
    left: list[object] = []
    task = loop.create_task(_carry_on(coro, on_done, tasks, left), context=context)
    if _current_task(loop) is not None:
        # Called from inside another task (a pipelined request started as the
        # previous one finishes in its task): this task cannot be entered here,
        # so it runs the coroutine from the start, on the loop's next turn.
        tasks.add(task)
        return
    _enter_task(loop, task)
    try:
        # One native call (PyIter_Send in the context: no StopIteration).
        suspended = _core.run_eagerly(context, coro, on_done)
    except BaseException:
        left.append(_FINISHED)
        raise
    finally:
        _leave_task(loop, task)
    if suspended is None:
        left.append(_FINISHED)  # the task's own first step returns at once
    else:
        left.append(suspended[0])
        tasks.add(task)


_FINISHED = object()


async def _carry_on(
    coro: Coroutine[Any, Any, Any],
    on_done: OnDone,
    tasks: set[asyncio.Task[None]],
    left: list[object],
) -> None:
    """The request task's body: nothing when the eager start finished the
    coroutine, else run it on from where it stopped (or from the start)."""
    if left and left[0] is _FINISHED:
        return
    try:
        if left:
            await _resume(coro, left[0], on_done)
        else:
            await _run(coro, on_done)
    finally:
        tasks.discard(asyncio.current_task())


async def _run(coro: Coroutine[Any, Any, Any], on_done: OnDone) -> None:
    try:
        value = await coro
    except BaseException as exc:
        on_done(None, exc)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return
    on_done(value, None)


async def _resume(coro: Coroutine[Any, Any, Any], yielded: object, on_done: OnDone) -> None:
    # Steps a coroutine that the eager start left suspended, as its Task's
    # __step would: waits for what it yielded, then resumes it. Cancelling the
    # task cancels the future it waits on, which the coroutine then sees.
    try:
        while True:
            throw: BaseException | None = None
            if yielded is None:
                await asyncio.sleep(0)  # a bare yield: give the loop one turn
            else:
                assert isinstance(yielded, asyncio.Future)
                # The coroutine's own await marked the future "blocking"; a Task
                # clears that mark when it takes the future over, and so do we.
                yielded._asyncio_future_blocking = False
                try:
                    await yielded
                except asyncio.CancelledError as exc:
                    if not yielded.cancelled():
                        throw = exc  # this task was cancelled while the future finished
                except BaseException:
                    pass
            try:
                yielded = coro.throw(throw) if throw is not None else coro.send(None)
            except StopIteration as stop:
                on_done(stop.value, None)
                return
    except BaseException as exc:
        on_done(None, exc)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
