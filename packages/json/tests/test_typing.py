"""The stub (_core.pyi, generated at build time) is correct: mypy accepts typed
use of the public API and rejects misuse with the expected errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

HERE = Path(__file__).resolve().parent / "typing"


def run_mypy(path: Path) -> list[str]:
    stdout, _, _ = mypy_api.run(
        ["--strict", "--no-incremental", "--no-error-summary", "--hide-error-context", str(path)]
    )
    return [line for line in stdout.splitlines() if ": error: " in line]


def test_typed_usage_passes() -> None:
    assert run_mypy(HERE / "check_api.py") == []


def test_misuse_is_rejected() -> None:
    path = HERE / "check_api_errors.py"
    expected = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if "# E: " in line:
            expected[number] = line.split("# E: ", 1)[1]
    reported: dict[int, list[str]] = {}
    for line in run_mypy(path):
        match = re.match(r".*?:(\d+): error: (.*?)(  \[[a-z-]+\])?$", line)
        assert match, line
        reported.setdefault(int(match.group(1)), []).append(match.group(2))
    # Every misuse line is an error, with (at least) the expected message.
    assert set(reported) == set(expected)
    for number, message in expected.items():
        assert message in reported[number], (number, reported[number])
