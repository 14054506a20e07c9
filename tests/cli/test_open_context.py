"""`open_context`, the one way every command opens the member's data."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from app.cli.console import Secrets, open_context
from app.errors import KraftError, Msg
from tests.cli.conftest import Kraft


def test_without_a_journal_if_vault_needs_no_passphrase_and_unlock_names_the_error(
        kraft: Kraft, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # a passphrase asked for would be missing
    with open_context(Secrets(from_stdin=True), unlock=True, if_vault=True) as ctx:
        assert not ctx.has_vault() and ctx.home == home
    with pytest.raises(KraftError) as refused, open_context(Secrets(from_stdin=True), unlock=True,
                                                            no_vault=Msg.LEADER_NEEDS_JOURNAL):
        pass
    assert refused.value.msg is Msg.LEADER_NEEDS_JOURNAL


def test_unlock_opens_the_journal_and_the_exit_locks_it(kraft: Kraft, vault: Path) -> None:
    with open_context(Secrets(from_stdin=False), unlock=True) as ctx:
        assert ctx.is_unlocked and ctx.journal.count() == 0
        assert ctx.groups is ctx.leader._groups  # one set of services for the command
    assert not ctx.is_unlocked
    with open_context(unlock=False) as locked:
        assert locked.has_vault() and not locked.is_unlocked
