"""Signals, workers and reload through the real ``fulmen`` command."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import textwrap
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest
from cli_helpers import FULMEN, Served, serve, wait_until_serving

pytestmark = pytest.mark.timeout(120)

SLOW_APP = """
import asyncio
import os
import time

from fulmen import FastAPI

app = FastAPI()


@app.get("/")
async def root() -> dict[str, int]:
    return {"pid": os.getpid()}


@app.get("/slow")
async def slow(seconds: float = 1.0) -> dict[str, str]:
    await asyncio.sleep(seconds)
    return {"slow": "done"}


@app.get("/busy")
async def busy(seconds: float = 0.05) -> dict[str, int]:
    # Blocks its worker's loop on purpose: a busy worker cannot accept, the other must.
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return {"pid": os.getpid()}
"""


def write_app(tmp_path: Path, text: str = SLOW_APP, name: str = "svc.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def _slow_request(url: str, results: list[object]) -> None:
    try:
        results.append(httpx.get(url + "/slow", params={"seconds": 1.5}, timeout=20))
    except Exception as exc:
        results.append(exc)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_completes_the_request_in_flight_and_exits_0(tmp_path: Path, workers: str) -> None:
    write_app(tmp_path)
    with serve(["svc.py", "--workers", workers], cwd=tmp_path, tmp_path=tmp_path) as served:
        results: list[object] = []
        client = threading.Thread(target=_slow_request, args=(served.url, results))
        client.start()
        time.sleep(0.5)  # the request is in the app's sleep now
        started = time.monotonic()
        served.process.send_signal(signal.SIGTERM)
        code = served.process.wait(30)
        client.join(30)
        assert code == 0, served.log
        assert time.monotonic() - started >= 0.5  # it waited for the request
        (response,) = results
        assert isinstance(response, httpx.Response), response
        assert response.json() == {"slow": "done"}
        with pytest.raises(httpx.TransportError):  # and it does not listen any more
            httpx.get(served.url, timeout=2)


def test_workers_are_children_of_the_fulmen_process_and_share_the_load(tmp_path: Path) -> None:
    write_app(tmp_path)
    with serve(["svc.py", "--workers", "2"], cwd=tmp_path, tmp_path=tmp_path) as served:
        supervisor = psutil.Process(served.process.pid)
        deadline = time.monotonic() + 20
        while len(children := supervisor.children()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        worker_pids = {child.pid for child in children}
        assert len(worker_pids) == 2  # direct children: no process in between

        seen: dict[int, int] = {}
        lock = threading.Lock()

        def hammer() -> None:
            for _ in range(15):  # a new connection each time: the kernel picks a worker
                pid = httpx.get(served.url + "/busy", timeout=20).json()["pid"]
                with lock:
                    seen[pid] = seen.get(pid, 0) + 1

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert set(seen) == worker_pids, seen
        assert min(seen.values()) >= 5, seen  # both took a real share of the 60 requests
        assert os.getpid() not in seen
    assert served.process.returncode == 0


def test_reload_serves_the_changed_code(tmp_path: Path) -> None:
    path = write_app(
        tmp_path,
        """
        from fulmen import FastAPI

        app = FastAPI()


        @app.get("/")
        async def root() -> dict[str, str]:
            return {"version": "one"}
        """,
    )
    with serve(["svc.py"], command="dev", cwd=tmp_path, tmp_path=tmp_path) as served:
        assert httpx.get(served.url, timeout=10).json() == {"version": "one"}
        time.sleep(0.3)  # let the watcher settle before the edit
        path.write_text(path.read_text().replace('"one"', '"two"'))
        deadline = time.monotonic() + 30
        body: object = None
        while time.monotonic() < deadline:
            try:
                body = httpx.get(served.url, timeout=5).json()
            except httpx.TransportError:
                body = None
            if body == {"version": "two"}:
                break
            time.sleep(0.1)
        assert body == {"version": "two"}, served.log
        assert "reload: " in served.log
    assert served.process.returncode == 0


def test_sighup_replaces_every_worker_without_failing_a_request(tmp_path: Path) -> None:
    write_app(tmp_path)
    # WEB_CONCURRENCY is --workers' default, as with uvicorn.
    with serve(["svc.py"], cwd=tmp_path, tmp_path=tmp_path, env={"WEB_CONCURRENCY": "2"}) as served:
        supervisor = psutil.Process(served.process.pid)
        deadline = time.monotonic() + 20
        while len(supervisor.children()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        before = {child.pid for child in supervisor.children()}
        failures: list[Exception] = []
        stop = threading.Event()

        def client() -> None:
            while not stop.is_set():
                try:
                    assert httpx.get(served.url, timeout=10).status_code == 200
                except Exception as exc:
                    failures.append(exc)

        thread = threading.Thread(target=client)
        thread.start()
        try:
            served.process.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                after = {child.pid for child in supervisor.children()}
                if len(after) == 2 and not after & before:
                    break
                time.sleep(0.05)
            time.sleep(0.3)  # requests served by the new workers only
        finally:
            stop.set()
            thread.join(20)
        assert len(after) == 2
        assert not after & before, (before, after)
        assert failures == []
    assert served.process.returncode == 0


def test_inherited_listening_socket(tmp_path: Path) -> None:
    write_app(tmp_path)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    log = tmp_path / "fd.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [FULMEN, "run", "svc.py", "--fd", str(listener.fileno())],
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
        )
    listener.close()  # the child holds its own copy
    served = Served(process, f"http://127.0.0.1:{port}", log)
    try:
        wait_until_serving(served)
        assert httpx.get(served.url).json()["pid"] == process.pid
    finally:
        assert served.stop() == 0


def test_graceful_shutdown_timeout_cuts_a_slow_request(tmp_path: Path) -> None:
    write_app(tmp_path)
    with serve(
        ["svc.py", "--timeout-graceful-shutdown", "0.5"], cwd=tmp_path, tmp_path=tmp_path
    ) as served:
        results: list[object] = []
        client = threading.Thread(
            target=lambda: results.append(_get_or_error(served.url + "/slow?seconds=20"))
        )
        client.start()
        time.sleep(0.5)
        started = time.monotonic()
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(15) == 0
        assert time.monotonic() - started < 10
        client.join(15)
        assert isinstance(results[0], httpx.TransportError)  # cut, not answered


def _get_or_error(url: str) -> object:
    try:
        return httpx.get(url, timeout=30)
    except httpx.TransportError as exc:
        return exc


def test_a_second_sigint_stops_at_once(tmp_path: Path) -> None:
    write_app(tmp_path)
    with serve(["svc.py"], cwd=tmp_path, tmp_path=tmp_path) as served:
        results: list[object] = []
        client = threading.Thread(
            target=lambda: results.append(_get_or_error(served.url + "/slow?seconds=30"))
        )
        client.start()
        time.sleep(0.5)
        served.process.send_signal(signal.SIGINT)
        time.sleep(0.5)
        assert served.process.poll() is None  # draining: waits for the slow request
        started = time.monotonic()
        served.process.send_signal(signal.SIGINT)
        assert served.process.wait(15) == 0
        assert time.monotonic() - started < 10
        client.join(15)
        # Cut: the connection drops, or a 500 when the handler is cancelled first.
        (result,) = results
        assert isinstance(result, httpx.TransportError) or result.status_code == 500  # type: ignore[attr-defined]
    assert "again: stopping at once" in served.log


def test_limit_max_requests_recycles_workers(tmp_path: Path) -> None:
    write_app(tmp_path)
    with serve(
        ["svc.py", "--workers", "2", "--limit-max-requests", "3"], cwd=tmp_path, tmp_path=tmp_path
    ) as served:
        pids = set()
        for _ in range(16):
            response = httpx.get(served.url, timeout=10)  # a new connection each time
            assert response.status_code == 200
            pids.add(response.json()["pid"])
        # 16 requests at 3 per worker: retired workers were replaced by new ones.
        assert len(pids) >= 4, pids
        assert served.process.poll() is None
    assert "recycled: max_requests reached" in served.log
