"""An exception nobody foresaw ends in a calm message and a log without anything the member wrote."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app.cli import journal_cmds
from app.services.journal import Journal
from tests.cli.conftest import Kraft


def test_an_unexpected_error_is_a_calm_message_and_a_log_without_the_text(
        vault: Path, kraft: Kraft, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Journal, *args: object, **kwargs: object) -> None:
        raise ValueError("my private words")

    monkeypatch.setattr(Journal, "search", broken)  # a bug in a service, as one day there will be
    ran = kraft("journal", "search", "private")
    assert ran.code == 1 and "Traceback" not in ran.err
    assert ran.err.startswith("kraft: Something went wrong that Kraft did not expect (ValueError).")
    log = vault.parent / "log" / "kraft-cli.log"
    assert str(log) in ran.err
    text = log.read_text()
    assert "builtins.ValueError" in text and "journal_cmds.py" in text and "private" not in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert journal_cmds.cmd_search.__name__ in text  # where it happened, to find the cause
