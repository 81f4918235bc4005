"""Fixtures: the package built on each httpx flavour, and the raw apps on sys.path."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

# The raw ASGI apps and helpers the tests share live beside them (importlib mode).
sys.path.insert(0, str(Path(__file__).parent))

from testclient_flavours import FLAVOURS, load_flavour


@pytest.fixture(params=FLAVOURS)
def tc(request: pytest.FixtureRequest) -> ModuleType:
    """fulmen_testclient on httpx2, then on httpx: every test using it runs on both."""
    return load_flavour(request.param)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
