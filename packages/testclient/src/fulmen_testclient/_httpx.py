"""Which httpx the client is built on: httpx2 when it is installed, httpx otherwise.

Starlette's TestClient makes the same choice. ``FULMEN_TESTCLIENT_HTTPX`` set to
``httpx`` or ``httpx2`` forces one (the test suite uses it to cover both).
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import TYPE_CHECKING

ENV_VAR = "FULMEN_TESTCLIENT_HTTPX"
CHOICES = ("httpx2", "httpx")


def choose_httpx(forced: str | None = None) -> ModuleType:
    """Import the httpx package to build on; ``forced`` (or the env var) names one."""
    name = forced if forced is not None else os.environ.get(ENV_VAR, "")
    if name:
        if name not in CHOICES:
            raise ValueError(f"{ENV_VAR} must be one of {', '.join(CHOICES)}, not {name!r}")
        return importlib.import_module(name)
    for candidate in CHOICES:
        try:
            return importlib.import_module(candidate)
        except ModuleNotFoundError:
            continue
    raise ModuleNotFoundError(
        "fulmen_testclient needs httpx2 or httpx: pip install httpx2"
    )  # pragma: no cover - httpx is a dependency


if TYPE_CHECKING:
    import httpx2 as httpx
else:
    httpx = choose_httpx()

__all__ = ["ENV_VAR", "choose_httpx", "httpx"]
