"""Run one test app under the real FastAPI and under Fulmen and compare the answers.

A test writes its app once, as a function of ``fw`` (the framework's modules:
``fw.FastAPI``, ``fw.responses.HTMLResponse``...). ``compare`` builds it with
both frameworks, sends the same requests to each in-process, and asserts the
status, the headers that matter and the body are identical.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import httpx
from starlette.testclient import TestClient as StarletteTestClient

from fulmen_testclient import TestClient as FulmenTestClient

SUBMODULES = (
    "responses",
    "routing",
    "params",
    "param_functions",
    "exceptions",
    "exception_handlers",
    "encoders",
    "requests",
    "background",
    "datastructures",
    "concurrency",
    "status",
    "security",
)
# Headers whose value depends on the framework only (not on time or randomness).
COMPARED_HEADERS = (
    "content-type",
    "content-length",
    "location",
    "set-cookie",
    "x-custom",
    "x-tag",
    "content-range",
    "accept-ranges",
    "content-disposition",
    "etag",
    "last-modified",
)


def framework(name: str) -> SimpleNamespace:
    """The top-level names of ``fastapi`` or ``fulmen`` plus their submodules."""
    top = importlib.import_module(name)
    namespace = SimpleNamespace(**{k: getattr(top, k) for k in dir(top) if not k.startswith("__")})
    for sub in SUBMODULES:
        module = getattr(top, sub, None) or importlib.import_module(f"{name}.{sub}")
        setattr(namespace, sub, module)
    namespace.name = name
    return namespace


FASTAPI = framework("fastapi")
FULMEN = framework("fulmen")


@dataclass
class Call:
    method: str
    url: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    #: Headers not compared for this call (see the note where it is used).
    ignore_headers: tuple[str, ...] = ()


def get(url: str, **kwargs: Any) -> Call:
    return Call("GET", url, kwargs)


def post(url: str, **kwargs: Any) -> Call:
    return Call("POST", url, kwargs)


def call(method: str, url: str, **kwargs: Any) -> Call:
    return Call(method, url, kwargs)


def client_for(fw: SimpleNamespace, app: Any, **options: Any) -> httpx.Client:
    cls = StarletteTestClient if fw.name == "fastapi" else FulmenTestClient
    return cls(app, follow_redirects=False, **options)  # type: ignore[no-any-return]


_HTTP_DATE = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT")


def snapshot(response: httpx.Response, headers: Iterable[str] = COMPARED_HEADERS) -> dict[str, Any]:
    seen = {name: response.headers.get_list(name) for name in headers if name in response.headers}
    if "set-cookie" in seen:  # delete_cookie's expiry is "now": keep the format, not the second
        seen["set-cookie"] = [_HTTP_DATE.sub("<http-date>", v) for v in seen["set-cookie"]]
    if "allow" in response.headers:  # FastAPI's order is a set's order: compare as a set
        seen["allow"] = sorted(v.strip() for v in response.headers["allow"].split(","))
    return {"status": response.status_code, "headers": seen, "body": response.content}


def run(
    build: Callable[[SimpleNamespace], Any], calls: list[Call], fw: SimpleNamespace, **options: Any
) -> list[dict[str, Any]]:
    app = build(fw)
    with client_for(fw, app, **options) as client:
        results = [snapshot(client.request(c.method, c.url, **c.kwargs)) for c in calls]
    for c, result in zip(calls, results, strict=True):
        for name in c.ignore_headers:
            result["headers"].pop(name, None)
    return results


def compare(
    build: Callable[[SimpleNamespace], Any], calls: list[Call], **options: Any
) -> list[dict[str, Any]]:
    """Assert FastAPI and Fulmen answer ``calls`` identically; return the answers."""
    expected = run(build, calls, FASTAPI, **options)
    actual = run(build, calls, FULMEN, **options)
    for c, theirs, ours in zip(calls, expected, actual, strict=True):
        assert ours == theirs, f"{c.method} {c.url}: fulmen {ours} != fastapi {theirs}"
    return actual
