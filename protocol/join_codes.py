"""Join codes: ten characters a leader reads out; the relay keeps the invite sealed under them (ADR 0004)."""

from __future__ import annotations

import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from protocol.encoding import NONCE_BYTES, ProtocolError, b64d, b64e

JOIN_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
JOIN_CODE_LENGTH = 10  # 50 bits; stretched with Argon2id, and the relay limits guesses
JOIN_CODE_KDF = {"memory_kib": 64 * 1024, "iterations": 3, "lanes": 1}


def new_join_code() -> str:
    """A fresh code in two groups of five, e.g. "7KQ2M-XW9PD".

    >>> len(normalize_join_code(new_join_code()))
    10
    """
    raw = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_join_code(code: str) -> str:
    """As people type it: any case, spaces or dashes, O for 0, I and L for 1. Raises ProtocolError.

    >>> normalize_join_code("7kq2m xw9pd")
    '7KQ2MXW9PD'
    """
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) != JOIN_CODE_LENGTH or any(ch not in JOIN_CODE_ALPHABET for ch in cleaned):
        raise ProtocolError("join_code", "not a join code")
    return cleaned


def stretch_join_code(code: str) -> tuple[str, bytes]:
    """(lookup id for the relay, key that seals the invite). Slow on purpose: Argon2id.

    The relay sees only the lookup id; the key never leaves the two phones.
    """
    kdf = Argon2id(salt=b"kraft/v1/join-code", length=64, iterations=JOIN_CODE_KDF["iterations"],
                   lanes=JOIN_CODE_KDF["lanes"], memory_cost=JOIN_CODE_KDF["memory_kib"])
    out = kdf.derive(normalize_join_code(code).encode("ascii"))
    return b64e(out[:32]), out[32:]


def seal_join_invite(key: bytes, token: str) -> str:
    """The invite token sealed under a join code's key, for the relay to keep.

    >>> open_join_invite(bytes(32), seal_join_invite(bytes(32), "TOKEN"))
    'TOKEN'
    """
    nonce = os.urandom(NONCE_BYTES)
    return b64e(nonce + AESGCM(key).encrypt(nonce, token.encode("ascii"), b"kraft/v1/join-code"))


def open_join_invite(key: bytes, sealed: str) -> str:
    """Open what `seal_join_invite` sealed; raises ProtocolError("damaged") under any other key."""
    data = b64d(sealed)
    try:
        return AESGCM(key).decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], b"kraft/v1/join-code").decode("ascii")
    except (InvalidTag, ValueError) as exc:
        raise ProtocolError("damaged", "the stored invite does not open with this code") from exc
