"""Logging for ``fulmen run``: uvicorn-like text lines, or one JSON object per line.

Loggers: ``fulmen_http.error`` (server), ``fulmen_http.access`` (one line per
response), ``fulmen.workers`` (the supervisor) and ``fulmen.cli``. A
``--log-config`` file replaces all of it (``.json`` for ``dictConfig``,
``.yaml`` when PyYAML is installed, anything else for ``fileConfig``).
"""

from __future__ import annotations

import json
import logging
import logging.config
import sys
import time
from pathlib import Path
from typing import Any

LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
TEXT_FORMAT = "%(levelname)-9s %(message)s"
WORKER_TEXT_FORMAT = "%(levelname)-9s [%(process)d] %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record; access records carry their fields at the top level."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        access = getattr(record, "access", None)
        if isinstance(access, dict):
            entry.update(access)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(*, level: str, log_format: str, log_config: str | None, workers: bool) -> None:
    """Set up logging in this process (the supervisor, or the single server)."""
    if log_config:
        _load_config(log_config)
        return
    numeric = 5 if level == "trace" else getattr(logging, level.upper())
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(WORKER_TEXT_FORMAT if workers else TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)


def _load_config(path: str) -> None:
    file = Path(path)
    if not file.is_file():
        raise ValueError(f"--log-config: no such file {path!r}")
    if file.suffix == ".json":
        logging.config.dictConfig(json.loads(file.read_text(encoding="utf-8")))
    elif file.suffix in (".yaml", ".yml"):
        try:
            import yaml  # type: ignore[import-untyped]
        except ImportError as exc:
            raise ValueError("--log-config: a YAML file needs PyYAML installed") from exc
        logging.config.dictConfig(yaml.safe_load(file.read_text(encoding="utf-8")))
    else:
        logging.config.fileConfig(path, disable_existing_loggers=False)
