"""Development reload: watch Python files, check that changed ones compile.

The watcher (watchfiles, the optional ``reload`` extra) runs in a thread
that only records changed paths and wakes the supervisor's loop through a
pipe; the supervisor then decides. A changed file that does not compile
keeps the old workers serving: restarting would only replace working
workers with crashing ones.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

INSTALL_HINT = "reload needs watchfiles: pip install 'fulmen-workers[reload]'"


class ReloadUnavailableError(RuntimeError):
    """reload=True but watchfiles is not installed."""


def _import_watchfiles() -> Any:
    try:
        import watchfiles
    except ImportError as exc:
        raise ReloadUnavailableError(INSTALL_HINT) from exc
    return watchfiles


class FileWatcher:
    """Watches `dirs` for ``.py`` changes; `wake_fd` gets a byte per batch."""

    def __init__(self, dirs: Sequence[str], wake_fd: int, *, debounce_ms: int = 200) -> None:
        self._watchfiles = _import_watchfiles()
        self._dirs = [str(Path(d).resolve()) for d in (dirs or [os.getcwd()])]
        self._wake_fd = wake_fd
        self._debounce_ms = debounce_ms
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._changed: set[str] = set()
        self._thread = threading.Thread(target=self._run, name="fulmen-reload", daemon=True)

    @property
    def dirs(self) -> list[str]:
        return self._dirs

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout=2)

    def take_changes(self) -> list[str]:
        with self._lock:
            changed, self._changed = sorted(self._changed), set()
        return changed

    def _run(self) -> None:
        watch_filter = self._watchfiles.PythonFilter()
        for batch in self._watchfiles.watch(
            *self._dirs,
            watch_filter=watch_filter,
            stop_event=self._stop,
            debounce=self._debounce_ms,
            step=50,
            raise_interrupt=False,
        ):
            with self._lock:
                self._changed.update(path for _change, path in batch)
            try:
                os.write(self._wake_fd, b"r")
            except OSError:
                return


def compile_errors(paths: Sequence[str]) -> list[str]:
    """Syntax errors in the changed Python files that still exist, formatted
    like the interpreter would print them."""
    errors = []
    for path in paths:
        if not path.endswith(".py"):
            continue
        try:
            source = Path(path).read_bytes()
        except OSError:
            continue  # deleted or moved: the import in the new workers will tell
        try:
            compile(source, path, "exec", dont_inherit=True)
        except SyntaxError as exc:
            where = f'File "{exc.filename}", line {exc.lineno}'
            text = (exc.text or "").rstrip()
            errors.append(f"{where}\n    {text}\nSyntaxError: {exc.msg}")
        except ValueError as exc:  # null bytes
            errors.append(f'File "{path}"\nValueError: {exc}')
    return errors
