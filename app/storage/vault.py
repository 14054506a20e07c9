"""The vault: a random data key, wrapped in key slots, encrypting every record the member writes.

On-disk format, version 1 (one SQLite file, `kraft.db`, WAL mode, synchronous=FULL, secure_delete=ON):

    vault_header  (id=1, format_version=1, vault_id)              plaintext: 16 random bytes as hex
    key_slot      (kind, kdf, kdf_params, salt, nonce, wrapped_key)
        kind        "passphrase" | "recovery" | "keystore" (docs/adr/0010-keystore-unlock.md)
        kdf         "argon2id"; kdf_params is JSON {"memory_kib", "iterations", "lanes"} (default 65536, 3, 1),
                    read only within bounds (docs/adr/0001-vault-format.md, decision 9);
                    "none" for "keystore": KEK = a random 256-bit secret held by the platform keystore;
                    kdf_params "{}", salt empty
        salt        16 random bytes, new for every slot write
        wrapped_key AES-256-GCM(KEK, nonce, data_key, ad="kraft|key_slot|<kind>|<vault_id>|1")
                    where KEK = Argon2id(NFC(passphrase) or normalised recovery code, salt, params)
    record        (id, kind, fmt, nonce, ciphertext)
        id          128 random bits as hex: no time, no order
        kind        "entry" | "draft" | "group" | ...: the only other plaintext (app.storage.records)
        fmt         record format version (1)
        ciphertext  AES-256-GCM(data_key, nonce (12 fresh random bytes per write),
                    pad(msgpack map), ad="kraft|record|<kind>|<id>|<fmt>")
                    pad = 4-byte big-endian length + payload + zeros up to a bucket
                    (256 B times powers of sqrt(2), rounded to 16 B, up to 16 KiB; then multiples
                    of 16 KiB); datetimes are msgpack timestamps (UTC)
    preference    (name, value)  device settings (language, theme, auto-lock minutes); nothing written
    schema_migration (name)      the named migrations that have run

Entry text, dates, prompts, tags and themes live only inside record ciphertexts. Changing the passphrase
rewrites one key_slot row; no record is re-encrypted. A re-key (`Vault.rekey`) makes a new data key and
re-seals every record in one transaction. A record whose tag does not verify (tampered, moved to
another row or kind, truncated) is reported as damaged and skipped; the others stay readable.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.exc import DBAPIError as SADBAPIError

from app.errors import KraftError, Msg
from app.storage import crypto, db, records
from app.storage.crypto import KdfParams
from app.storage.models import KeySlot, Record, VaultHeader, table
from app.storage.rekeying import REKEY_CHUNK, Progress, RekeyResult, reseal, reseal_blob
from app.storage.stores import outbox as outbox_rows

FORMAT_VERSION = 1
RECORD_FMT = 1
PASSPHRASE = "passphrase"  # noqa: S105  (a slot kind, not a secret)
RECOVERY = "recovery"
KEYSTORE = "keystore"
NO_KDF = "none"  # a keystore slot: its KEK is random, nothing to stretch

_records = table(Record)
_slots = table(KeySlot)
_header = table(VaultHeader)


_WRONG = {RECOVERY: Msg.WRONG_RECOVERY_CODE, KEYSTORE: Msg.KEYSTORE_STALE}


def record_ad(kind: str, record_id: str, fmt: int) -> bytes:
    return f"kraft|record|{kind}|{record_id}|{fmt}".encode()


def slot_ad(kind: str, vault_id: str) -> bytes:
    return f"kraft|key_slot|{kind}|{vault_id}|{FORMAT_VERSION}".encode()


@dataclass
class LoadResult:
    """Records of one kind that opened, and the ids of those that did not."""

    items: list[tuple[str, bytes]] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)


class DamagedRecord(Exception):
    def __init__(self, record_id: str) -> None:
        super().__init__(record_id)
        self.record_id = record_id


@dataclass
class SlotSecret:
    """A freshly derived slot: what to write, computed off the event loop (Argon2id is slow)."""

    kind: str
    params: KdfParams
    salt: bytes
    kek: bytes
    kdf: str = "argon2id"


def derive_slot(kind: str, secret: bytes, params: KdfParams, salt: bytes | None = None) -> SlotSecret:
    """A new slot: its parameters within the same bounds as a read one, so it can always be read back.
    (The app's own choice is the default, NEW_SLOT_FLOOR; only tests and benchmarks pass cheaper ones.)"""
    try:
        params = KdfParams.checked(params.to_dict())
    except KraftError as exc:  # code chose them, not a file: a programming error
        raise ValueError(f"KDF parameters for a new slot out of bounds: {params} ({exc})") from exc
    salt = salt or crypto.new_salt()
    return SlotSecret(kind=kind, params=params, salt=salt, kek=crypto.derive_key(secret, salt, params))


def stored_params(kind: str, text: str) -> KdfParams:
    """A key_slot row's kdf_params (JSON text) as checked KdfParams, or VAULT_DAMAGED naming the slot."""
    try:
        stored = json.loads(text)
    except (TypeError, ValueError, RecursionError) as exc:
        raise KraftError(Msg.VAULT_DAMAGED, detail=f"slot {kind}: the KDF settings are not JSON") from exc
    return KdfParams.checked(stored, msg=Msg.VAULT_DAMAGED, where=f"slot {kind}: ")


_SLOT_BYTES = {"salt": crypto.SALT_BYTES, "nonce": crypto.NONCE_BYTES, "wrapped_key": crypto.WRAPPED_KEY_BYTES}


def _check_slot_bytes(kind: str, **values: object) -> None:
    """A key slot's salt, nonce and wrapped key have their exact lengths, or the slot is VAULT_DAMAGED."""
    for name, value in values.items():
        try:
            crypto.checked_bytes(value, _SLOT_BYTES[name])
        except ValueError as exc:
            raise KraftError(Msg.VAULT_DAMAGED, detail=f"slot {kind}: its {name} {exc}") from exc


def _unwrap(conn: Connection, kind: str, kek: bytes) -> tuple[str, bytes]:
    """(vault id, data key) from the `kind` slot; a KEK that does not open it, or no such slot (e.g. the
    keystore slot, dropped since its button was shown), raises WRONG_PASSPHRASE, WRONG_RECOVERY_CODE or
    KEYSTORE_STALE."""
    vault_id = conn.execute(select(_header.c.vault_id)).scalar_one()
    row = conn.execute(select(_slots.c.nonce, _slots.c.wrapped_key).where(_slots.c.kind == kind)).first()
    if row is None:
        raise KraftError(_WRONG.get(kind, Msg.WRONG_PASSPHRASE))
    _check_slot_bytes(kind, nonce=row[0], wrapped_key=row[1])
    try:
        return str(vault_id), crypto.open_sealed(kek, row[0], row[1], slot_ad(kind, vault_id))
    except InvalidTag as exc:
        raise KraftError(_WRONG.get(kind, Msg.WRONG_PASSPHRASE)) from exc


def drop_keystore_slot(conn: Connection) -> None:
    """The keystore slot wraps the old data key, so a re-key drops it in its transaction; the app's keystore
    state then forgets the platform's secret (docs/adr/0010-keystore-unlock.md), and the member may turn it on
    again. As the re-key's first statement it also takes the database's write lock."""
    conn.execute(delete(_slots).where(_slots.c.kind == KEYSTORE))


def _reseal_outbox(conn: Connection, old: AESGCM, new: AESGCM, damaged: list[str]) -> None:
    """The requests waiting for the relay are sealed under the data key too (docs/adr/0005, "Locked"): a re-key
    seals them again, or they would never open and never be sent."""
    for item_id, group_id, blob in outbox_rows.sealed_requests(conn=conn):
        sealed = reseal_blob(blob, old, new, outbox_rows.sealed_ad(group_id, item_id))
        if sealed is None:
            damaged.append(f"outbox {item_id}")
        else:
            outbox_rows.set_sealed(conn=conn, item_id=item_id, sealed=sealed)


class Vault:
    """Holds the data key while unlocked; seals and opens records. Keys come in, nothing prompts."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._aead: AESGCM | None = None
        self._vault_id: str | None = None
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

    def _require_key(self) -> AESGCM:
        if self._aead is None:
            raise KraftError(Msg.VAULT_LOCKED)
        return self._aead

    # ---- creating and unlocking ----

    def create(self, slots: list[SlotSecret]) -> None:
        """Write a new vault: header and one slot per unlock method, all in one transaction."""
        if self.exists():
            raise KraftError(Msg.VAULT_EXISTS)
        data_key = crypto.new_key()
        vault_id = secrets.token_hex(16)
        with self.engine.begin() as conn:
            conn.execute(insert(_header).values(id=1, format_version=FORMAT_VERSION, vault_id=vault_id))
            for slot in slots:
                self._write_slot(conn, slot, data_key, vault_id)
        self._aead, self._vault_id = AESGCM(data_key), vault_id

    def slot_params(self, kind: str) -> tuple[KdfParams, bytes]:
        """The stored KDF parameters and salt of a slot, to derive its KEK off the event loop.

        Every field of the row is checked first, its bounds included (docs/adr/0001-vault-format.md,
        decision 9): a damaged or crafted row is VAULT_DAMAGED at once, never a long Argon2id run or a
        "wrong passphrase"."""
        with self.engine.connect() as conn:
            row = conn.execute(select(_slots.c.kdf_params, _slots.c.salt, _slots.c.nonce, _slots.c.wrapped_key)
                               .where(_slots.c.kind == kind)).first()
        if row is None:
            raise KraftError(Msg.NO_VAULT)
        params = stored_params(kind, row[0])
        _check_slot_bytes(kind, salt=row[1], nonce=row[2], wrapped_key=row[3])
        return params, row[1]

    def unlock_with_kek(self, kind: str, kek: bytes) -> None:
        """Unwrap the data key with a derived KEK; a wrong secret (or no such slot) raises
        WRONG_PASSPHRASE, WRONG_RECOVERY_CODE or KEYSTORE_STALE."""
        with self.engine.connect() as conn:
            vault_id, data_key = _unwrap(conn, kind, kek)
        with self._state_lock:
            self._aead, self._vault_id = AESGCM(data_key), vault_id

    def rewrap(self, slot: SlotSecret, *, current_kind: str, current_kek: bytes, drop: tuple[str, ...] = ()) -> None:
        """Wrap the data key under a new secret: one key_slot row changes, no record is re-encrypted.

        The data key is unwrapped from the `current_kind` slot with `current_kek`, so a rewrap proves that
        the caller knows a current secret (the old passphrase, or the recovery code). The slots named in
        `drop` go in the same transaction (a new passphrase ends the keystore slot, which wraps the same key).
        """
        with self.engine.connect() as conn:
            vault_id, data_key = _unwrap(conn, current_kind, current_kek)
        with self.engine.begin() as conn:
            self._write_slot(conn, slot, data_key, vault_id)
            if drop:
                conn.execute(delete(_slots).where(_slots.c.kind.in_(drop)))

    def has_slot(self, kind: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(_slots.c.kind).where(_slots.c.kind == kind)).first() is not None

    def drop_slot(self, kind: str) -> bool:
        """Delete a key slot (needs no key); True when there was one. secure_delete overwrites the row."""
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(_slots).where(_slots.c.kind == kind)).rowcount)

    def check_kek(self, kind: str, kek: bytes) -> None:
        """Raise WRONG_PASSPHRASE/RECOVERY unless `kek` opens the `kind` slot (before asking for more)."""
        with self.engine.connect() as conn:
            _unwrap(conn, kind, kek)

    def rekey(self, slots: list[SlotSecret], *, current_kind: str, current_kek: bytes,
              progress: Progress | None = None) -> RekeyResult:
        """A new random data key: every record re-sealed, `slots` written, a keystore slot dropped, all in one
        transaction. Any failure (or a crash) before the commit leaves the old key and every record as they were.

        The first statement takes the write lock, so no other writer can slip in a record under the old key;
        the old key is then unwrapped inside the same transaction. Records that do not open are left as they
        are (they open under no key) and counted. `progress(done, total)` is called per ~1 % of the records
        and once at the end with done == total; an exception it raises rolls everything back.
        """
        with self._key_lock:
            with db.begin(self.engine) as conn:
                drop_keystore_slot(conn)
                self._write_rows(list(self._deferred.values()), conn)  # under the old key: re-sealed below
                vault_id, old_key = _unwrap(conn, current_kind, current_kek)
                new_key = crypto.new_key()
                for slot in slots:
                    self._write_slot(conn, slot, new_key, vault_id)
                rows = conn.exec_driver_sql("SELECT id, kind, fmt, nonce, ciphertext FROM record").fetchall()
                old, new = AESGCM(old_key), AESGCM(new_key)
                total, damaged = len(rows), list[str]()
                step = max(1, min(REKEY_CHUNK, total // 100))
                for start in range(0, total, step):
                    if progress is not None:
                        progress(start, total)
                    updates = reseal(rows[start:start + step], old, new, record_ad, damaged)
                    if updates:
                        conn.exec_driver_sql("UPDATE record SET nonce = ?, ciphertext = ? WHERE id = ?", updates)
                opened = total - len(damaged)
                _reseal_outbox(conn, old, new, damaged)
                if progress is not None:
                    progress(total, total)
            self._deferred.clear()
            with self._state_lock:  # a lock() meanwhile wins: the new key is not kept in memory then
                if self._aead is not None:
                    self._aead, self._vault_id = new, vault_id
        return RekeyResult(records=opened, damaged=damaged)

    @staticmethod
    def _write_slot(conn: Connection, slot: SlotSecret, data_key: bytes, vault_id: str) -> None:
        nonce, wrapped = crypto.seal(slot.kek, data_key, slot_ad(slot.kind, vault_id))
        params = "{}" if slot.kdf == NO_KDF else json.dumps(slot.params.to_dict())
        values = dict(kind=slot.kind, kdf=slot.kdf, kdf_params=params,
                      salt=slot.salt, nonce=nonce, wrapped_key=wrapped)
        stmt = insert(_slots).values(**values)
        conn.execute(stmt.on_conflict_do_update(index_elements=["kind"], set_=values))

    def vault_id(self) -> str:
        with self.engine.connect() as conn:
            return str(conn.execute(select(_header.c.vault_id)).scalar_one())

    def slot_rows(self, kinds: tuple[str, ...]) -> list[tuple[str, str, bytes, bytes, bytes]]:
        """The key slots of `kinds` (kind, kdf_params JSON, salt, nonce, wrapped key), for backups: each checked
        as `slot_params` checks it, so no backup carries a damaged one."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(_slots.c.kind, _slots.c.kdf_params, _slots.c.salt, _slots.c.nonce,
                                       _slots.c.wrapped_key).where(_slots.c.kind.in_(kinds))
                                .order_by(_slots.c.kind)).all()
        for kind, params, salt, nonce, wrapped in rows:
            stored_params(kind, params)
            _check_slot_bytes(kind, salt=salt, nonce=nonce, wrapped_key=wrapped)
        return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def seal_blob(self, data: bytes, associated: bytes) -> tuple[bytes, bytes]:
        """Encrypt something that is not a record (a backup's key) under the data key."""
        return crypto.seal(self._require_key(), data, associated)

    def open_blob(self, nonce: bytes, ciphertext: bytes, associated: bytes) -> bytes:
        """Decrypt what `seal_blob` sealed (raises InvalidTag when it does not verify)."""
        return crypto.open_sealed(self._require_key(), nonce, ciphertext, associated)

    # ---- records ----

    def seal_record(self, kind: str, record_id: str, payload: bytes) -> dict[str, object]:
        """The row of a sealed record; a kind app.storage.records does not know raises UnknownKind."""
        records.kind(kind)
        nonce, ct = crypto.seal(self._require_key(), crypto.pad(payload), record_ad(kind, record_id, RECORD_FMT))
        return dict(id=record_id, kind=kind, fmt=RECORD_FMT, nonce=nonce, ciphertext=ct)

    def open_record(self, kind: str, record_id: str, fmt: int, nonce: bytes, ciphertext: bytes) -> bytes:
        try:
            return crypto.unpad(crypto.open_sealed(self._require_key(), nonce, ciphertext,
                                                   record_ad(kind, record_id, fmt)))
        except (InvalidTag, ValueError) as exc:
            raise DamagedRecord(record_id) from exc

    @contextmanager
    def transaction(self) -> Iterator[RecordWriter]:
        """Several writes that land together or not at all (e.g. save an entry and drop its draft)."""
        self._require_key()
        with self._key_lock, db.begin(self.engine) as conn:
            yield RecordWriter(self, conn)

    def put(self, kind: str, payload: bytes, record_id: str | None = None) -> str:
        with self.transaction() as tx:
            return tx.put(kind, payload, record_id)

    def delete(self, record_id: str) -> bool:
        with self.transaction() as tx:
            return tx.delete(record_id)

    def discard(self, record_id: str) -> bool:
        """Delete a record without the key (deleting needs no reading): e.g. a group removed while locked."""
        self._deferred.pop(record_id, None)
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(_records).where(_records.c.id == record_id)).rowcount)

    def put_or_defer(self, kind: str, payload: bytes, record_id: str) -> bool:
        """Seal and write; if the write fails, keep the sealed row to write later. False when deferred."""
        with self._key_lock:
            values = self.seal_record(kind, record_id, payload)
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
            return True

    def _write_rows(self, rows: list[dict[str, object]], conn: Connection | None = None) -> None:
        if conn is None:
            with self.engine.begin() as own:
                return self._write_rows(rows, own)
        for values in rows:
            stmt = insert(_records).values(**values)
            conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
        return None

    def get(self, kind: str, record_id: str) -> bytes | None:
        """One record's payload, None if absent; raises DamagedRecord if it does not verify."""
        with self._key_lock, self.engine.connect() as conn:  # not between a re-key's commit and its new key
            row = conn.execute(select(_records.c.fmt, _records.c.nonce, _records.c.ciphertext)
                               .where(_records.c.id == record_id, _records.c.kind == kind)).first()
            return None if row is None else self.open_record(kind, record_id, *row)

    def load_kind(self, kind: str) -> LoadResult:
        """Decrypt every record of a kind in one pass; damaged ones are listed, not raised."""
        with self._key_lock:
            aead = self._require_key()
            return self._load(aead, kind)

    def _load(self, aead: AESGCM, kind: str) -> LoadResult:
        result = LoadResult()
        with db.translated(), self.engine.connect() as conn:
            # The hot path of unlock: plain DB-API tuples, no ORM objects.
            cursor = conn.exec_driver_sql(
                "SELECT id, fmt, nonce, ciphertext FROM record WHERE kind = ?", (kind,))
            rows = cursor.fetchall()
        unpad, decrypt = crypto.unpad, aead.decrypt
        for record_id, fmt, nonce, ct in rows:
            try:
                result.items.append((record_id, unpad(decrypt(nonce, ct, record_ad(kind, record_id, fmt)))))
            except (InvalidTag, ValueError):
                result.damaged.append(record_id)
        return result


class RecordWriter:
    """Writes inside one transaction of `Vault.transaction()`."""

    def __init__(self, vault: Vault, conn: Connection) -> None:
        self._vault, self._conn = vault, conn

    def put(self, kind: str, payload: bytes, record_id: str | None = None) -> str:
        record_id = record_id or crypto.new_record_id()
        values = self._vault.seal_record(kind, record_id, payload)
        stmt = insert(_records).values(**values)
        self._conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
        return record_id

    @property
    def conn(self) -> Connection:
        """This transaction's connection, for plaintext rows that belong with these records: hand it to a
        store function, e.g. `stores.groups.put_group(conn=tx.conn, ...)`."""
        return self._conn

    def delete(self, record_id: str) -> bool:
        self._vault._deferred.pop(record_id, None)  # a deferred write must not bring it back
        return bool(self._conn.execute(delete(_records).where(_records.c.id == record_id)).rowcount)
