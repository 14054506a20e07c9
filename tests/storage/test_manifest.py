"""The manifest's own rules (app/storage/manifest.py, docs/adr/0011-rollback.md): a write updates it for the
records it wrote and gives what a rebuild gives; its entries cannot be edited to explain a deletion away;
the counter outside the database only goes up."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.services.journal import Journal
from app.services.vault_service import VaultService
from app.storage import manifest
from tests.conftest import FAST_KDF, PASSPHRASE


def _stored(service: VaultService) -> tuple[int, bytes, bytes]:
    with service.engine.connect() as conn:
        found = manifest.stored(conn)
    assert found is not None
    return found


def test_writes_give_the_manifest_a_rebuild_gives(service: VaultService, journal: Journal) -> None:
    first, second = journal.add("one"), journal.add("two")
    journal.edit(first.id, text="one, again")
    journal.delete(second.id)
    journal.purge_deleted()
    _counter, acc, _mac = _stored(service)
    key = service.vault._mac_key
    assert key is not None
    with service.engine.begin() as conn:  # what a re-key does: every entry afresh
        manifest.write(conn, key)
    assert _stored(service)[1] == acc


def test_relabelling_an_entry_as_a_groups_record_does_not_hide_its_deletion(
        service: VaultService, journal: Journal, home: Path) -> None:
    gone = journal.add("Deleted, then passed off as a removed group's details")
    service.close()
    with sqlite3.connect(home / "kraft.db") as conn:
        conn.execute("DELETE FROM record WHERE id = ?", (gone.id,))
        conn.execute("UPDATE manifest_entry SET kind = 'group' WHERE kind = 'entry'")
    again = VaultService(home, kdf=FAST_KDF)
    again.unlock(PASSPHRASE)
    assert again.integrity is not None and again.integrity.manifest_invalid
    again.close()


def test_the_counter_outside_only_goes_up(service: VaultService, journal: Journal) -> None:
    journal.add("anything")
    counter = _stored(service)[0]
    assert manifest.outside_counter(service.engine) == counter
    manifest.publish(service.engine, counter - 1)
    assert manifest.outside_counter(service.engine) == counter
    journal.add("more")
    assert manifest.outside_counter(service.engine) == counter + 1


def test_the_accumulator_is_the_one_the_module_docstring_defines() -> None:
    """The inlined loop unlock runs must give the XOR the format defines (written out here with hashlib alone):
    a change that gave another number would leave every existing vault's manifest invalid."""
    import hashlib
    import hmac

    key = bytes(range(32))
    rows = [("entry-a", "entry", 1), ("g1.checkins", "checkins", 7), ("å-ü", "draft", 2**40)]
    k = hmac.new(key, b"kraft|manifest|1|blake2b", hashlib.sha256).digest()
    expected = 0
    for record_id, kind, version in rows:
        tag = hashlib.blake2b(record_id.encode(), key=k, digest_size=16, person=b"kraft|tag").digest()
        item = hashlib.blake2b(tag + kind.encode() + version.to_bytes(8, "big"), key=k, digest_size=32,
                               person=b"kraft|item").digest()
        expected ^= int.from_bytes(item, "big")
    hasher = manifest._Hash(key)
    assert hasher.acc(rows) == expected
    assert hasher.acc(rows) == hasher.item(hasher.tag(rows[0][0]), *rows[0][1:]) ^ hasher.acc(rows[1:])
    assert hasher.acc([]) == 0
