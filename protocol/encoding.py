"""Bytes on the wire: base64url, canonical JSON, Ed25519 signatures, and the protocol's sizes (ADR 0004).

Every other protocol module builds on these; the relay uses only `signing_bytes`, `verify` and `b64d`.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
MAILBOX_BYTES = 16
GROUP_ID_BYTES = 16
MAX_MESSAGE_BYTES = 48 * 1024  # ciphertext of one message, before base64


class ProtocolError(ValueError):
    """Input that is not a valid protocol object. `reason` is a short machine-readable word."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


def b64e(data: bytes) -> str:
    """base64url without padding, the one text form of bytes in the protocol.

    >>> b64e(b"\\xff\\x00")
    '_wA'
    """
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str, *, length: int | None = None) -> bytes:
    """Decode base64url without padding; `length` demands an exact size. Raises ProtocolError.

    Only the canonical spelling is accepted, so one value has one text form (what is signed is unambiguous).

    >>> b64d("_wA", length=2)
    b'\\xff\\x00'
    """
    if not isinstance(text, str) or not text.isascii():
        raise ProtocolError("encoding", "not base64url text")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ProtocolError("encoding", f"not base64url: {exc}") from exc
    if b64e(data) != text:
        raise ProtocolError("encoding", "not canonical base64url")
    if length is not None and len(data) != length:
        raise ProtocolError("encoding", f"expected {length} bytes, got {len(data)}")
    return data


def canonical(value: Any) -> bytes:
    """The one byte form of a JSON value that is signed or authenticated.

    Sorted keys, no spaces, UTF-8; floats have no canonical form and raise ProtocolError.

    >>> canonical({"b": 1, "a": "x"})
    b'{"a":"x","b":1}'
    """
    _check_canonical(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _check_canonical(value: Any) -> None:
    if value is None or isinstance(value, (bool, str)):
        return
    if isinstance(value, int):
        return
    if isinstance(value, list):
        for item in value:
            _check_canonical(item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ProtocolError("canonical", "object keys must be strings")
            _check_canonical(item)
        return
    raise ProtocolError("canonical", f"{type(value).__name__} has no canonical form")


def signing_bytes(purpose: str, **fields: Any) -> bytes:
    """What a signature covers: the purpose (so a signature cannot be reused for another request) and fields.

    >>> signing_bytes("message", seq=1)
    b'{"purpose":"message","seq":1,"v":1}'
    """
    return canonical({"purpose": purpose, "v": VERSION, **fields})


def verify(public_key_b64: str, signature_b64: str, message: bytes) -> bool:
    """True when `signature_b64` is a valid Ed25519 signature of `message` by `public_key_b64`.

    Never raises: malformed keys or signatures are simply not valid (the relay answers 403, not 500).

    >>> verify("AA", "AA", b"x")
    False
    """
    try:
        key = Ed25519PublicKey.from_public_bytes(b64d(public_key_b64, length=32))
        key.verify(b64d(signature_b64, length=64), message)
    except (ProtocolError, InvalidSignature, ValueError):
        return False
    return True


def sign(private_key: Ed25519PrivateKey, message: bytes) -> str:
    """The Ed25519 signature of `message`, base64url; `verify` checks it.

    >>> key = Ed25519PrivateKey.generate()
    >>> verify(public_b64(key), sign(key, b"x"), b"x")
    True
    """
    return b64e(private_key.sign(message))


def public_b64(key: Ed25519PrivateKey | X25519PrivateKey) -> str:
    """The raw public half of a private key, base64url (how keys travel in invites and requests).

    >>> len(public_b64(X25519PrivateKey.generate()))
    43
    """
    return b64e(key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def private_bytes(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    """The raw 32 bytes of a private key, for the vault to keep (`from_private_bytes` reads them back).

    >>> key = Ed25519PrivateKey.generate()
    >>> public_b64(Ed25519PrivateKey.from_private_bytes(private_bytes(key))) == public_b64(key)
    True
    """
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())
