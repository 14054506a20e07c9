"""The CLI derives the passphrase's key while it loads (docs/adr/0015-kdf-ahead.md): once, on its own thread,
taken only after the unlock backoff counted the try; lines after the passphrase are read as before."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app import paths
from app.storage import crypto
from tests.cli.conftest import Kraft
from tests.cli.test_unlock_backoff_cli import seven_wrong_tries
from tests.conftest import PASSPHRASE


@pytest.fixture
def derivations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of the thread each Argon2id run happened on."""
    threads: list[str] = []
    real = crypto._derive

    def counted(*args: Any) -> bytes:
        threads.append(threading.current_thread().name)
        return real(*args)

    monkeypatch.setattr(crypto, "_derive", counted)
    return threads


def test_the_passphrase_from_stdin_is_derived_once_while_the_command_loads(
        kraft: Kraft, vault: Path, derivations: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KRAFT_PASSPHRASE")
    added = kraft("journal", "add", "--passphrase-stdin", stdin=PASSPHRASE + "\nKvällen vid sjön\n")
    assert added.code == 0, added.err
    assert derivations == ["kraft-kdf-ahead"]  # not again on the main thread
    found = kraft("journal", "search", "sjön", "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert found.code == 0 and "Kvällen vid sjön" in found.out
    assert derivations == ["kraft-kdf-ahead"] * 2
    assert crypto._ahead is None  # nothing is left in memory after the command


def test_a_wrong_passphrase_derived_ahead_is_still_wrong(
        kraft: Kraft, vault: Path, derivations: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KRAFT_PASSPHRASE", "not the passphrase at all")
    result = kraft("journal", "list")
    assert result.code == 1 and "does not open" in result.err
    assert derivations == ["kraft-kdf-ahead"]


def test_a_try_the_backoff_refuses_takes_no_key_derived_ahead(
        kraft: Kraft, vault: Path, derivations: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    now = seven_wrong_tries(kraft, monkeypatch)
    taken: list[bytes] = []
    real_take = crypto._Ahead.result
    monkeypatch.setattr(crypto._Ahead, "result", lambda self, *a: taken.append(b"") or real_take(self, *a))
    waiting = kraft("journal", "list")
    assert waiting.code == 1 and "Try again in 4 seconds." in waiting.err
    assert taken == [] and crypto._ahead is None  # derived, never looked at, forgotten
    now[0] += timedelta(seconds=4)
    assert kraft("journal", "list").code == 0 and len(taken) == 1


def test_no_journal_no_derivation_and_nothing_made(kraft: Kraft, home: Path, derivations: list[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KRAFT_PASSPHRASE", PASSPHRASE)
    result = kraft("journal", "list")
    assert result.code == 1 and derivations == []
    assert not (home / paths.DB_FILENAME).exists()


def test_stdin_that_is_not_utf8_is_still_said_so(kraft: Kraft, vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    monkeypatch.delenv("KRAFT_PASSPHRASE")
    bad = io.TextIOWrapper(io.BytesIO(b"\xff\xfe not utf-8\n"), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", bad)
    from app.cli.main import main

    assert main(["journal", "list", "--passphrase-stdin"]) == 2
