"""The vault: a random data key, wrapped in key slots, encrypting every record the member writes.

On-disk format, version 2 (one SQLite file, `kraft.db`, WAL mode, synchronous=FULL, secure_delete=ON):

    vault_header  (id=1, format_version=2, vault_id)              plaintext: 16 random bytes as hex
    key_slot      (kind, kdf, kdf_params, salt, nonce, wrapped_key)
        kind        "passphrase" | "recovery" | "keystore" (docs/adr/0010-keystore-unlock.md); app.storage.slots
        kdf         "argon2id"; kdf_params is JSON {"memory_kib", "iterations", "lanes"} (default 65536, 3, 4),
                    read only within bounds (docs/adr/0001-vault-format.md, decision 9); "none" for
                    "keystore": KEK = a random 256-bit secret the platform keystore holds; kdf_params "{}"
        salt        16 random bytes, new for every slot write
        wrapped_key AES-256-GCM(KEK, nonce, data_key, ad="kraft|key_slot|<kind>|<vault_id>|1")
                    where KEK = Argon2id(NFC(passphrase) or normalised recovery code, salt, params)
    record        (id, kind, fmt, nonce, ciphertext, version)
        id          128 random bits as hex: no time, no order
        kind        "entry" | "draft" | "group" | ...: the only other plaintext (app.storage.records)
        fmt         record format: 2 (1 until the first unlock after the upgrade; then sealed again as 2)
        version     1 for a new record, one more at every write (plaintext: how often it was written)
        ciphertext  AES-256-GCM(data_key, nonce (12 fresh random bytes per write),
                    pad(msgpack map), ad="kraft|record|<kind>|<id>|2|<version>" (format 1:
                    "kraft|record|<kind>|<id>|1", no version)
                    pad = 4-byte big-endian length + payload + zeros up to a bucket
                    (256 B times powers of sqrt(2), rounded to 16 B, up to 16 KiB; then multiples
                    of 16 KiB); datetimes are msgpack timestamps (UTC)
    manifest_entry (tag, kind, version), manifest (id=1, counter, mac): every record's version under an HMAC
                    with a counter, in each write's transaction; also `kraft.db.counter` (app.storage.manifest)
    preference    (name, value)  device settings (language, theme, auto-lock minutes); nothing written
    schema_migration (name)      the named migrations that have run

Entry text, dates, prompts, tags and themes live only inside record ciphertexts. Changing the passphrase
rewrites one key_slot row; no record is re-encrypted. A re-key (`Vault.rekey`) makes a new data key and
seals every record (and the outbox's waiting requests) again in one transaction. A record whose tag does not
verify (tampered, moved, truncated, an old ciphertext under a new version) is reported as damaged and skipped;
the others stay readable.
An old record written back whole, a record deleted or put back, and an older copy of the whole database are
reported at unlock and left as they are (`Vault.integrity`, docs/adr/0011-rollback.md).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.exc import DBAPIError as SADBAPIError

from app.errors import KraftError, Msg
from app.storage import crypto, db, manifest, records, slots, upgrade
from app.storage.crypto import KdfParams
from app.storage.direct import VAULT_FORMAT
from app.storage.manifest import IntegrityReport
from app.storage.models import Record, VaultHeader, table
from app.storage.rekeying import Progress, RekeyResult, reseal_all
from app.storage.sealed import RECORD_FMT, LoadResult, open_rows, record_ad
from app.storage.slots import SlotSecret

FORMAT_VERSION = VAULT_FORMAT  # 2: records of format 2 and a manifest (docs/adr/0011-rollback.md)

_records = table(Record)
_header = table(VaultHeader)


class DamagedRecord(Exception):
    def __init__(self, record_id: str) -> None:
        super().__init__(record_id)
        self.record_id = record_id


class Vault:
    """Holds the data key while unlocked; seals and opens records. Keys come in, nothing prompts."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._aead: AESGCM | None = None
        self._vault_id: str | None = None
        # The manifest's MAC key (opens nothing): kept past a lock only while deferred rows wait (ADR 0011).
        self._mac_key: bytes | None = None
        self.integrity: IntegrityReport | None = None  # what the last unlock found against the manifest
        # Sealed rows whose write failed (database busy, disk full): ciphertext only, so they may outlive
        # the key; written by `flush_deferred` at the next chance. Keyed by record id: the newest wins.
        self._deferred: dict[str, dict[str, object]] = {}
        # Held while a record is sealed and written, and through a whole re-key: a write from another thread
        # waits for the re-key and is sealed under the new key, never written under the old one after it.
        self._key_lock = threading.RLock()
        self._state_lock = threading.Lock()  # only around setting the key: a lock() never waits for a re-key

    # ---- state ----

    def exists(self) -> bool:
        with self.engine.connect() as conn:
            row = conn.execute(select(_header.c.format_version)).first()
        if row is None:
            return False
        if row[0] > FORMAT_VERSION:
            raise KraftError(Msg.VAULT_NEWER, found=row[0])
        return True

    @property
    def is_unlocked(self) -> bool:
        return self._aead is not None

    def lock(self) -> None:
        """Forget the data key. (Python cannot wipe memory; dropping the AEAD object frees OpenSSL's copy.)"""
        with self._state_lock:
            self._aead = None
            self.integrity = None
            self._mac_key = self._mac_key if self._deferred else None

    def _require_key(self) -> AESGCM:
        if self._aead is None:
            raise KraftError(Msg.VAULT_LOCKED)
        return self._aead

    # ---- creating and unlocking ----

    def create(self, new_slots: list[SlotSecret]) -> None:
        """Write a new vault: header and one slot per unlock method, all in one transaction."""
        if self.exists():
            raise KraftError(Msg.VAULT_EXISTS)
        data_key = crypto.new_key()
        vault_id = secrets.token_hex(16)
        mac_key = manifest.mac_key(data_key)
        with db.writing(self.engine).begin() as conn:
            conn.execute(insert(_header).values(id=1, format_version=FORMAT_VERSION, vault_id=vault_id))
            for slot in new_slots:
                slots.write_slot(conn, slot, data_key, vault_id)
            counter = manifest.write(conn, mac_key)
        manifest.publish(self.engine, counter)
        self._aead, self._vault_id, self._mac_key = AESGCM(data_key), vault_id, mac_key
        self.integrity = IntegrityReport()

    def slot_params(self, kind: str) -> tuple[KdfParams, bytes]:
        """The stored KDF parameters and salt of a slot, checked, to derive its KEK off the event loop."""
        with self.engine.connect() as conn:
            return slots.params_and_salt(conn, kind)

    def unlock_with_kek(self, kind: str, kek: bytes) -> None:
        """Unwrap the data key with a derived KEK; a wrong secret (or no such slot) raises
        WRONG_PASSPHRASE, WRONG_RECOVERY_CODE or KEYSTORE_STALE. Then the records are checked against the
        manifest (`integrity`)."""
        with self.engine.connect() as conn:
            vault_id, data_key = slots.unwrap(conn, kind, kek)
        aead, mac_key = AESGCM(data_key), manifest.mac_key(data_key)
        with self._state_lock:
            self._aead, self._vault_id, self._mac_key = aead, vault_id, mac_key
        with db.translated():
            self.integrity = upgrade.check_at_unlock(self.engine, aead, mac_key, record_ad, RECORD_FMT,
                                                     FORMAT_VERSION)

    def rewrap(self, slot: SlotSecret, *, current_kind: str, current_kek: bytes, drop: tuple[str, ...] = ()) -> None:
        """Wrap the data key under a new secret: one key_slot row changes, no record is re-encrypted.

        The data key is unwrapped from the `current_kind` slot with `current_kek`, so a rewrap proves that
        the caller knows a current secret (the old passphrase, or the recovery code). The slots named in
        `drop` go in the same transaction (a new passphrase ends the keystore slot, which wraps the same key).
        """
        with self.engine.connect() as conn:
            vault_id, data_key = slots.unwrap(conn, current_kind, current_kek)
        with db.writing(self.engine).begin() as conn:
            slots.write_slot(conn, slot, data_key, vault_id)
            if drop:
                slots.drop(conn, drop)

    def has_slot(self, kind: str) -> bool:
        with self.engine.connect() as conn:
            return slots.has(conn, kind)

    def drop_slot(self, kind: str) -> bool:
        """Delete a key slot (needs no key); True when there was one."""
        with db.writing(self.engine).begin() as conn:
            return slots.drop(conn, (kind,)) > 0

    def check_kek(self, kind: str, kek: bytes) -> None:
        """Raise WRONG_PASSPHRASE/RECOVERY unless `kek` opens the `kind` slot (before asking for more)."""
        with self.engine.connect() as conn:
            slots.unwrap(conn, kind, kek)

    def rekey(self, new_slots: list[SlotSecret], *, current_kind: str, current_kek: bytes,
              progress: Progress | None = None) -> RekeyResult:
        """A new random data key: every record and waiting request re-sealed, `new_slots` written, a keystore
        slot dropped and the manifest made afresh under the new key, in one transaction: a failure or a crash
        before the commit leaves the old key and every record as they were. Its first statement takes the write
        lock (no writer slips in a record under the old key), then the old key is unwrapped in it. Records that
        do not open are left as they are and counted; an exception from `progress` rolls everything back."""
        with self._key_lock:
            with db.begin(self.engine) as conn:
                slots.drop_keystore_slot(conn)
                self._write_rows(list(self._deferred.values()), conn)  # under the old key: re-sealed below
                vault_id, old_key = slots.unwrap(conn, current_kind, current_kek)
                new_key = crypto.new_key()
                for slot in new_slots:
                    slots.write_slot(conn, slot, new_key, vault_id)
                new = AESGCM(new_key)
                result = reseal_all(conn, AESGCM(old_key), new, record_ad, progress)
                mac_key = manifest.mac_key(new_key)
                counter = manifest.write(conn, mac_key)  # every entry again: its tags are keyed too
            manifest.publish(self.engine, counter)
            self._deferred.clear()
            with self._state_lock:  # a lock() meanwhile wins: the new key is not kept in memory then
                if self._aead is not None:
                    self._aead, self._vault_id, self._mac_key = new, vault_id, mac_key
        return result

    def vault_id(self) -> str:
        with self.engine.connect() as conn:
            return str(conn.execute(select(_header.c.vault_id)).scalar_one())

    def slot_rows(self, kinds: tuple[str, ...]) -> list[tuple[str, str, bytes, bytes, bytes]]:
        """The key slots of `kinds` as stored, each checked (for backups: no backup carries a damaged one)."""
        with self.engine.connect() as conn:
            return slots.rows(conn, kinds)

    def seal_blob(self, data: bytes, associated: bytes) -> tuple[bytes, bytes]:
        """Encrypt something that is not a record (a backup's key) under the data key."""
        return crypto.seal(self._require_key(), data, associated)

    def open_blob(self, nonce: bytes, ciphertext: bytes, associated: bytes) -> bytes:
        """Decrypt what `seal_blob` sealed (raises InvalidTag when it does not verify)."""
        return crypto.open_sealed(self._require_key(), nonce, ciphertext, associated)

    # ---- records ----

    def seal_record(self, kind: str, record_id: str, payload: bytes, version: int) -> dict[str, object]:
        """The row of a sealed record at `version`; a kind app.storage.records does not know raises UnknownKind."""
        records.kind(kind)
        nonce, ct = crypto.seal(self._require_key(), crypto.pad(payload),
                                record_ad(kind, record_id, RECORD_FMT, version))
        return dict(id=record_id, kind=kind, fmt=RECORD_FMT, nonce=nonce, ciphertext=ct, version=version)

    def next_version(self, conn: Connection, record_id: str) -> int:
        """One past the record's stored version (and past a deferred write of it): 1 for a new record."""
        waiting = int(self._deferred.get(record_id, {}).get("version", 0))  # type: ignore[call-overload]
        return max(conn.execute(select(_records.c.version).where(_records.c.id == record_id)).scalar() or 0,
                   waiting) + 1

    def open_record(self, kind: str, record_id: str, fmt: int, nonce: bytes, ciphertext: bytes,
                    version: int = 0) -> bytes:
        try:
            return crypto.unpad(crypto.open_sealed(self._require_key(), nonce, ciphertext,
                                                   record_ad(kind, record_id, fmt, version)))
        except (InvalidTag, ValueError) as exc:
            raise DamagedRecord(record_id) from exc

    @contextmanager
    def transaction(self) -> Iterator[RecordWriter]:
        """Several writes that land together or not at all (e.g. save an entry and drop its draft)."""
        self._require_key()
        with self._key_lock, db.begin(self.engine) as conn:
            writer = RecordWriter(self, conn)
            yield writer
            counter = self._write_manifest(conn, writer.changed) if writer.changed else 0
        manifest.publish(self.engine, counter)

    def _write_manifest(self, conn: Connection, changed: Iterable[str]) -> int:
        """The manifest with the `changed` records as they now stand in this transaction (0, nothing written,
        without the key)."""
        return 0 if self._mac_key is None else manifest.write(conn, self._mac_key, changed)

    def put(self, kind: str, payload: bytes, record_id: str | None = None) -> str:
        with self.transaction() as tx:
            return tx.put(kind, payload, record_id)

    def delete(self, record_id: str) -> bool:
        with self.transaction() as tx:
            return tx.delete(record_id)

    def discard(self, record_id: str) -> bool:
        """Delete a record without the key (deleting needs no reading): e.g. a group removed while locked.
        Without the key the manifest stays; unlock accepts a per-group record gone with its group."""
        self._deferred.pop(record_id, None)
        with db.writing(self.engine).begin() as conn:
            gone = bool(conn.execute(delete(_records).where(_records.c.id == record_id)).rowcount)
            counter = self._write_manifest(conn, [record_id]) if gone else 0
        manifest.publish(self.engine, counter)
        return gone

    def put_or_defer(self, kind: str, payload: bytes, record_id: str) -> bool:
        """Seal and write; if the write fails, keep the sealed row to write later. False when deferred."""
        with self._key_lock:
            with db.translated(), self.engine.connect() as conn:  # reading the version: a KraftError if it fails
                version = self.next_version(conn, record_id)
            values = self.seal_record(kind, record_id, payload, version)
            try:
                self._write_rows([values])
            except SADBAPIError:
                self._deferred[record_id] = values
                return False
            self._deferred.pop(record_id, None)
            return True

    @property
    def deferred(self) -> int:
        return len(self._deferred)

    def flush_deferred(self) -> bool:
        """Write the sealed rows that could not be written before (needs no key); True when none remain."""
        with self._key_lock:
            if not self._deferred:
                return True
            try:
                self._write_rows(list(self._deferred.values()))
            except SADBAPIError:
                return False
            self._deferred.clear()
            self._mac_key = self._mac_key if self._aead is not None else None  # locked, and nothing waits now
            return True

    def _write_rows(self, rows: list[dict[str, object]], conn: Connection | None = None) -> None:
        """Write sealed rows and the manifest for them; in `conn`'s transaction (a re-key's) or in one of their
        own (then the counter is published after its commit)."""
        if conn is None:
            with db.writing(self.engine).begin() as own:
                counter = self._put_rows(rows, own)
            manifest.publish(self.engine, counter)
        else:
            self._put_rows(rows, conn)

    def _put_rows(self, rows: list[dict[str, object]], conn: Connection) -> int:
        for values in rows:
            stmt = insert(_records).values(**values)
            conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
        return self._write_manifest(conn, [str(values["id"]) for values in rows]) if rows else 0

    def get(self, kind: str, record_id: str) -> bytes | None:
        """One record's payload, None if absent; raises DamagedRecord if it does not verify."""
        with self._key_lock, self.engine.connect() as conn:  # not between a re-key's commit and its new key
            row = conn.execute(select(_records.c.fmt, _records.c.nonce, _records.c.ciphertext, _records.c.version)
                               .where(_records.c.id == record_id, _records.c.kind == kind)).first()
            return None if row is None else self.open_record(kind, record_id, *row)

    def load_kind(self, kind: str) -> LoadResult:
        """Decrypt every record of a kind in one pass; damaged ones are listed, not raised."""
        with self._key_lock:
            return self._load(self._require_key(), kind)

    def _load(self, aead: AESGCM, kind: str) -> LoadResult:
        with db.translated(), self.engine.connect() as conn:
            # The hot path of unlock: plain DB-API tuples, no ORM objects.
            rows = conn.exec_driver_sql(
                "SELECT id, fmt, nonce, ciphertext, version FROM record WHERE kind = ?", (kind,)).fetchall()
        return open_rows(aead, kind, rows)


class RecordWriter:
    """Writes inside one transaction of `Vault.transaction()`."""

    def __init__(self, vault: Vault, conn: Connection) -> None:
        self._vault, self._conn = vault, conn
        self.changed: set[str] = set()  # the ids written or deleted: the manifest is written for them

    def put(self, kind: str, payload: bytes, record_id: str | None = None) -> str:
        record_id = record_id or crypto.new_record_id()
        values = self._vault.seal_record(kind, record_id, payload, self._vault.next_version(self._conn, record_id))
        stmt = insert(_records).values(**values)
        self._conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
        self._vault._deferred.pop(record_id, None)  # an older deferred write must not overwrite this one
        self.changed.add(record_id)
        return record_id

    @property
    def conn(self) -> Connection:
        """This transaction's connection, for plaintext rows that belong with these records: hand it to a
        store function, e.g. `stores.groups.put_group(conn=tx.conn, ...)`."""
        return self._conn

    def delete(self, record_id: str) -> bool:
        self._vault._deferred.pop(record_id, None)  # a deferred write must not bring it back
        gone = bool(self._conn.execute(delete(_records).where(_records.c.id == record_id)).rowcount)
        if gone:
            self.changed.add(record_id)
        return gone

