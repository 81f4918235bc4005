"""Running blocking code without stalling the event loop.

`def` endpoints and dependencies run here, as in FastAPI. The pool is a
dedicated ThreadPoolExecutor sized like anyio's default limiter (40 threads),
so fulmen needs no anyio at run time. Context variables are copied into the
worker thread, as anyio does.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from types import TracebackType
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

#: Size of the worker thread pool; FULMEN_THREADPOOL_SIZE overrides it.
THREADPOOL_SIZE = int(os.environ.get("FULMEN_THREADPOOL_SIZE", "40"))
_executor: ThreadPoolExecutor | None = None


def _get_executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(THREADPOOL_SIZE, thread_name_prefix="fulmen-worker")
    return _executor


async def run_in_threadpool(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Call ``func(*args, **kwargs)`` in a worker thread and await its result."""
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    call = functools.partial(context.run, func, *args, **kwargs)
    return await loop.run_in_executor(_get_executor(), call)


class _StopIteration(Exception):
    """StopIteration cannot cross a Future, so it travels as this."""


def _next(iterator: Iterator[T]) -> T:
    try:
        return next(iterator)
    except StopIteration:
        raise _StopIteration from None


async def iterate_in_threadpool(iterator: Iterable[T]) -> AsyncIterator[T]:
    """Iterate a blocking iterator, one ``next()`` per worker-thread call."""
    as_iterator = iter(iterator)
    while True:
        try:
            yield await run_in_threadpool(_next, as_iterator)
        except _StopIteration:
            break


class _ThreadedContextManager(AbstractAsyncContextManager[T]):
    def __init__(self, cm: AbstractContextManager[T]) -> None:
        self._cm = cm

    async def __aenter__(self) -> T:
        return await run_in_threadpool(self._cm.__enter__)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        return await run_in_threadpool(self._cm.__exit__, exc_type, exc, tb)


def contextmanager_in_threadpool(cm: AbstractContextManager[T]) -> AbstractAsyncContextManager[T]:
    """Enter and exit a blocking context manager in worker threads."""
    return _ThreadedContextManager(cm)


__all__ = ["contextmanager_in_threadpool", "iterate_in_threadpool", "run_in_threadpool"]
