"""Request-line parsing (RFC 9112 §3): results, incremental input and errors."""

from __future__ import annotations

import pytest

import fulmen_http
from fulmen_http import HTTPParseError, RequestLine, parse_request_line


def test_public_api() -> None:
    # Sorted as ruff's RUF022 sorts: CONSTANTS, then Classes, then functions.
    def key(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert fulmen_http.__all__ == sorted(fulmen_http.__all__, key=key)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            b"GET /users/1?q=x HTTP/1.1\r\n",
            RequestLine("GET", b"/users/1?q=x", "1.1", 27),
            id="get",
        ),
        pytest.param(
            b"OPTIONS * HTTP/1.0\r\n", RequestLine("OPTIONS", b"*", "1.0", 20), id="asterisk"
        ),
        pytest.param(
            b"GET http://a.example/x HTTP/1.1\r\nHost: a\r\n",
            RequestLine("GET", b"http://a.example/x", "1.1", 33),
            id="absolute-form-and-more-input",
        ),
        pytest.param(
            b"M-SEARCH /%C3%A9 HTTP/1.1\r\n",
            RequestLine("M-SEARCH", b"/%C3%A9", "1.1", 27),
            id="token",
        ),
    ],
)
def test_parses(raw: bytes, expected: RequestLine) -> None:
    assert parse_request_line(raw) == expected


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_accepts_bytes_like(kind: type) -> None:
    line = parse_request_line(kind(b"GET / HTTP/1.1\r\n"))
    assert line == RequestLine("GET", b"/", "1.1", 16)


def test_every_split_point_is_incomplete_until_the_end() -> None:
    raw = b"POST /items HTTP/1.1\r\n"
    for n in range(len(raw)):
        assert parse_request_line(raw[:n]) is None, n
    assert parse_request_line(raw) is not None


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        pytest.param(b"GET  / HTTP/1.1\r\n", 400, id="double-space"),
        pytest.param(b"GET / HTTP/1.1\n", 400, id="bare-lf"),
        pytest.param(b"GET / HTTP/1.1\rx", 400, id="bare-cr"),
        pytest.param(b"GET /\x00 HTTP/1.1\r\n", 400, id="nul"),
        pytest.param(b"GE\x7fT / HTTP/1.1\r\n", 400, id="bad-method"),
        pytest.param(b"GET /\xc3\xa9 HTTP/1.1\r\n", 400, id="raw-non-ascii-target"),
        pytest.param(b" GET / HTTP/1.1\r\n", 400, id="leading-space"),
        pytest.param(b"GET / FTP/1.1\r\n", 400, id="bad-protocol"),
        pytest.param(b"GET / HTTP/1.x\r\n", 400, id="bad-version"),
        pytest.param(b"GET / HTTP/2.0\r\n", 505, id="http2"),
        pytest.param(b"GET / HTTP/0.9\r\n", 505, id="http09"),
        pytest.param(b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n", 414, id="too-long"),
        pytest.param(b"GET /" + b"a" * 9000, 414, id="too-long-incomplete"),
    ],
)
def test_rejects(raw: bytes, status: int) -> None:
    with pytest.raises(HTTPParseError) as info:
        parse_request_line(raw)
    assert info.value.status == status
    assert isinstance(info.value, ValueError)


def test_limit_is_configurable() -> None:
    raw = b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n"
    assert parse_request_line(raw, max_request_line=16 * 1024) is not None
    with pytest.raises(HTTPParseError):
        parse_request_line(b"GET /abcdef HTTP/1.1\r\n", max_request_line=10)
