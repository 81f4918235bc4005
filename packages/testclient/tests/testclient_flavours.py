"""Loading fulmen_testclient built on a chosen httpx flavour (httpx2 or httpx)."""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType

FLAVOURS = ("httpx2", "httpx")
_loaded: dict[str, ModuleType] = {}


def load_flavour(name: str) -> ModuleType:
    """A fresh import of fulmen_testclient built on ``name`` (httpx or httpx2).

    The package picks its httpx once, at import; importing it again with
    FULMEN_TESTCLIENT_HTTPX forcing the choice gives a second, independent copy
    built on the other real library, without disturbing the normal import.
    """
    if name in _loaded:
        return _loaded[name]
    saved = {k: v for k, v in sys.modules.items() if k.partition(".")[0] == "fulmen_testclient"}
    previous = os.environ.get("FULMEN_TESTCLIENT_HTTPX")
    for key in saved:
        del sys.modules[key]
    os.environ["FULMEN_TESTCLIENT_HTTPX"] = name
    try:
        module = importlib.import_module("fulmen_testclient")
    finally:
        if previous is None:
            del os.environ["FULMEN_TESTCLIENT_HTTPX"]
        else:
            os.environ["FULMEN_TESTCLIENT_HTTPX"] = previous
        for key in [k for k in sys.modules if k.partition(".")[0] == "fulmen_testclient"]:
            del sys.modules[key]
        sys.modules.update(saved)
    _loaded[name] = module
    return module
