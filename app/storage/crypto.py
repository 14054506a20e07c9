"""Cryptographic building blocks of the vault: Argon2id, AES-256-GCM, padding, random ids, recovery codes.

Everything here is a pure function over bytes; keys are handed in and never stored by this module.
"""

from __future__ import annotations

import base64
import os
import secrets
import struct
import unicodedata
from dataclasses import asdict, dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16
RECOVERY_BYTES = 15  # 120 bits: 24 base32 characters, shown as six groups of four


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost, stored beside each slot so it can be raised later without breaking old slots."""

    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 1

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, int]) -> KdfParams:
        return cls(memory_kib=int(data["memory_kib"]), iterations=int(data["iterations"]),
                   lanes=int(data["lanes"]))


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def new_nonce() -> bytes:
    return os.urandom(NONCE_BYTES)


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


def new_record_id() -> str:
    """A random 128-bit id: it says nothing about when or in which order a record was written."""
    return secrets.token_hex(16)


def normalize_passphrase(passphrase: str) -> bytes:
    """NFC-normalise so the same passphrase typed on two keyboards gives the same bytes."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def derive_key(secret: bytes, salt: bytes, params: KdfParams) -> bytes:
    """Stretch a passphrase or recovery code into a key-encryption key (slow on purpose)."""
    kdf = Argon2id(salt=salt, length=KEY_BYTES, iterations=params.iterations, lanes=params.lanes,
                   memory_cost=params.memory_kib)
    return kdf.derive(secret)


def seal(key: bytes | AESGCM, plaintext: bytes, associated: bytes) -> tuple[bytes, bytes]:
    """AES-256-GCM with a fresh random 96-bit nonce; returns (nonce, ciphertext+tag)."""
    aead = key if isinstance(key, AESGCM) else AESGCM(key)
    nonce = new_nonce()
    return nonce, aead.encrypt(nonce, plaintext, associated)


def open_sealed(key: bytes | AESGCM, nonce: bytes, ciphertext: bytes, associated: bytes) -> bytes:
    """Decrypt and authenticate; raises `cryptography.exceptions.InvalidTag` on any mismatch."""
    aead = key if isinstance(key, AESGCM) else AESGCM(key)
    return aead.decrypt(nonce, ciphertext, associated)


# ---- padding: hide exact lengths by rounding up to a bucket ----

_LEN = struct.Struct(">I")
_MIN_BUCKET = 256
_LINEAR_STEP = 16 * 1024


def _buckets() -> list[int]:
    # 256 * sqrt(2)**k rounded up to 16 bytes: 256, 368, 512, 736, 1024, 1456, 2048 ... 16384
    sizes, k = [], 0
    while True:
        size = -(-round(_MIN_BUCKET * 2 ** (k / 2)) // 16) * 16
        sizes.append(size)
        if size >= _LINEAR_STEP:
            return sizes
        k += 1


_BUCKETS = _buckets()


def bucket_size(length: int) -> int:
    """Steps of sqrt(2) from 256 bytes to 16 KiB, then whole multiples of 16 KiB."""
    for size in _BUCKETS:
        if size >= length:
            return size
    return -(-length // _LINEAR_STEP) * _LINEAR_STEP


def pad(data: bytes) -> bytes:
    body = _LEN.pack(len(data)) + data
    return body + bytes(bucket_size(len(body)) - len(body))


def unpad(padded: bytes) -> bytes:
    if len(padded) < _LEN.size:
        raise ValueError("padded record too short")
    (length,) = _LEN.unpack_from(padded)
    if length > len(padded) - _LEN.size:
        raise ValueError("padded record length out of range")
    return padded[_LEN.size:_LEN.size + length]


# ---- recovery codes ----


def new_recovery_code() -> str:
    """A random code in base32 (A-Z, 2-7), grouped for reading aloud: `ABCD-EFGH-...`."""
    raw = base64.b32encode(os.urandom(RECOVERY_BYTES)).decode("ascii")
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def normalize_recovery_code(code: str) -> bytes:
    """Accept the code as people type it: any case, spaces or dashes, 0 for O, 1 for I, 8 for B."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans("018", "OIB"))
    return cleaned.encode("ascii", errors="replace")
