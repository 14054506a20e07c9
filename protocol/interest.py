""""I'm interested", "I would lead a group" and the coordinator's reply (docs/adr/0016-region-catalogue.md).

A request is sealed to the region's X25519 key: a fresh ephemeral key, HKDF, AES-256-GCM, the plaintext padded
to SMALL, so every request has one size whatever it holds (a contact or none, interest or a new leader). The
associated data names the region, so a request cannot be moved to another region's list. The relay stores the
blob and the day; only the coordinator's device opens it (`open_request`).

A reply (an invite to the group that starts) is sealed the same way to the reply key the person's app made
for this request, with its reply mailbox in the associated data (`seal_reply`, `open_reply`).

    >>> from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    >>> from protocol.encoding import public_b64
    >>> region, reply = X25519PrivateKey.generate(), new_reply_box()
    >>> blob = seal_request(public_b64(region), region="r", kind=INTEREST, entry="e", contact="", reply=reply,
    ...                     language="sv")
    >>> open_request(region, blob, region="r").entry
    'e'
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from protocol.encoding import NONCE_BYTES, ProtocolError, b64d, b64e, canonical, private_bytes, public_b64
from protocol.keys import _hkdf
from protocol.padding import SMALL, pad, unpad

INTEREST, LEAD = "interest", "lead"
KINDS = (INTEREST, LEAD)
LEAD_ANSWERS = ("yes", "maybe")
CONTACT_MAX = 120
REPLY_BOX_BYTES = 16
WITHDRAW_BYTES = 24
OVERHEAD = 32 + NONCE_BYTES + 16  # ephemeral key, nonce, GCM tag
SEALED_CHARS = -(-(SMALL + OVERHEAD) * 4 // 3)  # every request's base64url length
_FIELDS = frozenset({"kind", "entry", "contact", "reply", "reply_key", "language", "answer"})
_ID = re.compile(r"^[A-Za-z0-9_-]{0,22}$")


def _bad(why: str) -> ProtocolError:
    return ProtocolError("interest", why)


@dataclass(frozen=True)
class ReplyBox:
    """The person's side of a reply mailbox: its id on the relay and the private key replies are sealed to."""

    id: str
    key: X25519PrivateKey

    @property
    def public(self) -> str:
        return public_b64(self.key)

    def to_secret(self) -> dict[str, str]:
        return {"id": self.id, "key": b64e(private_bytes(self.key))}

    @classmethod
    def from_secret(cls, data: Any) -> ReplyBox:
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise _bad("not a reply mailbox")
        return cls(id=data["id"], key=X25519PrivateKey.from_private_bytes(b64d(data.get("key", ""), length=32)))


def new_reply_box() -> ReplyBox:
    return ReplyBox(id=b64e(os.urandom(REPLY_BOX_BYTES)), key=X25519PrivateKey.generate())


def new_withdraw_secret() -> str:
    """The secret that takes a request back; the relay keeps only `withdraw_hash` of it."""
    return b64e(os.urandom(WITHDRAW_BYTES))


def withdraw_hash(secret: str) -> str:
    return hashlib.sha256(b"kraft/v1/withdraw" + secret.encode("ascii", "replace")).hexdigest()


@dataclass(frozen=True)
class Request:
    """An opened request: interest in an entry, or "I would lead a group" (entry "")."""

    kind: str
    entry: str
    contact: str  # "" when the person gave none: then only the reply mailbox reaches them
    reply: str  # the reply mailbox id
    reply_key: str  # X25519, base64url
    language: str
    answer: str  # for LEAD: yes or maybe; "" for INTEREST


def _key(shared: bytes, eph_pub: bytes, recipient: bytes, info: str) -> bytes:
    return _hkdf(shared, info, salt=eph_pub + recipient)


def _seal(recipient_b64: str, plaintext: bytes, *, ad: bytes, info: str) -> str:
    try:
        recipient = b64d(recipient_b64, length=32)
    except ProtocolError as exc:
        raise _bad(f"recipient key: {exc}") from exc
    ephemeral = X25519PrivateKey.generate()
    eph_pub = b64d(public_b64(ephemeral))
    key = _key(ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient)), eph_pub, recipient, info)
    nonce = os.urandom(NONCE_BYTES)
    return b64e(eph_pub + nonce + AESGCM(key).encrypt(nonce, pad(plaintext, SMALL), ad))


def _open(private: X25519PrivateKey, blob: Any, *, ad: bytes, info: str) -> bytes:
    try:
        data = b64d(blob)
    except ProtocolError as exc:
        raise ProtocolError("unreadable", "not a sealed request") from exc
    if len(data) != SMALL + OVERHEAD:
        raise ProtocolError("unreadable", "not a sealed request")
    eph_pub, nonce, ciphertext = data[:32], data[32:32 + NONCE_BYTES], data[32 + NONCE_BYTES:]
    try:
        key = _key(private.exchange(X25519PublicKey.from_public_bytes(eph_pub)), eph_pub,
                   b64d(public_b64(private)), info)
        return unpad(AESGCM(key).decrypt(nonce, ciphertext, ad))
    except (InvalidTag, ValueError) as exc:
        raise ProtocolError("unreadable", "not sealed for this key") from exc


def _request_ad(region: str) -> bytes:
    return canonical({"purpose": "region-request", "region": region, "v": 1})


def seal_request(region_dh: str, *, region: str, kind: str, entry: str, contact: str, reply: ReplyBox,
                 language: str, answer: str = "") -> str:
    """A request only the region's coordinator can open; always SEALED_CHARS long."""
    body = {"kind": kind, "entry": entry, "contact": contact, "reply": reply.id, "reply_key": reply.public,
            "language": language, "answer": answer}
    _check(body)
    return _seal(region_dh, canonical(body), ad=_request_ad(region), info="kraft/v1/region-request")


def _check(body: Any) -> Request:
    if not isinstance(body, dict) or set(body) != _FIELDS or not all(isinstance(v, str) for v in body.values()):
        raise _bad("a request has kind, entry, contact, reply, reply_key, language and answer, all text")
    if body["kind"] not in KINDS:
        raise _bad("kind must be interest or lead")
    if not _ID.match(body["entry"]) or (body["kind"] == INTEREST) != bool(body["entry"]):
        raise _bad("interest names an entry; lead names none")
    if body["kind"] == LEAD and body["answer"] not in LEAD_ANSWERS:
        raise _bad("a would-lead answer is yes or maybe")
    if body["kind"] == INTEREST and body["answer"]:
        raise _bad("interest carries no answer")
    contact = body["contact"]
    if len(contact) > CONTACT_MAX or any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in contact):
        raise _bad(f"the contact is one line of at most {CONTACT_MAX} characters")
    if not re.match(r"^[A-Za-z0-9_-]{22}$", body["reply"]):
        raise _bad("reply must be a reply mailbox id")
    try:
        b64d(body["reply_key"], length=32)
    except ProtocolError as exc:
        raise _bad(f"reply_key: {exc}") from exc
    if body["language"] not in ("sv", "nb", "da", "en"):
        raise _bad("language must be sv, nb, da or en")
    return Request(**body)


def open_request(private: X25519PrivateKey, blob: Any, *, region: str) -> Request:
    """Open a request sealed to this region key; ProtocolError ("unreadable" or "interest") otherwise."""
    plaintext = _open(private, blob, ad=_request_ad(region), info="kraft/v1/region-request")
    try:
        body = json.loads(plaintext)
    except ValueError as exc:
        raise _bad("not a request") from exc
    return _check(body)


def _reply_ad(box: str) -> bytes:
    return canonical({"purpose": "region-reply", "box": box, "v": 1})


def seal_reply(reply_key: str, *, box: str, body: dict[str, Any]) -> str:
    """A reply (e.g. `{"invite": link}`) only the person's app can open, padded to SMALL like a request."""
    return _seal(reply_key, canonical(body), ad=_reply_ad(box), info="kraft/v1/region-reply")


def open_reply(box: ReplyBox, blob: Any) -> dict[str, Any]:
    plaintext = _open(box.key, blob, ad=_reply_ad(box.id), info="kraft/v1/region-reply")
    try:
        body = json.loads(plaintext)
    except ValueError as exc:
        raise _bad("not a reply") from exc
    if not isinstance(body, dict):
        raise _bad("not a reply")
    return body
