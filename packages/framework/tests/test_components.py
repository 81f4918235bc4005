"""The import-time check of component versions, and its agreement with the metadata."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

import fulmen
from fulmen import _components

PYPROJECT = Path(__file__).parents[1] / "pyproject.toml"


def test_public_api() -> None:
    assert fulmen.__all__ == sorted(fulmen.__all__)


def test_installed_components_pass() -> None:
    _components.check_components()


def test_ranges_match_the_declared_dependencies() -> None:
    """_components.SUPPORTED and pyproject.toml must say the same thing."""
    deps = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    declared = {}
    for dep in deps:
        match = re.fullmatch(r"(fulmen-[a-z]+)>=(\d+)\.(\d+),<(\d+)\.(\d+)", dep)
        if match:
            name, *nums = match.groups()
            low_major, low_minor, high_major, high_minor = map(int, nums)
            declared[name] = ((low_major, low_minor), (high_major, high_minor))
    supported = {dist: (low, high) for dist, low, high in _components.SUPPORTED.values()}
    assert declared == supported


def test_out_of_range_component_names_the_fix() -> None:
    lines = _components.problems(
        {"fulmen_json": "0.3.1", "fulmen_http": "0.1.4", "fulmen_router": "0.0.9"}
    )
    assert lines == [
        "fulmen-json 0.3.1 is installed, but this fulmen needs fulmen-json>=0.1,<0.2: "
        "pip install 'fulmen-json>=0.1,<0.2'",
        "fulmen-router 0.0.9 is installed, but this fulmen needs fulmen-router>=0.1,<0.2: "
        "pip install 'fulmen-router>=0.1,<0.2'",
    ]


def test_error_is_an_import_error() -> None:
    assert issubclass(fulmen.ComponentVersionError, ImportError)


def test_unparseable_version_is_reported() -> None:
    with pytest.raises(ValueError, match="unrecognised version"):
        _components.problems({"fulmen_json": "dev"})
