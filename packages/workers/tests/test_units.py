"""The pure pieces, in-process: bind strings, options, the worker channel,
syntax checks for reload, crash backoff."""

from __future__ import annotations

import os
import signal
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from fulmen_workers import BindError, Config, ConfigError, WorkerContext, run
from fulmen_workers._context import parse_messages
from fulmen_workers._reload import compile_errors
from fulmen_workers._sockets import BindSpec, bind_socket, parse_bind
from fulmen_workers._workerstate import Slot


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:8000", BindSpec("tcp", host="127.0.0.1", port=8000)),
        ("0.0.0.0:0", BindSpec("tcp", host="0.0.0.0", port=0)),
        ("localhost:80", BindSpec("tcp", host="localhost", port=80)),
        ("[::1]:8000", BindSpec("tcp", host="::1", port=8000)),
        ("[::]:443", BindSpec("tcp", host="::", port=443)),
        ("unix:/tmp/app.sock", BindSpec("unix", path="/tmp/app.sock")),
        ("fd://3", BindSpec("fd", fd=3)),
    ],
)
def test_parse_bind(text: str, expected: BindSpec) -> None:
    assert parse_bind(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("8000", "expected HOST:PORT"),
        ("127.0.0.1:http", "expected HOST:PORT"),
        ("127.0.0.1:70000", "expected HOST:PORT"),
        (":8000", "empty host"),
        ("::1:8000", "brackets"),
        ("[::1:8000", "unclosed"),
        ("unix:", "empty Unix socket path"),
        ("fd://x", "fd://N"),
    ],
)
def test_parse_bind_rejects(text: str, message: str) -> None:
    with pytest.raises(BindError, match=message):
        parse_bind(text)


def test_bind_errors_are_clear(tmp_path: Path) -> None:
    taken = socket.create_server(("127.0.0.1", 0))
    try:
        port = taken.getsockname()[1]
        with pytest.raises(BindError, match=f"cannot bind 127.0.0.1:{port}"):
            bind_socket(parse_bind(f"127.0.0.1:{port}"), backlog=8)
    finally:
        taken.close()
    regular = tmp_path / "file"
    regular.write_text("")
    with pytest.raises(BindError, match="not a socket"):
        bind_socket(parse_bind(f"unix:{regular}"), backlog=8)
    with pytest.raises(BindError, match="not an open socket"):
        bind_socket(parse_bind("fd://987654"), backlog=8)


def test_stale_unix_socket_is_replaced_but_a_live_one_is_not(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sock")
    live = bind_socket(parse_bind(f"unix:{path}"), backlog=8)
    with pytest.raises(BindError, match="another server is listening"):
        bind_socket(parse_bind(f"unix:{path}"), backlog=8)
    live.close()  # the file stays behind, like after a crash
    again = bind_socket(parse_bind(f"unix:{path}"), backlog=8)
    again.close()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"workers": 0}, "workers must be at least 1"),
        ({"timeout": -1}, "timeout must not be negative"),
        ({"startup_timeout": 0}, "startup_timeout must be positive"),
        ({"start_method": "forkserver"}, "start_method"),
        ({"max_requests_jitter": -5}, "jitter"),
        ({"startup_failures": 0}, "startup_failures"),
        ({"binds": []}, "at least one address"),
        ({"target": "no_colon"}, "module:callable"),
        ({"target": 42}, "callable"),
        ({"backlog": 0}, "backlog"),
    ],
)
def test_config_rejects(options: dict[str, Any], message: str) -> None:
    options.setdefault("target", "app:serve")
    with pytest.raises(ConfigError, match=message):
        Config(**options)


def test_config_defaults() -> None:
    config = Config(target="app:serve", binds="127.0.0.1:0")
    assert config.workers is not None
    assert config.workers >= 1
    assert config.start_method in ("fork", "spawn")
    assert config.graceful_timeout == 30.0
    assert config.heartbeat_interval == 5.0
    assert Config(target="a:b", timeout=0.6).heartbeat_interval == pytest.approx(0.1)


def test_channel_messages_round_trip() -> None:
    read_fd, write_fd = os.pipe()
    try:
        os.set_blocking(write_fd, False)
        ctx = WorkerContext(
            sockets=[],
            index=0,
            channel_fd=write_fd,
            heartbeat_interval=0.0,
            max_requests=2,
            parent_pid=os.getppid(),
        )
        stopped: list[str] = []
        ctx.add_stop_callback(lambda: stopped.append(ctx.stop_reason))
        ctx.ready()
        ctx.notify()
        ctx.request_served()
        assert not ctx.should_stop
        ctx.request_served()
        assert ctx.should_stop
        assert stopped == ["max_requests (2) reached"]
        ctx.send_error("Traceback ...\nImportError: x\u00e9")
        buffer = bytearray(os.read(read_fd, 65536))
        partial = bytearray(buffer[:-3])
        assert [kind for kind, _ in parse_messages(partial)] == [b"R", b"H", b"Q"]
        assert partial  # the incomplete error frame waits for the rest
        assert parse_messages(partial + buffer[-3:])[-1] == (
            b"E",
            "Traceback ...\nImportError: x\u00e9",
        )
        late: list[int] = []
        ctx.add_stop_callback(lambda: late.append(1))
        assert late == [1], "a callback added after the stop runs at once"
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_compile_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.py"
    good.write_text("x = 1\n")
    bad = tmp_path / "bad.py"
    bad.write_text("def f(:\n    pass\n")
    errors = compile_errors([str(good), str(bad), str(tmp_path / "gone.py"), "notes.txt"])
    assert len(errors) == 1
    assert f'File "{bad}", line 1' in errors[0]
    assert "SyntaxError" in errors[0]


def test_crash_backoff_only_when_crashes_repeat() -> None:
    slot = Slot(index=0)
    delays = [slot.crash_delay(100.0 + i * 0.1, after=2, ceiling=10.0) for i in range(8)]
    assert delays[:2] == [0.0, 0.0]
    assert delays[2:5] == [0.5, 1.0, 2.0]
    assert delays[-1] == 10.0
    assert slot.crash_delay(1000.0, after=2, ceiling=10.0) == 0.0, "an old burst is forgotten"


def test_a_failing_bind_cleans_up_and_raises(tmp_path: Path) -> None:
    taken = socket.create_server(("127.0.0.1", 0))
    before = signal.getsignal(signal.SIGTERM)
    fds_before = len(os.listdir("/proc/self/fd"))
    try:
        port = taken.getsockname()[1]
        unix = tmp_path / "first.sock"
        with pytest.raises(BindError, match=f"cannot bind 127.0.0.1:{port}"):
            run("app:serve", binds=[f"unix:{unix}", f"127.0.0.1:{port}"], workers=1)
    finally:
        taken.close()
    assert not unix.exists(), "the socket bound first is closed and its file removed"
    assert signal.getsignal(signal.SIGTERM) is before
    assert len(os.listdir("/proc/self/fd")) == fds_before - 1  # only `taken` is gone


def test_supervisor_refuses_to_run_outside_the_main_thread() -> None:
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            run("app:serve", binds=["127.0.0.1:0"], workers=1)
        except RuntimeError as exc:
            errors.append(exc)

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join(timeout=10)
    assert "main thread" in str(errors[0])
