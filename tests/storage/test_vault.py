"""The vault: key slots, record sealing, tamper detection, rewrap."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.errors import KraftError, Msg
from app.services.vault_service import VaultService
from app.storage.crypto import KdfParams
from tests.conftest import FAST_KDF, PASSPHRASE


def _db(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(home / "kraft.db")


def test_round_trip_unicode_and_reopen(service: VaultService, home: Path) -> None:
    journal = service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    text = "Jag såg en styrka i mig själv 💪 – Æble, øl, Ørsted; 日本語"
    entry = journal.add(text, prompt_id="strengths", tags=["hope"])
    service.close()

    again = VaultService(home, kdf=FAST_KDF)
    reopened = again.unlock(PASSPHRASE)
    assert reopened.get(entry.id).text == text
    assert reopened.get(entry.id).tags == ("hope",)
    again.close()


def test_default_kdf_parameters_are_stored_with_the_slot(home: Path) -> None:
    svc = VaultService(home)  # the real default: Argon2id 64 MiB, 3 passes, 4 lanes (RFC 9106, docs/adr/0019)
    pending = svc.prepare_setup(PASSPHRASE)
    svc.finish_setup(pending, pending.recovery_code)
    svc.close()
    rows = dict(_db(home).execute("SELECT kind, kdf_params FROM key_slot"))
    assert json.loads(rows["passphrase"]) == json.loads(rows["recovery"]) == {
        "memory_kib": 65536, "iterations": 3, "lanes": 4}
    assert set(rows) == {"passphrase", "recovery"}
    salts = [r[0] for r in _db(home).execute("SELECT salt FROM key_slot")]
    assert len(salts) == 2 and len(set(salts)) == 2 and all(len(s) == 16 for s in salts)


def test_a_one_lane_slot_still_opens_and_gets_four_lanes_when_its_passphrase_changes(home: Path) -> None:
    """Slots written before docs/adr/0019 have 1 lane: they open as they are (an unlock writes nothing) and
    take the app's parameters with the next passphrase."""
    old = VaultService(home, kdf=KdfParams(lanes=1))
    pending = old.prepare_setup(PASSPHRASE)
    old.finish_setup(pending, pending.recovery_code)
    old.close()
    svc = VaultService(home)
    svc.unlock(PASSPHRASE)
    assert json.loads(dict(_db(home).execute("SELECT kind, kdf_params FROM key_slot"))["passphrase"])["lanes"] == 1
    svc.change_passphrase(PASSPHRASE, "en helt ny lösenfras")
    svc.close()
    rows = dict(_db(home).execute("SELECT kind, kdf_params FROM key_slot"))
    assert json.loads(rows["passphrase"]) == KdfParams().to_dict() and KdfParams().lanes == 4
    assert json.loads(rows["recovery"])["lanes"] == 1  # the recovery code's slot until a re-key
    again = VaultService(home)
    assert again.unlock("en helt ny lösenfras") is not None
    again.close()


def test_unlock_uses_the_stored_parameters_not_the_current_defaults(service: VaultService, home: Path) -> None:
    service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    service.close()
    stronger = VaultService(home, kdf=KdfParams(memory_kib=2048, iterations=2))
    assert stronger.unlock(PASSPHRASE).count() == 0
    stronger.close()


def test_wrong_passphrase_is_a_clear_error_and_changes_nothing(service: VaultService, home: Path) -> None:
    journal = service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    journal.add("kvar")
    service.lock()
    before = _db(home).execute("SELECT * FROM key_slot ORDER BY kind").fetchall()
    for _ in range(4):  # a fifth failure would make the next try wait (tests/services/test_unlock_backoff.py)
        with pytest.raises(KraftError) as err:
            service.unlock("not the passphrase")
        assert err.value.msg is Msg.WRONG_PASSPHRASE
        assert "does not open" in str(err.value)
    assert _db(home).execute("SELECT * FROM key_slot ORDER BY kind").fetchall() == before
    assert service.unlock(PASSPHRASE).count() == 1


def test_setup_writes_nothing_until_the_recovery_code_is_confirmed(service: VaultService, home: Path) -> None:
    pending = service.prepare_setup(PASSPHRASE)
    with pytest.raises(KraftError) as err:
        service.finish_setup(pending, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
    assert err.value.msg is Msg.RECOVERY_CODE_MISMATCH
    assert not service.has_vault()
    service.finish_setup(pending, pending.recovery_code.lower())
    assert service.has_vault()


def test_short_or_mismatched_new_passphrase_is_refused(service: VaultService) -> None:
    with pytest.raises(KraftError) as err:
        service.prepare_setup("short")
    assert err.value.msg is Msg.PASSPHRASE_TOO_SHORT and "8" in str(err.value)
    with pytest.raises(KraftError) as err:
        service.prepare_setup(PASSPHRASE, PASSPHRASE + "x")
    assert err.value.msg is Msg.PASSPHRASES_DIFFER


def test_recovery_code_opens_and_sets_a_new_passphrase(service: VaultService, home: Path) -> None:
    journal = service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    journal.add("glömde lösenfrasen")
    service.lock()
    with pytest.raises(KraftError) as err:
        service.recover("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", "a brand new phrase")
    assert err.value.msg is Msg.WRONG_RECOVERY_CODE
    recovered = service.recover(pending.recovery_code, "a brand new phrase")
    assert recovered.page().entries[0].text == "glömde lösenfrasen"
    service.lock()
    with pytest.raises(KraftError):
        service.unlock(PASSPHRASE)
    assert service.unlock("a brand new phrase").count() == 1


def test_change_passphrase_rewraps_without_re_encrypting_records(service: VaultService, home: Path) -> None:
    journal = service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    for i in range(20):
        journal.add(f"entry {i}")
    records_before = _db(home).execute("SELECT id, nonce, ciphertext FROM record ORDER BY id").fetchall()
    slot_before = _db(home).execute("SELECT salt, wrapped_key FROM key_slot WHERE kind='passphrase'").fetchone()

    with pytest.raises(KraftError) as err:
        service.change_passphrase("wrong current", "new passphrase 1")
    assert err.value.msg is Msg.WRONG_PASSPHRASE
    service.change_passphrase(PASSPHRASE, "new passphrase 1", "new passphrase 1")

    assert _db(home).execute("SELECT id, nonce, ciphertext FROM record ORDER BY id").fetchall() == records_before
    slot_after = _db(home).execute("SELECT salt, wrapped_key FROM key_slot WHERE kind='passphrase'").fetchone()
    assert slot_after[0] != slot_before[0] and slot_after[1] != slot_before[1]
    service.lock()
    with pytest.raises(KraftError):
        service.unlock(PASSPHRASE)
    assert service.unlock("new passphrase 1").count() == 20
    # the recovery code still works after a passphrase change
    service.lock()
    assert service.recover(pending.recovery_code, "third passphrase").count() == 20


def test_replaced_recovery_code_retires_the_old_one(service: VaultService) -> None:
    service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    new_code = service.replace_recovery_code(PASSPHRASE)
    assert new_code != pending.recovery_code
    service.lock()
    with pytest.raises(KraftError) as err:
        service.recover(pending.recovery_code, "x" * 10)
    assert err.value.msg is Msg.WRONG_RECOVERY_CODE
    assert service.recover(new_code, "y" * 10).count() == 0


def test_tampered_record_is_reported_and_skipped(service: VaultService, home: Path) -> None:
    journal = service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    good = journal.add("den här ska överleva")
    bad = journal.add("den här blir skadad")
    service.lock()
    with _db(home) as db:
        (ct,) = db.execute("SELECT ciphertext FROM record WHERE id=?", (bad.id,)).fetchone()
        flipped = bytes([ct[0] ^ 0x01]) + ct[1:]
        db.execute("UPDATE record SET ciphertext=? WHERE id=?", (flipped, bad.id))
    reopened = service.unlock(PASSPHRASE)
    assert reopened.damaged == [bad.id]
    assert [e.text for e in reopened.page().entries] == [good.text]
    assert reopened.search("överleva")[0].id == good.id


def test_ciphertexts_swapped_between_rows_fail_to_open(service: VaultService, home: Path) -> None:
    journal = service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    a, b = journal.add("alpha"), journal.add("beta")
    service.lock()
    with _db(home) as db:
        rows = dict((r[0], r[1:]) for r in db.execute("SELECT id, nonce, ciphertext FROM record"))
        db.execute("UPDATE record SET nonce=?, ciphertext=? WHERE id=?", (*rows[b.id], a.id))
        db.execute("UPDATE record SET nonce=?, ciphertext=? WHERE id=?", (*rows[a.id], b.id))
    assert sorted(service.unlock(PASSPHRASE).damaged) == sorted([a.id, b.id])


def test_changing_a_records_plaintext_kind_makes_it_damaged(service: VaultService, home: Path) -> None:
    journal = service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    entry = journal.add("som utkast?")
    service.lock()
    with _db(home) as db:
        db.execute("UPDATE record SET kind='draft' WHERE id=?", (entry.id,))
    reopened = service.unlock(PASSPHRASE)
    assert reopened.count() == 0 and entry.id in reopened.damaged


def test_database_runs_in_wal_with_full_sync(service: VaultService) -> None:
    with service.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_locked_vault_refuses_to_seal(service: VaultService) -> None:
    service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    service.lock()
    with pytest.raises(KraftError) as err:
        service.vault.put("entry", b"x")
    assert err.value.msg is Msg.VAULT_LOCKED
    with pytest.raises(KraftError):
        service.require_journal()


def test_creating_over_an_existing_vault_is_refused(service: VaultService) -> None:
    pending = service.prepare_setup(PASSPHRASE)
    service.finish_setup(pending, pending.recovery_code)
    with pytest.raises(KraftError) as err:
        service.prepare_setup("another passphrase")
    assert err.value.msg is Msg.VAULT_EXISTS


def test_a_file_that_is_not_a_database_is_a_clear_error(home: Path) -> None:
    (home / "kraft.db").write_bytes(b"this is not sqlite" * 100)
    svc = VaultService(home, kdf=FAST_KDF)
    with pytest.raises(KraftError) as err:
        svc.has_vault()
    assert err.value.msg is Msg.DATABASE_UNREADABLE
    assert (home / "kraft.db").read_bytes() == b"this is not sqlite" * 100  # never silently reset


def test_a_vault_from_a_newer_format_is_refused(service: VaultService, home: Path) -> None:
    service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    service.close()
    with _db(home) as db:
        db.execute("UPDATE vault_header SET format_version=99")
    with pytest.raises(KraftError) as err:
        VaultService(home, kdf=FAST_KDF).has_vault()
    assert err.value.msg is Msg.VAULT_NEWER


def test_database_file_is_private(service: VaultService, home: Path) -> None:
    assert not service.has_vault()  # asking makes no database
    service.engine  # noqa: B018 (opening it does)
    assert (home / "kraft.db").stat().st_mode & 0o077 == 0


def test_autolock_setting_is_validated_and_kept(service: VaultService, home: Path) -> None:
    assert service.autolock_minutes() == 5
    service.set_autolock_minutes(2)
    for bad in (0, 61, -1):
        with pytest.raises(KraftError) as err:
            service.set_autolock_minutes(bad)
        assert err.value.msg is Msg.AUTOLOCK_RANGE
    service.close()
    assert VaultService(home, kdf=FAST_KDF).autolock_minutes() == 2
