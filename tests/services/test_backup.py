"""Encrypted backups: made with the journal open, checked and restored with the passphrase or recovery code."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from app.domain.schedule import Schedule
from app.errors import KraftError, Msg
from app.services.backup import create_backup, restore_backup, verify_backup
from app.services.groups import GroupDetails, GroupService
from app.services.journal import Journal
from app.services.vault_service import VaultService
from app.storage.slots import RECOVERY
from tests.conftest import FAST_KDF, PASSPHRASE

MARKER = "Backup-MARKER-åäö"


def _fill(service: VaultService, journal: Journal, n: int = 5) -> list[str]:
    ids = [journal.add(f"{MARKER} entry {i}").id for i in range(n)]
    schedule = Schedule.weekly(zone="Europe/Oslo", first=date(2026, 12, 1), at=time(18), count=8)
    GroupService(service.engine, service.vault).add("Tirsdag", schedule, GroupDetails(place="Storgata 1"))
    return ids


def _recovery_code(service: VaultService) -> str:
    return service.replace_recovery_code(PASSPHRASE)


def test_a_backup_holds_everything_encrypted_and_opens_with_the_passphrase(
        service: VaultService, journal: Journal, tmp_path: Path) -> None:
    _fill(service, journal)
    dest = tmp_path / "b.kraftbackup"
    report = create_backup(service, dest, today=date(2026, 11, 22))
    assert (report.entries, report.groups, report.damaged) == (5, 1, 0)
    raw = dest.read_bytes()
    for plain in (MARKER.encode(), b"Tirsdag", b"Storgata", b"Europe/Oslo", b"SQLite format"):
        assert plain not in raw  # labels and schedules are plaintext in the db, not in a backup
    assert dest.stat().st_mode & 0o077 == 0
    again = verify_backup(dest, PASSPHRASE)
    assert again == report and again.created == date(2026, 11, 22)
    with pytest.raises(KraftError) as wrong:
        verify_backup(dest, "not the passphrase")
    assert wrong.value.msg is Msg.BACKUP_WRONG_PASSPHRASE  # the backup's own words: it is not this journal


def test_restore_on_a_new_device_then_unlock_with_the_recovery_code(
        service: VaultService, journal: Journal, tmp_path: Path) -> None:
    code = _recovery_code(service)
    ids = _fill(service, journal)
    dest = tmp_path / "b.kraftbackup"
    create_backup(service, dest)
    new_home = tmp_path / "new-device"
    new_home.mkdir()
    result = restore_backup(new_home, dest, code, kind=RECOVERY)
    assert result.safety_copies == [] and result.report.entries == 5
    fresh = VaultService(new_home, kdf=FAST_KDF)
    try:
        restored = fresh.recover(code, "a brand new passphrase")
        assert sorted(e.id for e in restored.page(limit=50).entries) == sorted(ids)
        assert GroupService(fresh.engine, fresh.vault).readable_details(
            GroupService(fresh.engine).list()[0].id) == GroupDetails(place="Storgata 1")
    finally:
        fresh.close()


def test_restore_over_existing_data_needs_confirmation_and_keeps_a_safety_copy(
        service: VaultService, journal: Journal, tmp_path: Path) -> None:
    _fill(service, journal, n=2)
    dest = tmp_path / "b.kraftbackup"
    create_backup(service, dest)
    journal.add("written after the backup")
    service.close()
    db = service.home / "kraft.db"
    before = db.read_bytes()
    with pytest.raises(KraftError) as refused:
        restore_backup(service.home, dest, PASSPHRASE)
    assert refused.value.msg is Msg.RESTORE_WOULD_REPLACE
    assert db.read_bytes() == before  # nothing touched
    result = restore_backup(service.home, dest, PASSPHRASE, replace=True,
                            now=datetime(2026, 11, 22, 10, 0, tzinfo=UTC))
    assert result.safety_copies[0].name == "before-restore-20261122T100000-kraft.db"
    assert result.safety_copies[0].read_bytes() == before
    reopened = VaultService(service.home, kdf=FAST_KDF)
    try:
        texts = [e.text for e in reopened.unlock(PASSPHRASE).page(limit=50).entries]
        assert len(texts) == 2 and "written after the backup" not in texts
    finally:
        reopened.close()
    saved = VaultService(tmp_path / "safety", kdf=FAST_KDF)  # the safety copy still opens, with the newer entry
    (tmp_path / "safety").mkdir()
    (tmp_path / "safety" / "kraft.db").write_bytes(result.safety_copies[0].read_bytes())
    try:
        assert "written after the backup" in [e.text for e in saved.unlock(PASSPHRASE).page(limit=50).entries]
    finally:
        saved.close()


@pytest.mark.parametrize("damage", ["flip-ciphertext", "flip-header", "truncate", "not-a-backup", "empty"])
def test_a_damaged_backup_is_refused_and_nothing_is_written(
        service: VaultService, journal: Journal, tmp_path: Path, damage: str) -> None:
    _fill(service, journal, n=1)
    dest = tmp_path / "b.kraftbackup"
    create_backup(service, dest)
    data = bytearray(dest.read_bytes())
    if damage == "flip-ciphertext":
        data[-40] ^= 1
    elif damage == "flip-header":
        data[data.index(b'"created"') + 14] ^= 1  # a digit of the date: still valid JSON
    elif damage == "truncate":
        del data[len(data) // 2:]
    elif damage == "not-a-backup":
        data = bytearray(b"SQLite format 3\x00" + bytes(100))
    else:
        data = bytearray()
    dest.write_bytes(bytes(data))
    target = tmp_path / "target"
    target.mkdir()
    with pytest.raises(KraftError) as refused:
        restore_backup(target, dest, PASSPHRASE)
    assert refused.value.msg is Msg.BACKUP_UNREADABLE
    assert list(target.iterdir()) == []


def test_a_backup_needs_the_journal_open(service: VaultService, journal: Journal, tmp_path: Path) -> None:
    service.lock()
    with pytest.raises(KraftError) as locked:
        create_backup(service, tmp_path / "b.kraftbackup")
    assert locked.value.msg is Msg.VAULT_LOCKED
    assert not (tmp_path / "b.kraftbackup").exists()


def test_only_member_data_needs_confirmation_to_be_replaced(home: Path) -> None:
    from app.services.backup import would_replace

    assert not would_replace(home)  # nothing at all
    fresh = VaultService(home, kdf=FAST_KDF)
    fresh.set_preference("language", "sv")  # a new device that was only opened: nothing of the member's
    assert not would_replace(home)
    GroupService(fresh.engine).add("x", Schedule.weekly(zone="Europe/Oslo", first=date(2026, 12, 1), at=time(18)))
    assert would_replace(home)
    fresh.close()
    (home / "kraft.db").write_bytes(b"not a database" * 100)
    assert would_replace(home)  # unreadable: maybe a journal worth keeping


def test_a_shut_service_opens_no_database_until_the_restore_is_done(
        service: VaultService, journal: Journal, tmp_path: Path) -> None:
    """While a restore moves the file aside and puts the backup in its place, any use of the engine (a screen
    drawn meanwhile) is refused with the passing DATABASE_BUSY and opens nothing; after it, the restored file
    is what the service reads."""
    code = _recovery_code(service)
    _fill(service, journal)
    dest = tmp_path / "b.kraftbackup"
    create_backup(service, dest)
    new_home = tmp_path / "new-device"
    new_home.mkdir()
    fresh = VaultService(new_home, kdf=FAST_KDF)
    try:
        with fresh.shut():
            for ask in (lambda: fresh.engine, fresh.has_vault, lambda: GroupService(fresh.engine).list()):
                with pytest.raises(KraftError) as busy:
                    ask()
                assert busy.value.msg is Msg.DATABASE_BUSY and busy.value.passing
            assert list(new_home.iterdir()) == []  # no database, -wal or -shm made while shut
            restore_backup(new_home, dest, code, kind=RECOVERY)
        assert fresh.has_vault() and len(GroupService(fresh.engine).list()) == 1
    finally:
        fresh.close()
