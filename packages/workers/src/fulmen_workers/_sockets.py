"""Listening sockets, bound once by the supervisor and handed to every worker.

The supervisor owns the listening sockets for its whole life. Workers receive
copies of the file descriptors; when a worker dies or is replaced, the socket
(and the connections waiting in its accept queue) stays open in the
supervisor, so a restart never refuses a connection.

Bind strings:

* ``HOST:PORT`` — TCP over IPv4 (``127.0.0.1:8000``), port 0 picks a free port;
* ``[HOST]:PORT`` — TCP over IPv6 (``[::1]:8000``);
* ``unix:PATH`` — a Unix stream socket (a stale socket file is replaced);
* ``fd://N`` — an already listening socket inherited as file descriptor ``N``
  (systemd socket activation, a parent process manager).
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import stat
from dataclasses import dataclass


class BindError(ValueError):
    """A bind string is malformed, or its address cannot be bound."""


@dataclass(frozen=True, slots=True)
class BindSpec:
    """One parsed bind string."""

    kind: str  # "tcp", "unix" or "fd"
    host: str = ""
    port: int = 0
    path: str = ""
    fd: int = -1

    @property
    def family(self) -> socket.AddressFamily:
        if self.kind == "unix":
            return socket.AF_UNIX
        return socket.AF_INET6 if ":" in self.host else socket.AF_INET


def parse_bind(text: str) -> BindSpec:
    """Parse a bind string (see the module docstring) or raise `BindError`."""
    if text.startswith("unix:"):
        path = text[len("unix:") :]
        if not path:
            raise BindError(f"bind {text!r}: empty Unix socket path")
        return BindSpec("unix", path=path)
    if text.startswith("fd://"):
        number = text[len("fd://") :]
        if not number.isdigit():
            raise BindError(f"bind {text!r}: expected fd://N with N a file descriptor number")
        return BindSpec("fd", fd=int(number))
    host, sep, port_text = text.rpartition(":")
    if not sep or not port_text.isdigit() or int(port_text) > 65535:
        raise BindError(f"bind {text!r}: expected HOST:PORT, [IPV6]:PORT, unix:PATH or fd://N")
    if host.startswith("["):
        if not host.endswith("]"):
            raise BindError(f"bind {text!r}: unclosed '[' in IPv6 address")
        host = host[1:-1]
    elif ":" in host:
        raise BindError(f"bind {text!r}: write IPv6 addresses in brackets, e.g. [::1]:8000")
    if not host:
        raise BindError(f"bind {text!r}: empty host (use 0.0.0.0 or [::] for all interfaces)")
    return BindSpec("tcp", host=host, port=int(port_text))


def bind_socket(spec: BindSpec, *, backlog: int, reuse_port: bool = False) -> socket.socket:
    """Create, bind and listen one socket for `spec`; raise `BindError` on failure."""
    if spec.kind == "fd":
        return _adopt_fd(spec.fd, backlog)
    if spec.kind == "unix":
        _remove_stale_unix_socket(spec.path)
    sock = socket.socket(spec.family, socket.SOCK_STREAM)
    try:
        if spec.kind == "tcp":
            # Rebinding a port with connections in TIME_WAIT must not fail after a restart.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if reuse_port:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((spec.host, spec.port))
        else:
            sock.bind(spec.path)
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        raise BindError(f"cannot bind {describe(spec)}: {exc.strerror or exc}") from exc
    sock.set_inheritable(True)
    return sock


def describe(spec: BindSpec, sock: socket.socket | None = None) -> str:
    """A human-readable address, with the real port once bound."""
    if spec.kind == "unix":
        return f"unix:{spec.path}"
    if spec.kind == "fd":
        return f"fd://{spec.fd}" + (f" ({_sockname(sock)})" if sock is not None else "")
    port = sock.getsockname()[1] if sock is not None else spec.port
    host = f"[{spec.host}]" if ":" in spec.host else spec.host
    return f"{host}:{port}"


def _sockname(sock: socket.socket) -> str:
    name = sock.getsockname()
    return name if isinstance(name, str) else f"{name[0]}:{name[1]}"


def _adopt_fd(fd: int, backlog: int) -> socket.socket:
    try:
        sock = socket.socket(fileno=fd)
    except OSError as exc:
        raise BindError(f"fd://{fd}: not an open socket ({exc.strerror or exc})") from exc
    if sock.type != socket.SOCK_STREAM:
        sock.detach()
        raise BindError(f"fd://{fd}: not a stream socket")
    # listen() on an already listening socket only updates the backlog.
    try:
        sock.listen(backlog)
    except OSError as exc:
        sock.detach()
        raise BindError(f"fd://{fd}: cannot listen ({exc.strerror or exc})") from exc
    sock.set_inheritable(True)
    return sock


def _remove_stale_unix_socket(path: str) -> None:
    """Remove a socket file left by a dead server; refuse to steal a live one."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise BindError(f"cannot bind unix:{path}: the path exists and is not a socket")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
    except OSError as exc:
        if exc.errno in (errno.ECONNREFUSED, errno.ENOENT):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            return
        raise BindError(f"cannot bind unix:{path}: {exc.strerror or exc}") from exc
    finally:
        probe.close()
    raise BindError(f"cannot bind unix:{path}: another server is listening there")


def close_socket(spec: BindSpec, sock: socket.socket) -> None:
    """Close a listener; remove the Unix socket file we created."""
    sock.close()
    if spec.kind == "unix":
        with contextlib.suppress(OSError):
            os.unlink(spec.path)
