"""The vault's key_slot rows are read as untrusted too: out of bounds or malformed, no Argon2id run."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from app.errors import KraftError, Msg
from app.services.vault_service import VaultService
from app.storage import crypto
from app.storage.crypto import KDF_CEILING, NEW_SLOT_FLOOR, READ_FLOOR, KdfParams
from app.storage.slots import derive_slot
from protocol.join_codes import JOIN_CODE_KDF
from tests.bad_headers import KdfCalls, count_kdf
from tests.conftest import FAST_KDF, PASSPHRASE

__all__ = ["count_kdf"]  # the fixture, used by name

GOOD = {"memory_kib": 1024, "iterations": 1, "lanes": 1}
ROWS = [
    ("memory 4 GiB", "kdf_params", json.dumps(GOOD | {"memory_kib": 4 * 1024 * 1024}), "may be at most 1048576"),
    ("11 passes", "kdf_params", json.dumps(GOOD | {"iterations": 11}), "may be at most 10"),
    ("5 lanes", "kdf_params", json.dumps(GOOD | {"lanes": 5}), "may be at most 4"),
    ("memory zero", "kdf_params", json.dumps(GOOD | {"memory_kib": 0}), "must be at least 1024"),
    ("passes negative", "kdf_params", json.dumps(GOOD | {"iterations": -3}), "must be at least 1"),
    ("memory a string", "kdf_params", json.dumps(GOOD | {"memory_kib": "1024"}), "not a whole number"),
    ("passes a float", "kdf_params", json.dumps(GOOD | {"iterations": 1.0}), "not a whole number"),
    ("lanes a bool", "kdf_params", json.dumps(GOOD | {"lanes": True}), "not a whole number"),
    ("a field missing", "kdf_params", json.dumps({"memory_kib": 1024, "iterations": 1}), "lanes is missing"),
    ("an extra field", "kdf_params", json.dumps(GOOD | {"salt_len": 8}), "unknown KDF setting"),
    ("a list", "kdf_params", json.dumps([1024, 1, 1]), "not a map"),
    ("not JSON", "kdf_params", "{memory", "not JSON"),
    ("salt empty", "salt", b"", "salt has 0 bytes, not 16"),
    ("salt 15 bytes", "salt", bytes(15), "salt has 15 bytes, not 16"),
    ("salt text", "salt", "0" * 16, "salt is not bytes"),
    ("nonce 11 bytes", "nonce", bytes(11), "nonce has 11 bytes, not 12"),
    ("key cut short", "wrapped_key", bytes(47), "wrapped_key has 47 bytes, not 48"),
]


@pytest.mark.parametrize(("column", "value", "says"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_a_bad_key_slot_is_damaged_not_a_long_kdf_or_a_wrong_passphrase(
        home: Path, column: str, value: object, says: str, count_kdf: KdfCalls) -> None:
    service = VaultService(home, kdf=FAST_KDF)
    service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    service.close()
    with sqlite3.connect(home / "kraft.db") as conn:
        conn.execute(f"UPDATE key_slot SET {column} = ? WHERE kind = 'passphrase'", (value,))
    count_kdf.count = 0
    again = VaultService(home, kdf=FAST_KDF)
    started = time.monotonic()
    with pytest.raises(KraftError) as caught:
        again.unlock(PASSPHRASE)
    again.close()
    assert time.monotonic() - started < 5  # a guard only: the KDF is never called
    assert caught.value.msg is Msg.VAULT_DAMAGED and says in str(caught.value)
    assert count_kdf.count == 0


def test_the_bounds_hold_what_kraft_writes() -> None:
    assert KdfParams.checked(KdfParams().to_dict(), floor=NEW_SLOT_FLOOR) == KdfParams()
    assert KdfParams.checked(JOIN_CODE_KDF, floor=NEW_SLOT_FLOOR) == KdfParams(**JOIN_CODE_KDF)
    assert KdfParams.checked(FAST_KDF.to_dict()) == FAST_KDF == READ_FLOOR  # tests and benchmarks
    assert KdfParams.checked(KDF_CEILING.to_dict()) == KDF_CEILING
    with pytest.raises(KraftError) as caught:
        KdfParams.checked(FAST_KDF.to_dict(), floor=NEW_SLOT_FLOOR)
    assert "must be at least 65536" in str(caught.value)


def test_a_new_slot_beyond_the_ceiling_is_refused_before_it_is_derived(count_kdf: KdfCalls) -> None:
    with pytest.raises(ValueError, match="out of bounds"):
        derive_slot("passphrase", b"pw", KdfParams(memory_kib=2 * 1024 * 1024))
    assert count_kdf.count == 0
    assert len(derive_slot("passphrase", b"pw", FAST_KDF).kek) == crypto.KEY_BYTES


@pytest.mark.parametrize("stored", ["{memory", json.dumps(GOOD | {"memory_kib": 4 * 1024 * 1024})],
                         ids=["not JSON", "memory 4 GiB"])
def test_a_backup_does_not_copy_a_damaged_recovery_slot(home: Path, tmp_path: Path, stored: str) -> None:
    from app.services.backup import create_backup

    service = VaultService(home, kdf=FAST_KDF)
    service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    with sqlite3.connect(home / "kraft.db") as conn:
        conn.execute("UPDATE key_slot SET kdf_params = ? WHERE kind = 'recovery'", (stored,))
    with pytest.raises(KraftError) as caught:
        create_backup(service, tmp_path / "b.kraftbackup")
    service.close()
    assert caught.value.msg is Msg.VAULT_DAMAGED and "recovery" in str(caught.value)
    assert not (tmp_path / "b.kraftbackup").exists()
