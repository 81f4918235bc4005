"""An event loop in a background thread, so that sync tests can await the app.

While a client is used as a context manager one loop serves every request (as
Starlette's client's portal does), so state an app keeps on its loop — tasks,
locks, connections — keeps working across requests of one client.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

T = TypeVar("T")

# How long closing the loop waits for the tasks it cancels to unwind.
_CANCEL_GRACE_SECONDS = 5.0


LoopFactory = Callable[[], asyncio.AbstractEventLoop]


def loop_factory(backend: str, options: Mapping[str, Any] | None) -> LoopFactory:
    """The event loop a sync client runs the app on.

    Accepts Starlette's ``backend``/``backend_options`` for drop-in compatibility:
    ``"asyncio"`` only, with the options ``use_uvloop`` and ``debug``.
    """
    if backend != "asyncio":
        raise ValueError(f"backend {backend!r} is not supported: fulmen_testclient runs asyncio")
    options = dict(options or {})
    use_uvloop = bool(options.pop("use_uvloop", False))
    debug = bool(options.pop("debug", False))
    if options:
        raise ValueError(f"unsupported backend_options: {', '.join(sorted(options))}")

    def new_loop() -> asyncio.AbstractEventLoop:
        if use_uvloop:
            import uvloop  # an optional dependency: only when asked for

            loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
        else:
            loop = asyncio.new_event_loop()
        loop.set_debug(debug)
        return loop

    return new_loop


class LoopThread:
    def __init__(self, new_loop: LoopFactory = asyncio.new_event_loop) -> None:
        self._loop = new_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="fulmen-testclient-loop", daemon=True
        )
        self._thread.start()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the loop and wait for its result (or exception)."""
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("a TestClient cannot be called from inside the app it tests")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def call_soon(self, callback: Any, *args: Any) -> None:
        """Schedule a plain callback on the loop without waiting for it."""
        self._loop.call_soon_threadsafe(callback, *args)

    def close(self) -> None:
        """Cancel what still runs on the loop (a stream left open), then stop it."""
        if self._loop.is_closed():
            return
        try:
            self.run(_cancel_remaining_tasks())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()


async def _cancel_remaining_tasks() -> None:
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=_CANCEL_GRACE_SECONDS)
    await asyncio.get_running_loop().shutdown_asyncgens()
