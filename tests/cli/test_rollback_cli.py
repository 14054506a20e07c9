"""The CLI tells what unlock found against the manifest (docs/adr/0011-rollback.md), then goes on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.cli.conftest import Kraft


def _add(kraft: Kraft, text: str) -> str:
    result = kraft("journal", "add", text)
    assert result.code == 0, result.err
    return result.out.strip()


def test_a_deleted_entry_is_told_on_unlock_and_the_command_still_runs(kraft: Kraft, vault: Path) -> None:
    _add(kraft, "Kept")
    gone = _add(kraft, "Deleted behind Kraft's back")
    with sqlite3.connect(vault / "kraft.db") as conn:
        conn.execute("DELETE FROM record WHERE id = ?", (gone,))
    result = kraft("journal", "list")
    assert result.code == 0 and "Kept" in result.out
    assert "Warning: Your journal may not be as you left it." in result.err
    assert "1 saved item is missing." in result.err
    assert "Nothing has been changed." in result.err


def test_a_normal_unlock_says_nothing_about_it(kraft: Kraft, vault: Path) -> None:
    _add(kraft, "An ordinary day")
    result = kraft("journal", "list")
    assert result.code == 0 and result.err == ""
