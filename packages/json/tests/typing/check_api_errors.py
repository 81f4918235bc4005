"""Misuses that the stub must reject; each line carries the error mypy must report."""
# ruff: noqa: E501  (each line carries mypy's full message)
# fmt: off

from __future__ import annotations

from fulmen_json import Encoder, dumps, loads

dumps({}, True)  # E: Too many positional arguments for "dumps"
dumps({}, sort_keys="yes")  # E: Argument "sort_keys" to "dumps" has incompatible type "str"; expected "bool"
loads(123)  # E: Argument 1 to "loads" has incompatible type "int"; expected "bytes | bytearray | memoryview[int] | str"
text: str = dumps(1)  # E: Incompatible types in assignment (expression has type "bytes", variable has type "str")
Encoder(indent="2")  # E: Argument "indent" to "Encoder" has incompatible type "str"; expected "int | None"
