"""`kraft` obeys the unlock backoff (docs/adr/0009-web-client.md): after five wrong passphrases it says how
long to wait and exits non-zero without trying, even with the right one; the clock is injected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import paths
from app.cli import clock, console
from app.services.context import AppContext
from tests.cli.conftest import Kraft
from tests.conftest import FAST_KDF, PASSPHRASE


def seven_wrong_tries(kraft: Kraft, monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """Seven wrong passphrases a minute apart on a clock the test moves (now[0]); then the right one is set,
    and the next try must wait 4 seconds."""
    now = [datetime(2026, 12, 4, 18, 0, tzinfo=UTC)]
    monkeypatch.setattr(console, "new_context",
                        lambda: AppContext.open(paths.data_dir(create=False), kdf=FAST_KDF, clock=lambda: now[0]))
    monkeypatch.setattr(clock, "now", lambda: now[0])  # `journal list` reads without the context (ADR 0018)
    monkeypatch.setenv("KRAFT_PASSPHRASE", "wrong passphrase")
    for _ in range(7):
        now[0] += timedelta(minutes=1)
        result = kraft("journal", "list")
        assert result.code == 1 and "does not open" in result.err
    monkeypatch.setenv("KRAFT_PASSPHRASE", PASSPHRASE)
    return now


def test_the_cli_prints_the_wait_and_exits_non_zero(kraft: Kraft, vault: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    now = seven_wrong_tries(kraft, monkeypatch)
    waiting = kraft("journal", "list")
    assert waiting.code == 1 and "Try again in 4 seconds." in waiting.err
    assert "Traceback" not in waiting.err
    now[0] += timedelta(seconds=4)
    assert kraft("journal", "list").code == 0
