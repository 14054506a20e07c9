"""Change and re-key: a new data key for every record, all or nothing (docs/adr/0001-vault-format.md).

The attack: someone kept a copy of kraft.db (or a backup) and learns the old passphrase. After a re-key, the
data key in that copy opens nothing in the journal as it is now, and neither does the old passphrase.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from app.domain.journal import Draft
from app.errors import KraftError, Msg
from app.services.vault_service import VaultService
from app.storage import crypto, records
from app.storage.backup import opener_for
from app.storage.slots import slot_ad
from app.storage.vault import DamagedRecord
from tests.conftest import FAST_KDF, PASSPHRASE

NEW = "a new and longer passphrase"
ROOT = Path(__file__).resolve().parents[2]


def _fill(service: VaultService) -> None:
    """A journal with a record of every kind: entries, a draft, a group, its link's secrets, check-ins."""
    journal = service.require_journal()
    for i in range(30):
        journal.add(f"svar {i}: jag märkte en styrka", tags=["hope"] if i % 3 else [])
    journal.save_draft(Draft(key="new", text="ett utkast som inte är sparat"))
    vault = service.vault
    vault.put(records.GROUP.name, records.GROUP.pack({"theme": "Oro"}), records.GROUP.record_id("g1"))
    vault.put(records.MEMBERSHIP.name, records.MEMBERSHIP.pack({"k": b"\x01" * 32}),
              records.MEMBERSHIP.record_id("g1"))
    vault.put(records.CHECKINS.name, records.CHECKINS.pack({"m1": {"status": "attended"}}),
              records.CHECKINS.record_id("g1"))
    vault.put(records.ROUND.name, records.ROUND.pack({"score": 3}), records.ROUND.new_id())
    vault.put(records.PLAN.name, records.PLAN.pack({"helps": ["en promenad"]}), records.PLAN.only_id)
    vault.put(records.LEAD.name, records.LEAD.pack({"answer": "maybe"}), records.LEAD.only_id)
    vault.put(records.REGION_KEY.name, records.REGION_KEY.pack({"sig": "s", "dh": "d"}), records.REGION_KEY.only_id)
    vault.put(records.INTEREST.name, records.INTEREST.pack({"entry": "e"}), records.INTEREST.new_id())


def _setup(service: VaultService) -> str:
    pending = service.prepare_setup(PASSPHRASE)
    service.finish_setup(pending, pending.recovery_code)
    _fill(service)
    return pending.recovery_code


def _rows(home: Path) -> list[tuple[str, str, int, bytes, bytes, int]]:
    with sqlite3.connect(home / "kraft.db") as conn:
        return conn.execute("SELECT id, kind, fmt, nonce, ciphertext, version FROM record ORDER BY id").fetchall()


def _plaintexts(home: Path, data_key: bytes, skip: frozenset[str] | set[str] = frozenset()) -> dict[str, bytes]:
    opener = opener_for(data_key)
    return {row[0]: opener(row[1], row[0], row[2], row[3], row[4], row[5]) for row in _rows(home) if row[0] not in skip}


def _data_key(home: Path, passphrase: str) -> bytes:
    """The data key of the database in `home`, unwrapped from its passphrase slot (what an attacker does)."""
    service = VaultService(home, kdf=FAST_KDF)
    try:
        kek = service.derive_kek("passphrase", passphrase)
        vault_id = service.vault.vault_id()
    finally:
        service.close()
    with sqlite3.connect(home / "kraft.db") as conn:
        nonce, wrapped = conn.execute("SELECT nonce, wrapped_key FROM key_slot WHERE kind='passphrase'").fetchone()
    return crypto.open_sealed(kek, nonce, wrapped, slot_ad("passphrase", vault_id))


def _copy(home: Path, tmp_path: Path) -> Path:
    """A copy of the database as a backup tool would take it: the WAL folded in first."""
    with sqlite3.connect(home / "kraft.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copy = tmp_path / "old-copy"
    copy.mkdir()
    shutil.copy(home / "kraft.db", copy / "kraft.db")
    return copy


def test_after_a_rekey_the_old_key_and_passphrase_open_nothing(service: VaultService, home: Path,
                                                                tmp_path: Path) -> None:
    old_code = _setup(service)
    copy = _copy(home, tmp_path)
    old_key = _data_key(copy, PASSPHRASE)
    before = _plaintexts(home, old_key)
    assert sorted({row[1] for row in _rows(home)}) == sorted(records.KINDS)  # every kind there is
    assert len(before) == 30 + 1 + 3 + 5

    steps: list[tuple[int, int]] = []
    pending = service.prepare_rekey(PASSPHRASE, NEW, NEW)
    service.finish_rekey(pending, pending.recovery_code.lower(),
                         progress=lambda done, total: steps.append((done, total)))

    # The old data key (from the copy) opens not one record of the journal as it is now.
    opener = opener_for(old_key)
    for record_id, kind, fmt, nonce, ct, version in _rows(home):
        with pytest.raises(DamagedRecord):
            opener(kind, record_id, fmt, nonce, ct, version)
    # Every record reads back identical under the new key; same ids, kinds and formats.
    assert _plaintexts(home, _data_key(home, NEW)) == before
    # The progress reached 100 %, in order.
    assert steps[-1] == (len(before), len(before)) and steps == sorted(steps)
    # The journal stays open in memory and keeps working with the new key.
    added = service.require_journal().add("skrivet efter bytet")
    service.close()

    again = VaultService(home, kdf=FAST_KDF)
    with pytest.raises(KraftError) as wrong:
        again.unlock(PASSPHRASE)
    assert wrong.value.msg is Msg.WRONG_PASSPHRASE
    with pytest.raises(KraftError) as wrong:
        again.recover(old_code, "whatever passphrase")
    assert wrong.value.msg is Msg.WRONG_RECOVERY_CODE
    journal = again.recover(pending.recovery_code, "third passphrase here")  # the new recovery code opens it
    assert journal.get(added.id).text == "skrivet efter bytet" and journal.damaged == []
    again.close()


def test_a_failure_midway_leaves_the_old_key_working_and_every_record_intact(service: VaultService, home: Path,
                                                                             tmp_path: Path) -> None:
    _setup(service)
    old_key = _data_key(_copy(home, tmp_path), PASSPHRASE)
    rows_before = _rows(home)
    slots_before = sqlite3.connect(home / "kraft.db").execute("SELECT * FROM key_slot ORDER BY kind").fetchall()

    def fail_halfway(done: int, total: int) -> None:
        if done >= total // 2:
            raise OSError("the disk went away")

    pending = service.prepare_rekey(PASSPHRASE, NEW)
    with pytest.raises(OSError):
        service.finish_rekey(pending, pending.recovery_code, progress=fail_halfway)
    assert _rows(home) == rows_before
    assert sqlite3.connect(home / "kraft.db").execute("SELECT * FROM key_slot ORDER BY kind").fetchall() \
        == slots_before
    service.require_journal().add("still works")  # the open journal still has the key that is on disk
    service.close()
    again = VaultService(home, kdf=FAST_KDF)
    journal = again.unlock(PASSPHRASE)
    assert journal.damaged == [] and journal.count() == 31
    assert len(_plaintexts(home, old_key)) == len(rows_before) + 1
    again.close()


_CRASHER = """
import os, signal, sys
from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF, PASSPHRASE
service = VaultService(__import__("pathlib").Path(sys.argv[1]), kdf=FAST_KDF)
service.unlock(PASSPHRASE)
pending = service.prepare_rekey(PASSPHRASE, "a new and longer passphrase")
def die(done, total):
    if done >= total // 2:
        os.kill(os.getpid(), signal.SIGKILL)
service.finish_rekey(pending, pending.recovery_code, progress=die)
"""


def test_a_process_killed_midway_leaves_the_old_key_working(service: VaultService, home: Path,
                                                           tmp_path: Path) -> None:
    _setup(service)
    before = _plaintexts(home, _data_key(_copy(home, tmp_path), PASSPHRASE))
    service.close()
    done = subprocess.run([sys.executable, "-c", _CRASHER, str(home)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == -9, done.stderr
    assert _plaintexts(home, _data_key(home, PASSPHRASE)) == before
    again = VaultService(home, kdf=FAST_KDF)
    assert again.unlock(PASSPHRASE).count() == 30
    again.close()


def test_a_wrong_passphrase_or_code_changes_nothing(service: VaultService, home: Path) -> None:
    _setup(service)
    rows = _rows(home)
    with pytest.raises(KraftError) as err:
        service.prepare_rekey("not the passphrase", NEW)
    assert err.value.msg is Msg.WRONG_PASSPHRASE
    pending = service.prepare_rekey(PASSPHRASE, NEW)
    with pytest.raises(KraftError) as err:
        service.finish_rekey(pending, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
    assert err.value.msg is Msg.RECOVERY_CODE_MISMATCH
    assert _rows(home) == rows
    with pytest.raises(KraftError) as err:
        service.prepare_rekey(PASSPHRASE, "short")
    assert err.value.msg is Msg.PASSPHRASE_TOO_SHORT


def test_a_rekey_drops_a_keystore_slot(service: VaultService, home: Path) -> None:
    _setup(service)
    with sqlite3.connect(home / "kraft.db") as conn:  # what the keystore helper writes; wraps the old key
        conn.execute("INSERT INTO key_slot SELECT 'keystore', 'none', '{}', salt, nonce, wrapped_key "
                     "FROM key_slot WHERE kind='passphrase'")
    pending = service.prepare_rekey(PASSPHRASE, NEW)
    service.finish_rekey(pending, pending.recovery_code)
    with sqlite3.connect(home / "kraft.db") as conn:
        assert {row[0] for row in conn.execute("SELECT kind FROM key_slot")} == {"passphrase", "recovery"}


def test_a_damaged_record_is_left_as_it_is_and_counted(service: VaultService, home: Path) -> None:
    _setup(service)
    victim, _kind, _fmt, _nonce, ciphertext, _version = _rows(home)[0]
    with sqlite3.connect(home / "kraft.db") as conn:  # one flipped bit in one ciphertext
        flipped = ciphertext[:10] + bytes([ciphertext[10] ^ 1]) + ciphertext[11:]
        conn.execute("UPDATE record SET ciphertext = ? WHERE id = ?", (flipped, victim))
        damaged_row = conn.execute("SELECT * FROM record WHERE id = ?", (victim,)).fetchone()
    pending = service.prepare_rekey(PASSPHRASE, NEW)
    result = service.finish_rekey(pending, pending.recovery_code)
    assert result.damaged == [victim] and result.records == 30 + 1 + 3 + 5 - 1
    with sqlite3.connect(home / "kraft.db") as conn:
        assert conn.execute("SELECT * FROM record WHERE id = ?", (victim,)).fetchone() == damaged_row
    assert len(_plaintexts(home, _data_key(home, NEW), skip={victim})) == 30 + 1 + 3 + 5 - 1


def test_an_empty_journal_rekeys_and_reports_100_percent(service: VaultService, home: Path) -> None:
    service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    steps: list[tuple[int, int]] = []
    rekey = service.prepare_rekey(PASSPHRASE, NEW)
    assert service.finish_rekey(rekey, rekey.recovery_code, progress=lambda d, t: steps.append((d, t))).records == 0
    assert steps == [(0, 0)]
    service.close()
    assert VaultService(home, kdf=FAST_KDF).unlock(NEW).count() == 0


def test_a_write_from_another_thread_waits_and_is_sealed_under_the_new_key(service: VaultService,
                                                                          home: Path) -> None:
    _setup(service)
    journal = service.require_journal()
    writer = threading.Thread(target=lambda: journal.add("skrivet under bytet"))

    def start_a_writer_halfway(done: int, total: int) -> None:
        if done >= total // 2 and not writer.is_alive() and writer.ident is None:
            writer.start()
            time.sleep(0.3)  # long enough for the writer to seal and try to write, were it not held back

    pending = service.prepare_rekey(PASSPHRASE, NEW)
    service.finish_rekey(pending, pending.recovery_code, progress=start_a_writer_halfway)
    writer.join(timeout=10)
    service.close()
    again = VaultService(home, kdf=FAST_KDF)
    reopened = again.unlock(NEW)
    assert reopened.damaged == [] and reopened.count() == 31
    again.close()


def _busy(*_args: object, **_kw: object) -> None:
    raise OperationalError("INSERT", {}, Exception("database is locked"))


def test_a_draft_waiting_in_memory_is_written_and_sealed_under_the_new_key(
        service: VaultService, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _setup(service)
    journal = service.require_journal()
    with monkeypatch.context() as m:  # as in tests/services/test_failures.py: the database was busy
        m.setattr(service.vault, "_write_rows", _busy)
        assert journal.save_draft(Draft(key="new", text="den senaste texten")) is False
    assert service.vault.deferred == 1
    pending = service.prepare_rekey(PASSPHRASE, NEW)
    service.finish_rekey(pending, pending.recovery_code)
    assert service.vault.deferred == 0
    service.close()
    again = VaultService(home, kdf=FAST_KDF)
    reopened = again.unlock(NEW)
    draft = reopened.get_draft("new")
    assert reopened.damaged == [] and draft is not None and draft.text == "den senaste texten"
    again.close()


def test_after_a_rekey_the_manifest_holds_and_rollback_still_shows(service: VaultService, home: Path,
                                                                   tmp_path: Path) -> None:
    """The manifest's MAC and its entries are keyed by the data key (docs/adr/0011-rollback.md): a re-key makes
    it afresh in its transaction, so the next unlock finds nothing amiss, and an older copy still shows."""
    _setup(service)
    copy = _copy(home, tmp_path)
    pending = service.prepare_rekey(PASSPHRASE, NEW, NEW)
    service.finish_rekey(pending, pending.recovery_code)
    service.lock()
    service.unlock(NEW)
    assert service.integrity is not None and service.integrity.ok
    service.close()
    shutil.copy(copy / "kraft.db", home / "kraft.db")  # the database from before the re-key, put back
    for leftover in ("kraft.db-wal", "kraft.db-shm"):
        (home / leftover).unlink(missing_ok=True)
    again = VaultService(home, kdf=FAST_KDF)
    try:
        again.unlock(PASSPHRASE)  # the old copy opens with the old passphrase: that is what a re-key cannot undo
        assert again.integrity is not None and again.integrity.older_database
    finally:
        again.close()
