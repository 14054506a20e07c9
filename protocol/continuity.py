"""Carrying a version 1 member's place over to version 2 (docs/adr/0006-group-protocol-v2.md, "Upgrading a
version 1 group").

A v1 member registered an X25519 "group" key with the leader at join. When the group is upgraded, the
member's app proves it holds that key's secret by an HMAC over its new identity, under a key both sides
derive from an X25519 agreement between that v1 key and the starter's new `dh` key:

    k     = HKDF(X25519(v1 group secret, starter dh), "kraft/v2/continuity", salt = v1 public ‖ starter dh)
    proof = HMAC-SHA256(k, signing_bytes("v2/continuity", old_mailbox, mailbox, member, sig, dh, device))

Only the starter (with its `dh` secret) and the member can make or check it; anyone else in the group, who
holds the group's keys but not this member's v1 secret, cannot.

    >>> from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    >>> from protocol.identity import Identity
    >>> v1, starter, new = X25519PrivateKey.generate(), X25519PrivateKey.generate(), Identity.new().public()
    >>> where = {"old_mailbox": "m1", "mailbox": "m2", "member": "A", "device": public_b64(v1)}
    >>> proof = continuity_proof(v1, public_b64(starter), new, **where)
    >>> check_continuity(starter, public_b64(v1), proof, new, **where)
    True
    >>> check_continuity(starter, public_b64(v1), proof, new, **{**where, "member": "M"})
    False
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from protocol.encoding import ProtocolError, b64d, b64e, public_b64, signing_bytes
from protocol.identity import PublicIdentity
from protocol.keys import _hkdf

PROOF_BYTES = 32


def _key(own: X25519PrivateKey, other_b64: str, *, v1_public: str, starter_dh: str) -> bytes:
    try:
        other = X25519PublicKey.from_public_bytes(b64d(other_b64, length=32))
        salt = b64d(v1_public, length=32) + b64d(starter_dh, length=32)
        shared = own.exchange(other)  # ValueError for a low-order point (an all-zero agreement)
    except (ProtocolError, ValueError) as exc:
        raise ProtocolError("identity", "not a usable X25519 public key") from exc
    return _hkdf(shared, "kraft/v2/continuity", salt=salt)


def _message(new: PublicIdentity, *, old_mailbox: str, mailbox: str, member: str, device: str) -> bytes:
    return signing_bytes("v2/continuity", old_mailbox=old_mailbox, mailbox=mailbox, member=member, sig=new.sig,
                         dh=new.dh, device=device)


def continuity_proof(v1_secret: X25519PrivateKey, starter_dh: str, new: PublicIdentity, *, old_mailbox: str,
                     mailbox: str, member: str, device: str) -> str:
    """The member's proof (base64url, 32 bytes) that the holder of `v1_secret`, registered as `member` in the
    v1 group at `old_mailbox`, is the new identity `new` with device key `device` in the v2 group at
    `mailbox`. Raises ProtocolError("identity") when `starter_dh` is not a public key."""
    key = _key(v1_secret, starter_dh, v1_public=public_b64(v1_secret), starter_dh=starter_dh)
    message = _message(new, old_mailbox=old_mailbox, mailbox=mailbox, member=member, device=device)
    return b64e(hmac.new(key, message, hashlib.sha256).digest())


def check_continuity(starter: X25519PrivateKey, v1_public: str, proof: object, new: PublicIdentity, *,
                     old_mailbox: str, mailbox: str, member: str, device: str) -> bool:
    """The starter's check of `continuity_proof` against the v1 key it has on file for `member`. False for a
    wrong or damaged proof or key; never raises."""
    if not isinstance(proof, str):
        return False
    try:
        got = b64d(proof, length=PROOF_BYTES)
        key = _key(starter, v1_public, v1_public=v1_public, starter_dh=public_b64(starter))
    except ProtocolError:
        return False
    message = _message(new, old_mailbox=old_mailbox, mailbox=mailbox, member=member, device=device)
    return hmac.compare_digest(got, hmac.new(key, message, hashlib.sha256).digest())
