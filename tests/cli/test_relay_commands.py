"""`kraft coordinator serve|add-token|enrol` load the relay only when they run, and say how to install it when
a member's install lacks it (the relay's packages are the "relay" extra)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import coordinator_cmds
from coordinator import settings
from tests.cli.conftest import Kraft
from tests.relay_process import ROOT, free_port


def test_the_cli_defaults_are_the_relays() -> None:
    assert coordinator_cmds.REQUESTS_PER_MINUTE == settings.REQUESTS_PER_MINUTE
    assert coordinator_cmds.JOIN_CODE_LOOKUPS_PER_MINUTE == settings.JOIN_CODE_LOOKUPS_PER_MINUTE


@pytest.mark.parametrize("argv", [("serve", "--port", "1"), ("add-token",), ("enrol", "--uses", "1")])
def test_a_missing_relay_is_a_message_and_exit_2(kraft: Kraft, monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path, argv: tuple[str, ...]) -> None:
    for name in ("coordinator.main", "coordinator.crud", "coordinator.db"):
        monkeypatch.setitem(sys.modules, name, None)  # as if the relay were not installed
    result = kraft("coordinator", *argv, "--database-url", f"sqlite:///{tmp_path / 'relay.db'}")
    assert result.code == 2
    assert "pip install 'kraft[relay]'" in result.err
    assert "Traceback" not in result.err


def test_a_missing_postgresql_driver_is_the_same_message(kraft: Kraft, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    result = kraft("coordinator", "add-token", "--database-url", "postgresql://kraft@127.0.0.1:9/none")
    assert (result.code, "pip install 'kraft[relay]'" in result.err) == (2, True)


def test_another_missing_module_is_not_hidden(kraft: Kraft, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "sqlmodel", None)
    with pytest.raises(ModuleNotFoundError):
        kraft("coordinator", "add-token", "--database-url", f"sqlite:///{tmp_path / 'relay.db'}")


def _serve(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """`kraft coordinator serve ...` as a real process: a bad option must end it, so a hang fails the test."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["KRAFT_HOME"] = str(tmp_path)
    return subprocess.run([sys.executable, "-m", "app.cli.main", "coordinator", "serve", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("port", ["70000", "0", "-1", "http"])
def test_serve_refuses_a_port_out_of_range_before_it_says_where(tmp_path: Path, port: str) -> None:
    done = _serve(tmp_path, "--port", port, "--database-url", f"sqlite:///{tmp_path / 'relay.db'}")
    assert done.returncode == 2 and "65535" in done.stderr, done.stderr
    assert "Kraft relay on" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("url", ["notaurl://x", "not a url", "mysql://kraft@127.0.0.1/kraft", "sqlite+nosuch://"])
@pytest.mark.parametrize("command", ["serve", "add-token", "enrol"])
def test_a_database_url_the_relay_cannot_use_is_a_message(kraft: Kraft, tmp_path: Path, url: str,
                                                          command: str) -> None:
    if command == "serve":
        done = _serve(tmp_path, "--port", str(free_port()), "--database-url", url)
        code, text = done.returncode, done.stderr
    else:
        result = kraft("coordinator", command, "--database-url", url)
        code, text = result.code, result.err
    assert code == 2 and url in text and "sqlite:///" in text, text
    assert "Traceback" not in text and "Kraft relay on" not in text
