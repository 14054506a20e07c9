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
associated data: changing any byte of it, or of the ciphertext, makes the backup fail to open.
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
from app.storage.stores import links as link_rows
from app.storage.vault import FORMAT_VERSION, RECOVERY, DamagedRecord, Vault, record_ad, slot_ad

MAGIC = b"KRAFTBK1"
BACKUP_FORMAT = 1
MAX_HEADER = 64 * 1024
_LEN = struct.Struct(">I")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    return base64.b64decode(str(text), validate=True)


def backup_ad(vault_id: str) -> bytes:
    return f"kraft|backup|{vault_id}|{BACKUP_FORMAT}".encode()


@dataclass(frozen=True)
class BackupHeader:
    vault_id: str
    vault_format: int
    created: date
    slots: dict[str, dict[str, Any]]

    def slot_params(self, kind: str) -> tuple[KdfParams, bytes]:
        slot = self.slots.get(kind)
        if slot is None:
            raise KraftError(Msg.BACKUP_UNREADABLE, detail=f"it has no {kind} slot")
        return KdfParams.from_dict(slot["kdf_params"]), _unb64(slot["salt"])


def snapshot(engine: Engine) -> bytes:
    """A consistent copy of the whole database (committed data, WAL included) as bytes."""
    raw = engine.raw_connection()
    try:
        source: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
        copy = sqlite3.connect(":memory:")
        try:
            source.backup(copy)
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
             for kind, params, salt, nonce, wrapped in vault.slot_rows()}
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
    fields: dict[str, Any]
    prefix: bytes
    ciphertext: bytes


def _parse(data: bytes) -> _Parsed:
    if not data.startswith(MAGIC):
        raise KraftError(Msg.BACKUP_UNREADABLE, detail="it does not start like a Kraft backup")
    try:
        (length,) = _LEN.unpack_from(data, len(MAGIC))
        if length > MAX_HEADER:
            raise ValueError("header too long")
        start = len(MAGIC) + _LEN.size
        fields = json.loads(data[start:start + length].decode())
        if not isinstance(fields, dict):
            raise ValueError("header is not a map")
        if int(fields["format"]) > BACKUP_FORMAT:
            raise KraftError(Msg.BACKUP_NEWER, found=fields["format"])
        header = BackupHeader(vault_id=str(fields["vault_id"]), vault_format=int(fields["vault_format"]),
                              created=date.fromisoformat(str(fields["created"])), slots=dict(fields["slots"]))
        return _Parsed(header, fields, data[:start + length], data[start + length:])
    except (struct.error, ValueError, KeyError, TypeError) as exc:
        raise KraftError(Msg.BACKUP_UNREADABLE, detail=f"its header is damaged ({exc})") from exc


def read_back(data: bytes, vault: Vault) -> bytes:
    """The snapshot of a backup just written, opened with the unlocked vault instead of a secret."""
    parsed = _parse(data)
    fields = parsed.fields
    try:
        backup_key = vault.open_blob(_unb64(fields["key_nonce"]), _unb64(fields["wrapped_key"]),
                                     backup_ad(parsed.header.vault_id))
        return AESGCM(backup_key).decrypt(_unb64(fields["nonce"]), parsed.ciphertext, parsed.prefix)
    except (InvalidTag, KeyError, ValueError) as exc:
        raise KraftError(Msg.BACKUP_UNREADABLE, detail="its contents do not verify (changed or cut short)") from exc


def read_header(data: bytes) -> BackupHeader:
    """What the backup says about itself, before any secret is asked for (to pick the KDF parameters)."""
    return _parse(data).header


def open_backup(data: bytes, kind: str, kek: bytes) -> tuple[bytes, bytes]:
    """The snapshot inside a backup and the vault's data key, given the KEK derived from the passphrase or
    recovery code."""
    parsed = _parse(data)
    vault_id = parsed.header.vault_id
    slot = parsed.header.slots.get(kind)
    if slot is None:
        raise KraftError(Msg.BACKUP_UNREADABLE, detail=f"it has no {kind} slot")
    try:
        data_key = crypto.open_sealed(kek, _unb64(slot["nonce"]), _unb64(slot["wrapped_key"]), slot_ad(kind, vault_id))
    except InvalidTag as exc:
        raise KraftError(Msg.WRONG_RECOVERY_CODE if kind == RECOVERY else Msg.WRONG_PASSPHRASE) from exc
    except (KeyError, ValueError) as exc:
        raise KraftError(Msg.BACKUP_UNREADABLE, detail=f"its key slot is damaged ({exc})") from exc
    try:
        fields = parsed.fields
        backup_key = crypto.open_sealed(data_key, _unb64(fields["key_nonce"]), _unb64(fields["wrapped_key"]),
                                        backup_ad(vault_id))
        return AESGCM(backup_key).decrypt(_unb64(fields["nonce"]), parsed.ciphertext, parsed.prefix), data_key
    except (InvalidTag, KeyError, ValueError) as exc:
        raise KraftError(Msg.BACKUP_UNREADABLE, detail="its contents do not verify (changed or cut short)") from exc


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
