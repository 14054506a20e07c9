"""Every on-disk format ever written opens with today's code, upgraded, with every record intact."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from app.services.groups import GroupDetails, GroupService
from app.services.leader import LeaderService
from app.services.links import LinkStore
from app.services.vault_service import VaultService
from app.storage import db
from protocol import read_invite
from tests.conftest import PASSPHRASE

FORMATS = Path(__file__).parents[1] / "fixtures" / "formats"
EXPECTED = json.loads((FORMATS / "expected.json").read_text())


def _copy(name: str, home: Path) -> Path:
    target = home / "kraft.db"
    shutil.copy(FORMATS / f"{name}.db", target)
    return target


def test_there_is_a_fixture_for_every_migration() -> None:
    names = [name for name, _ in db.MIGRATIONS]
    assert sorted(EXPECTED) == names  # a new migration needs its fixture: python -m tests.fixtures.formats.make NAME
    assert all((FORMATS / f"{name}.db").exists() for name in names)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_fixture_opens_upgraded_with_every_record(name: str, home: Path) -> None:
    expected = EXPECTED[name]
    path = _copy(name, home)
    service = VaultService(home)
    try:
        journal = service.unlock(PASSPHRASE)
        assert journal.damaged == []
        assert {e.id: e.text for e in journal.live_entries()} == expected["entries"]
        assert [e.id for e in journal.toolkit()["coping"]] == [expected["pinned"]]
        draft = journal.get_draft()
        assert draft is not None and draft.text == expected["draft"]
        groups = GroupService(service.engine, service.vault)
        led = expected.get("led", [])
        assert [g.id for g in groups.list() if g.id not in led] == expected["groups"]
        for group_id in expected["groups"]:
            assert groups.details(group_id) == GroupDetails(place="Rom 4")
        for group_id in led:  # the leader's keys open, and the waiting registration is still there
            invite = LeaderService(service.engine, service.vault).invite(group_id, today=date(2026, 9, 1))
            assert read_invite(invite.token, today=date(2026, 9, 1))["label"] == "Ledd grupp"
            assert [w.path for w in LinkStore(service.engine, service.vault).waiting()] == ["/v1/mailboxes"]
        assert db.applied_migrations(service.engine) == [n for n, _ in db.MIGRATIONS]
    finally:
        service.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_an_upgrade_cut_short_leaves_the_old_version_usable(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _copy("0002_groups", home)

    def power_cut(conn: object) -> None:
        conn.exec_driver_sql("CREATE TABLE checkin (group_id VARCHAR)")  # type: ignore[attr-defined]
        raise OSError("power cut during the upgrade")

    monkeypatch.setattr(db, "MIGRATIONS", [*db.MIGRATIONS[:2], ("0003_checkins", power_cut)])
    with pytest.raises(OSError):
        VaultService(home).engine  # noqa: B018 (opening runs the migrations)
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        done = [r[0] for r in conn.execute("SELECT name FROM schema_migration")]
    assert "checkin" not in tables and done == ["0001_initial", "0002_groups"]
    monkeypatch.undo()
    service = VaultService(home)  # the next start upgrades for real, nothing lost
    try:
        assert {e.id for e in service.unlock(PASSPHRASE).live_entries()} == set(EXPECTED["0002_groups"]["entries"])
        assert db.applied_migrations(service.engine) == [n for n, _ in db.MIGRATIONS]
    finally:
        service.close()
