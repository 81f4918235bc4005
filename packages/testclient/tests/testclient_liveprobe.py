"""A pytest plugin for the child run of test_live: counts the fulmen_http servers
started, so the parent can tell the tests really went over sockets.

(It counts at fulmen_http's Server, which every copy of fulmen_testclient — the
tests load one per httpx flavour — starts the same way.)
"""

from __future__ import annotations

from typing import Any

import fulmen_http

_started = 0
_original = fulmen_http.Server.start_in_thread


def _counting(self: Any, *args: Any, **kwargs: Any) -> None:
    global _started
    _original(self, *args, **kwargs)
    _started += 1


fulmen_http.Server.start_in_thread = _counting  # type: ignore[method-assign]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(f"live servers started: {_started}")
