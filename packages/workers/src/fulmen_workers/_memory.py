"""Resident memory of a worker, for the ``max_memory`` ceiling.

Linux: ``/proc/<pid>/statm`` (second field: resident pages), no dependency.
Elsewhere: psutil when it is installed; otherwise the ceiling cannot be
enforced and the supervisor says so once at start.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _statm_rss(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return None


def _psutil_rss(pid: int) -> int | None:
    import psutil  # type: ignore[import-untyped]  # reached only when importable

    try:
        return int(psutil.Process(pid).memory_info().rss)
    except psutil.Error:
        return None


def rss_reader() -> Callable[[int], int | None] | None:
    """A function giving a pid's resident bytes (None once it is gone), or
    None when this platform offers no way to read it."""
    if os.path.exists(f"/proc/{os.getpid()}/statm"):
        return _statm_rss
    if importlib.util.find_spec("psutil") is None:
        return None
    return _psutil_rss
