"""Encrypted backup files: one consistent snapshot of the whole database, sealed, with the key slots beside it.

Format, version 1 (`.kraftbackup`):

    magic      b"KRAFTBK1"
    length     4 bytes, big-endian: the length of the header
    header     UTF-8 JSON: {"format": 1, "vault_id", "vault_format", "created" (a day, no time),
               "slots": {kind: {"kdf_params", "salt", "nonce", "wrapped_key"}} (bytes as base64),
               "key_nonce", "wrapped_key", "nonce"}
    ciphertext AES-256-GCM(backup_key, nonce, snapshot, ad = magic + length + header)

The snapshot is SQLite's backup API copy of `kraft.db` (the WAL folded in), so it holds the journal's
sealed records and also what the database keeps unencrypted (meeting times, group labels, preferences):
the whole file is encrypted, because a backup may end up in a shared folder. The backup key is random per
backup and wrapped under the vault's data key (ad "kraft|backup|<vault_id>|1"); the data key is wrapped in
the header's copies of the passphrase and recovery-code slots exactly as in the vault, so the passphrase or
the recovery code of the day the backup was made opens it, on any device. The header is authenticated as
associated data: changing any byte of it, or of the ciphertext, makes the backup fail to open. Before that,
every header field is checked (types, lengths, KDF settings within bounds) without running Argon2id
(docs/adr/0003-backups-and-check-ins.md, decision 6).
"""

from __future__ import annotations

import base64
import json
import sqlite3
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine

from app.errors import KraftError, Msg
from app.storage import crypto, manifest
from app.storage.crypto import KdfParams
from app.storage.db import begin, checkpoint, open_database
from app.storage.slots import PASSPHRASE, RECOVERY, slot_ad
from app.storage.stores import links as link_rows
from app.storage.vault import FORMAT_VERSION, DamagedRecord, Vault, record_ad

MAGIC = b"KRAFTBK1"
SECRET_SLOTS = (PASSPHRASE, RECOVERY)  # the slots a backup carries: a device keystore's stays on the device
BACKUP_FORMAT = 1
MAX_HEADER = 64 * 1024
_LEN = struct.Struct(">I")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def backup_ad(vault_id: str) -> bytes:
    return f"kraft|backup|{vault_id}|{BACKUP_FORMAT}".encode()


@dataclass(frozen=True)
class BackupSlot:
    """A header's copy of one key slot, each field checked (docs/adr/0003-backups-and-check-ins.md, 6)."""

    params: KdfParams
    salt: bytes
    nonce: bytes
    wrapped_key: bytes


@dataclass(frozen=True)
class BackupHeader:
    vault_id: str
    vault_format: int
    created: date
    slots: dict[str, BackupSlot]

    def slot(self, kind: str) -> BackupSlot:
        found = self.slots.get(kind)
        if found is None:
            raise KraftError(Msg.BACKUP_UNREADABLE, detail=f"it has no {kind} slot")
        return found

    def slot_params(self, kind: str) -> tuple[KdfParams, bytes]:
        slot = self.slot(kind)
        return slot.params, slot.salt


def snapshot(engine: Engine) -> bytes:
    """A consistent copy of the whole database (committed data, WAL included) as bytes."""
    raw = engine.raw_connection()
    try:
        source: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
        copy = sqlite3.connect(":memory:")
        try:
            source.backup(copy)
            # The keystore slot stays on this device (docs/adr/0010-keystore-unlock.md): a backup opens with
            # the passphrase or the recovery code only, never with this phone's keystore secret.
            copy.execute("PRAGMA secure_delete = ON")  # no copy of the row is left in a free page
            copy.execute("DELETE FROM key_slot WHERE kind = 'keystore'")
            copy.commit()
            data = bytearray(copy.serialize())
        finally:
            copy.close()
    finally:
        raw.close()
    # Header bytes 18-19 say "WAL" (2) for our database; a copy is a plain file (1) so it opens anywhere,
    # in memory too. Opened as the live database again, the engine turns WAL back on.
    data[18:20] = b"\x01\x01"
    return bytes(data)


def seal_backup(vault: Vault, engine: Engine, *, today: date) -> bytes:
    """The backup file's bytes. Needs the vault unlocked (the backup key is wrapped under the data key)."""
    vault_id = vault.vault_id()
    slots = {kind: {"kdf_params": json.loads(params), "salt": _b64(salt), "nonce": _b64(nonce),
                    "wrapped_key": _b64(wrapped)}
             for kind, params, salt, nonce, wrapped in vault.slot_rows(SECRET_SLOTS)}
    backup_key = crypto.new_key()
    key_nonce, wrapped_key = vault.seal_blob(backup_key, backup_ad(vault_id))
    nonce = crypto.new_nonce()
    header = json.dumps({
        "format": BACKUP_FORMAT, "vault_id": vault_id, "vault_format": FORMAT_VERSION,
        "created": today.isoformat(), "slots": slots, "key_nonce": _b64(key_nonce),
        "wrapped_key": _b64(wrapped_key), "nonce": _b64(nonce)}, sort_keys=True).encode()
    prefix = MAGIC + _LEN.pack(len(header)) + header
    return prefix + AESGCM(backup_key).encrypt(nonce, snapshot(engine), prefix)


@dataclass(frozen=True)
class _Parsed:
    header: BackupHeader
    key_nonce: bytes
    wrapped_key: bytes
    nonce: bytes
    prefix: bytes
    ciphertext: bytes


def _damaged(detail: str) -> KraftError:
    return KraftError(Msg.BACKUP_UNREADABLE, detail=detail)


def _field(fields: dict[str, Any], name: str, where: str = "its ") -> Any:
    if name not in fields:
        raise _damaged(f"{where}{name} is missing")
    return fields[name]


def _whole(fields: dict[str, Any], name: str) -> int:
    value = _field(fields, name)
    if type(value) is not int:  # a bool is an int to Python, not to a header
        raise _damaged(f"its {name} is not a whole number")
    return value


def _version(fields: dict[str, Any], name: str, known: int) -> int:
    value = _whole(fields, name)
    if value > known:
        raise KraftError(Msg.BACKUP_NEWER, found=value)
    if value < 1:
        raise _damaged(f"its {name} {value} is not one Kraft knows")
    return value


def _bytes(fields: dict[str, Any], name: str, length: int, where: str = "its ") -> bytes:
    text = _field(fields, name, where)
    try:
        if not isinstance(text, str):
            raise ValueError(text)
        raw = base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise _damaged(f"{where}{name} is not base64") from exc
    try:
        return crypto.checked_bytes(raw, length)
    except ValueError as exc:
        raise _damaged(f"{where}{name} {exc}") from exc


def _slot(kind: str, value: object) -> BackupSlot:
    if not isinstance(value, dict):
        raise _damaged(f"its {kind} slot is not a map")
    where = f"its {kind} slot's "
    params = KdfParams.checked(_field(value, "kdf_params", where), msg=Msg.BACKUP_UNREADABLE, where=where)
    return BackupSlot(params=params, salt=_bytes(value, "salt", crypto.SALT_BYTES, where),
                      nonce=_bytes(value, "nonce", crypto.NONCE_BYTES, where),
                      wrapped_key=_bytes(value, "wrapped_key", crypto.WRAPPED_KEY_BYTES, where))


def _header(fields: dict[str, Any]) -> BackupHeader:
    _version(fields, "format", BACKUP_FORMAT)
    vault_format = _version(fields, "vault_format", FORMAT_VERSION)
    vault_id = _field(fields, "vault_id")
    if not isinstance(vault_id, str) or len(vault_id) != 32 or not all(c in "0123456789abcdef" for c in vault_id):
        raise _damaged("its vault_id is not a vault id")
    try:
        created = date.fromisoformat(_field(fields, "created"))
    except (TypeError, ValueError) as exc:
        raise _damaged("its created is not a day") from exc
    slots = _field(fields, "slots")
    if not isinstance(slots, dict):
        raise _damaged("its slots are not a map")
    for kind, value in slots.items():
        if not isinstance(value, dict):
            raise _damaged(f"its {kind} slot is not a map")
    # Only the slots a secret opens are read; another kind (a device keystore's, reserved) is carried, unused.
    return BackupHeader(vault_id=vault_id, vault_format=vault_format, created=created,
                        slots={kind: _slot(kind, slots[kind]) for kind in SECRET_SLOTS if kind in slots})


def _parse(data: bytes) -> _Parsed:
    """Every field of the header checked, cheaply and before anything else (no KDF, no decryption)."""
    if not data.startswith(MAGIC):
        raise _damaged("it does not start like a Kraft backup")
    start = len(MAGIC) + _LEN.size
    if len(data) < start:
        raise _damaged("it is cut short")
    (length,) = _LEN.unpack_from(data, len(MAGIC))
    if length > MAX_HEADER:
        raise _damaged("its header is too long")
    if start + length > len(data):
        raise _damaged("it is cut short")
    try:
        fields = json.loads(data[start:start + length].decode())
    except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, or nested beyond Python's stack
        raise _damaged("its header is damaged (not JSON)") from exc
    if not isinstance(fields, dict):
        raise _damaged("its header is not a map")
    header = _header(fields)
    return _Parsed(header, key_nonce=_bytes(fields, "key_nonce", crypto.NONCE_BYTES),
                   wrapped_key=_bytes(fields, "wrapped_key", crypto.WRAPPED_KEY_BYTES),
                   nonce=_bytes(fields, "nonce", crypto.NONCE_BYTES),
                   prefix=data[:start + length], ciphertext=data[start + length:])


def read_back(data: bytes, vault: Vault) -> bytes:
    """The snapshot of a backup just written, opened with the unlocked vault instead of a secret."""
    parsed = _parse(data)
    try:
        backup_key = vault.open_blob(parsed.key_nonce, parsed.wrapped_key, backup_ad(parsed.header.vault_id))
        return AESGCM(backup_key).decrypt(parsed.nonce, parsed.ciphertext, parsed.prefix)
    except InvalidTag as exc:
        raise _damaged("its contents do not verify (changed or cut short)") from exc


def read_header(data: bytes) -> BackupHeader:
    """What the backup says about itself, every field checked, before any secret is asked for or stretched."""
    return _parse(data).header


def open_backup(data: bytes, kind: str, kek: bytes) -> tuple[bytes, bytes]:
    """The snapshot inside a backup and the vault's data key, given the KEK derived from the passphrase or
    recovery code."""
    parsed = _parse(data)
    vault_id = parsed.header.vault_id
    slot = parsed.header.slot(kind)
    try:
        data_key = crypto.open_sealed(kek, slot.nonce, slot.wrapped_key, slot_ad(kind, vault_id))
    except InvalidTag as exc:
        raise KraftError(Msg.BACKUP_WRONG_RECOVERY_CODE if kind == RECOVERY else Msg.BACKUP_WRONG_PASSPHRASE) from exc
    try:
        backup_key = crypto.open_sealed(data_key, parsed.key_nonce, parsed.wrapped_key, backup_ad(vault_id))
        return AESGCM(backup_key).decrypt(parsed.nonce, parsed.ciphertext, parsed.prefix), data_key
    except InvalidTag as exc:
        raise _damaged("its contents do not verify (changed or cut short)") from exc


@dataclass(frozen=True)
class SnapshotSummary:
    vault_id: str
    records: dict[str, int]  # kind -> records that open
    damaged: int
    groups: int


RecordOpener = Callable[[str, str, int, bytes, bytes, int], bytes]  # kind, id, fmt, nonce, ciphertext, version


def opener_for(data_key: bytes) -> RecordOpener:
    """Open records with a data key (raises DamagedRecord like `Vault.open_record`)."""
    aead = AESGCM(data_key)

    def open_record(kind: str, record_id: str, fmt: int, nonce: bytes, ciphertext: bytes, version: int = 0) -> bytes:
        try:
            return crypto.unpad(aead.decrypt(nonce, ciphertext, record_ad(kind, record_id, fmt, version)))
        except (InvalidTag, ValueError) as exc:
            raise DamagedRecord(record_id) from exc

    return open_record


def inspect_snapshot(snapshot_bytes: bytes, open_record: RecordOpener) -> SnapshotSummary:
    """Open a snapshot in memory (never on disk): integrity check, then try every record."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(snapshot_bytes)
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise KraftError(Msg.BACKUP_UNREADABLE, detail="; ".join(problems[:3]))
        vault_id = conn.execute("SELECT vault_id FROM vault_header").fetchone()[0]
        records: dict[str, int] = {}
        damaged = 0
        columns = {row[1] for row in conn.execute("PRAGMA table_info(record)")}
        version = "version" if "version" in columns else "0"  # a backup made before format 2 has none
        for record_id, kind, fmt, nonce, ciphertext, number in conn.execute(
                f"SELECT id, kind, fmt, nonce, ciphertext, {version} FROM record"):  # noqa: S608 (fixed names)
            try:
                open_record(kind, record_id, fmt, nonce, ciphertext, number)
                records[kind] = records.get(kind, 0) + 1
            except DamagedRecord:
                damaged += 1
        groups = conn.execute("SELECT count(*) FROM meeting_group").fetchone()[0]
        return SnapshotSummary(vault_id=str(vault_id), records=records, damaged=damaged, groups=int(groups))
    except sqlite3.DatabaseError as exc:
        raise KraftError(Msg.BACKUP_UNREADABLE, detail=str(exc)) from exc
    finally:
        conn.close()


def restored_counter(path: Path) -> int:
    """The manifest counter of the restored database at `path` (0 for a backup made before manifests): the
    counter outside the database is set to it, so a restore the member asked for is not an "older copy"."""
    engine = open_database(path)
    try:
        with engine.connect() as conn:
            found = manifest.stored(conn)
    finally:
        engine.dispose()
    return 0 if found is None else found[0]


def set_counter_for(target: Path, counter: int) -> None:
    """Make the counter beside the database `target` say `counter` (none at all for 0); raises OSError."""
    path = Path(f"{target}{manifest.COUNTER_SUFFIX}")
    if counter:
        manifest.set_outside_counter(path, counter)
    else:
        path.unlink(missing_ok=True)


def mark_links_restored(path: Path) -> int:
    """Upgrade the restored database at `path` (not yet swapped in) and mark its relay links "restored, read
    first" (docs/adr/0006-group-protocol-v2.md, "Restore"); its WAL is folded back before it is closed, so the
    one file holds it all. Returns how many links were marked."""
    engine = open_database(path)
    try:
        with begin(engine) as conn:
            marked = link_rows.mark_restored(conn=conn)
        checkpoint(engine)
    finally:
        engine.dispose()
    return marked
