"""Request-line parsing: fulmen_http against httptools (llhttp), same outputs.

httptools cannot parse a request line alone, so it is fed the shortest whole
request; both sides produce (method, target, version).
"""

from __future__ import annotations

from typing import Any

import httptools
import pytest

from fulmen_http import parse_request_line

RAW = b"GET /api/v1/users/12345?include=profile&sort=desc HTTP/1.1\r\n\r\n"


class _Target:
    def __init__(self) -> None:
        self.url = b""

    def on_url(self, url: bytes) -> None:
        self.url += url


def with_httptools(raw: bytes) -> tuple[str, bytes, str]:
    target = _Target()
    parser = httptools.HttpRequestParser(target)
    parser.feed_data(raw)
    return parser.get_method().decode("latin-1"), target.url, parser.get_http_version()


def with_fulmen(raw: bytes) -> tuple[str, bytes, str]:
    line = parse_request_line(raw)
    assert line is not None
    return line.method, line.target, line.http_version


PARSERS = {"fulmen_http": with_fulmen, "httptools": with_httptools}


@pytest.mark.parametrize("parser", PARSERS)
def test_request_line(benchmark: Any, parser: str) -> None:
    assert with_fulmen(RAW) == with_httptools(RAW)
    benchmark.group = "request line"
    benchmark(PARSERS[parser], RAW)
