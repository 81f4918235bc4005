"""What a server does at its front door, for both faces: trusted proxy headers,
request ids, extra response headers, the ``https`` scheme under TLS, a timed
access log and a per-response hook (``--limit-max-requests``).

None of it costs anything when it is off: `wrap` then returns the dispatch and
request class unchanged. When it is on, requests are built from a subclass of
the face's request class that adds the response headers and logs each
response, so neither the parser nor the faces need to know about it.
"""

from __future__ import annotations

import ipaddress
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fulmen_http._request import Header, Request

if TYPE_CHECKING:
    from fulmen_http._server import Config

access_logger = logging.getLogger("fulmen_http.access")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_SCHEMES = frozenset({"http", "https", "ws", "wss"})
_REQUEST_ID = b"x-request-id"
_MAX_REQUEST_ID = 200  # longer ids from a proxy are replaced: they end up in every log line


class TrustedProxies:
    """The addresses whose forwarding headers are believed: ``"*"``, IPs, networks
    (``10.0.0.0/8``), and ``"unix"`` for clients on a Unix socket."""

    def __init__(self, spec: str | Sequence[str]) -> None:
        items = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec)]
        items = [s for s in items if s]
        self.everyone = "*" in items
        self.unix = "unix" in items or "unix:" in items
        self.networks: list[Network] = []
        self._verdicts: dict[str, bool] = {}  # PERF: parse each peer address once
        for item in items:
            if item in ("*", "unix", "unix:"):
                continue
            try:
                self.networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError as exc:
                raise ValueError(f"forwarded_allow_ips: {item!r} is not an IP or network") from exc

    def __contains__(self, host: object) -> bool:
        if self.everyone:
            return True
        if not isinstance(host, str):
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def trusts_client(self, client: tuple[str, int] | None) -> bool:
        if client is None:  # a Unix-socket peer has no address
            return self.everyone or self.unix
        host = client[0]
        verdict = self._verdicts.get(host)
        if verdict is None:
            if len(self._verdicts) >= 4096:  # many distinct peers: start over
                self._verdicts.clear()
            verdict = self._verdicts[host] = host in self
        return verdict


@dataclass(slots=True)
class Forwarded:
    """What the proxy chain says about the original request."""

    client: str | None = None
    scheme: str | None = None
    host: str | None = None


def _strip_port(node: str) -> str:
    node = node.strip().strip('"')
    if node.startswith("["):  # [2001:db8::1]:4711
        return node[1 : node.find("]")] if "]" in node else node
    if node.count(":") == 1:  # 192.0.2.1:4711 (an IPv6 address has several colons)
        return node.split(":", 1)[0]
    return node


def _forwarded_elements(values: list[bytes]) -> list[dict[str, str]]:
    """RFC 7239 §4: ``Forwarded: for=a;proto=https, for=b`` -> one dict per hop."""
    elements: list[dict[str, str]] = []
    for value in values:
        for element in value.decode("latin-1").split(","):
            pairs: dict[str, str] = {}
            for pair in element.split(";"):
                name, sep, content = pair.partition("=")
                if sep:
                    pairs[name.strip().lower()] = content.strip().strip('"')
            elements.append(pairs)
    return elements


def read_forwarded(request: Request, trusted: TrustedProxies) -> Forwarded:
    """The original client, scheme and host. Hops are read right to left (the
    nearest proxy appends last); the first hop not in `trusted` is the client,
    as anything further left could have been written by it."""
    result = Forwarded()
    standard = request.get_all(b"forwarded")
    if standard:
        elements = _forwarded_elements(standard)
        chosen: dict[str, str] = elements[0] if elements else {}
        for element in reversed(elements):
            chosen = element
            if _strip_port(element.get("for", "")) not in trusted:
                break
        if "for" in chosen:
            result.client = _strip_port(chosen["for"])
        if chosen.get("proto", "").lower() in _SCHEMES:
            result.scheme = chosen["proto"].lower()
        if chosen.get("host"):
            result.host = chosen["host"]
        return result
    hops = [
        hop.strip()
        for value in request.get_all(b"x-forwarded-for")
        for hop in value.decode("latin-1").split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        result.client = _strip_port(hop)
        if result.client not in trusted:
            break
    proto = request.header(b"x-forwarded-proto")
    if proto is not None:
        scheme = proto.decode("latin-1").split(",")[0].strip().lower()
        if scheme in _SCHEMES:
            result.scheme = scheme
    host = request.header(b"x-forwarded-host")
    if host is not None:
        result.host = host.decode("latin-1").split(",")[0].strip() or None
    return result


def _apply_forwarded(request: Request, forwarded: Forwarded) -> None:
    if forwarded.client is not None:
        port = request.client[1] if request.client else 0
        request.client = (forwarded.client, port)
    if forwarded.scheme is not None:
        request.scheme = forwarded.scheme
    if forwarded.host is not None and forwarded.host.isprintable():
        value = forwarded.host.encode("latin-1", "replace")
        request.headers = [(n, value if n == b"host" else v) for n, v in request.headers]


class FrontDoor:
    """The front-door settings of one server, built once from its `Config`."""

    def __init__(self, config: Config) -> None:
        self.tls = config.ssl is not None
        self.trusted = TrustedProxies(config.forwarded_allow_ips) if config.proxy_headers else None
        self.request_id = config.request_id
        self.headers: list[Header] = [(bytes(n).lower(), bytes(v)) for n, v in config.headers]
        self.access_log = config.access_log
        self.on_response = config.on_response

    @property
    def active(self) -> bool:
        return bool(
            self.tls
            or self.trusted is not None
            or self.request_id
            or self.headers
            or self.access_log
            or self.on_response is not None
        )

    def wrap(
        self, dispatch: Callable[[Request], None], request_class: type[Request]
    ) -> tuple[Callable[[Request], None], type[Request]]:
        """The dispatch and request class to use instead (unchanged when inactive)."""
        if not self.active:
            return dispatch, request_class
        front = self
        trusted = self.trusted
        tls = self.tls
        request_id = self.request_id
        timed = self.access_log

        def front_dispatch(request: Request) -> None:
            if timed:
                request._started = time.perf_counter()  # type: ignore[attr-defined]
            if tls:
                request.scheme = "https"
            trusted_client = trusted is not None and trusted.trusts_client(request.client)
            if trusted_client:
                assert trusted is not None
                _apply_forwarded(request, read_forwarded(request, trusted))
            if request_id:
                given = request.header(_REQUEST_ID) if trusted_client else None
                if given is not None and 0 < len(given) <= _MAX_REQUEST_ID and given.isascii():
                    rid = given.decode("ascii")
                else:
                    rid = uuid.uuid4().hex
                    # The app sees the id it will be logged under, whoever made it.
                    request.headers = [h for h in request.headers if h[0] != _REQUEST_ID]
                    request.headers.append((_REQUEST_ID, rid.encode("ascii")))
                request._request_id = rid  # type: ignore[attr-defined]
            dispatch(request)

        namespace: dict[str, Any] = {"__slots__": ("_request_id", "_started"), "_front": front}
        namespace.update(_response_methods(request_class))
        cls = type(f"Front{request_class.__name__}", (request_class,), namespace)
        return front_dispatch, cls

    def extra_headers(self, request: Any) -> list[Header]:
        headers = self.headers
        if self.request_id:
            rid = getattr(request, "_request_id", None)
            if rid is not None:
                return [*headers, (_REQUEST_ID, rid.encode("ascii"))]
        return headers

    def log(self, request: Any) -> None:
        if not access_logger.isEnabledFor(logging.INFO):
            return
        started = getattr(request, "_started", None)
        duration = (time.perf_counter() - started) * 1000 if started is not None else 0.0
        client = request.client
        client_text = f"{client[0]}:{client[1]}" if client else "-"
        status = request._status_out
        access_logger.info(
            '%s - "%s %s HTTP/%s" %d',
            client_text,
            request.method,
            request.target.decode("latin-1"),
            request.http_version,
            status,
            extra={
                "access": {
                    "method": request.method,
                    "path": request.path,
                    "query": request.query_string.decode("latin-1"),
                    "status": status,
                    "duration_ms": round(duration, 3),
                    "client": client_text,
                    "http_version": request.http_version,
                    "request_id": getattr(request, "_request_id", None),
                }
            },
        )


def _response_methods(base: type[Request]) -> dict[str, Any]:
    """The overrides of the per-server request subclass (see FrontDoor.wrap)."""

    def send_response(self: Any, status: int, headers: Sequence[Header], body: bytes) -> None:
        extra = self._front.extra_headers(self)
        if extra:
            headers = [*headers, *extra]
        base.send_response(self, status, headers, body)

    def start_response(
        self: Any, status: int, headers: Sequence[Header], content_length: int = -1
    ) -> None:
        extra = self._front.extra_headers(self)
        if extra:
            headers = [*headers, *extra]
        base.start_response(self, status, headers, content_length)

    def _finish(self: Any) -> None:
        front = self._front
        if front.access_log:
            front.log(self)
        base._finish(self)
        if front.on_response is not None:
            front.on_response()

    return {"send_response": send_response, "start_response": start_response, "_finish": _finish}
