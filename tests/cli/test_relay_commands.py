"""`kraft coordinator serve|add-token|enrol` load the relay only when they run, and say how to install it when
a member's install lacks it (the relay's packages are the "relay" extra)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.cli import coordinator_cmds
from coordinator import settings
from tests.cli.conftest import Kraft


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
