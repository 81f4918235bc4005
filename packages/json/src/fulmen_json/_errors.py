"""The exceptions of fulmen_json. The native core raises these very classes."""

from __future__ import annotations

import json


class JSONEncodeError(TypeError):
    """An object that cannot be encoded as JSON (a TypeError, as in orjson)."""


class JSONDecodeError(json.JSONDecodeError):
    """Input that is not valid JSON text (RFC 8259).

    A subclass of :class:`json.JSONDecodeError` (hence of :class:`ValueError`), so
    ``except json.JSONDecodeError`` keeps working after switching to fulmen_json.

    Attributes:
        msg: what is wrong.
        doc: the input, as given to ``loads``.
        pos: offset of the error in ``doc``: in characters for ``str`` input (as
            json does), in bytes for bytes-like input.
        byte_offset: offset of the error in the UTF-8 bytes that were parsed.
        lineno: line of the error, from 1.
        colno: column of the error, from 1, in the same unit as ``pos``.
    """

    byte_offset: int

    def __init__(self, msg: str, doc: str | bytes | bytearray | memoryview, pos: int) -> None:
        if isinstance(doc, str):
            super().__init__(msg, doc, pos)
            self.byte_offset = len(doc[:pos].encode("utf-8", "surrogatepass"))
            return
        data = bytes(doc)
        lineno = data.count(b"\n", 0, pos) + 1
        colno = pos - data.rfind(b"\n", 0, pos)
        ValueError.__init__(self, f"{msg}: line {lineno} column {colno} (char {pos})")
        self.msg = msg
        self.doc = doc  # type: ignore[assignment]
        self.pos = pos
        self.lineno = lineno
        self.colno = colno
        self.byte_offset = pos
