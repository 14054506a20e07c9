"""The pure part of a re-key (`Vault.rekey` runs it, in its one transaction): re-sealing rows under a new key.

Kept apart from app.storage.vault only for its size; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.storage import crypto

REKEY_CHUNK = 250  # records re-sealed per UPDATE batch (and at most per progress report)
Progress = Callable[[int, int], None]  # (records done, records in all)
RecordAd = Callable[[str, str, int], bytes]  # (kind, id, fmt) -> associated data


@dataclass(frozen=True)
class RekeyResult:
    """What a re-key sealed again, and the ids of records that did not open (left as they were)."""

    records: int
    damaged: list[str]


def reseal(rows: Sequence[Sequence[Any]], old: AESGCM, new: AESGCM, ad_for: RecordAd,
           damaged: list[str]) -> list[tuple[bytes, bytes, str]]:
    """(nonce, ciphertext, id) for each (id, kind, fmt, nonce, ciphertext) row, sealed again under `new`: the
    same associated data and padded plaintext (so the same length), a fresh nonce. Rows that do not open
    under `old` are left out and their ids appended to `damaged`."""
    updates = []
    for record_id, kind, fmt, nonce, ct in rows:
        ad = ad_for(kind, record_id, fmt)
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
