"""Checks, at import, that the Fulmen components found are ones this release supports.

Each component is released on its own, so an environment can end up with, say,
a fulmen-json too new for this fulmen. Failing at import with the fix spelled
out beats a confusing AttributeError deep in a request.
"""

from __future__ import annotations

import importlib
import re

# import name -> (distribution, lowest supported, first unsupported).
# Keep in step with the dependencies in packages/framework/pyproject.toml.
SUPPORTED: dict[str, tuple[str, tuple[int, int], tuple[int, int]]] = {
    "fulmen_http": ("fulmen-http", (0, 1), (0, 2)),
    "fulmen_router": ("fulmen-router", (0, 1), (0, 2)),
    "fulmen_json": ("fulmen-json", (0, 1), (0, 2)),
    "fulmen_workers": ("fulmen-workers", (0, 1), (0, 2)),
}


class ComponentVersionError(ImportError):
    """An installed Fulmen component is outside the range this fulmen supports."""


def _release(version: str) -> tuple[int, int]:
    match = re.match(r"(\d+)\.(\d+)", version)
    if match is None:
        raise ValueError(f"unrecognised version {version!r}")
    return int(match[1]), int(match[2])


def _spec(low: tuple[int, int], high: tuple[int, int]) -> str:
    return f">={low[0]}.{low[1]},<{high[0]}.{high[1]}"


def problems(found: dict[str, str]) -> list[str]:
    """One line per component of ``found`` (import name -> version) that is out of range."""
    lines = []
    for module, version in sorted(found.items()):
        distribution, low, high = SUPPORTED[module]
        if not low <= _release(version) < high:
            lines.append(
                f"{distribution} {version} is installed, but this fulmen needs "
                f"{distribution}{_spec(low, high)}: pip install '{distribution}{_spec(low, high)}'"
            )
    return lines


def check_components() -> None:
    """Raise ComponentVersionError naming every component to upgrade or downgrade."""
    found = {name: importlib.import_module(name).__version__ for name in SUPPORTED}
    if lines := problems(found):
        raise ComponentVersionError("\n".join(["incompatible Fulmen components:", *lines]))
