"""Makes tests/reference.py importable as `router_reference` (pytest runs in
importlib mode, where test modules cannot import their siblings)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "router_reference", Path(__file__).with_name("reference.py")
)
assert _spec is not None
assert _spec.loader is not None
_module = importlib.util.module_from_spec(_spec)
sys.modules["router_reference"] = _module
_spec.loader.exec_module(_module)
