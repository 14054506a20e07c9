"""Every on-disk format ever written opens with today's code, upgraded, with every record intact."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from app.services.checkin import CANT_COME, CheckInService
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
        assert service.integrity is not None and service.integrity.ok  # the upgrade is not a rollback
        assert {e.id: e.text for e in journal.live_entries()} == expected["entries"]
        assert [e.id for e in journal.toolkit()["coping"]] == [expected["pinned"]]
        draft = journal.get_draft()
        assert draft is not None and draft.text == expected["draft"]
        groups = GroupService(service.engine, service.vault)
        led = expected.get("led", [])
        assert [g.id for g in groups.list() if g.id not in led] == expected["groups"]
        for group_id in expected["groups"]:
            assert groups.details(group_id) == GroupDetails(place="Rom 4")
        for group_id, said in expected.get("checkins", {}).items():  # sealed check-ins, with their start
            statuses = CheckInService(service.engine, service.vault).statuses(groups.get(group_id))
            assert {mid: c.status for mid, c in statuses.items()} == said
            assert all(c.start == mid for mid, c in statuses.items())
        for group_id in led:  # the leader's keys open, and the waiting registration is still there
            invite = LeaderService(service.engine, service.vault).invite(group_id, today=date(2026, 9, 1))
            assert read_invite(invite.token, today=date(2026, 9, 1))["label"] == "Ledd grupp"
            links = LinkStore(service.engine, service.vault)
            link = links.get(group_id)
            assert link is not None
            first_entry = [f"/v1/mailboxes/{link.mailbox}/messages"] if link.version == 2 else []
            # the registration first; a version 2 group's first log entry after it
            assert [w.path for w in links.waiting()] == ["/v1/mailboxes", *first_entry]
        assert db.applied_migrations(service.engine) == [n for n, _ in db.MIGRATIONS]
    finally:
        service.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        # what waited in plaintext was sealed at the first unlock, and no counter of requests is left (issue 16)
        assert conn.execute("SELECT count(*) FROM outbox WHERE sealed IS NULL OR path != ''").fetchall() == [(0,)]
        assert conn.execute("SELECT * FROM sqlite_master WHERE sql LIKE '%AUTOINCREMENT%'").fetchall() == []
        assert conn.execute("SELECT DISTINCT fmt, version > 0 FROM record").fetchall() == [(2, 1)]
    if expected.get("led"):  # nor is the old plaintext left anywhere in the file (secure_delete, the WAL folded)
        assert b"/v1/mailboxes" not in b"".join(f.read_bytes() for f in home.glob("kraft.db*"))


def test_an_old_format_1_ciphertext_written_back_after_the_upgrade_is_reported(home: Path) -> None:
    """The first unlock after the upgrade seals every format-1 record again as format 2: a format-1 copy of an
    entry, which has no version, can no longer pass for the current one (docs/adr/0011-rollback.md)."""
    path = _copy("0007_links_restored", home)
    with sqlite3.connect(path) as conn:
        entry_id, nonce, ct = conn.execute("SELECT id, nonce, ciphertext FROM record WHERE kind = 'entry'").fetchone()
    service = VaultService(home)
    service.unlock(PASSPHRASE)
    service.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE record SET fmt = 1, version = 0, nonce = ?, ciphertext = ? WHERE id = ?",
                     (nonce, ct, entry_id))
    again = VaultService(home)
    try:
        again.unlock(PASSPHRASE)
        assert again.integrity is not None and again.integrity.older == [entry_id]
    finally:
        again.close()


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


def test_an_anonymous_cant_come_from_before_0005_is_bound_to_the_meetings_original_start(home: Path) -> None:
    """Rows written before migration 0005 knew no start: the upgrade gives them the original start (the id),
    so the answer holds while the meeting stays, and a meeting that moved asks again."""
    from datetime import time

    from app.domain.schedule import Schedule

    engine = db.make_engine(home / "kraft.db")
    db.migrate(engine, db.MIGRATIONS[:4])  # an anonymous member's database as 0004 left it
    schedule = Schedule.weekly(zone="Europe/Oslo", first=date(2026, 9, 3), at=time(18), count=4)
    third, fourth = schedule.meetings()[2:4]
    moved = schedule.move(fourth.original_start, fourth.start.replace(hour=19))
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO meeting_group VALUES ('g1', 'Torsdag', ?)", (json.dumps(moved.to_dict()),))
        for meeting in (third, fourth):
            conn.exec_driver_sql("INSERT INTO checkin VALUES ('g1', ?, 'cant_come', '2026-09-01')", (meeting.id,))
    engine.dispose()
    service = VaultService(home)
    try:
        group = GroupService(service.engine).get("g1")
        checkins = CheckInService(service.engine)
        assert {c.meeting_id: c.start for c in checkins.statuses(group).values()} == {third.id: third.id,
                                                                                      fourth.id: fourth.id}
        assert checkins.status(group, third.id) == CANT_COME
        assert checkins.status(group, fourth.id) is None and checkins.asked_again(group, group.meeting(fourth.id))
    finally:
        service.close()
