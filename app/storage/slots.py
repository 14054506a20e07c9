"""Key slots: the data key wrapped under each way of opening the journal (docs/adr/0001-vault-format.md).

A slot is a row of `key_slot`: the passphrase and the recovery code (Argon2id, parameters read only within
bounds: decision 9), and on phones the keystore (a random secret the platform keeps, no KDF:
docs/adr/0010-keystore-unlock.md). Everything read from a slot row is checked before any KDF runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag

from app.errors import KraftError, Msg
from app.storage import crypto
from app.storage.crypto import KdfParams
from app.storage.slot_kinds import KEYSTORE, NO_KDF, PASSPHRASE, RECOVERY  # noqa: F401 (re-exported)

if TYPE_CHECKING:  # a SQLAlchemy connection, or app.storage.direct's: the SQL here is the DB-API's own
    from sqlalchemy import Connection

    from app.storage.direct import SqlConnection

SLOT_FORMAT = 1  # the key slots' format, bound in their associated data: unchanged since vault version 1

_WRONG = {RECOVERY: Msg.WRONG_RECOVERY_CODE, KEYSTORE: Msg.KEYSTORE_STALE}
_SLOT_BYTES = {"salt": crypto.SALT_BYTES, "nonce": crypto.NONCE_BYTES, "wrapped_key": crypto.WRAPPED_KEY_BYTES}


def slot_ad(kind: str, vault_id: str) -> bytes:
    return f"kraft|key_slot|{kind}|{vault_id}|{SLOT_FORMAT}".encode()


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


def check_slot_bytes(kind: str, **values: object) -> None:
    """A key slot's salt, nonce and wrapped key have their exact lengths, or the slot is VAULT_DAMAGED."""
    for name, value in values.items():
        try:
            crypto.checked_bytes(value, _SLOT_BYTES[name])
        except ValueError as exc:
            raise KraftError(Msg.VAULT_DAMAGED, detail=f"slot {kind}: its {name} {exc}") from exc


def params_and_salt(conn: SqlConnection, kind: str) -> tuple[KdfParams, bytes]:
    """The stored KDF parameters and salt of a slot, every field of its row checked first (bounds included):
    a damaged or crafted row is VAULT_DAMAGED at once, never a long Argon2id run or a "wrong passphrase"."""
    row = conn.exec_driver_sql("SELECT kdf_params, salt, nonce, wrapped_key FROM key_slot WHERE kind = ?",
                               (kind,)).first()
    if row is None:
        raise KraftError(Msg.NO_VAULT)
    params = stored_params(kind, row[0])
    check_slot_bytes(kind, salt=row[1], nonce=row[2], wrapped_key=row[3])
    return params, row[1]


def unwrap(conn: SqlConnection, kind: str, kek: bytes) -> tuple[str, bytes]:
    """(vault id, data key) from the `kind` slot; a KEK that does not open it, or no such slot (e.g. the
    keystore slot, dropped since its button was shown), raises WRONG_PASSPHRASE, WRONG_RECOVERY_CODE or
    KEYSTORE_STALE."""
    vault_id = conn.exec_driver_sql("SELECT vault_id FROM vault_header").scalar()
    if vault_id is None:
        raise KraftError(Msg.NO_VAULT)
    row = conn.exec_driver_sql("SELECT nonce, wrapped_key FROM key_slot WHERE kind = ?", (kind,)).first()
    if row is None:
        raise KraftError(_WRONG.get(kind, Msg.WRONG_PASSPHRASE))
    check_slot_bytes(kind, nonce=row[0], wrapped_key=row[1])
    try:
        return str(vault_id), crypto.open_sealed(kek, row[0], row[1], slot_ad(kind, vault_id))
    except InvalidTag as exc:
        raise KraftError(_WRONG.get(kind, Msg.WRONG_PASSPHRASE)) from exc


def write_slot(conn: Connection, slot: SlotSecret, data_key: bytes, vault_id: str) -> None:
    nonce, wrapped = crypto.seal(slot.kek, data_key, slot_ad(slot.kind, vault_id))
    params = "{}" if slot.kdf == NO_KDF else json.dumps(slot.params.to_dict())
    conn.exec_driver_sql(
        "INSERT INTO key_slot (kind, kdf, kdf_params, salt, nonce, wrapped_key) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (kind) DO UPDATE SET kdf = excluded.kdf, kdf_params = excluded.kdf_params,"
        " salt = excluded.salt, nonce = excluded.nonce, wrapped_key = excluded.wrapped_key",
        (slot.kind, slot.kdf, params, slot.salt, nonce, wrapped))


def drop(conn: Connection, kinds: tuple[str, ...]) -> int:
    """Delete the slots of `kinds` (needs no key); how many there were. secure_delete overwrites the rows."""
    if not kinds:
        return 0
    marks = ", ".join("?" * len(kinds))
    return int(conn.exec_driver_sql(f"DELETE FROM key_slot WHERE kind IN ({marks})", tuple(kinds)).rowcount)  # noqa: S608


def drop_keystore_slot(conn: Connection) -> None:
    """The keystore slot wraps the old data key, so a re-key drops it in its transaction; the app's keystore
    state then forgets the platform's secret (docs/adr/0010-keystore-unlock.md), and the member may turn it on
    again. As the re-key's first statement it also takes the database's write lock."""
    drop(conn, (KEYSTORE,))


def has(conn: Connection, kind: str) -> bool:
    return conn.exec_driver_sql("SELECT 1 FROM key_slot WHERE kind = ?", (kind,)).first() is not None


def rows(conn: Connection, kinds: tuple[str, ...]) -> list[tuple[str, str, bytes, bytes, bytes]]:
    """The key slots of `kinds` (kind, kdf_params JSON, salt, nonce, wrapped key), for backups: each checked
    as `params_and_salt` checks it, so no backup carries a damaged one."""
    if not kinds:
        return []
    marks = ", ".join("?" * len(kinds))
    found = conn.exec_driver_sql("SELECT kind, kdf_params, salt, nonce, wrapped_key FROM key_slot"  # noqa: S608
                                 f" WHERE kind IN ({marks}) ORDER BY kind", tuple(kinds)).all()
    for kind, params, salt, nonce, wrapped in found:
        stored_params(kind, params)
        check_slot_bytes(kind, salt=salt, nonce=nonce, wrapped_key=wrapped)
    return [(r[0], r[1], r[2], r[3], r[4]) for r in found]
