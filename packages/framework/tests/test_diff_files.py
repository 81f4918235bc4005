"""FileResponse: whole file, single and multiple ranges, If-Range, bad ranges."""

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fw_differential import FASTAPI, FULMEN, client_for, compare, get


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.txt"
    path.write_bytes(bytes(range(256)) * 600)  # > 2 chunks of 64 KiB
    os.utime(path, (1_700_000_000, 1_700_000_000))
    return path


def test_file_responses_match_fastapi(data_file: Path) -> None:
    def build(fw: SimpleNamespace) -> Any:
        app = fw.FastAPI()

        @app.get("/file")
        def file() -> Any:
            return fw.responses.FileResponse(data_file)

        @app.get("/download")
        def download() -> Any:
            return fw.responses.FileResponse(data_file, filename="r\u00e9sum\u00e9.txt")

        @app.get("/named")
        def named() -> Any:
            return fw.responses.FileResponse(data_file, filename="plain.csv")

        return app

    etag_probe = run_once(build, FASTAPI, "/file").headers["etag"]
    compare(
        build,
        [
            get("/file"),
            get("/download"),
            get("/named"),
            get("/file", headers={"range": "bytes=0-9"}),
            get("/file", headers={"range": "bytes=-5"}),
            get("/file", headers={"range": "bytes=100000-"}),
            get("/file", headers={"range": "bytes=999999-"}),
            get("/file", headers={"range": "bytes=9-2"}),
            get("/file", headers={"range": "items=0-1"}),
            get("/file", headers={"range": "bytes=0-1", "if-range": etag_probe}),
            get("/file", headers={"range": "bytes=0-1", "if-range": '"stale"'}),
            get("/file", headers={"range": "bytes=0-1", "if-range": "W/" + etag_probe}),
        ],
    )
    # Multipart boundaries are random: compare the parts, not the bytes.
    for fw in (FASTAPI, FULMEN):
        response = run_once(build, fw, "/file", headers={"range": "bytes=0-3, 10-12"})
        assert response.status_code == 206
        boundary = response.headers["content-type"].split("boundary=")[1]
        assert int(response.headers["content-length"]) == len(response.content)
        parts = response.content.split(f"--{boundary}".encode())
        assert parts[1].endswith(b"\r\n\r\n" + bytes(range(4)) + b"\r\n"), fw.name
        assert parts[-1] == b"--"


def run_once(build: Any, fw: SimpleNamespace, url: str, **kwargs: Any) -> Any:
    with client_for(fw, build(fw)) as client:
        return client.get(url, **kwargs)
