"""Sealing a waiting request under the journal's data key (docs/adr/0005-anonymous-attendance.md, "Locked"):
its method, path, body and token, padded and bound to its group and outbox row, so a locked phone shows
neither which meeting a report is for nor what a request is (a report, a message, a head count)."""

from __future__ import annotations

import json

from app.storage import crypto
from app.storage.stores.outbox import sealed_ad as _outbox_ad
from app.storage.vault import Vault


def seal_request(vault: Vault, group_id: str, item_id: int, request: dict[str, str]) -> bytes:
    """nonce + AES-GCM of a request's method, path, body and token, padded to a bucket (the size says little of
    how many reports wait) and bound to its group and row, so a row cannot take another's place."""
    nonce, sealed = vault.seal_blob(crypto.pad(json.dumps(request).encode()), _outbox_ad(group_id, item_id))
    return nonce + sealed


def open_request(vault: Vault, group_id: str, item_id: int, blob: bytes) -> dict[str, str]:
    """What `seal_request` sealed; raises InvalidTag or ValueError when it does not open."""
    size = crypto.NONCE_BYTES
    return dict(json.loads(crypto.unpad(vault.open_blob(blob[:size], blob[size:], _outbox_ad(group_id, item_id)))))
