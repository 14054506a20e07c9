"""v2 messages: the author's identity signature inside the ciphertext, padded (docs/adr/0006-group-protocol-v2.md).

The envelope is v1's (`protocol.envelopes`) with `sender = "member"` and `seq = 0` for everything, signed by
the epoch's post signer, so the relay cannot tell a host from a member. Inside, the plaintext is

    canonical({"a": author id, "s": seq, "t": type, "b": body, "x": signature})

padded to SMALL or LARGE (`protocol.padding`), where the signature is the author's identity key over
`signing_bytes("v2/message", mailbox, epoch, channel, author, seq, type, body)`. The receiving app looks the
author up in its membership state and calls `Inner.verified_by`.

Channel messages are encrypted under the epoch's channel key as in v1. A message for one person (a join
request to the door key, a welcome, "contact the starter") is sealed to their X25519 key instead; its
channel in the signature is "sealed", and its inner plaintext is padded 44 bytes less, so its ciphertext
(ephemeral key, nonce, AES-GCM) has exactly the size of a channel message.

Sizes: everything small fits SMALL (a join request with a 40-character name, homework of 300 characters, a
vote, a log entry, a welcome for 2 members: tests/protocol/test_sealing.py). Seal a welcome and an epoch
change with `size=LARGE` always: a welcome's snapshot outgrows SMALL from three members, so its bucket
would otherwise tell the member count.

    >>> from protocol.identity import Identity, post_signer
    >>> from protocol.keys import channel_key
    >>> key, me = bytes(32), Identity.new()
    >>> env = seal_v2(mailbox="m", epoch=0, group_key=key, channel="content", kind="homework",
    ...               body={"text": "hi"}, author=me, seq=1, signer=post_signer(key))
    >>> inner = open_v2(env, channel_keys={"content": channel_key(key, "content")})
    >>> inner.verified_by(me.public(), mailbox="m", epoch=0).body
    {'text': 'hi'}
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from protocol.encoding import NONCE_BYTES, ProtocolError, b64d, b64e, canonical, public_b64
from protocol.envelopes import Envelope, decrypt_envelope, encrypt_envelope, signed_envelope
from protocol.identity import Identity, PublicIdentity
from protocol.keys import MEMBER, _hkdf, channel_key
from protocol.padding import pad, unpad

SEALED = "sealed"
SEAL_OVERHEAD = 32 + NONCE_BYTES  # ephemeral X25519 public key and nonce before the AES-GCM ciphertext
_INNER_KEYS = frozenset({"a", "s", "t", "b", "x"})


@dataclass(frozen=True)
class Inner:
    """An opened v2 message: who wrote it (member id), their sequence number, type and body.

    Not yet trusted: `verified_by` checks the signature against the author's key from the membership state.
    """

    channel: str  # "schedule" | "content" | "sealed"
    author: str
    seq: int
    kind: str
    body: dict[str, Any]
    signature: str

    def verified_by(self, public: PublicIdentity, *, mailbox: str, epoch: int) -> Inner:
        """`self` when `public` is the author's key and signed it for this mailbox and epoch.

        Raises ProtocolError("forged") when `public.id` is not the author or the signature does not check.
        """
        if public.id != self.author:
            raise ProtocolError("forged", "the author's key is not the one given")
        public.verify(self.signature, "v2/message", **_signed_fields(
            mailbox=mailbox, epoch=epoch, channel=self.channel, author=self.author, seq=self.seq, kind=self.kind,
            body=self.body))
        return self


def _signed_fields(*, mailbox: str, epoch: int, channel: str, author: str, seq: int, kind: str,
                   body: dict[str, Any]) -> dict[str, Any]:
    return {"mailbox": mailbox, "epoch": epoch, "channel": channel, "author": author, "seq": seq,
            "type": kind, "body": body}


def _inner_plaintext(*, mailbox: str, epoch: int, channel: str, kind: str, body: dict[str, Any],
                     author: Identity, seq: int) -> bytes:
    fields = _signed_fields(mailbox=mailbox, epoch=epoch, channel=channel, author=author.id, seq=seq, kind=kind,
                            body=body)
    signature = author.sign("v2/message", **fields)
    return canonical({"a": author.id, "s": seq, "t": kind, "b": body, "x": signature})


def _read_inner(channel: str, plaintext: bytes, *, reserve: int = 0) -> Inner:
    try:
        data = json.loads(unpad(plaintext, reserve=reserve))
    except ValueError as exc:  # ProtocolError is a ValueError too
        raise ProtocolError("malformed", "not a v2 message") from exc
    if not isinstance(data, dict) or set(data) != _INNER_KEYS:
        raise ProtocolError("malformed", "not a v2 message")
    author, seq, kind, body, signature = data["a"], data["s"], data["t"], data["b"], data["x"]
    if not (isinstance(author, str) and isinstance(seq, int) and not isinstance(seq, bool)
            and isinstance(kind, str) and isinstance(body, dict) and isinstance(signature, str)):
        raise ProtocolError("malformed", "not a v2 message")
    return Inner(channel=channel, author=author, seq=seq, kind=kind, body=body, signature=signature)


def seal_v2(*, mailbox: str, epoch: int, group_key: bytes, channel: str, kind: str, body: dict[str, Any],
            author: Identity, seq: int, signer: Ed25519PrivateKey, size: int | None = None) -> Envelope:
    """A channel message of `author`, padded (`size=LARGE` forces the large bucket, for epoch changes).

    Encrypted under `channel_key(group_key, channel)` with the envelope's fields as associated data, as in
    v1; the envelope is signed by `signer` (the epoch's post signer). Raises ProtocolError("too_large").
    """
    plaintext = _inner_plaintext(mailbox=mailbox, epoch=epoch, channel=channel, kind=kind, body=body,
                                 author=author, seq=seq)
    return encrypt_envelope(mailbox=mailbox, sender=MEMBER, epoch=epoch, seq=0, channel=channel,
                            key=channel_key(group_key, channel), plaintext=pad(plaintext, size), signer=signer)


def open_v2(envelope: Envelope, *, channel_keys: dict[str, bytes]) -> Inner:
    """Decrypt a channel message with the first key that fits; the author is not checked yet (`verified_by`).

    Raises ProtocolError("unreadable") when no key fits, ("malformed") when the plaintext is not a v2 message
    (a v1 message, for one: the app then tries `open_message`).
    """
    channel, plaintext = decrypt_envelope(envelope, channel_keys=channel_keys)
    return _read_inner(channel, plaintext)


def _sealed_ad(*, mailbox: str, epoch: int, nonce: str, recipient: str) -> bytes:
    return canonical({"mailbox": mailbox, "sender": MEMBER, "epoch": epoch, "seq": 0, "channel": SEALED,
                      "nonce": nonce, "recipient": recipient})


def _sealed_key(shared: bytes, eph_pub: bytes, recipient: bytes) -> bytes:
    return _hkdf(shared, "kraft/v2/sealed", salt=eph_pub + recipient)


def seal_to(*, mailbox: str, epoch: int, recipient_dh: str, kind: str, body: dict[str, Any], author: Identity,
            seq: int, signer: Ed25519PrivateKey, size: int | None = None) -> Envelope:
    """A message only the holder of `recipient_dh`'s private key can open (`open_from`).

    X25519 with a fresh ephemeral key, HKDF, AES-GCM; the envelope's fields and the recipient key are the
    associated data. Its ciphertext has the same length as `seal_v2`'s for the same bucket.

    >>> from protocol.identity import post_signer
    >>> door, me = X25519PrivateKey.generate(), Identity.new()
    >>> env = seal_to(mailbox="m", epoch=0, recipient_dh=public_b64(door), kind="join", body={"name": "Al"},
    ...               author=me, seq=1, signer=post_signer(bytes(32)))
    >>> open_from(env, door).body
    {'name': 'Al'}
    """
    try:
        recipient = b64d(recipient_dh, length=32)
    except ProtocolError as exc:
        raise ProtocolError("identity", f"recipient key: {exc}") from exc
    plaintext = _inner_plaintext(mailbox=mailbox, epoch=epoch, channel=SEALED, kind=kind, body=body,
                                 author=author, seq=seq)
    padded = pad(plaintext, size, reserve=SEAL_OVERHEAD)
    ephemeral = X25519PrivateKey.generate()
    eph_pub = b64d(public_b64(ephemeral))
    key = _sealed_key(ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient)), eph_pub, recipient)
    nonce, inner_nonce = b64e(os.urandom(NONCE_BYTES)), os.urandom(NONCE_BYTES)
    ad = _sealed_ad(mailbox=mailbox, epoch=epoch, nonce=nonce, recipient=recipient_dh)
    ciphertext = eph_pub + inner_nonce + AESGCM(key).encrypt(inner_nonce, padded, ad)
    return signed_envelope(mailbox=mailbox, sender=MEMBER, epoch=epoch, seq=0, nonce=nonce, ciphertext=ciphertext,
                           signer=signer)


def open_from(envelope: Envelope, private: X25519PrivateKey) -> Inner:
    """Open what `seal_to` sealed for `private`'s public key; the author is not checked yet (`verified_by`).

    Raises ProtocolError("unreadable") when it is not for this key (or not sealed at all), ("malformed")
    when the plaintext is not a v2 message.
    """
    try:
        data = b64d(envelope.ciphertext)
        b64d(envelope.nonce, length=NONCE_BYTES)
    except ProtocolError as exc:
        raise ProtocolError("malformed", str(exc)) from exc
    if len(data) < SEAL_OVERHEAD + 16:
        raise ProtocolError("unreadable", "not a sealed message")
    eph_pub, inner_nonce, ciphertext = data[:32], data[32:SEAL_OVERHEAD], data[SEAL_OVERHEAD:]
    own_b64 = public_b64(private)
    own = b64d(own_b64)
    try:
        key = _sealed_key(private.exchange(X25519PublicKey.from_public_bytes(eph_pub)), eph_pub, own)
    except ValueError as exc:  # an all-zero shared secret: a small-order point, not a real ephemeral key
        raise ProtocolError("unreadable", "not a sealed message") from exc
    if envelope.sender != MEMBER or envelope.seq != 0:
        raise ProtocolError("unreadable", "not a sealed message")
    ad = _sealed_ad(mailbox=envelope.mailbox, epoch=envelope.epoch, nonce=envelope.nonce, recipient=own_b64)
    try:
        padded = AESGCM(key).decrypt(inner_nonce, ciphertext, ad)
    except InvalidTag as exc:
        raise ProtocolError("unreadable", "not sealed for this key") from exc
    return _read_inner(SEALED, padded, reserve=SEAL_OVERHEAD)
