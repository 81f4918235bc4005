"""``app.run(...)`` in a script: the same server as ``fulmen run``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from cli_helpers import Served, free_port, wait_until_serving

pytestmark = pytest.mark.timeout(90)

SCRIPT = """
import os

from fulmen import FastAPI

app = FastAPI()


@app.get("/")
async def root() -> dict[str, int]:
    return {{"pid": os.getpid()}}


if __name__ == "__main__":
    app.run(port={port}, workers={workers}, reload={reload}, log_level="warning")
"""


@pytest.mark.parametrize(("workers", "reload"), [(1, False), (2, False), (1, True)])
def test_app_run(tmp_path: Path, workers: int, reload: bool) -> None:
    port = free_port()
    script = tmp_path / "server.py"
    script.write_text(textwrap.dedent(SCRIPT.format(port=port, workers=workers, reload=reload)))
    log = tmp_path / "log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(script)], cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT
        )
    served = Served(process, f"http://127.0.0.1:{port}", log)
    try:
        wait_until_serving(served)
        pid = httpx.get(served.url).json()["pid"]
        # One process serves itself; a supervisor serves through its children.
        assert (pid == process.pid) is (workers == 1 and not reload)
        if pid != process.pid:
            assert pid != os.getpid()
    finally:
        assert served.stop() == 0, served.log
