"""FileResponse: a file from disk, with byte ranges (RFC 9110 §14) and If-Range.

Headers match Starlette's (content-length, last-modified, etag = md5 of
"mtime-size", accept-ranges) so caches see the same validators either way.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from collections.abc import Mapping
from email.utils import formatdate
from mimetypes import guess_type
from typing import Any
from urllib.parse import quote

from fulmen._types import Receive, Scope, Send
from fulmen.background import BackgroundTask
from fulmen.concurrency import run_in_threadpool
from fulmen.datastructures import Headers, MutableHeaders
from fulmen.responses import PlainTextResponse, Response

#: Bytes per read and per body message.
CHUNK_SIZE = 64 * 1024
#: More ranges than this in one request are ignored (the whole file is sent).
MAX_RANGES = 100


class _BadRange(Exception):
    def __init__(self, message: str = "Malformed range header.") -> None:
        self.message = message


class _Unsatisfiable(Exception):
    pass


def parse_ranges(header: str, size: int) -> list[tuple[int, int]]:
    """``bytes=0-9,20-`` -> [(0, 10), (20, size)] (end exclusive), merged when several."""
    unit, sep, spec = header.partition("=")
    if not sep:
        raise _BadRange()
    if unit.strip().lower() != "bytes":
        raise _BadRange("Only support bytes range")
    if spec.count(",") + 1 > MAX_RANGES:
        return []
    ranges: list[tuple[int, int]] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part or part == "-" or "-" not in part:
            continue
        first, last = (s.strip() for s in part.split("-", 1))
        try:
            start = int(first) if first else max(size - int(last), 0)
            end = int(last) + 1 if first and last and int(last) < size else size
        except ValueError:
            raise _BadRange(f"Invalid range: {part}") from None
        ranges.append((start, end))
    if not ranges:
        raise _BadRange("Range header: range must be requested")
    if any(not 0 <= start < size for start, _ in ranges):
        raise _Unsatisfiable()
    if any(start >= end for start, end in ranges):
        raise _BadRange("Range header: start must be less than end")
    if len(ranges) == 1:
        return ranges
    merged = [sorted(ranges)[0]]
    for start, end in sorted(ranges)[1:]:
        if start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _read(path: str | os.PathLike[str], start: int, length: int) -> bytes:
    with open(path, "rb") as file:
        file.seek(start)
        return file.read(length)


class FileResponse(Response):
    """Send ``path``; ``filename`` adds a Content-Disposition (RFC 6266)."""

    chunk_size = CHUNK_SIZE

    def __init__(
        self,
        path: str | os.PathLike[str],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
        filename: str | None = None,
        stat_result: os.stat_result | None = None,
        content_disposition_type: str = "attachment",
    ) -> None:
        self.path = path
        self.status_code = status_code
        self.filename = filename
        guessed = media_type or guess_type(filename or path)[0] or "application/octet-stream"
        self.media_type = guessed  # type: ignore[misc]
        self.background = background
        self.init_headers(headers)
        self.headers.setdefault("accept-ranges", "bytes")
        if filename is not None:
            quoted = quote(filename)
            value = (
                f"{content_disposition_type}; filename*=utf-8''{quoted}"
                if quoted != filename
                else f'{content_disposition_type}; filename="{filename}"'
            )
            self.headers.setdefault("content-disposition", value)
        self.stat_result = stat_result
        if stat_result is not None:
            self._set_stat_headers(stat_result)

    def _set_stat_headers(self, result: os.stat_result) -> None:
        tag = hashlib.md5(f"{result.st_mtime}-{result.st_size}".encode(), usedforsecurity=False)
        self.headers.setdefault("content-length", str(result.st_size))
        self.headers.setdefault("last-modified", formatdate(result.st_mtime, usegmt=True))
        self.headers.setdefault("etag", f'"{tag.hexdigest()}"')

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        head_only = scope["method"].upper() == "HEAD"
        if self.stat_result is None:
            try:
                result = await run_in_threadpool(os.stat, self.path)
            except FileNotFoundError:
                raise RuntimeError(f"File at path {self.path} does not exist.") from None
            if not stat.S_ISREG(result.st_mode):
                raise RuntimeError(f"File at path {self.path} is not a file.")
            self._set_stat_headers(result)
        else:
            result = self.stat_result
        size = result.st_size
        request_headers = Headers(scope=scope)
        range_header = request_headers.get("range")
        if_range = request_headers.get("if-range")
        ranges: list[tuple[int, int]] = []
        if (
            self.status_code == 200
            and range_header is not None
            and scope["method"].upper() in ("GET", "HEAD")
            and (if_range is None or self._if_range_matches(if_range))
        ):
            try:
                ranges = parse_ranges(range_header, size)
            except _BadRange as exc:
                await PlainTextResponse(exc.message, status_code=400)(scope, receive, send)
                return
            except _Unsatisfiable:
                response = PlainTextResponse(
                    status_code=416, headers={"Content-Range": f"bytes */{size}"}
                )
                await response(scope, receive, send)
                return
        if len(ranges) == 1:
            await self._send_single(send, *ranges[0], size, head_only)
        elif ranges:
            await self._send_multiple(send, ranges, size, head_only)
        else:
            await self._send_parts(send, self.status_code, self.raw_headers, [(0, size)], head_only)
        if self.background is not None:
            await self.background()

    def _if_range_matches(self, value: str) -> bool:
        # A weak validator never allows a range (RFC 9110 §13.1.5).
        if value.startswith("W/"):
            return False
        return value in (self.headers["last-modified"], self.headers["etag"])

    async def _send_single(self, send: Send, start: int, end: int, size: int, head: bool) -> None:
        headers = MutableHeaders(raw=list(self.raw_headers))
        headers["content-range"] = f"bytes {start}-{end - 1}/{size}"
        headers["content-length"] = str(end - start)
        await self._send_parts(send, 206, headers.raw, [(start, end)], head)

    async def _send_multiple(
        self, send: Send, ranges: list[tuple[int, int]], size: int, head: bool
    ) -> None:
        boundary = secrets.token_hex(13)
        content_type = self.headers["content-type"]

        def part_header(start: int, end: int) -> bytes:
            return (
                f"--{boundary}\r\nContent-Type: {content_type}\r\n"
                f"Content-Range: bytes {start}-{end - 1}/{size}\r\n\r\n"
            ).encode("latin-1")

        length = sum(len(part_header(s, e)) + (e - s) + 2 for s, e in ranges)
        length += len(f"--{boundary}--")
        headers = MutableHeaders(raw=list(self.raw_headers))
        headers["content-type"] = f"multipart/byteranges; boundary={boundary}"
        headers["content-length"] = str(length)
        await send({"type": "http.response.start", "status": 206, "headers": headers.raw})
        if head:
            await send({"type": "http.response.body", "body": b""})
            return
        for start, end in ranges:
            await send(
                {"type": "http.response.body", "body": part_header(start, end), "more_body": True}
            )
            await self._send_bytes(send, start, end, last=False)
            await send({"type": "http.response.body", "body": b"\r\n", "more_body": True})
        await send({"type": "http.response.body", "body": f"--{boundary}--".encode("latin-1")})

    async def _send_parts(
        self, send: Send, status: int, headers: Any, ranges: list[tuple[int, int]], head: bool
    ) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if head:
            await send({"type": "http.response.body", "body": b""})
            return
        start, end = ranges[0]
        await self._send_bytes(send, start, end, last=True)

    async def _send_bytes(self, send: Send, start: int, end: int, *, last: bool) -> None:
        position = start
        while True:
            chunk = await run_in_threadpool(
                _read, self.path, position, min(self.chunk_size, end - position)
            )
            position += len(chunk)
            done = not chunk or position >= end
            await send(
                {"type": "http.response.body", "body": chunk, "more_body": not (done and last)}
            )
            if done:
                return
