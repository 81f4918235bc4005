"""llhttp's strict-mode request cases, fed whole and one byte at a time.

Each case must give llhttp's messages (method, target, version, headers, body,
upgrade) and fail where llhttp fails. Where Fulmen deliberately differs, the
case is listed in DIFFERENCES with the RFC section that justifies it; every
difference is in the stricter direction (we reject what llhttp accepts), never
a looser framing.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest

from fulmen_http import (
    EV_BODY,
    EV_END,
    EV_ERROR,
    EV_HEAD,
    EV_REQUEST,
    EV_UPGRADE,
    Limits,
    RequestParser,
)

# Resolved like the root conftest's shared_data fixture (needed at collection).
SHARED = Path(
    os.environ.get(
        "FULMEN_SHARED_DATA", Path(__file__).resolve().parents[3].parent / "shared" / "data"
    )
)

# llhttp does not implement RFC 9112 §3.2 (a 1.1 request needs one Host), and
# most of its cases omit Host; they are replayed with that rule off. The rule
# itself is tested in test_parser.py.
CORPUS_LIMITS = Limits(require_host=False)


def load_cases(shared_data: Path) -> list[dict[str, Any]]:
    cases = json.loads((shared_data / "llhttp" / "llhttp_cases.json").read_text())
    # Strict-mode request cases apply to a server; lenient modes, responses and
    # the URL-only cases (a client-side URL parser) do not.
    # "skipBody" is a client-side flag (the response to a HEAD request).
    return [
        c
        for c in cases
        if c["kind"] == "request" and c["mode"] == "request" and not c["meta"].get("skipBody")
    ]


def text(data: bytes) -> str:
    """The corpus stores bytes as text decoded as UTF-8 where possible."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def replay(raw: bytes, *, bytewise: bool) -> dict[str, Any]:
    """Feed ``raw`` whole or one byte at a time; summarise what the parser saw."""
    parser = RequestParser(limits=CORPUS_LIMITS)
    events: list[object] = []
    if bytewise:
        for i in range(len(raw)):
            events += parser.feed(raw[i : i + 1])
    else:
        events = parser.feed(raw)
    messages: list[dict[str, Any]] = []
    error: tuple[int, str] | None = None
    upgraded = False
    for i in range(0, len(events), 2):
        kind, payload = events[i], events[i + 1]
        if kind in (EV_HEAD, EV_REQUEST):
            head: Any = payload
            messages.append(
                {
                    "method": head.method,
                    "url": head.target.decode("latin-1"),
                    "version": head.http_version,
                    "headers": [(text(n), text(v)) for n, v in head.headers],
                    # EV_REQUEST: the whole message, body included.
                    "raw_body": b"" if head.body is None else head.body,
                    "upgrade": head.upgrade,
                    "complete": kind == EV_REQUEST,
                }
            )
        elif kind == EV_BODY:
            messages[-1]["raw_body"] += payload  # type: ignore[operator]
        elif kind == EV_END:
            messages[-1]["complete"] = True
        elif kind == EV_UPGRADE:
            upgraded = True
        elif kind == EV_ERROR:
            error = payload  # type: ignore[assignment]
    for message in messages:
        message["body"] = text(message.pop("raw_body"))
    return {"messages": messages, "error": error, "upgraded": upgraded}


def expected_messages(case: dict[str, Any]) -> list[dict[str, Any]]:
    """llhttp's messages whose head was complete (ours reports heads only then),
    with header values trimmed: RFC 9110 §5.5 — surrounding whitespace is not
    part of a field value (llhttp keeps trailing whitespace)."""
    return [
        {
            "method": m["method"],
            "url": m["url"],
            "version": m["version"],
            "headers": [(n.lower(), v.strip(" \t")) for n, v in m["headers"]],
            "body": m["body"],
            "upgrade": m["upgrade"],
            "complete": m["complete"],
        }
        for m in case["messages"]
        if m.get("headers_complete") is not None
    ]


# case id -> why Fulmen accepts what llhttp refuses. Neither is about framing:
# llhttp only knows a fixed list of methods.
ACCEPTED: dict[str, str] = {
    "test/request/invalid.md:69": "methods are tokens (RFC 9112 §3.1): any token is parsed; "
    "refusing unknown ones (501, RFC 9110 §9.1) is the application's call",
    "test/request/invalid.md:359": "same: MKCOLA is a valid token method (RFC 9112 §3.1)",
}

# case id -> why Fulmen answers 400/501 where llhttp accepts.
DIFFERENCES: dict[str, str] = {
    "test/request/method.md:138": "asterisk-form only with OPTIONS (RFC 9112 §3.2.4); "
    "M-SEARCH * is SSDP, not HTTP",
    "test/request/method.md:375": "only HTTP/1.x is spoken (RFC 9112 §2.3); ICE is not HTTP",
    "test/request/method.md:405": "only HTTP/1.x is spoken (RFC 9112 §2.3); RTSP is not HTTP",
    "test/request/method.md:433": "only HTTP/1.x is spoken (RFC 9112 §2.3); RTSP is not HTTP",
    "test/request/method.md:461": "PRI * is the HTTP/2 preface: asterisk-form outside OPTIONS "
    "(RFC 9112 §3.2.4); no h2c upgrade",
    "test/request/sample.md:317": "a request line needs an HTTP-version (RFC 9112 §3); "
    "HTTP/0.9 is not served",
    "test/request/transfer-encoding.md:189": "Content-Type is not allowed in trailers "
    "(RFC 9110 §6.5.1: content format)",
    "test/request/transfer-encoding.md:754": "a transfer coding we do not decode (deflate) "
    "gets 501 (RFC 9112 §6.1)",
    "test/request/transfer-encoding.md:796": "a transfer coding we do not decode (deflate) "
    "gets 501 (RFC 9112 §6.1)",
}

CASES = load_cases(SHARED) if SHARED.exists() else []


def check(case: dict[str, Any], result: dict[str, Any]) -> None:
    error = case["error"]
    if case["id"] in ACCEPTED:
        assert result["error"] is None
        assert result["messages"][0]["method"] == case["input"].split(" ", 1)[0]
        return
    if case["id"] in DIFFERENCES:
        assert result["error"] is not None, "we are stricter here: expected a refusal"
        assert result["error"][0] in (400, 501)
        return
    expected = expected_messages(case)
    if error is None:
        assert result["error"] is None
        assert result["messages"] == expected
        return
    reason = error["reason"]
    if reason.startswith("Pause on CONNECT/Upgrade"):
        # llhttp pauses; we report the upgrade and stop.
        assert result["upgraded"]
        assert result["messages"] == expected
    elif reason == "Data after `Connection: close`":
        # We stop after the closing request: what follows is never parsed (RFC 9112 §9.6).
        assert result["error"] is None
        assert result["messages"] == expected
    else:
        assert result["error"] is not None, f"llhttp refuses this: {reason}"
        # Whatever came before the bad one is the same.
        complete = [m for m in expected if m["complete"]]
        assert [m for m in result["messages"] if m["complete"]] == complete


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_whole(case: dict[str, Any]) -> None:
    check(case, replay(base64.b64decode(case["input_b64"]), bytewise=False))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_byte_by_byte(case: dict[str, Any]) -> None:
    raw = base64.b64decode(case["input_b64"])
    whole = replay(raw, bytewise=False)
    split = replay(raw, bytewise=True)
    check(case, split)
    # The same heads, bodies, ends and verdict (the reason text may name an
    # earlier symptom of the same bad byte).
    assert split["messages"] == whole["messages"]
    assert split["upgraded"] == whole["upgraded"]
    assert (split["error"] is None) == (whole["error"] is None)
    if split["error"] is not None:
        assert whole["error"] is not None
        assert split["error"][0] == whole["error"][0]


def test_corpus_is_there() -> None:
    assert len(CASES) > 100, "../shared/data/llhttp/llhttp_cases.json is missing"
