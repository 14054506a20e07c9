"""Unlock with fingerprint or face (docs/adr/0010-keystore-unlock.md): a random secret in the platform keystore
opens the "keystore" slot; the passphrase is asked again every 14 days; a passphrase change drops the slot.

The platform keystore is a fake behind the real adapter interface (`Keystore`); the vault, the slots and the
service are the real ones.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.errors import KraftError, Msg
from app.services.backup import create_backup
from app.services.journal import Journal
from app.services.keystore_unlock import (
    PASSPHRASE_EVERY,
    KeystoreUnlock,
    NullKeystore,
    Offer,
    drop_keystore_slot,
)
from app.services.vault_service import VaultService
from app.storage.backup import read_back
from app.storage.slots import KEYSTORE
from tests.conftest import PASSPHRASE
from tests.fake_keystore import FakeKeystore

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def keystore() -> FakeKeystore:
    return FakeKeystore()


@pytest.fixture
def unlock(service: VaultService, journal: Journal, keystore: FakeKeystore, clock: Clock) -> KeystoreUnlock:
    return KeystoreUnlock(service, keystore, clock=clock)


def _db_slots(home: Path) -> list[tuple[str, bytes]]:
    with sqlite3.connect(home / "kraft.db") as conn:
        return conn.execute("SELECT kind, wrapped_key FROM key_slot").fetchall()


def _slots(home: Path) -> dict[str, str]:
    with sqlite3.connect(home / "kraft.db") as conn:
        return dict(conn.execute("SELECT kind, kdf FROM key_slot").fetchall())


async def test_enable_lock_and_unlock_by_keystore(unlock: KeystoreUnlock, service: VaultService,
                                                  journal: Journal, keystore: FakeKeystore, home: Path) -> None:
    entry = journal.add("Written before the fingerprint").id
    assert unlock.offer() is Offer.OFF  # off by default
    await unlock.enable_keystore_unlock(PASSPHRASE)
    assert _slots(home)[KEYSTORE] == "none" and keystore.secret is not None and len(keystore.secret) == 32
    assert unlock.offer() is Offer.OFFERED
    service.lock()
    opened = await unlock.unlock_with_keystore("Unlock your journal")
    assert opened is not None and opened.get(entry).text == "Written before the fingerprint"
    assert keystore.reasons == ["Unlock your journal"]


async def test_enabling_needs_the_right_passphrase(unlock: KeystoreUnlock, keystore: FakeKeystore,
                                                   home: Path) -> None:
    with pytest.raises(KraftError) as wrong:
        await unlock.enable_keystore_unlock("not my passphrase")
    assert wrong.value.msg is Msg.WRONG_PASSPHRASE
    assert KEYSTORE not in _slots(home) and keystore.secret is None


async def test_a_device_without_biometrics_cannot_enable(unlock: KeystoreUnlock, keystore: FakeKeystore,
                                                         home: Path) -> None:
    keystore.present = False
    with pytest.raises(KraftError) as no:
        await unlock.enable_keystore_unlock(PASSPHRASE)
    assert no.value.msg is Msg.KEYSTORE_UNAVAILABLE and KEYSTORE not in _slots(home)


async def test_a_passphrase_change_drops_the_slot_and_the_old_secret_opens_nothing(
        unlock: KeystoreUnlock, service: VaultService, keystore: FakeKeystore, home: Path) -> None:
    await unlock.enable_keystore_unlock(PASSPHRASE)
    old = keystore.secret
    assert old is not None
    service.change_passphrase(PASSPHRASE, "a new passphrase here", "a new passphrase here")
    assert KEYSTORE not in _slots(home)
    assert unlock.offer() is Offer.OFF
    service.lock()
    with pytest.raises(KraftError) as stale:
        service.unlock_with_kek(old, KEYSTORE)
    assert stale.value.msg is Msg.KEYSTORE_STALE and not service.is_unlocked


async def test_recovering_with_the_code_drops_the_slot(unlock: KeystoreUnlock, service: VaultService,
                                                       home: Path) -> None:
    code = service.replace_recovery_code(PASSPHRASE)
    await unlock.enable_keystore_unlock(PASSPHRASE)
    service.lock()
    service.recover(code, "a new passphrase here", "a new passphrase here")
    assert KEYSTORE not in _slots(home)


async def test_the_passphrase_is_asked_again_after_14_days(unlock: KeystoreUnlock, service: VaultService,
                                                           keystore: FakeKeystore, clock: Clock) -> None:
    await unlock.enable_keystore_unlock(PASSPHRASE)
    service.lock()
    clock.now = START + PASSPHRASE_EVERY - timedelta(minutes=1)
    assert unlock.offer() is Offer.OFFERED
    clock.now = START + PASSPHRASE_EVERY
    assert unlock.offer() is Offer.PASSPHRASE_DUE
    with pytest.raises(KraftError) as due:
        await unlock.unlock_with_keystore("Unlock your journal")
    assert due.value.msg is Msg.KEYSTORE_PASSPHRASE_DUE and keystore.reasons == []  # no prompt at all
    assert not service.is_unlocked
    service.unlock(PASSPHRASE)
    unlock.note_passphrase_unlock()
    service.lock()
    assert unlock.offer() is Offer.OFFERED  # the passphrase typed again: 14 more days
    assert await unlock.unlock_with_keystore("Unlock your journal") is not None


async def test_a_date_set_forward_by_hand_does_not_extend_the_14_days(
        unlock: KeystoreUnlock, service: VaultService, clock: Clock) -> None:
    """The time of the last passphrase unlock is plaintext (the locked screen needs it): a time in the
    future, or one that cannot be read, means the passphrase is due."""
    await unlock.enable_keystore_unlock(PASSPHRASE)
    service.set_preference("keystore_passphrase_at", (START + timedelta(days=365)).isoformat())
    assert unlock.offer() is Offer.PASSPHRASE_DUE
    service.set_preference("keystore_passphrase_at", "not a date")
    assert unlock.offer() is Offer.PASSPHRASE_DUE


async def test_a_date_set_back_by_hand_is_caught_after_the_prompt(
        unlock: KeystoreUnlock, service: VaultService, keystore: FakeKeystore, clock: Clock) -> None:
    """The plaintext time can be set back by whoever can write the app's files (say, a restored phone backup:
    the keychain item stays on the phone). The same time is also sealed under the data key; once the slot
    opened, the sealed one decides, before the journal is read."""
    await unlock.enable_keystore_unlock(PASSPHRASE)
    service.lock()
    clock.now = START + timedelta(days=20)
    service.set_preference("keystore_passphrase_at", (clock.now - timedelta(days=1)).isoformat())
    assert unlock.offer() is Offer.OFFERED  # the locked screen is fooled
    with pytest.raises(KraftError) as due:
        await unlock.unlock_with_keystore("Unlock your journal")
    assert due.value.msg is Msg.KEYSTORE_PASSPHRASE_DUE
    assert not service.is_unlocked and not service.vault.is_unlocked and unlock.enabled()
    assert unlock.offer() is Offer.PASSPHRASE_DUE  # and the screen now says why
    service.unlock(PASSPHRASE)
    unlock.note_passphrase_unlock()
    service.lock()
    assert await unlock.unlock_with_keystore("Unlock your journal") is not None


async def test_a_cancelled_prompt_changes_nothing(unlock: KeystoreUnlock, service: VaultService,
                                                  keystore: FakeKeystore, home: Path) -> None:
    await unlock.enable_keystore_unlock(PASSPHRASE)
    service.lock()
    keystore.answer = False
    assert await unlock.unlock_with_keystore("Unlock your journal") is None
    assert not service.is_unlocked and KEYSTORE in _slots(home) and unlock.offer() is Offer.OFFERED
    service.unlock(PASSPHRASE)  # the passphrase still works
    assert service.is_unlocked


async def test_a_secret_that_no_longer_opens_falls_back_to_the_passphrase(
        unlock: KeystoreUnlock, service: VaultService, journal: Journal, keystore: FakeKeystore,
        home: Path) -> None:
    entry = journal.add("Still here").id
    await unlock.enable_keystore_unlock(PASSPHRASE)
    service.lock()
    keystore.secret = bytes(32)  # the platform reset its keystore, or someone put another secret there
    with pytest.raises(KraftError) as stale:
        await unlock.unlock_with_keystore("Unlock your journal")
    assert stale.value.msg is Msg.KEYSTORE_STALE and not service.is_unlocked
    assert KEYSTORE not in _slots(home) and keystore.secret is None  # turned off, said so
    assert unlock.offer() is Offer.OFF
    assert service.unlock(PASSPHRASE).get(entry).text == "Still here"  # nothing lost


async def test_a_secret_the_keystore_lost_falls_back_too(unlock: KeystoreUnlock, service: VaultService,
                                                         keystore: FakeKeystore) -> None:
    await unlock.enable_keystore_unlock(PASSPHRASE)
    service.lock()
    keystore.secret = b""  # confirmed, but the keystore had nothing (what the Flet adapter answers then)
    with pytest.raises(KraftError) as stale:
        await unlock.unlock_with_keystore("Unlock your journal")
    assert stale.value.msg is Msg.KEYSTORE_STALE and unlock.offer() is Offer.OFF


async def test_the_time_is_kept_only_while_the_feature_is_on(unlock: KeystoreUnlock, service: VaultService) -> None:
    unlock.note_passphrase_unlock()
    assert service.get_preference("keystore_passphrase_at") is None
    await unlock.enable_keystore_unlock(PASSPHRASE)
    assert service.get_preference("keystore_passphrase_at") == START.isoformat()
    await unlock.disable_keystore_unlock()
    assert service.get_preference("keystore_passphrase_at") == ""


async def test_a_slot_gone_meanwhile_falls_back_to_the_passphrase(
        unlock: KeystoreUnlock, service: VaultService, keystore: FakeKeystore) -> None:
    await unlock.enable_keystore_unlock(PASSPHRASE)
    service.lock()
    secret = keystore.secret
    assert secret is not None and drop_keystore_slot(service.vault)
    assert not drop_keystore_slot(service.vault)  # dropping twice is harmless
    with pytest.raises(KraftError) as gone:
        await unlock.open_with_secret(secret)  # released before the slot went
    assert gone.value.msg is Msg.KEYSTORE_STALE and keystore.secret is None
    service.unlock(PASSPHRASE)


async def test_disable_drops_the_slot_and_forgets_the_secret(unlock: KeystoreUnlock, keystore: FakeKeystore,
                                                             home: Path) -> None:
    await unlock.enable_keystore_unlock(PASSPHRASE)
    await unlock.disable_keystore_unlock()
    assert KEYSTORE not in _slots(home) and keystore.secret is None and unlock.offer() is Offer.OFF


async def test_the_null_keystore_offers_nothing(service: VaultService, journal: Journal, clock: Clock) -> None:
    null = KeystoreUnlock(service, NullKeystore(), clock=clock)
    assert not null.supported and not await null.available()
    with pytest.raises(KraftError) as no:
        await null.enable_keystore_unlock(PASSPHRASE)
    assert no.value.msg is Msg.KEYSTORE_UNAVAILABLE
    assert await NullKeystore().release("x") is None


async def test_a_backup_does_not_carry_the_keystore_slot(unlock: KeystoreUnlock, service: VaultService,
                                                         home: Path, tmp_path: Path) -> None:
    """A backup restored elsewhere must not open with this phone's keystore secret."""
    await unlock.enable_keystore_unlock(PASSPHRASE)
    wrapped = dict(_db_slots(home))[KEYSTORE]
    dest = tmp_path / "b.kraftbackup"
    create_backup(service, dest)
    data = dest.read_bytes()
    assert b'"keystore"' not in data
    snapshot = tmp_path / "snapshot.db"
    snapshot.write_bytes(read_back(data, service.vault))  # opened with the unlocked vault
    with sqlite3.connect(snapshot) as conn:
        kinds = {row[0] for row in conn.execute("SELECT kind FROM key_slot")}
    assert kinds == {"passphrase", "recovery"}
    assert wrapped not in snapshot.read_bytes()  # not even in a free page
