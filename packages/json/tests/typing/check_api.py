"""Typed usage of the public API, checked by mypy in test_typing.py (never run)."""

from __future__ import annotations

from typing import Any

from fulmen_json import Decoder, Encoder, JSONDecodeError, dumps, loads

out: bytes = dumps({"a": 1}, sort_keys=True, indent=2, default=str, non_str_keys=True)
out = dumps(None, nan_as_null=True, append_newline=True, passthrough_subclass=True, max_depth=10)
value: Any = loads(out)
value = loads(bytearray(out))
value = loads(memoryview(out))
value = loads(out.decode(), max_depth=5)
encoder = Encoder(sort_keys=True, indent=None, default=repr)
out = encoder.encode([1, 2])
decoder = Decoder(max_depth=64)
value = decoder.decode(out)
try:
    loads(b"[")
except JSONDecodeError as exc:
    line: int = exc.lineno
    column: int = exc.colno
    offset: int = exc.byte_offset
