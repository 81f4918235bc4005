"""Run a coroutine eagerly: up to its first real suspension, without a Task.

PERF: most handlers (a hello world, a cached lookup, a small JSON echo) never
wait on anything: the server's ``send`` writes straight to the transport. Python
3.11 has no eager task factory, and a Task per request costs several
microseconds of scheduling, so the server steps the coroutine itself and only
hands it to a Task (through :func:`_resume`) when it really suspends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from fulmen_http import _core

OnDone = Callable[[Any, BaseException | None], None]
"""Called once with (return value, None) or (None, exception)."""


def start(coro: Coroutine[Any, Any, Any], on_done: OnDone, tasks: set[asyncio.Task[None]]) -> None:
    """Run ``coro`` until it finishes or first suspends; ``on_done`` runs when it ends.

    A coroutine that suspends goes on in a Task, kept in ``tasks`` until it ends
    (so the server can cancel what is left at a forced shutdown). Each request
    runs in its own copy of the context, as a Task would.
    """
    suspended = _core.run_eagerly(coro, on_done)  # PERF: one native call per request
    if suspended is None:
        return
    context, yielded = suspended
    loop = asyncio.get_running_loop()
    task = loop.create_task(_resume(coro, yielded, on_done), context=context)
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def _resume(coro: Coroutine[Any, Any, Any], yielded: object, on_done: OnDone) -> None:
    # Plays the part of asyncio.Task for a coroutine already started: waits for
    # what it yielded, then resumes it. Cancelling this task cancels the future
    # it waits on, which the coroutine then sees, exactly as with a Task.
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
