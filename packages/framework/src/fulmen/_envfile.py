"""``--env-file``: ``KEY=value`` lines into ``os.environ``, without python-dotenv.

The subset of the dotenv format people actually write: comments, blank lines,
an optional ``export``, single- or double-quoted values (``\\n`` escapes in
double quotes), inline `` #`` comments after unquoted values. Variables already
set in the environment win, as with python-dotenv's default.
"""

from __future__ import annotations

import os
from pathlib import Path


def parse_env(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key.replace("_", "a").isalnum() or key[0].isdigit():
            raise ValueError(f"line {number}: expected KEY=value, got {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            quote, value = value[0], value[1:-1]
            if quote == '"':
                value = value.replace("\\n", "\n").replace('\\"', '"')
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def load_env_file(path: str) -> None:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"--env-file {path!r}: {exc.strerror or exc}") from exc
    try:
        values = parse_env(text)
    except ValueError as exc:
        raise ValueError(f"--env-file {path!r}: {exc}") from None
    for key, value in values.items():
        os.environ.setdefault(key, value)
