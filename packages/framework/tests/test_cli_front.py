"""Proxy headers, request ids, JSON logs, TLS and the other server options of
``fulmen run``, each through the real command on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from cli_helpers import FULMEN, Served, serve

pytestmark = pytest.mark.timeout(90)

ECHO_APP = """
import os

from fulmen import FastAPI, Request

app = FastAPI()


@app.get("/echo")
async def echo(request: Request) -> dict[str, object]:
    return {
        "client": request.client.host if request.client else None,
        "scheme": request.url.scheme,
        "host": request.headers.get("host"),
        "url": str(request.url),
        "request_id": request.headers.get("x-request-id"),
        "root_path": request.scope.get("root_path"),
        "greeting": os.environ.get("GREETING"),
    }
"""

FORWARDED = {
    "x-forwarded-for": "203.0.113.9, 127.0.0.1",
    "x-forwarded-proto": "https",
    "x-forwarded-host": "shop.example",
}


@pytest.fixture
def echo_dir(tmp_path: Path) -> Path:
    (tmp_path / "echo.py").write_text(textwrap.dedent(ECHO_APP))
    return tmp_path


def test_proxy_headers_honoured_from_a_trusted_address(echo_dir: Path) -> None:
    # The default trusts 127.0.0.1, where the test client connects from.
    with serve(["echo.py"], cwd=echo_dir, tmp_path=echo_dir, wait_path="/echo") as served:
        seen = httpx.get(served.url + "/echo", headers=FORWARDED).json()
        assert seen["client"] == "203.0.113.9"  # the nearest untrusted hop
        assert seen["scheme"] == "https"
        assert seen["host"] == "shop.example"
        assert seen["url"] == "https://shop.example/echo"
        standard = httpx.get(
            served.url + "/echo",
            headers={"forwarded": 'for="[2001:db8::7]:4711";proto=https;host=api.example'},
        ).json()
        assert (standard["client"], standard["scheme"], standard["host"]) == (
            "2001:db8::7",
            "https",
            "api.example",
        )
        plain = httpx.get(served.url + "/echo").json()
        assert (plain["client"], plain["scheme"]) == ("127.0.0.1", "http")


@pytest.mark.parametrize(
    "flags", [["--forwarded-allow-ips", "10.9.8.7,192.168.0.0/16"], ["--no-proxy-headers"]]
)
def test_proxy_headers_ignored_from_an_untrusted_address(echo_dir: Path, flags: list[str]) -> None:
    with serve(["echo.py", *flags], cwd=echo_dir, tmp_path=echo_dir, wait_path="/echo") as served:
        seen = httpx.get(served.url + "/echo", headers=FORWARDED).json()
        assert seen["client"] == "127.0.0.1"
        assert seen["scheme"] == "http"
        assert seen["host"] == served.url.removeprefix("http://")


def test_json_logs_and_request_ids(echo_dir: Path) -> None:
    with serve(
        ["echo.py", "--log-format", "json"], cwd=echo_dir, tmp_path=echo_dir, wait_path="/echo"
    ) as served:
        fresh = httpx.get(served.url + "/echo?x=1")
        rid = fresh.headers["x-request-id"]
        assert len(rid) == 32  # generated: a uuid4 in hex
        assert int(rid, 16) >= 0
        assert fresh.json()["request_id"] == rid  # the app sees the id it is logged under
        relayed = httpx.get(served.url + "/echo", headers={"x-request-id": "edge-42"})
        assert relayed.headers["x-request-id"] == "edge-42"  # from a trusted proxy: kept
        assert relayed.json()["request_id"] == "edge-42"
    with serve(
        ["echo.py", "--log-format", "json", "--forwarded-allow-ips", "10.0.0.1"],
        cwd=echo_dir,
        tmp_path=echo_dir,
        wait_path="/echo",
    ) as untrusted:
        spoofed = httpx.get(untrusted.url + "/echo", headers={"x-request-id": "forged"})
        assert spoofed.headers["x-request-id"] != "forged"
        assert spoofed.json()["request_id"] == spoofed.headers["x-request-id"]
    lines = [json.loads(line) for line in served.log.splitlines() if line.strip()]
    access = [entry for entry in lines if entry["logger"] == "fulmen_http.access"]
    first = next(entry for entry in access if entry["request_id"] == rid)
    assert first["method"] == "GET"
    assert first["path"] == "/echo"
    assert first["query"] == "x=1"
    assert first["status"] == 200
    assert first["client"].startswith("127.0.0.1:")
    assert 0 <= first["duration_ms"] < 10_000
    assert any(entry["request_id"] == "edge-42" for entry in access)
    assert all(entry["level"] for entry in lines)  # every line, not only access lines, is JSON


def test_options_header_root_path_env_file_threadpool(echo_dir: Path) -> None:
    (echo_dir / ".env").write_text('# settings\nexport GREETING="hello there"\n')
    with serve(
        [
            "echo.py",
            "--header",
            "X-Served-By: fulmen",
            "--header",
            "Strict-Transport-Security: max-age=60",
            "--root-path",
            "/api",
            "--env-file",
            ".env",
            "--threadpool-size",
            "4",
            "--no-access-log",
        ],
        cwd=echo_dir,
        tmp_path=echo_dir,
        wait_path="/echo",
    ) as served:
        response = httpx.get(served.url + "/echo")
        assert response.headers["x-served-by"] == "fulmen"
        assert response.headers["strict-transport-security"] == "max-age=60"
        assert response.json()["root_path"] == "/api"
        assert response.json()["greeting"] == "hello there"
    assert "GET /echo" not in served.log


def test_limit_max_requests_stops_after_n(echo_dir: Path) -> None:
    with serve(
        ["echo.py", "--limit-max-requests", "3"], cwd=echo_dir, tmp_path=echo_dir, wait_path="/echo"
    ) as served:
        # The readiness probe was request 1.
        assert httpx.get(served.url + "/echo").status_code == 200
        assert httpx.get(served.url + "/echo").status_code == 200
        assert served.process.wait(20) == 0
    assert "maximum number of requests (3)" in served.log


def test_unix_socket(echo_dir: Path) -> None:
    path = echo_dir / "s.sock"
    log = echo_dir / "uds.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [FULMEN, "run", "echo.py", "--uds", str(path)],
            cwd=echo_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = Served(process, "http://fulmen", log)
    transport = httpx.HTTPTransport(uds=str(path))
    try:
        deadline = time.monotonic() + 20
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        with httpx.Client(transport=transport, base_url="http://fulmen") as client:
            for _ in range(100):
                try:
                    seen = client.get("/echo").json()
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            assert seen["scheme"] == "http"
    finally:
        assert served.stop() == 0
    assert not path.exists()  # the socket file is removed on exit


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_tls_with_a_self_signed_certificate(echo_dir: Path) -> None:
    key, cert = echo_dir / "key.pem", echo_dir / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    trust = ssl.create_default_context(cafile=str(cert))
    with serve(
        ["echo.py", "--ssl-keyfile", str(key), "--ssl-certfile", str(cert)],
        cwd=echo_dir,
        tmp_path=echo_dir,
        scheme="https",
        wait_path="/echo",
        wait_kw={"verify": trust},
    ) as served:
        with httpx.Client(verify=trust) as client:
            seen = client.get(served.url + "/echo").json()
        assert seen["scheme"] == "https"
        assert seen["url"].startswith("https://127.0.0.1:")
        with pytest.raises(httpx.TransportError):  # plain HTTP is not served there
            httpx.get(served.url.replace("https", "http") + "/echo", timeout=3)


def test_log_config_file(echo_dir: Path) -> None:
    access = echo_dir / "access.log"
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"bare": {"format": "ACCESS %(message)s"}},
        "handlers": {
            "file": {"class": "logging.FileHandler", "filename": str(access), "formatter": "bare"}
        },
        "loggers": {"fulmen_http.access": {"handlers": ["file"], "level": "INFO"}},
    }
    (echo_dir / "logging.json").write_text(json.dumps(config))
    with serve(
        ["echo.py", "--log-config", "logging.json"],
        cwd=echo_dir,
        tmp_path=echo_dir,
        wait_path="/echo",
    ) as served:
        httpx.get(served.url + "/echo?from=config")
    assert "ACCESS 127.0.0.1:" in access.read_text()
    assert '"GET /echo?from=config HTTP/1.1" 200' in access.read_text()


THREADS_APP = """
import threading
import time

from fulmen import FastAPI

app = FastAPI()


@app.get("/")
async def root() -> str:
    return "ok"


@app.get("/thread")
def thread(seconds: float = 0.3) -> str:
    time.sleep(seconds)
    return threading.current_thread().name
"""


def _concurrently(url: str, count: int) -> list[httpx.Response]:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: httpx.get(url, timeout=30), range(count)))


def test_threadpool_size_bounds_def_endpoints(tmp_path: Path) -> None:
    (tmp_path / "threads.py").write_text(textwrap.dedent(THREADS_APP))
    with serve(["threads.py", "--threadpool-size", "2"], cwd=tmp_path, tmp_path=tmp_path) as small:
        names = {r.json() for r in _concurrently(small.url + "/thread", 6)}
    assert len(names) == 2, names
    with serve(["threads.py"], cwd=tmp_path, tmp_path=tmp_path) as default:
        names = {r.json() for r in _concurrently(default.url + "/thread?seconds=1", 6)}
    assert len(names) > 2, names  # the default pool (40) is not bound to two threads


def test_limit_concurrency_answers_503_past_the_limit(tmp_path: Path) -> None:
    (tmp_path / "threads.py").write_text(textwrap.dedent(THREADS_APP))
    with serve(["threads.py", "--limit-concurrency", "2"], cwd=tmp_path, tmp_path=tmp_path) as s:
        statuses = sorted(r.status_code for r in _concurrently(s.url + "/thread?seconds=1", 5))
    assert statuses.count(200) >= 1
    assert statuses.count(503) >= 1, statuses
    assert set(statuses) <= {200, 503}
