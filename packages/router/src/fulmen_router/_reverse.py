"""Reverse routing: a parsed template plus values back to a percent-encoded path."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

# RFC 3986 section 3.3: a path segment may hold unreserved characters, sub-delims,
# ':' and '@' unescaped; everything else (including '%') is percent-encoded.
_SEGMENT_SAFE = "!$&'()*+,;=:@"
_PATH_SAFE = _SEGMENT_SAFE + "/"


def format_param(converter: str, value: Any) -> str:
    """A value as its converter writes it (Starlette's ``to_string`` rules)."""
    if converter == "str":
        text = str(value)
        if "/" in text:
            raise ValueError(f"a str parameter may not contain '/': {text!r}")
        if not text:
            raise ValueError("a str parameter must not be empty")
        return text
    if converter == "path":
        return str(value)
    if converter == "int":
        number = int(value)
        if number < 0:
            raise ValueError(f"negative integers are not supported: {number}")
        return str(number)
    if converter == "float":
        real = float(value)
        if math.isnan(real) or math.isinf(real):
            raise ValueError(f"NaN and infinite floats are not supported: {real}")
        if real < 0.0:
            raise ValueError(f"negative floats are not supported: {real}")
        return f"{real:0.20f}".rstrip("0").rstrip(".")
    if converter == "uuid":
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    raise AssertionError(f"unknown converter {converter!r}")  # the parser rejects these


def build_path(atoms: list[tuple[bool, str, str]], params: Mapping[str, Any]) -> str:
    parts = []
    for is_param, text, converter in atoms:
        if is_param:
            safe = _PATH_SAFE if converter == "path" else _SEGMENT_SAFE
            parts.append(quote(format_param(converter, params[text]), safe=safe))
        else:
            parts.append(quote(text, safe=_PATH_SAFE))
    return "".join(parts)
