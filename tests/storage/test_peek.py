"""app/storage/peek.py: a slot's KDF settings read without SQLAlchemy, as checked as the vault's own read."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.services.vault_service import VaultService
from app.storage import peek
from app.storage.slots import PASSPHRASE, RECOVERY
from tests.conftest import FAST_KDF
from tests.conftest import PASSPHRASE as SECRET
from tests.storage.test_vault_bounds import ROWS


def _vault(home: Path) -> VaultService:
    service = VaultService(home, kdf=FAST_KDF)
    service.finish_setup(pending := service.prepare_setup(SECRET), pending.recovery_code)
    return service


def test_it_reads_what_the_vault_reads(home: Path) -> None:
    service = _vault(home)
    try:
        for kind in (PASSPHRASE, RECOVERY):
            assert peek.slot_params(home / "kraft.db", kind) == service.vault.slot_params(kind)
    finally:
        service.close()
    assert peek.slot_params(home / "kraft.db", "keystore") is None  # no such slot


def test_no_file_is_none_and_makes_nothing(tmp_path: Path) -> None:
    assert peek.slot_params(tmp_path / "kraft.db", PASSPHRASE) is None
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "kraft.db").write_bytes(b"not a database at all, just text")
    assert peek.slot_params(tmp_path / "kraft.db", PASSPHRASE) is None
    (tmp_path / "empty.db").touch()
    assert peek.slot_params(tmp_path / "empty.db", PASSPHRASE) is None  # no key_slot table


@pytest.mark.parametrize(("column", "value"), [r[1:3] for r in ROWS if r[1] != "nonce" and r[1] != "wrapped_key"],
                         ids=[r[0] for r in ROWS if r[1] not in ("nonce", "wrapped_key")])
def test_a_crafted_slot_is_none(home: Path, column: str, value: object) -> None:
    _vault(home).close()
    with sqlite3.connect(home / "kraft.db") as conn:
        conn.execute(f"UPDATE key_slot SET {column} = ? WHERE kind = 'passphrase'", (value,))
    assert peek.slot_params(home / "kraft.db", PASSPHRASE) is None
