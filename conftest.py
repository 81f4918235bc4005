"""Fixtures shared by every package's tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only test and benchmark corpora in ``../shared/data`` (beside the
    checkout, in development and in CI); FULMEN_SHARED_DATA overrides it."""
    path = Path(os.environ.get("FULMEN_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
    if not path.is_dir():
        pytest.fail(f"shared test data not found at {path}; set FULMEN_SHARED_DATA")
    return path
