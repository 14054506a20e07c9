"""Keys of one group: ids, the mailbox name, channel keys, the member signer, key wrapping (ADR 0004).

See the table in `protocol`'s docstring for what is derived from which group key.
"""

from __future__ import annotations

import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from protocol.encoding import (
    GROUP_ID_BYTES,
    KEY_BYTES,
    MAILBOX_BYTES,
    NONCE_BYTES,
    ProtocolError,
    b64d,
    b64e,
    canonical,
    public_b64,
)

SCHEDULE, CONTENT = "schedule", "content"
LEADER, MEMBER = "leader", "member"


def _hkdf(ikm: bytes, info: str, *, salt: bytes | None = None, length: int = KEY_BYTES) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info.encode()).derive(ikm)


def new_group_id() -> str:
    """A fresh random group id (16 bytes, base64url): 22 characters.

    >>> len(new_group_id())
    22
    """
    return b64e(os.urandom(GROUP_ID_BYTES))


def new_group_key() -> bytes:
    """A fresh group key K_e (32 random bytes): one per epoch.

    >>> len(new_group_key())
    32
    """
    return os.urandom(KEY_BYTES)


def mailbox_id(group_id: str, root_key: bytes) -> str:
    """The relay's name for the group: from the first group key, so it says nothing without the invite.

    >>> mailbox_id(new_group_id(), new_group_key()) != mailbox_id(new_group_id(), new_group_key())
    True
    """
    return b64e(_hkdf(root_key, "kraft/v1/mailbox", salt=b64d(group_id), length=MAILBOX_BYTES))


def channel_key(group_key: bytes, channel: str) -> bytes:
    """The epoch's key for one channel (SCHEDULE or CONTENT); any other name raises ProtocolError.

    >>> len(channel_key(bytes(32), SCHEDULE))
    32
    """
    if channel not in (SCHEDULE, CONTENT):
        raise ProtocolError("channel", f"unknown channel {channel!r}")
    return _hkdf(group_key, f"kraft/v1/{channel}")


def member_signer(group_key: bytes) -> Ed25519PrivateKey:
    """The key every member of an epoch shares to post to the mailbox; the relay knows its public half.

    Derived, not stored: every member with the epoch's group key gets the same signer.

    >>> key = new_group_key()
    >>> public_b64(member_signer(key)) == public_b64(member_signer(key))
    True
    """
    return Ed25519PrivateKey.from_private_bytes(_hkdf(group_key, "kraft/v1/member-sign"))


# ---- wrapping a new group key for one member (X25519, sealed-box style) ----


def wrap_for(recipient_b64: str, secret: bytes, *, context: dict[str, Any]) -> str:
    """Seal `secret` for one member's X25519 key; `context` is authenticated and must match on `unwrap`.

    >>> me = X25519PrivateKey.generate()
    >>> unwrap(me, wrap_for(public_b64(me), b"k", context={"epoch": 2}), context={"epoch": 2})
    b'k'
    """
    recipient = X25519PublicKey.from_public_bytes(b64d(recipient_b64, length=32))
    ephemeral = X25519PrivateKey.generate()
    eph_pub = b64d(public_b64(ephemeral))
    key = _hkdf(ephemeral.exchange(recipient), "kraft/v1/wrap", salt=eph_pub + b64d(recipient_b64))
    nonce = os.urandom(NONCE_BYTES)
    return b64e(eph_pub + nonce + AESGCM(key).encrypt(nonce, secret, canonical(context)))


def unwrap(private_key: X25519PrivateKey, wrapped_b64: str, *, context: dict[str, Any]) -> bytes:
    """Open what `wrap_for` sealed for this key. Raises ProtocolError("unreadable") for anyone else's."""
    data = b64d(wrapped_b64)
    if len(data) < 32 + NONCE_BYTES + 16:
        raise ProtocolError("unreadable", "wrapped key too short")
    eph_pub, nonce, ciphertext = data[:32], data[32:32 + NONCE_BYTES], data[32 + NONCE_BYTES:]
    own = b64d(public_b64(private_key))
    key = _hkdf(private_key.exchange(X25519PublicKey.from_public_bytes(eph_pub)), "kraft/v1/wrap",
                salt=eph_pub + own)
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, canonical(context))
    except InvalidTag as exc:
        raise ProtocolError("unreadable", "not wrapped for this key") from exc
