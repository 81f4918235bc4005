"""Request and response data types: headers, query parameters, URLs, state.

Same names and behaviour as the Starlette types FastAPI re-exports, written
small: immutable views are built once per request from the raw ASGI lists.
"""

from __future__ import annotations

import functools
import re
from collections.abc import ItemsView, Iterator, KeysView, Mapping, Sequence, ValuesView
from ipaddress import IPv6Address
from typing import Any, Generic, NamedTuple, TypeVar
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit

T = TypeVar("T")


class Address(NamedTuple):
    host: str
    port: int


# RFC 3986 §3.2.2 host (reg-name or IP-literal) with an optional port (§3.2.3).
_AUTHORITY = re.compile(
    r"(?P<host>[a-z0-9._~%!$&'()*+,;=-]+|\[(?:(?P<ipv6>[a-f0-9]*:[a-f0-9.:]+)|"
    r"(?-i:v)[a-f0-9]+\.[a-z0-9._~!$&'()*+,;=:-]+)\])(?::(?P<port>[0-9]+))?",
    re.IGNORECASE,
)


def _valid_authority(value: str) -> str | None:
    """``value`` if it is a well-formed Host header with a port in range, else None."""
    match = _AUTHORITY.fullmatch(value)
    if match is None:
        return None
    if match["ipv6"] is not None:
        try:
            IPv6Address(match["ipv6"])
        except ValueError:
            return None
    port = match["port"]
    if port is not None and (len(port) > 5 or int(port or "0") > 65535):
        return None
    return value


class URL(str):
    """A URL string with its parts as properties (``url.path``, ``url.query``...)."""

    @classmethod
    def from_scope(cls, scope: Mapping[str, Any]) -> URL:
        """The request URL: scheme, a valid Host header (else ``server``), path, query."""
        scheme = scope.get("scheme", "http")
        path = scope["path"].replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
        query = scope.get("query_string", b"").decode()
        netloc = None
        for key, value in scope.get("headers", ()):
            if key == b"host":
                netloc = _valid_authority(value.decode("latin-1"))
                break
        if netloc is None and scope.get("server") is not None:
            host, port = scope["server"]
            if ":" in host and not host.startswith("["):
                host = f"[{host}]"
            default_port = {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(scheme)
            netloc = host if port == default_port else f"{host}:{port}"
        if netloc is None:
            if path.startswith("//"):  # would read as an authority without a host
                path = "/%2F" + path[2:]
            return cls(f"{path}?{query}" if query else path)
        return cls(SplitResult(scheme, netloc, path, query, "").geturl())

    @functools.cached_property
    def components(self) -> SplitResult:
        return urlsplit(str(self))

    @property
    def scheme(self) -> str:
        return self.components.scheme

    @property
    def netloc(self) -> str:
        return self.components.netloc

    @property
    def path(self) -> str:
        return self.components.path

    @property
    def query(self) -> str:
        return self.components.query

    @property
    def fragment(self) -> str:
        return self.components.fragment

    @property
    def hostname(self) -> str | None:
        return self.components.hostname

    @property
    def port(self) -> int | None:
        return self.components.port

    @property
    def is_secure(self) -> bool:
        return self.scheme in ("https", "wss")

    def replace(self, **kwargs: Any) -> URL:  # type: ignore[override]
        return URL(self.components._replace(**kwargs).geturl())

    def include_query_params(self, **kwargs: Any) -> URL:
        params = MultiDict(parse_qsl(self.query, keep_blank_values=True))
        for key, value in kwargs.items():
            params[key] = str(value)
        return self.replace(query=urlencode(params.multi_items()))


class URLPath(str):
    """A path produced by ``url_path_for``; ``make_absolute_url`` adds scheme and host."""

    def __new__(cls, path: str, protocol: str = "", host: str = "") -> URLPath:
        return str.__new__(cls, path)

    def __init__(self, path: str, protocol: str = "", host: str = "") -> None:
        self.protocol = protocol
        self.host = host

    def make_absolute_url(self, base_url: str | URL) -> URL:
        base = URL(base_url)
        scheme = {"http": "http", "websocket": "ws"}.get(self.protocol, base.scheme)
        if base.is_secure and scheme in ("http", "ws"):
            scheme += "s"
        netloc = self.host or base.netloc
        path = base.path.rstrip("/") + str(self)
        return URL(f"{scheme}://{netloc}{path}")


class MultiDict(Mapping[str, Any]):
    """Several values per key; ``[key]`` gives the last one, ``getlist`` all of them."""

    def __init__(self, items: Sequence[tuple[str, Any]] | Mapping[str, Any] = ()) -> None:
        pairs = list(items.items()) if isinstance(items, Mapping) else list(items)
        self._list: list[tuple[str, Any]] = pairs
        self._dict: dict[str, Any] = dict(pairs)

    def getlist(self, key: str) -> list[Any]:
        return [value for name, value in self._list if name == key]

    def multi_items(self) -> list[tuple[str, Any]]:
        return list(self._list)

    def __getitem__(self, key: str) -> Any:
        return self._dict[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._list = [(k, v) for k, v in self._list if k != key] + [(key, value)]
        self._dict[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self._dict

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def keys(self) -> KeysView[str]:
        return self._dict.keys()

    def values(self) -> ValuesView[Any]:
        return self._dict.values()

    def items(self) -> ItemsView[str, Any]:
        return self._dict.items()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MultiDict):
            return False
        return sorted(self._list) == sorted(other._list)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.multi_items()!r})"


ImmutableMultiDict = MultiDict


class QueryParams(MultiDict):
    """The parsed query string (blank values kept, as Starlette does)."""

    def __init__(
        self, query: str | bytes | Sequence[tuple[str, str]] | Mapping[str, str] = ""
    ) -> None:
        if isinstance(query, bytes):
            query = query.decode("latin-1")
        if isinstance(query, str):
            if "%" in query or "+" in query:
                super().__init__(parse_qsl(query, keep_blank_values=True))
            else:
                # PERF: nothing to unquote: the same pairs as parse_qsl, split directly.
                super().__init__(
                    [
                        (name, value)
                        for name, _, value in (p.partition("=") for p in query.split("&") if p)
                    ]
                )
        else:
            super().__init__(query)

    def __str__(self) -> str:
        return urlencode(self._list)


class Headers(Mapping[str, str]):
    """Case-insensitive, multi-valued request or response headers (latin-1)."""

    __slots__ = ("_list",)

    def __init__(
        self,
        headers: Mapping[str, str] | None = None,
        raw: list[tuple[bytes, bytes]] | None = None,
        scope: Mapping[str, Any] | None = None,
    ) -> None:
        if raw is not None:
            self._list = raw
        elif scope is not None:
            self._list = list(scope["headers"])
        elif headers is not None:
            self._list = [
                (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
            ]
        else:
            self._list = []

    @property
    def raw(self) -> list[tuple[bytes, bytes]]:
        return self._list

    def keys(self) -> list[str]:  # type: ignore[override]
        return [key.decode("latin-1") for key, _ in self._list]

    def values(self) -> list[str]:  # type: ignore[override]
        return [value.decode("latin-1") for _, value in self._list]

    def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
        return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self._list]

    def getlist(self, key: str) -> list[str]:
        wanted = key.lower().encode("latin-1")
        return [v.decode("latin-1") for k, v in self._list if k == wanted]

    def __getitem__(self, key: str) -> str:
        wanted = key.lower().encode("latin-1")
        for k, v in self._list:
            if k == wanted:
                return v.decode("latin-1")
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        wanted = key.lower().encode("latin-1")
        return any(k == wanted for k, _ in self._list)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._list)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Headers) and sorted(self._list) == sorted(other._list)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.items()!r})"

    def mutablecopy(self) -> MutableHeaders:
        return MutableHeaders(raw=list(self._list))


class MutableHeaders(Headers):
    """Headers that can be changed in place; writes go to the raw list shared
    with the response that owns it."""

    def __setitem__(self, key: str, value: str) -> None:
        name = key.lower().encode("latin-1")
        encoded = value.encode("latin-1")
        found = [i for i, (k, _) in enumerate(self._list) if k == name]
        for index in reversed(found[1:]):
            del self._list[index]
        if found:
            self._list[found[0]] = (name, encoded)
        else:
            self._list.append((name, encoded))

    def __delitem__(self, key: str) -> None:
        name = key.lower().encode("latin-1")
        self._list[:] = [(k, v) for k, v in self._list if k != name]

    def setdefault(self, key: str, value: str) -> str:
        if key in self:
            return self[key]
        self[key] = value
        return value

    def append(self, key: str, value: str) -> None:
        self._list.append((key.lower().encode("latin-1"), value.encode("latin-1")))

    def update(self, other: Mapping[str, str]) -> None:
        for key, value in other.items():
            self[key] = value


class State:
    """An attribute bag (``app.state``, ``request.state``)."""

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        super().__setattr__("_state", state if state is not None else {})

    def __setattr__(self, key: str, value: Any) -> None:
        self._state[key] = value

    def __getattr__(self, key: str) -> Any:
        try:
            return self._state[key]
        except KeyError:
            raise AttributeError(
                f"'{type(self).__name__}' object has no attribute '{key}'"
            ) from None

    def __delattr__(self, key: str) -> None:
        del self._state[key]


class DefaultPlaceholder(Generic[T]):
    """Marks a value as "not set by the user", so a router's default can win."""

    def __init__(self, value: T) -> None:
        self.value = value

    def __bool__(self) -> bool:
        return bool(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DefaultPlaceholder) and other.value == self.value

    __hash__ = None  # type: ignore[assignment]


def Default(value: T) -> Any:
    """Wrap ``value`` as a default that an explicit setting overrides."""
    return DefaultPlaceholder(value)


__all__ = [
    "URL",
    "Address",
    "Default",
    "DefaultPlaceholder",
    "Headers",
    "ImmutableMultiDict",
    "MultiDict",
    "MutableHeaders",
    "QueryParams",
    "State",
    "URLPath",
]
