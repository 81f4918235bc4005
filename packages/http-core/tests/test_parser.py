"""The incremental request parser: results, RFC 9112 rejections, limits, splitting."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fulmen_http import (
    DEFAULT_MAX_BODY,
    EV_BODY,
    EV_END,
    EV_ERROR,
    EV_HEAD,
    EV_REQUEST,
    EV_UPGRADE,
    Limits,
    RequestHead,
    RequestParser,
)


def events(raw: bytes, limits: Limits | None = None) -> list[tuple[int, Any]]:
    out = RequestParser(limits=limits).feed(raw)
    return [(out[i], out[i + 1]) for i in range(0, len(out), 2)]  # type: ignore[misc]


def heads(raw: bytes, limits: Limits | None = None) -> list[RequestHead]:
    return [p for k, p in events(raw, limits) if k in (EV_HEAD, EV_REQUEST)]


def error(raw: bytes, limits: Limits | None = None) -> int | None:
    found = [p for k, p in events(raw, limits) if k == EV_ERROR]
    return found[0][0] if found else None


def summary(raw: bytes, chunks: list[bytes], limits: Limits | None = None) -> Any:
    """(heads, body bytes per message, ends, error) for input fed in ``chunks``.

    A whole request (EV_REQUEST) counts as its head, body and end; heads are
    compared without their ``body`` field, which only EV_REQUEST fills."""
    parser = RequestParser(limits=limits)
    out: list[object] = []
    for chunk in chunks:
        out += parser.feed(chunk)
    result: list[Any] = []
    err = None
    for i in range(0, len(out), 2):
        kind, payload = out[i], out[i + 1]
        if kind == EV_REQUEST:
            head: Any = payload
            assert isinstance(head.body, bytes)
            result.append([tuple(head)[:-1], head.body, None, True])
        elif kind == EV_HEAD:
            assert payload.body is None  # type: ignore[attr-defined]
            result.append([tuple(payload)[:-1], b"", None, False])  # type: ignore[arg-type]
        elif kind == EV_BODY:
            result[-1][1] += payload
        elif kind == EV_END:
            result[-1][2] = payload
            result[-1][3] = True
        elif kind == EV_ERROR:
            err = payload[0]  # type: ignore[index]
    return result, err


GET = b"GET /a%20b/c?x=1&y=%20 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n"


def test_head_fields() -> None:
    (head,) = heads(GET)
    assert head.method == "GET"
    assert head.target == b"/a%20b/c?x=1&y=%20"
    assert head.path == "/a b/c"
    assert head.raw_path == b"/a%20b/c"
    assert head.query_string == b"x=1&y=%20"
    assert head.http_version == "1.1"
    assert head.headers == [(b"host", b"example.com"), (b"user-agent", b"t")]
    assert head.keep_alive
    assert head.content_length == -1
    assert not (head.chunked)
    assert not (head.expect_continue)
    assert not (head.upgrade)


def test_names_lowercased_values_trimmed() -> None:
    (head,) = heads(b"GET / HTTP/1.1\r\nHOST: a\r\nX-Custom-Thing: \t v v \t\r\n\r\n")
    assert head.headers == [(b"host", b"a"), (b"x-custom-thing", b"v v")]


def test_percent_decoding_utf8_and_bad_escapes() -> None:
    (head,) = heads(b"GET /caf%C3%A9/%zz/%4 HTTP/1.1\r\nHost: a\r\n\r\n")
    assert head.path == "/caf\u00e9/%zz/%4"
    assert head.raw_path == b"/caf%C3%A9/%zz/%4"


def test_fragment_dropped() -> None:
    (head,) = heads(b"GET /p?q=1#frag HTTP/1.1\r\nHost: a\r\n\r\n")
    assert (head.path, head.query_string) == ("/p", b"q=1")


def test_absolute_form() -> None:
    (head,) = heads(b"GET http://example.com:8080/x/y?z HTTP/1.1\r\nHost: example.com\r\n\r\n")
    assert (head.path, head.raw_path, head.query_string) == ("/x/y", b"/x/y", b"z")
    (head,) = heads(b"GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n")
    assert head.path == "/"


def test_asterisk_and_authority_forms() -> None:
    assert heads(b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")[0].path == "*"
    assert error(b"GET * HTTP/1.1\r\nHost: a\r\n\r\n") == 400
    (head,) = heads(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
    assert head.upgrade
    assert error(b"CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n") == 400
    assert error(b"GET example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n") == 400


def test_content_length_body_and_pipelining() -> None:
    raw = (
        b"POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
        b"GET /b HTTP/1.1\r\nHost: a\r\n\r\n"
        b"\r\nGET /c HTTP/1.1\r\nHost: a\r\n\r\n"
    )
    result, err = summary(raw, [raw])
    assert err is None
    assert [(h[2], body, done) for h, body, _, done in result] == [
        ("/a", b"hello", True),
        ("/b", b"", True),
        ("/c", b"", True),
    ]


def test_chunked_with_extensions_and_trailers() -> None:
    raw = (
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'5;name=value;q="quoted \\" string"\r\nhello\r\n'
        b"6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n"
    )
    result, err = summary(raw, [raw])
    assert err is None
    ((head, body, trailers, done),) = result
    assert head[RequestHead._fields.index("chunked")]
    assert body == b"hello world"
    assert done
    assert trailers == [(b"x-checksum", b"abc")]


@pytest.mark.parametrize(
    ("raw", "keep_alive"),
    [
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", True),
        (b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", False),
        (b"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Close\r\n\r\n", False),
        (b"GET / HTTP/1.0\r\n\r\n", False),
        (b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", True),
    ],
)
def test_keep_alive_rules(raw: bytes, keep_alive: bool) -> None:
    assert heads(raw)[0].keep_alive is keep_alive


def test_nothing_after_a_closing_request() -> None:
    raw = (
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"
    )
    assert len(heads(raw)) == 1


def test_expect_continue_and_upgrade() -> None:
    raw = b"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n"
    assert heads(raw)[0].expect_continue
    raw = b"GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nrest"
    found = events(raw)
    assert found[0][1].upgrade
    assert found[-1] == (EV_UPGRADE, b"rest")
    # Upgrade without "Connection: upgrade" is not an upgrade (RFC 9110 §7.8).
    assert not heads(b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n")[0].upgrade


REJECTED = {
    "bad-request-line": (b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "lowercase-version": (b"GET / http/1.1\r\nHost: a\r\n\r\n", 400),
    "http2": (b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
    "http0.9": (b"GET /\r\n\r\n", 400),
    "non-ascii-target": (b"GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    "bare-lf-line": (b"GET / HTTP/1.1\nHost: a\r\n\r\n", 400),
    "bare-lf-header": (b"GET / HTTP/1.1\r\nHost: a\n\r\n", 400),
    "bare-cr-header": (b"GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400),
    "nul-in-value": (b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n", 400),
    "ctl-in-value": (b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n", 400),
    "space-before-colon": (b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
    "obs-fold": (b"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", 400),
    "empty-name": (b"GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400),
    "no-colon": (b"GET / HTTP/1.1\r\nHost: a\r\nX\r\n\r\n", 400),
    "no-host": (b"GET / HTTP/1.1\r\n\r\n", 400),
    "two-hosts": (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    "cl-and-te": (
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        400,
    ),
    "cl-differing": (
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
        400,
    ),
    "cl-repeated-equal": (
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
        400,
    ),
    "cl-list": (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\n", 400),
    "cl-sign": (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\n", 400),
    "cl-hex": (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x3\r\n\r\n", 400),
    "cl-empty": (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400),
    "cl-overflow": (
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n",
        400,
    ),
    "te-not-final-chunked": (
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        400,
    ),
    "te-identity": (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", 400),
    "te-chunked-twice": (
        b"POST / HTTP/1.1\r\nHost: a\r\n"
        b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        400,
    ),
    "te-gzip-chunked": (
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        501,
    ),
    "te-in-http10": (b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    "chunk-size-bad": (
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n",
        400,
    ),
    "chunk-size-space": (
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\n",
        400,
    ),
    "chunk-size-overflow": (
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
        400,
    ),
    "chunk-missing-crlf": (
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
        400,
    ),
    "chunk-ext-empty": (
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;\r\n",
        400,
    ),
    "chunk-bare-lf": (
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n",
        400,
    ),
}
TRAILER_FORBIDDEN = [
    "Content-Length",
    "Transfer-Encoding",
    "Host",
    "Authorization",
    "Content-Type",
    "Expect",
]


@pytest.mark.parametrize(("raw", "status"), REJECTED.values(), ids=REJECTED.keys())
def test_rejections(raw: bytes, status: int) -> None:
    assert error(raw) == status
    # The same verdict when the bytes arrive one at a time.
    assert summary(raw, [raw[i : i + 1] for i in range(len(raw))])[1] == status


@pytest.mark.parametrize("name", TRAILER_FORBIDDEN)
def test_forbidden_trailers(name: str) -> None:
    raw = (
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
        + name.encode()
        + b": 1\r\n\r\n"
    )
    assert error(raw) == 400


def test_limits_defaults() -> None:
    limits = Limits()
    assert (limits.max_request_line, limits.max_header_field, limits.max_headers) == (
        8192,
        8192,
        100,
    )
    assert limits.max_body == DEFAULT_MAX_BODY == 100 * 1024 * 1024
    with pytest.raises(ValueError, match="max_headers"):
        Limits(max_headers=0)


def test_request_line_limit_414() -> None:
    line = b"GET /" + b"a" * 8200 + b" HTTP/1.1\r\nHost: a\r\n\r\n"
    assert error(line) == 414
    assert error(line[:8300]) == 414  # refused before the line ends
    assert (
        error(b"GET /" + b"a" * 50 + b" HTTP/1.1\r\nHost: a\r\n\r\n", Limits(max_request_line=40))
        == 414
    )


def test_header_limits_431() -> None:
    big = b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"v" * 9000 + b"\r\n\r\n"
    assert error(big) == 431
    assert error(big[:9100]) == 431  # refused before the line ends
    many = b"GET / HTTP/1.1\r\nHost: a\r\n" + b"X: 1\r\n" * 100 + b"\r\n"
    assert error(many) == 431
    assert error(many, Limits(max_headers=200)) is None
    assert (
        error(b"GET / HTTP/1.1\r\nHost: a\r\nX: 12345\r\n\r\n", Limits(max_header_field=6)) == 431
    )


def test_body_limit_413() -> None:
    head = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n"
    found = events(head, Limits(max_body=10))
    assert found == [(EV_ERROR, (413, "Content-Length larger than the limit"))]  # before any body
    assert error(head + b"x" * 11, Limits(max_body=None)) is None
    chunked = (
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"6\r\nabcdef\r\n6\r\nabcdef\r\n"
    )
    assert error(chunked, Limits(max_body=10)) == 413
    assert error(chunked, Limits(max_body=12)) is None


def test_errors_stop_the_parser() -> None:
    parser = RequestParser()
    assert parser.feed(b"BAD\r\n")[0] == EV_ERROR
    assert parser.stopped
    assert parser.feed(GET) == []


SAMPLE = (
    b"POST /upload?x=1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: yes\r\n\r\n"
    b"\r\nPUT /put HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
    + GET
    + b"GET /close HTTP/1.0\r\n\r\n"
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(SAMPLE)), max_size=12))
def test_any_split_gives_the_same_result(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    chunks = [SAMPLE[a:b] for a, b in zip([0, *points], [*points, len(SAMPLE)], strict=True)]
    assert summary(SAMPLE, chunks) == summary(SAMPLE, [SAMPLE])
    assert len(summary(SAMPLE, [SAMPLE])[0]) == 4


def test_a_whole_request_is_one_entry() -> None:
    """A request whose body arrives with its head in one read is one EV_REQUEST,
    the body in ``head.body``; the same request split streams as before."""
    raw = b"POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
    ((kind, head),) = events(raw)
    assert kind == EV_REQUEST
    assert head.body == b"hello"
    assert head.path == "/a"
    assert tuple(head)[-1] == b"hello"
    assert len(head) == len(RequestHead._fields) == 13
    parser = RequestParser()
    first = parser.feed(raw[:-2])
    assert first[0::2] == [EV_HEAD, EV_BODY]
    assert first[1].body is None  # type: ignore[attr-defined]
    assert first[3] == b"hel"
    assert parser.feed(raw[-2:]) == [EV_BODY, b"lo", EV_END, None]
    # Bodyless: b"" in the field; a chunked body comes joined into one piece.
    ((kind, head),) = events(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert (kind, head.body) == (EV_REQUEST, b"")
    chunked = (
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    )
    ((kind, head),) = events(chunked)
    assert (kind, head.body) == (EV_REQUEST, b"abcde")


def test_streaming_cases_keep_their_events() -> None:
    """Trailers, an error after the head, and an upgrade keep the streamed shape."""
    trailers = (
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n"
    )
    found = events(trailers)
    assert [k for k, _ in found] == [EV_HEAD, EV_BODY, EV_END]
    assert found[1][1] == b"abc"
    assert found[2][1] == [(b"x-t", b"1")]
    bad = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX"
    found = events(bad)
    assert [k for k, _ in found] == [EV_HEAD, EV_BODY, EV_ERROR]
    upgrade = b"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: ws\r\n\r\nxyz"
    found = events(upgrade)
    assert [k for k, _ in found] == [EV_REQUEST, EV_UPGRADE]
    assert found[1][1] == b"xyz"


def test_head_type_is_native_and_closed() -> None:
    (head,) = heads(GET)
    assert isinstance(head, tuple)
    assert repr(head).startswith("RequestHead(method='GET', target=b'/a%20b/c?x=1&y=%20'")
    with pytest.raises(TypeError):
        RequestHead()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        RequestParser(1)  # type: ignore[misc]
    with pytest.raises(TypeError):
        RequestParser(limit=None)  # type: ignore[call-arg]
    assert RequestParser(limits=None).feed(bytearray(GET))[0] == EV_REQUEST
    assert RequestParser().feed(memoryview(GET))[0] == EV_REQUEST
