"""Member identities and the group secrets of protocol v2 (docs/adr/0006-group-protocol-v2.md).

Each member has, per group, an identity: an Ed25519 key that signs everything they say and an X25519 key
that things are sealed to. Their member id is derived from the signing key, so an id cannot be claimed
without its key. The group's shared secrets are derived here too:

    post signer     = Ed25519 from HKDF(K_e, "kraft/v2/post")      what the relay accepts (its `member_key`)
    steward signer  = Ed25519 from HKDF(H_e, "kraft/v2/steward")   join codes, head counts, key rotation
    door key        = X25519 from HKDF(H_e, "kraft/v2/door")       join requests are sealed to it

    >>> me = Identity.new()
    >>> me.public().id == member_id(me.public().sig) == me.id
    True
    >>> me.public().verify(me.sign("v2/example", n=1), "v2/example", n=1)
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from protocol.encoding import KEY_BYTES, ProtocolError, b64d, b64e, private_bytes, public_b64, sign, signing_bytes
from protocol.encoding import verify as verify_signature
from protocol.keys import _hkdf

MEMBER_ID_BYTES = 16


def _raw_key(text: Any, what: str) -> bytes:
    try:
        return b64d(text, length=32)
    except ProtocolError as exc:
        raise ProtocolError("identity", f"{what}: {exc}") from exc


def member_id(sig_public_b64: str) -> str:
    """The member id of a signing key: `b64(SHA-256("kraft/v2/member" ‖ key)[:16])`, 22 characters.

    Raises ProtocolError("identity") when the key is not 32 bytes of base64url.

    >>> member_id(b64e(bytes(32)))
    'YrkVEe3cR2_q0BA-Eik7VQ'
    """
    raw = _raw_key(sig_public_b64, "signing key")
    return b64e(hashlib.sha256(b"kraft/v2/member" + raw).digest()[:MEMBER_ID_BYTES])


@dataclass(frozen=True)
class PublicIdentity:
    """What others know of a member: the public signing key `sig` and sealing key `dh` (base64url, 32 bytes).

    >>> PublicIdentity(sig="AA", dh="AA")
    Traceback (most recent call last):
    protocol.encoding.ProtocolError: signing key: expected 32 bytes, got 1
    """

    sig: str
    dh: str

    def __post_init__(self) -> None:
        _raw_key(self.sig, "signing key")
        _raw_key(self.dh, "sealing key")

    @property
    def id(self) -> str:
        """The member id (`member_id(sig)`)."""
        return member_id(self.sig)

    def to_dict(self) -> dict[str, str]:
        """`{"sig": ..., "dh": ...}`, JSON-ready."""
        return {"sig": self.sig, "dh": self.dh}

    @classmethod
    def from_dict(cls, data: Any) -> PublicIdentity:
        """Read `to_dict`'s form; ProtocolError("identity") when it is damaged."""
        if not isinstance(data, dict):
            raise ProtocolError("identity", "not an identity")
        return cls(sig=data.get("sig"), dh=data.get("dh"))  # type: ignore[arg-type]  # checked in __post_init__

    def verify(self, signature: str, purpose: str, **fields: Any) -> None:
        """Check `signature` over `signing_bytes(purpose, **fields)`; raises ProtocolError("forged") if wrong."""
        if not verify_signature(self.sig, signature, signing_bytes(purpose, **fields)):
            raise ProtocolError("forged", f"the signature of {purpose!r} does not match")


@dataclass(frozen=True)
class Identity:
    """A member's own identity: the private signing (`sig`) and sealing (`dh`) keys, one pair per group."""

    sig: Ed25519PrivateKey
    dh: X25519PrivateKey

    @classmethod
    def new(cls) -> Identity:
        """A fresh identity (made at join, never reused for another group)."""
        return cls(sig=Ed25519PrivateKey.generate(), dh=X25519PrivateKey.generate())

    def public(self) -> PublicIdentity:
        """The public halves."""
        return PublicIdentity(sig=public_b64(self.sig), dh=public_b64(self.dh))

    @property
    def id(self) -> str:
        """This member's id."""
        return member_id(public_b64(self.sig))

    def sign(self, purpose: str, **fields: Any) -> str:
        """Sign `signing_bytes(purpose, **fields)`; `PublicIdentity.verify` checks it."""
        return sign(self.sig, signing_bytes(purpose, **fields))

    def to_secret(self) -> dict[str, str]:
        """The private keys as base64url, for the vault: `{"sig": ..., "dh": ...}`.

        >>> me = Identity.new()
        >>> Identity.from_secret(me.to_secret()).id == me.id
        True
        """
        return {"sig": b64e(private_bytes(self.sig)), "dh": b64e(private_bytes(self.dh))}

    @classmethod
    def from_secret(cls, data: Any) -> Identity:
        """Read `to_secret`'s form; ProtocolError("identity") when it is damaged."""
        if not isinstance(data, dict):
            raise ProtocolError("identity", "not an identity secret")
        sig = _raw_key(data.get("sig"), "signing secret")
        dh = _raw_key(data.get("dh"), "sealing secret")
        return cls(sig=Ed25519PrivateKey.from_private_bytes(sig), dh=X25519PrivateKey.from_private_bytes(dh))


def check_code(mailbox: str, public: PublicIdentity) -> str:
    """Six digits both phones show at admission, to compare in person.

    From `SHA-256("kraft/v2/check" ‖ mailbox ‖ sig ‖ dh)` (raw keys): the first 8 bytes as a big-endian
    integer, modulo 10**6, zero-padded.

    >>> code = check_code("mailbox", Identity.new().public())
    >>> len(code), code.isdigit()
    (6, True)
    """
    digest = hashlib.sha256(b"kraft/v2/check" + mailbox.encode("utf-8") + b64d(public.sig) + b64d(public.dh))
    return f"{int.from_bytes(digest.digest()[:8], 'big') % 10**6:06d}"


# ---- the group's shared secrets (K_e: group key of epoch e; H_e: the hosts' secret) ----


def post_seed(group_key: bytes) -> bytes:
    """The seed of the epoch's post signer, `HKDF(K_e, "kraft/v2/post")`: invites carry it, never K_e."""
    return _hkdf(group_key, "kraft/v2/post")


def post_signer_from_seed(seed: bytes) -> Ed25519PrivateKey:
    """The post signer from its seed (what an invite's holder has). ProtocolError("identity") if not 32 bytes.

    >>> key = bytes(32)
    >>> public_b64(post_signer_from_seed(post_seed(key))) == public_b64(post_signer(key))
    True
    """
    if not isinstance(seed, bytes) or len(seed) != KEY_BYTES:
        raise ProtocolError("identity", "a post seed has 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(seed)


def post_signer(group_key: bytes) -> Ed25519PrivateKey:
    """The key every message of epoch e is signed with for the relay; the same for the same K_e."""
    return post_signer_from_seed(post_seed(group_key))


def new_host_secret() -> bytes:
    """A fresh hosts' secret H_e (32 random bytes), one per epoch.

    >>> len(new_host_secret())
    32
    """
    return os.urandom(KEY_BYTES)


def steward_signer(host_secret: bytes) -> Ed25519PrivateKey:
    """The hosts' signer, `HKDF(H_e, "kraft/v2/steward")`; the relay knows its public half (`leader_key`)."""
    return Ed25519PrivateKey.from_private_bytes(_hkdf(host_secret, "kraft/v2/steward"))


def door_key(host_secret: bytes) -> X25519PrivateKey:
    """The hosts' door key, `HKDF(H_e, "kraft/v2/door")`; its public half is in the invite.

    >>> h = new_host_secret()
    >>> public_b64(door_key(h)) == public_b64(door_key(h))
    True
    """
    return X25519PrivateKey.from_private_bytes(_hkdf(host_secret, "kraft/v2/door"))
