"""Rollback and deletion are noticed at unlock (docs/adr/0011-rollback.md): an old ciphertext written back, a
deleted or an extra row, a tampered manifest, an older copy of the whole database. Nothing is changed; a
normal life (add, edit, delete, drafts written late, groups removed while locked, backup, restore, import)
never gives a false report."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from app.domain.journal import Draft, utcnow
from app.domain.schedule import Schedule
from app.services import transfer
from app.services.backup import create_backup, restore_backup
from app.services.groups import GroupDetails, GroupService
from app.services.journal import Journal
from app.services.vault_service import VaultService
from app.storage.manifest import IntegrityReport
from tests.conftest import FAST_KDF, PASSPHRASE

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _db(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(home / "kraft.db", isolation_level=None)


def _row(home: Path, record_id: str) -> tuple[bytes, bytes, int]:
    conn = _db(home)
    try:
        found = conn.execute("SELECT nonce, ciphertext, version FROM record WHERE id = ?", (record_id,)).fetchone()
    finally:
        conn.close()
    return found[0], found[1], found[2]


def _sql(home: Path, statement: str, *args: object) -> None:
    conn = _db(home)
    try:
        conn.execute(statement, args)
    finally:
        conn.close()


def _reopen(home: Path) -> tuple[VaultService, IntegrityReport]:
    again = VaultService(home, kdf=FAST_KDF)
    again.unlock(PASSPHRASE)
    assert again.integrity is not None
    return again, again.integrity


def test_an_old_ciphertext_written_back_is_reported_and_left_as_it_is(
        service: VaultService, journal: Journal, home: Path) -> None:
    entry = journal.add("Before the edit")
    old = _row(home, entry.id)
    journal.edit(entry.id, text="After the edit")
    service.close()
    _sql(home, "UPDATE record SET nonce = ?, ciphertext = ?, version = ? WHERE id = ?", *old, entry.id)

    again, report = _reopen(home)
    assert report.older == [entry.id] and not report.ok
    assert again.require_journal().get(entry.id).text == "Before the edit"  # readable, and not changed
    assert _row(home, entry.id) == old
    again.close()


def test_an_old_ciphertext_under_the_new_version_number_does_not_open(
        service: VaultService, journal: Journal, home: Path) -> None:
    entry = journal.add("Before the edit")
    nonce, ct, _version = _row(home, entry.id)
    journal.edit(entry.id, text="After the edit")
    service.close()
    _sql(home, "UPDATE record SET nonce = ?, ciphertext = ? WHERE id = ?", nonce, ct, entry.id)

    again, _report = _reopen(home)
    assert again.require_journal().damaged == [entry.id]  # the version is in the associated data
    again.close()


def test_a_deleted_row_is_reported(service: VaultService, journal: Journal, home: Path) -> None:
    kept, gone = journal.add("Kept"), journal.add("Deleted behind the app's back")
    service.close()
    _sql(home, "DELETE FROM record WHERE id = ?", gone.id)

    again, report = _reopen(home)
    assert len(report.missing) == 1 and not report.ok
    assert again.require_journal().get(kept.id).text == "Kept"
    again.close()


def test_a_deleted_entry_put_back_is_an_unknown_extra_record(
        service: VaultService, journal: Journal, home: Path) -> None:
    entry = journal.add("Deleted for good")
    conn = _db(home)
    row = conn.execute("SELECT id, kind, fmt, nonce, ciphertext, version FROM record WHERE id = ?",
                       (entry.id,)).fetchone()
    conn.close()
    journal.delete(entry.id)
    journal.purge_deleted(older_than=timedelta(0))
    service.close()
    _sql(home, "INSERT INTO record (id, kind, fmt, nonce, ciphertext, version) VALUES (?, ?, ?, ?, ?, ?)", *row)

    again, report = _reopen(home)
    assert report.extra == [entry.id] and not report.ok
    again.close()


def test_a_tampered_manifest_is_reported(service: VaultService, journal: Journal, home: Path) -> None:
    journal.add("Anything")
    service.close()
    conn = _db(home)
    mac = conn.execute("SELECT mac FROM manifest").fetchone()[0]
    conn.execute("UPDATE manifest SET mac = ?", (bytes([mac[0] ^ 1]) + mac[1:],))
    conn.close()

    again, report = _reopen(home)
    assert report.manifest_invalid and not report.ok
    again.close()


def test_a_removed_manifest_is_reported(service: VaultService, journal: Journal, home: Path) -> None:
    journal.add("Anything")
    service.close()
    _sql(home, "DELETE FROM manifest")

    again, report = _reopen(home)
    assert report.manifest_invalid and not report.ok
    again.close()


def test_an_older_copy_of_the_whole_database_is_reported(
        service: VaultService, journal: Journal, home: Path, tmp_path: Path) -> None:
    journal.add("First")
    service.lock()  # folds the WAL back: the one file holds it all
    shutil.copy(home / "kraft.db", tmp_path / "old.db")
    journal = service.unlock(PASSPHRASE)
    journal.add("Second, lost when the old copy comes back")
    service.close()
    for leftover in ("kraft.db-wal", "kraft.db-shm"):
        (home / leftover).unlink(missing_ok=True)
    shutil.copy(tmp_path / "old.db", home / "kraft.db")

    again, report = _reopen(home)
    assert report.older_database and not report.ok
    assert report.older == [] and report.missing == []  # the old copy is consistent in itself
    again.close()


def test_the_counter_outside_the_database_is_owner_only(journal: Journal, home: Path) -> None:
    journal.add("Anything")
    counter = home / "kraft.db.counter"
    assert counter.exists() and counter.stat().st_mode & 0o077 == 0


def _normal_life(service: VaultService, journal: Journal) -> None:
    first = journal.add("Monday")
    second = journal.add("Tuesday")
    journal.edit(first.id, text="Monday, written again")
    journal.delete(second.id)
    journal.purge_deleted(older_than=timedelta(0))
    journal.save_draft(Draft(key="new", text="half a thought", saved=utcnow()))
    schedule = Schedule.weekly(zone="Europe/Oslo", first=date(2026, 12, 1), at=time(18), count=8)
    groups = GroupService(service.engine, service.vault)
    kept = groups.add("Tirsdag", schedule, GroupDetails(place="Storgata 1"))
    gone = groups.add("Onsdag", schedule, GroupDetails(place="Torget 2"))
    groups.update_details(kept.id, place="Storgata 3")
    groups.remove(gone.id)


def test_a_normal_life_gives_no_report(service: VaultService, journal: Journal, home: Path) -> None:
    _normal_life(service, journal)
    service.lock()
    journal = service.unlock(PASSPHRASE)
    assert service.integrity is not None and service.integrity.ok
    transfer.import_file(journal, "jrnl-json", (FIXTURES / "jrnl.json").read_bytes(), source="jrnl.json")
    service.close()
    again, report = _reopen(home)
    assert report.ok, report
    again.close()


def _busy(*_args: object, **_kw: object) -> None:
    raise OperationalError("INSERT", {}, Exception("database is locked"))


def test_a_draft_written_after_the_lock_gives_no_report(
        service: VaultService, journal: Journal, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal.save_draft(Draft("new", "the first words"))
    with monkeypatch.context() as m:
        m.setattr(service.vault, "_write_rows", _busy)  # the database is busy: the sealed draft waits
        assert journal.save_draft(Draft("new", "typed just before the lock")) is False
        service.lock()
        assert service.vault.deferred == 1
    assert service.vault.flush_deferred()  # written without the data key, after the lock
    service.close()
    again, report = _reopen(home)
    assert report.ok, report
    draft = again.require_journal().get_draft("new")
    assert draft is not None and draft.text == "typed just before the lock"
    again.close()


def test_a_group_removed_while_locked_gives_no_report(
        service: VaultService, journal: Journal, home: Path) -> None:
    schedule = Schedule.weekly(zone="Europe/Oslo", first=date(2026, 12, 1), at=time(18), count=8)
    group = GroupService(service.engine, service.vault).add("Tirsdag", schedule, GroupDetails(place="Storgata 1"))
    journal.add("An entry")
    service.close()
    locked = VaultService(home, kdf=FAST_KDF)
    GroupService(locked.engine, locked.vault).remove(group.id)  # no key: the records go by id
    locked.close()
    again, report = _reopen(home)
    assert report.ok, report
    again.close()


def test_a_restored_backup_gives_no_report(
        service: VaultService, journal: Journal, home: Path, tmp_path: Path) -> None:
    journal.add("In the backup")
    dest = tmp_path / "b.kraftbackup"
    create_backup(service, dest)
    journal.add("Written after the backup: the restore takes the journal back, as the member asked")
    service.close()
    restore_backup(home, dest, PASSPHRASE, replace=True)

    again, report = _reopen(home)
    assert report.ok, report
    assert [e.text for e in again.require_journal().live_entries()] == ["In the backup"]
    again.close()


def test_a_groups_details_deleted_while_the_group_is_there_are_reported(
        service: VaultService, journal: Journal, home: Path) -> None:
    schedule = Schedule.weekly(zone="Europe/Oslo", first=date(2026, 12, 1), at=time(18), count=8)
    group = GroupService(service.engine, service.vault).add("Tirsdag", schedule, GroupDetails(place="Storgata 1"))
    service.close()
    _sql(home, "DELETE FROM record WHERE id = ?", group.id)  # the group stays: only its sealed details go

    again, report = _reopen(home)
    assert len(report.missing) == 1 and not report.ok
    again.close()
