"""`kraft checkin` in-process: anonymous without a passphrase, sealed with one, history, undo, bad input."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.cli import clock
from tests.cli.conftest import Kraft
from tests.cli.test_group_cli import add_group, ids_of

FIRST = date(2026, 11, 3)  # Tuesdays 18:00 Stockholm: 3, 10, 17, 24 Nov ...
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)  # after the third meeting, before the fourth


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def _plaintext(home: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(home / "kraft.db") as conn:
        return conn.execute("SELECT group_id, meeting_id, status FROM checkin ORDER BY meeting_id").fetchall()


def test_anonymous_checkin_cant_come_history_and_undo(kraft: Kraft, home: Path) -> None:
    assert "KRAFT_PASSPHRASE" not in os.environ
    group_id = add_group(kraft, "Tisdag", "--count", "6", first=FIRST)
    first, second, third, fourth = ids_of(FIRST, 4)
    done = kraft("checkin", group_id[:6])
    assert done.code == 0 and done.out.startswith("Checked in: you were at the meeting on Nov 17, 2026")
    noted = kraft("checkin", group_id[:6], "--cant-come", "--json")
    data = json.loads(noted.out)
    assert (data["status"], data["meeting"]["id"]) == ("cant_come", fourth)
    assert kraft("checkin", group_id[:6], "--meeting", first).code == 0
    assert _plaintext(home) == [(group_id, first, "attended"), (group_id, third, "attended"),
                                (group_id, fourth, "cant_come")]
    history = json.loads(kraft("checkin", group_id[:6], "--history", "--json").out)
    assert (history["attended"], history["held"]) == (2, 3)
    assert [(m["id"], m["status"]) for m in history["meetings"]] == [
        (third, "attended"), (second, None), (first, "attended"), (fourth, "cant_come")]
    text = kraft("checkin", group_id[:6], "--history").out
    assert "You were at 2 of 3 meetings." in text and "can't come" in text
    undone = kraft("checkin", group_id[:6], "--undo", "--cant-come")
    assert undone.code == 0 and "Took back" in undone.out
    assert (group_id, fourth, "cant_come") not in _plaintext(home)


def test_bad_input_is_explained(kraft: Kraft, home: Path) -> None:
    group_id = add_group(kraft, "Tisdag", "--count", "6", first=FIRST)
    fourth = ids_of(FIRST, 4)[3]
    cases = [
        (("--meeting", fourth), "has not begun yet"),
        (("--meeting", "20261104T170000Z"), "no meeting with id"),
        (("--meeting", ids_of(FIRST, 1)[0], "--cant-come"), "already begun"),
        (("--history", "--undo"), "--history lists every meeting"),
    ]
    for args, message in cases:
        result = kraft("checkin", group_id, *args)
        assert result.code == 2 and message in result.err, (args, result.err)
    assert _plaintext(home) == []
    unknown = kraft("checkin", "ffffffff")
    assert unknown.code == 2 and "No group" in unknown.err


def test_with_a_journal_checkins_are_sealed_and_need_the_passphrase(kraft: Kraft, vault: Path) -> None:
    group_id = add_group(kraft, "Tisdag", "--count", "6", first=FIRST)
    os.environ.pop("KRAFT_PASSPHRASE")
    refused = kraft("checkin", group_id)
    assert refused.code == 2 and "passphrase" in refused.err.lower()
    done = kraft("checkin", group_id, "--passphrase-stdin", stdin="correct horse battery\n")
    assert done.code == 0, done.err
    assert _plaintext(vault) == []
    history = kraft("checkin", group_id, "--history", "--json", "--passphrase-stdin", stdin="correct horse battery\n")
    assert json.loads(history.out)["attended"] == 1
