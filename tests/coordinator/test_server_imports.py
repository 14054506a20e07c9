"""The relay is server code that shares only the wire format with the app (docs/adr/0004-relay-protocol.md):
neither it nor `kraft coordinator` may pull in Flet (a region's server has no UI, and may not even have Flet's
wheels), the relay never loads the app (not app.i18n, services, storage, views or the CLI), and the member's
CLI loads the relay only when a relay command runs. Checked on the real import closure, in a fresh
interpreter each."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _loaded(code: str) -> list[str]:
    """The modules a fresh interpreter has loaded after running `code` in the repository."""
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _under(modules: list[str], *tops: str) -> list[str]:
    return [m for m in modules if m.split(".")[0] in tops]


def test_the_relay_and_its_commands_import_no_flet() -> None:
    modules = _loaded("import coordinator.main, app.cli.coordinator_cmds, app.cli.main")
    assert [m for m in modules if m.split(".")[0].startswith("flet")] == []


def test_the_relay_built_by_its_factory_loads_nothing_of_the_app() -> None:
    modules = _loaded("import pkgutil, importlib, coordinator\n"
                      "from coordinator.main import create_app\n"
                      "from coordinator.settings import Settings\n"
                      "create_app(Settings(database_url='sqlite://'))\n"
                      "for m in pkgutil.walk_packages(coordinator.__path__, 'coordinator.'):\n"
                      "    importlib.import_module(m.name)")
    assert "coordinator.api.routes.mailboxes" in modules  # the walk did load the relay
    assert _under(modules, "app") == []
    assert [m for m in modules if m.split(".")[0].startswith("flet")] == []


def test_the_protocol_loads_neither_the_app_nor_the_relay() -> None:
    modules = _loaded("import pkgutil, importlib, protocol\n"
                      "for m in pkgutil.iter_modules(protocol.__path__):\n"
                      "    importlib.import_module('protocol.' + m.name)")
    assert "protocol.suppression" in modules
    assert _under(modules, "app", "coordinator", "fastapi", "starlette", "sqlmodel", "sqlalchemy", "pydantic",
                  "httpx", "psycopg") == []
    assert [m for m in modules if m.split(".")[0].startswith("flet")] == []


def test_the_cli_loads_the_relay_only_when_a_relay_command_runs() -> None:
    modules = _loaded("import app.cli.main, app.cli.coordinator_cmds\n"
                      "app.cli.main.build_parser()")
    assert _under(modules, "coordinator", "fastapi", "starlette", "uvicorn", "psycopg") == []
