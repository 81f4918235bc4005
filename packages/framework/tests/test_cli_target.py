"""Finding the app (module:attr, files, folders, pyproject.toml) and the exit codes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from cli_helpers import run_cli, serve

from fulmen._discover import AppImportError, TargetError, load_app, parse_target

pytestmark = pytest.mark.timeout(120)

APP = """
from fulmen import FastAPI

{name} = FastAPI()


@{name}.get("/")
async def root() -> dict[str, str]:
    return {{"served": "{label}"}}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


# ---- discovery, in process (real imports of real files) -----------------------


def test_file_in_packages_gets_its_dotted_module_name(tmp_path: Path) -> None:
    write(tmp_path / "shop" / "__init__.py", "")
    write(tmp_path / "shop" / "api" / "__init__.py", "")
    write(tmp_path / "shop" / "api" / "main.py", APP.format(name="app", label="pkg"))
    target = parse_target("shop/api/main.py", cwd=tmp_path)
    assert (target.module, target.attr, target.path_entry) == ("shop.api.main", None, str(tmp_path))


def test_module_attr_and_errors(tmp_path: Path) -> None:
    assert parse_target("pkg.mod:app.inner", cwd=tmp_path).attr == "app.inner"
    for bad, message in [
        ("pkg:", "nothing after ':'"),
        ("pkg:1x", "not an attribute name"),
        ("missing.py", "no such file"),
        ("not a module", "expected module:attribute"),
    ]:
        with pytest.raises(TargetError, match=message):
            parse_target(bad, cwd=tmp_path)


def test_app_then_api_then_first_instance(tmp_path: Path) -> None:
    write(
        tmp_path / "both.py",
        APP.format(name="api", label="api") + APP.format(name="app", label="app"),
    )
    write(tmp_path / "only_api.py", APP.format(name="api", label="api"))
    write(tmp_path / "other.py", "app = 'not an app'\n" + APP.format(name="service", label="s"))
    write(tmp_path / "none.py", "x = 1\n")
    found = {
        name: load_app(parse_target(f"{name}.py", cwd=tmp_path))
        for name in ("both", "only_api", "other")
    }
    both = sys.modules["both"]
    assert found["both"] is both.app
    assert found["only_api"] is sys.modules["only_api"].api
    assert found["other"] is sys.modules["other"].service
    with pytest.raises(TargetError, match="no FastAPI/Fulmen app"):
        load_app(parse_target("none.py", cwd=tmp_path))
    with pytest.raises(TargetError, match="has no attribute 'nope'"):
        load_app(parse_target("both.py:nope", cwd=tmp_path))


def test_import_errors_are_startup_failures(tmp_path: Path) -> None:
    write(tmp_path / "broken_dep.py", "import surely_not_installed_pkg\n")
    write(tmp_path / "raises.py", "raise RuntimeError('boom at import')\n")
    with pytest.raises(AppImportError, match="surely_not_installed_pkg"):
        load_app(parse_target("broken_dep.py", cwd=tmp_path))
    with pytest.raises(AppImportError, match="boom at import"):
        load_app(parse_target("raises.py", cwd=tmp_path))
    with pytest.raises(TargetError, match="no module named 'no_such_module_here'"):
        load_app(parse_target("no_such_module_here:app", cwd=tmp_path))


def test_pyproject_fulmen_then_fastapi_then_default_files(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.fulmen]\napp = "svc.web:application"\n')
    target = parse_target(None, cwd=tmp_path)
    assert (target.module, target.attr) == ("svc.web", "application")
    write(tmp_path / "pyproject.toml", '[tool.fastapi]\nentrypoint = "main:api"\n')
    assert parse_target(None, cwd=tmp_path).attr == "api"
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    with pytest.raises(TargetError, match="no app given"):
        parse_target(None, cwd=tmp_path)
    write(tmp_path / "app" / "main.py", APP.format(name="app", label="default"))
    assert parse_target(None, cwd=tmp_path).module == "main"


# ---- the command ---------------------------------------------------------------


def test_serves_from_pyproject_without_a_target(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.fulmen]\napp = "svc.web:application"\n')
    write(tmp_path / "svc" / "__init__.py", "")
    write(tmp_path / "svc" / "web.py", APP.format(name="application", label="pyproject"))
    with serve([], cwd=tmp_path, tmp_path=tmp_path) as served:
        assert httpx.get(served.url).json() == {"served": "pyproject"}


def test_python_m_fulmen_and_file_colon_attr(tmp_path: Path) -> None:
    write(
        tmp_path / "two.py",
        APP.format(name="app", label="app") + APP.format(name="admin", label="admin"),
    )
    port = str(__import__("cli_helpers").free_port())
    log = tmp_path / "log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "fulmen", "dev", "two.py:admin", "--no-reload", "--port", port],
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    from cli_helpers import Served, wait_until_serving

    served = Served(process, f"http://127.0.0.1:{port}", log)
    try:
        wait_until_serving(served)
        assert httpx.get(served.url).json() == {"served": "admin"}
    finally:
        assert served.stop() == 0


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("nowhere.py", "no such file"),
        ("examples/items.py:nope", "has no attribute 'nope'"),
        ("no_such_module_xyz:app", "no module named 'no_such_module_xyz'"),
        ("examples/__init__.py:x:y", "not an attribute name"),
    ],
)
def test_wrong_target_exits_2_with_one_line(target: str, message: str) -> None:
    result = run_cli(["run", target])
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("fulmen: error: ")
    assert message in result.stderr


def test_bad_options_exit_2() -> None:
    assert run_cli([]).returncode == 2  # no command: the help, on stderr
    assert run_cli(["run", "examples/items.py", "--workers", "0"]).returncode == 2
    assert run_cli(["run", "examples/items.py", "--ssl-keyfile", "k.pem"]).returncode == 2
    assert run_cli(["run", "examples/items.py", "--log-format", "xml"]).returncode == 2
    assert run_cli(["run", "examples/items.py", "--env-file", "/nonexistent.env"]).returncode == 2
    help_ = run_cli(["run", "--help"])
    assert help_.returncode == 0
    assert "--forwarded-allow-ips" in help_.stdout
    assert "default: 0.0.0.0" in help_.stdout
    assert "default: 127.0.0.1" in run_cli(["dev", "--help"]).stdout


@pytest.mark.parametrize("workers", ["1", "2"])
def test_failing_app_exits_3_with_the_cause(tmp_path: Path, workers: str) -> None:
    write(tmp_path / "bad_import.py", "import definitely_missing_dependency\n")
    write(
        tmp_path / "bad_lifespan.py",
        """
        from contextlib import asynccontextmanager
        from fulmen import FastAPI

        @asynccontextmanager
        async def lifespan(app):
            raise ConnectionError("database unreachable")
            yield

        app = FastAPI(lifespan=lifespan)
        """,
    )
    imported = run_cli(["run", "bad_import.py", "--port", "0", "--workers", workers], cwd=tmp_path)
    assert imported.returncode == 3, imported.stderr
    assert "definitely_missing_dependency" in imported.stderr
    lifespan = run_cli(
        ["run", "bad_lifespan.py", "--port", "0", "--workers", workers], cwd=tmp_path
    )
    assert lifespan.returncode == 3, lifespan.stderr
    assert lifespan.stderr.strip().splitlines()[-1] == (
        "fulmen: error: the app failed to start: ConnectionError: database unreachable"
    )


def test_address_in_use_exits_2(tmp_path: Path) -> None:
    with serve(["examples/items.py"], tmp_path=tmp_path) as served:
        port = served.url.rsplit(":", 1)[1]
        result = run_cli(["run", "examples/items.py", "--host", "127.0.0.1", "--port", port])
    assert result.returncode == 2
    assert "cannot bind 127.0.0.1:" in result.stderr


def test_factory_and_lifespan_off(tmp_path: Path) -> None:
    write(
        tmp_path / "factory.py",
        """
        from contextlib import asynccontextmanager
        from fulmen import FastAPI

        @asynccontextmanager
        async def lifespan(app):
            raise ConnectionError("database unreachable")
            yield

        def create_app() -> FastAPI:
            app = FastAPI(lifespan=lifespan)

            @app.get("/")
            async def root() -> dict[str, str]:
                return {"served": "factory"}

            return app
        """,
    )
    with serve(
        ["factory.py:create_app", "--factory", "--lifespan", "off"], cwd=tmp_path, tmp_path=tmp_path
    ) as served:
        assert httpx.get(served.url).json() == {"served": "factory"}
    failed = run_cli(["run", "factory.py:create_app", "--factory", "--port", "0"], cwd=tmp_path)
    assert failed.returncode == 3
    assert "database unreachable" in failed.stderr
