"""The re-sealing of a re-key (`Vault.rekey` runs it in its one transaction, on its connection): every record
and every sealed outbox request under the new key. Kept apart from app.storage.vault for its size."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection

from app.storage import crypto
from app.storage.stores import outbox as outbox_rows

REKEY_CHUNK = 250  # records re-sealed per UPDATE batch (and at most per progress report)
Progress = Callable[[int, int], None]  # (records done, records in all)
RecordAd = Callable[[str, str, int, int], bytes]  # (kind, id, fmt, version) -> associated data


@dataclass(frozen=True)
class RekeyResult:
    """What a re-key sealed again, and the ids of records that did not open (left as they were)."""

    records: int
    damaged: list[str]


def reseal(rows: Sequence[Sequence[Any]], old: AESGCM, new: AESGCM, ad_for: RecordAd,
           damaged: list[str]) -> list[tuple[bytes, bytes, str]]:
    """(nonce, ciphertext, id) for each (id, kind, fmt, nonce, ciphertext, version) row, sealed again under `new`: the
    same associated data and padded plaintext (so the same length), a fresh nonce. Rows that do not open
    under `old` are left out and their ids appended to `damaged`."""
    updates = []
    for record_id, kind, fmt, nonce, ct, version in rows:
        ad = ad_for(kind, record_id, fmt, version)
        try:
            updates.append((*crypto.seal(new, old.decrypt(nonce, ct, ad), ad), record_id))
        except InvalidTag:
            damaged.append(record_id)
    return updates


def reseal_blob(blob: bytes, old: AESGCM, new: AESGCM, ad: bytes) -> bytes | None:
    """A nonce + ciphertext blob (an outbox request) sealed again under `new`, or None when it does not open."""
    size = crypto.NONCE_BYTES
    try:
        plain = old.decrypt(blob[:size], blob[size:], ad)
    except InvalidTag:
        return None
    nonce, sealed = crypto.seal(new, plain, ad)
    return nonce + sealed



def reseal_all(conn: Connection, old: AESGCM, new: AESGCM, ad_for: RecordAd, progress: Progress | None) -> RekeyResult:
    """Every record (same id, kind, format, version and padded plaintext; a fresh nonce) and every sealed outbox
    request, under `new`. `progress(done, total)` per ~1 % of the records and once at the end."""
    rows = conn.exec_driver_sql("SELECT id, kind, fmt, nonce, ciphertext, version FROM record").fetchall()
    total, damaged = len(rows), list[str]()
    step = max(1, min(REKEY_CHUNK, total // 100))
    for start in range(0, total, step):
        if progress is not None:
            progress(start, total)
        updates = reseal(rows[start:start + step], old, new, ad_for, damaged)
        if updates:
            conn.exec_driver_sql("UPDATE record SET nonce = ?, ciphertext = ? WHERE id = ?", updates)
    opened = total - len(damaged)
    _reseal_outbox(conn, old, new, damaged)
    if progress is not None:
        progress(total, total)
    return RekeyResult(records=opened, damaged=damaged)


def _reseal_outbox(conn: Connection, old: AESGCM, new: AESGCM, damaged: list[str]) -> None:
    """The requests waiting for the relay are sealed under the data key too (docs/adr/0005, "Locked"): a re-key
    seals them again, or they would never open and never be sent."""
    for item_id, group_id, blob in outbox_rows.sealed_requests(conn=conn):
        sealed = reseal_blob(blob, old, new, outbox_rows.sealed_ad(group_id, item_id))
        if sealed is None:
            damaged.append(f"outbox {item_id}")
        else:
            outbox_rows.set_sealed(conn=conn, item_id=item_id, sealed=sealed)
