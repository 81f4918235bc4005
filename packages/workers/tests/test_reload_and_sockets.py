"""Reload, the socket modes and the Python API, with real processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from workers_harness import Supervised, http_get

Start = Callable[..., Supervised]
SERVER = "workers_testserver:serve"

RELOAD_APP = """\
import workers_testserver

MESSAGE = {message!r}


def serve(ctx):
    workers_testserver.serve(ctx, message=MESSAGE)
"""


def _poll_body(address: tuple[str, int], wanted: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    body = ""
    while time.monotonic() < deadline:
        body = http_get(address)
        if body.endswith(wanted):
            return body
        time.sleep(0.05)
    raise AssertionError(f"still {body!r}, wanted {wanted!r}")


@pytest.mark.timeout(40)
def test_reload_picks_up_a_change_and_survives_a_broken_one(
    supervise: Start, tmp_path: Path
) -> None:
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    module = app_dir / "reloadapp.py"
    module.write_text(RELOAD_APP.format(message="v1"))
    sup = supervise(
        "reloadapp:serve",
        *("-b", "127.0.0.1:0", "-w", "2", "--graceful-timeout", "2"),
        *("--reload", "--reload-dir", str(app_dir)),
        extra_path=[app_dir],
    )
    address = ("127.0.0.1", sup.port())
    sup.wait_for(r"reload: watching")
    sup.wait_for(r"worker \d+ ready", count=2)
    assert http_get(address).endswith(" v1")

    module.write_text(RELOAD_APP.format(message="v2"))
    _poll_body(address, " v2")
    sup.wait_for(r"worker \d+ ready", count=4)

    module.write_text("def serve(ctx:\n")  # a syntax error: the v2 workers keep serving
    sup.wait_for(r"reload: not restarting, the old workers keep serving")
    sup.wait_for(r"SyntaxError")
    assert all(http_get(address).endswith(" v2") for _ in range(5))

    module.write_text("raise ImportError('half-written module')\n")  # compiles, fails at import
    sup.wait_for(r"restart aborted, the old workers keep serving")
    assert "ImportError: half-written module" in sup.output
    assert all(http_get(address).endswith(" v2") for _ in range(5))

    module.write_text(RELOAD_APP.format(message="v3"))
    _poll_body(address, " v3")
    sup.send(signal.SIGTERM)
    assert sup.wait(timeout=10) == 0


def test_reload_without_watchfiles_says_how_to_install(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["watchfiles"] = None  # what an install without the extra looks like
        from fulmen_workers._cli import main
        raise SystemExit(main(["workers_testserver:serve", "-b", "127.0.0.1:0", "--reload"]))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=20,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
    )
    assert out.returncode == 2
    assert "pip install 'fulmen-workers[reload]'" in out.stderr


@pytest.mark.timeout(30)
def test_unix_socket(supervise: Start, tmp_path: Path) -> None:
    path = str(tmp_path / "s.sock")
    sup = supervise(SERVER, "-b", f"unix:{path}", "-w", "2", "--graceful-timeout", "2")
    sup.wait_for(r"worker \d+ ready", count=2)
    assert int(http_get(path).split()[0]) in sup.worker_pids()
    sup.send(signal.SIGTERM)
    assert sup.wait(timeout=10) == 0
    assert not os.path.exists(path), "the socket file is removed on exit"


@pytest.mark.timeout(30)
def test_reuse_port_gives_each_worker_its_socket(supervise: Start) -> None:
    sup = supervise(
        SERVER, "-b", "127.0.0.1:0", "-w", "2", "--reuse-port", "--graceful-timeout", "2"
    )
    port = sup.port()
    assert "SO_REUSEPORT, one socket per worker" in sup.output
    sup.wait_for(r"worker \d+ ready", count=2)
    # The kernel hashes each new connection (by source port) to one of the sockets.
    pids = {int(http_get(("127.0.0.1", port)).split()[0]) for _ in range(40)}
    assert pids == sup.worker_pids()
    sup.send(signal.SIGHUP)  # the replacement takes over its slot's socket
    sup.wait_for(r"worker \d+ exited", count=2)
    pids_after = {int(http_get(("127.0.0.1", port)).split()[0]) for _ in range(40)}
    assert pids_after == sup.worker_pids()
    assert not pids & pids_after


@pytest.mark.timeout(30)
def test_reuse_port_add_and_remove_strand_no_connection(supervise: Start) -> None:
    sup = supervise(
        SERVER, "-b", "127.0.0.1:0", "-w", "2", "--reuse-port", "--graceful-timeout", "2"
    )
    port = sup.port()
    sup.wait_for(r"worker \d+ ready", count=2)
    sup.send(signal.SIGTTIN)
    sup.wait_for(r"worker \d+ ready", count=3)
    sup.send(signal.SIGHUP)  # new workers forked while three slots exist
    sup.wait_for(r"worker \d+ exited", count=3)
    sup.send(signal.SIGTTOU)
    sup.wait_for(r"worker \d+ exited", count=4)
    # Had a worker kept a copy of the removed slot's socket, some of these
    # connections would be hashed to it and never answered.
    pids = {int(http_get(("127.0.0.1", port), timeout=3).split()[0]) for _ in range(40)}
    assert pids == sup.worker_pids()
    assert len(pids) == 2


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6")
@pytest.mark.timeout(30)
def test_ipv6(supervise: Start) -> None:
    try:
        probe = socket.socket(socket.AF_INET6)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        pytest.skip("::1 is not configured")
    sup = supervise(SERVER, "-b", "[::1]:0", "-w", "1", "--graceful-timeout", "2")
    port = int(sup.wait_for(r"listening on \[::1\]:(\d+)")[0].group(1))
    sup.wait_for(r"worker \d+ ready")
    assert int(http_get(("::1", port)).split()[0]) in sup.worker_pids()


@pytest.mark.timeout(30)
def test_inherited_file_descriptor(supervise: Start) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    fd = listener.fileno()
    try:
        sup = supervise(SERVER, "-b", f"fd://{fd}", "-w", "1", pass_fds=(fd,))
        sup.wait_for(rf"listening on fd://{fd} \(127.0.0.1:{port}\)")
        sup.wait_for(r"worker \d+ ready")
        assert int(http_get(("127.0.0.1", port)).split()[0]) in sup.worker_pids()
    finally:
        listener.close()


HOOKS_SCRIPT = """\
import logging, os, sys
from fulmen_workers import run
import workers_testserver

LOG = sys.argv[1]

def note(text):
    with open(LOG, "a") as log:
        log.write(text + "\\n")

def on_starting(config):
    note(f"on_starting {{os.getpid()}} workers={{config.workers}}")

def post_fork(ctx):
    note(f"limit {{ctx.max_requests}}")
    note(f"post_fork {{ctx.pid}} parent={{os.getppid()}} slot={{ctx.index}}")

def worker_exit(ctx):
    note(f"worker_exit {{ctx.pid}} served={{ctx.requests_served}}")

if __name__ == "__main__":
    logging.basicConfig(level="INFO")
    sys.exit(run(workers_testserver.serve, binds=["127.0.0.1:0"], workers=2,
                 start_method={method!r}, graceful_timeout=2, on_starting=on_starting,
                 max_requests=1000, max_requests_jitter=500,
                 post_fork=post_fork, worker_exit=worker_exit))
"""


@pytest.mark.parametrize("method", ["fork", "spawn"])
@pytest.mark.timeout(40)
def test_python_api_hooks_and_start_methods(tmp_path: Path, method: str) -> None:
    script = tmp_path / "hooked.py"
    script.write_text(HOOKS_SCRIPT.format(method=method))
    log = tmp_path / "hooks.log"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(log)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 20
        while log.read_text().count("post_fork") < 2 if log.exists() else True:
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=5)
    lines = log.read_text().splitlines()
    assert lines[0] == f"on_starting {proc.pid} workers=2"
    forks = [line for line in lines if line.startswith("post_fork")]
    assert len(forks) == 2
    assert all(f"parent={proc.pid}" in line for line in forks)
    assert sorted(line.split()[-1] for line in forks) == ["slot=0", "slot=1"]
    assert sum(line.startswith("worker_exit") for line in lines) == 2
    limits = [int(line.split()[1]) for line in lines if line.startswith("limit")]
    assert len(limits) == 2
    assert all(1000 <= limit <= 1500 for limit in limits)
    assert f"({method})" in err
    assert err.count("stopped (SIGTERM)") == 2, "workers log like the supervisor, spawned or not"
