"""Request parsing: fulmen_http against httptools (llhttp), the same Python objects.

Per request both sides produce (method, raw path, query, [(name, value), ...]
with lowercased names, body); the outputs are asserted equal before timing.
httptools needs a Python callback per URL piece, header and body piece; ours
is one native call per read, and a request that arrives whole is one entry.
"""

from __future__ import annotations

from typing import Any

import httptools
import pytest

from fulmen_http import EV_BODY, EV_END, EV_HEAD, EV_REQUEST, RequestParser

Parsed = list[tuple[str, bytes, bytes, list[tuple[bytes, bytes]], bytes]]

BROWSER_GET = (
    b"GET /api/v1/users/12345/profile?include=settings&lang=en HTTP/1.1\r\n"
    b"Host: www.example.com\r\n"
    b"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\r\n"
    b"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    b"Accept-Language: en-US,en;q=0.5\r\n"
    b"Accept-Encoding: gzip, deflate, br\r\n"
    b"Referer: https://www.example.com/home\r\n"
    b"Connection: keep-alive\r\n"
    b"Cookie: session=abc123def456; theme=dark; _ga=GA1.2.1234567890.1234567890\r\n"
    b"Upgrade-Insecure-Requests: 1\r\n"
    b"Sec-Fetch-Dest: document\r\n"
    b"Sec-Fetch-Mode: navigate\r\n\r\n"
)
_JSON = b'{"name": "Widget", "price": 9.99, "tags": ["a", "b", "c"]}'
JSON_POST = (
    b"POST /items HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: python-httpx/0.27\r\n"
    b"Accept: application/json\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(_JSON), _JSON)
)
PIPELINED = b"".join(
    b"GET /plaintext?n=%d HTTP/1.1\r\nHost: localhost\r\nAccept: text/plain\r\n"
    b"Connection: keep-alive\r\n\r\n" % i
    for i in range(16)
)
INPUTS = {"browser GET": BROWSER_GET, "JSON POST": JSON_POST, "16 pipelined": PIPELINED}


def with_fulmen(raw: bytes) -> Parsed:
    events = RequestParser().feed(raw)
    out: Parsed = []
    head: Any = None
    body = b""
    pairs = iter(events)
    for kind, payload in zip(pairs, pairs):  # noqa: B905 (feed returns pairs)
        if kind == EV_REQUEST:
            # The usual case: the whole request in this read, body included.
            request: Any = payload
            out.append(
                (
                    request.method,
                    request.raw_path,
                    request.query_string,
                    request.headers,
                    request.body,
                )
            )
        elif kind == EV_HEAD:
            head = payload
            body = b""
        elif kind == EV_BODY:
            body += payload  # type: ignore[operator]
        elif kind == EV_END:
            out.append((head.method, head.raw_path, head.query_string, head.headers, body))
    return out


class _Collector:
    __slots__ = ("body", "headers", "out", "parser", "url")

    def __init__(self) -> None:
        self.out: Parsed = []
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""
        self.parser: Any = None

    def on_message_begin(self) -> None:
        self.url = b""
        self.headers = []
        self.body = b""

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        url = httptools.parse_url(self.url)
        method = self.parser.get_method().decode("latin-1")
        self.out.append((method, url.path, url.query or b"", self.headers, self.body))


def with_httptools(raw: bytes) -> Parsed:
    collector = _Collector()
    parser = httptools.HttpRequestParser(collector)
    collector.parser = parser
    parser.feed_data(raw)
    return collector.out


PARSERS = {"fulmen_http": with_fulmen, "httptools": with_httptools}


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("name", INPUTS)
def test_parse(benchmark: Any, name: str, parser: str) -> None:
    raw = INPUTS[name]
    expected = with_httptools(raw)
    assert with_fulmen(raw) == expected
    assert len(expected) == (16 if name == "16 pipelined" else 1)
    benchmark.group = f"parse: {name}"
    benchmark(PARSERS[parser], raw)
