"""The pure parts of the command line: the env-file reader and option checks."""

from __future__ import annotations

import pytest

from fulmen._envfile import parse_env
from fulmen.cli import build_parser, options_from


def test_env_file_format() -> None:
    text = """
    # a comment
    export TOKEN=abc123
    PLAIN = spaced value   # trailing comment
    DOUBLE="two\\nlines"
    SINGLE='kept # as is'
    EMPTY=
    """
    assert parse_env(text) == {
        "TOKEN": "abc123",
        "PLAIN": "spaced value",
        "DOUBLE": "two\nlines",
        "SINGLE": "kept # as is",
        "EMPTY": "",
    }
    for bad in ("NO_EQUALS", "1ABC=x", "BAD-NAME=x"):
        with pytest.raises(ValueError, match="line 1"):
            parse_env(bad)


def parse(*argv: str) -> object:
    return options_from(build_parser().parse_args(["run", "examples/items.py", *argv]))


def test_run_and_dev_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(__import__("cli_helpers").REPO)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    run = options_from(build_parser().parse_args(["run", "examples/items.py"]))
    dev = options_from(build_parser().parse_args(["dev", "examples/items.py"]))
    assert (run.host, run.reload, run.workers, run.supervised) == ("0.0.0.0", False, 1, False)
    assert (dev.host, dev.reload, dev.supervised) == ("127.0.0.1", True, True)
    assert (run.port, run.access_log, run.proxy_headers, run.lifespan) == (8000, True, True, "auto")
    assert run.timeout_graceful_shutdown is None
    assert run.bind == "0.0.0.0:8000"
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert options_from(build_parser().parse_args(["run", "examples/items.py"])).workers == 3
    tuned = options_from(
        build_parser().parse_args(
            ["run", "examples/items.py", "--host", "::1", "--header", "X-A: b: c"]
        )
    )
    assert tuned.bind == "[::1]:8000"
    assert tuned.headers == [("X-A", "b: c")]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "70000"], "not a port number"),
        (["--uds", "/tmp/x.sock", "--fd", "3"], "not both"),
        (["--limit-concurrency", "0"], "at least 1"),
        (["--workers", "0"], "at least 1"),
    ],
)
def test_invalid_options(monkeypatch: pytest.MonkeyPatch, argv: list[str], message: str) -> None:
    monkeypatch.chdir(__import__("cli_helpers").REPO)
    with pytest.raises(ValueError, match=message):
        parse(*argv)
