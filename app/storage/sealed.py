"""How a sealed record's ciphertext is bound and opened, without SQLAlchemy: the vault (app.storage.vault)
writes records, and a command that only reads (app.storage.direct) opens them the same way.

    >>> record_ad("entry", "ab12", 2, 3)
    b'kraft|record|entry|ab12|2|3'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.storage import crypto

RECORD_FMT = 2


def record_ad(kind: str, record_id: str, fmt: int, version: int = 0) -> bytes:
    """Format 1 binds kind, id and format; format 2 also the record's version (docs/adr/0011-rollback.md)."""
    if fmt == 1:
        return f"kraft|record|{kind}|{record_id}|1".encode()
    return f"kraft|record|{kind}|{record_id}|{fmt}|{version}".encode()


@dataclass
class LoadResult:
    """Records of one kind that opened, and the ids of those that did not."""

    items: list[tuple[str, bytes]] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)


def open_rows(aead: AESGCM, kind: str, rows: Iterable[tuple[str, int, bytes, bytes, int]]) -> LoadResult:
    """Decrypt (id, fmt, nonce, ciphertext, version) rows of one kind; those that do not verify are listed."""
    result = LoadResult()
    unpad, decrypt = crypto.unpad, aead.decrypt
    for record_id, fmt, nonce, ct, version in rows:
        try:
            result.items.append((record_id, unpad(decrypt(nonce, ct, record_ad(kind, record_id, fmt, version)))))
        except (InvalidTag, ValueError):
            result.damaged.append(record_id)
    return result

