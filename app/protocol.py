"""The leader-to-member protocol: keys, signed envelopes, invites and join codes (ADR 0004).

Pure functions over bytes and JSON-ready dicts; no I/O. The relay server (`coordinator/`) uses only
`signing_bytes` and `verify` from here, so both sides sign exactly the same bytes.

Bytes travel as base64url without padding (`b64e`/`b64d`). Everything signed or used as associated data is
*canonical JSON*: sorted keys, no spaces, UTF-8, integers and strings only (no floats).

Keys of one group, for epoch e with group key K_e (32 random bytes):

    mailbox        = HKDF(K_0, salt=group id, info="kraft/v1/mailbox")[:16]   stable across epochs
    schedule key   = HKDF(K_e, info="kraft/v1/schedule")   schedule changes and epoch changes
    content key    = HKDF(K_e, info="kraft/v1/content")    prompts, joins, "I can't come"
    member signer  = Ed25519 from HKDF(K_e, info="kraft/v1/member-sign")   what the relay accepts from members

The schedule key is kept beside the plaintext meeting times, so a locked (or never locked) app still learns
of a moved meeting; the group key and the content key stay in the vault.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import zlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
MAILBOX_BYTES = 16
GROUP_ID_BYTES = 16
MAX_MESSAGE_BYTES = 48 * 1024  # ciphertext of one message, before base64
JOIN_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
JOIN_CODE_LENGTH = 10  # 50 bits; stretched with Argon2id, and the relay limits guesses
JOIN_CODE_KDF = {"memory_kib": 64 * 1024, "iterations": 3, "lanes": 1}
SCHEDULE, CONTENT = "schedule", "content"
LEADER, MEMBER = "leader", "member"


class ProtocolError(ValueError):
    """Input that is not a valid protocol object. `reason` is a short machine-readable word."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


# ---- encodings ----


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str, *, length: int | None = None) -> bytes:
    """Decode base64url without padding; `length` demands an exact size. Raises ProtocolError."""
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
    """The one byte form of a JSON value that is signed or authenticated."""
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
    """What a signature covers: the purpose (so a signature cannot be reused for another request) and fields."""
    return canonical({"purpose": purpose, "v": VERSION, **fields})


def verify(public_key_b64: str, signature_b64: str, message: bytes) -> bool:
    """True when `signature_b64` is a valid Ed25519 signature of `message` by `public_key_b64`."""
    try:
        key = Ed25519PublicKey.from_public_bytes(b64d(public_key_b64, length=32))
        key.verify(b64d(signature_b64, length=64), message)
    except (ProtocolError, InvalidSignature, ValueError):
        return False
    return True


def sign(private_key: Ed25519PrivateKey, message: bytes) -> str:
    return b64e(private_key.sign(message))


def public_b64(key: Ed25519PrivateKey | X25519PrivateKey) -> str:
    return b64e(key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def private_bytes(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


# ---- keys ----


def _hkdf(ikm: bytes, info: str, *, salt: bytes | None = None, length: int = KEY_BYTES) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info.encode()).derive(ikm)


def new_group_id() -> str:
    return b64e(os.urandom(GROUP_ID_BYTES))


def new_group_key() -> bytes:
    return os.urandom(KEY_BYTES)


def mailbox_id(group_id: str, root_key: bytes) -> str:
    """The relay's name for the group: from the first group key, so it says nothing without the invite."""
    return b64e(_hkdf(root_key, "kraft/v1/mailbox", salt=b64d(group_id), length=MAILBOX_BYTES))


def channel_key(group_key: bytes, channel: str) -> bytes:
    if channel not in (SCHEDULE, CONTENT):
        raise ProtocolError("channel", f"unknown channel {channel!r}")
    return _hkdf(group_key, f"kraft/v1/{channel}")


def member_signer(group_key: bytes) -> Ed25519PrivateKey:
    """The key every member of an epoch shares to post to the mailbox; the relay knows its public half."""
    return Ed25519PrivateKey.from_private_bytes(_hkdf(group_key, "kraft/v1/member-sign"))


# ---- envelopes ----


@dataclass(frozen=True)
class Envelope:
    """One message as the relay stores it: everything but `ciphertext` is readable by the relay."""

    mailbox: str
    sender: str  # "leader" | "member"
    epoch: int
    seq: int  # the leader's counter, strictly increasing per mailbox; 0 for members
    nonce: str
    ciphertext: str
    signature: str
    position: int = 0  # given by the relay

    def signed_part(self) -> bytes:
        return signing_bytes("message", mailbox=self.mailbox, sender=self.sender, epoch=self.epoch,
                             seq=self.seq, nonce=self.nonce, ciphertext=self.ciphertext)

    def to_post(self) -> dict[str, Any]:
        return {"sender": self.sender, "epoch": self.epoch, "seq": self.seq, "nonce": self.nonce,
                "ciphertext": self.ciphertext, "signature": self.signature}

    @classmethod
    def from_relay(cls, mailbox: str, data: dict[str, Any]) -> Envelope:
        try:
            return cls(mailbox=mailbox, sender=str(data["sender"]), epoch=int(data["epoch"]),
                       seq=int(data["seq"]), nonce=str(data["nonce"]), ciphertext=str(data["ciphertext"]),
                       signature=str(data["signature"]), position=int(data.get("position", 0)))
        except (KeyError, TypeError, ValueError) as exc:
            raise ProtocolError("envelope", f"malformed message: {exc}") from exc


def _message_ad(mailbox: str, sender: str, epoch: int, seq: int, channel: str) -> bytes:
    return canonical({"mailbox": mailbox, "sender": sender, "epoch": epoch, "seq": seq, "channel": channel})


def seal_message(*, mailbox: str, sender: str, epoch: int, seq: int, group_key: bytes, channel: str,
                 kind: str, body: dict[str, Any], signer: Ed25519PrivateKey) -> Envelope:
    """Encrypt `{"type": kind, "body": body}` under the epoch's channel key and sign the envelope."""
    plaintext = canonical({"type": kind, "body": body})
    if len(plaintext) > MAX_MESSAGE_BYTES - 64:
        raise ProtocolError("too_large", "message too large")
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(channel_key(group_key, channel)).encrypt(
        nonce, plaintext, _message_ad(mailbox, sender, epoch, seq, channel))
    unsigned = Envelope(mailbox, sender, epoch, seq, b64e(nonce), b64e(ciphertext), "")
    return Envelope(mailbox, sender, epoch, seq, unsigned.nonce, unsigned.ciphertext,
                    sign(signer, unsigned.signed_part()))


def open_message(envelope: Envelope, *, channel_keys: dict[str, bytes]) -> tuple[str, str, dict[str, Any]]:
    """Decrypt with the first channel key that fits: returns (channel, type, body).

    `channel_keys` maps channel name to that channel's key (`channel_key(K_e, channel)`); a locked app
    passes only the schedule key. Raises ProtocolError("unreadable") when none fits, ("malformed") when the
    plaintext is not a message. The signature must have been checked before (`verify`).
    """
    try:
        nonce = b64d(envelope.nonce, length=NONCE_BYTES)
        ciphertext = b64d(envelope.ciphertext)
    except ProtocolError as exc:
        raise ProtocolError("malformed", str(exc)) from exc
    for channel, key in channel_keys.items():
        ad = _message_ad(envelope.mailbox, envelope.sender, envelope.epoch, envelope.seq, channel)
        try:
            plaintext = AESGCM(key).decrypt(nonce, ciphertext, ad)
        except InvalidTag:
            continue
        try:
            data = json.loads(plaintext)
            kind, body = data["type"], data["body"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ProtocolError("malformed", "not a message") from exc
        if not isinstance(kind, str) or not isinstance(body, dict):
            raise ProtocolError("malformed", "not a message")
        return channel, kind, body
    raise ProtocolError("unreadable", "no key opens this message")


# ---- wrapping a new group key for one member (X25519, sealed-box style) ----


def wrap_for(recipient_b64: str, secret: bytes, *, context: dict[str, Any]) -> str:
    recipient = X25519PublicKey.from_public_bytes(b64d(recipient_b64, length=32))
    ephemeral = X25519PrivateKey.generate()
    eph_pub = b64d(public_b64(ephemeral))
    key = _hkdf(ephemeral.exchange(recipient), "kraft/v1/wrap", salt=eph_pub + b64d(recipient_b64))
    nonce = os.urandom(NONCE_BYTES)
    return b64e(eph_pub + nonce + AESGCM(key).encrypt(nonce, secret, canonical(context)))


def unwrap(private_key: X25519PrivateKey, wrapped_b64: str, *, context: dict[str, Any]) -> bytes:
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


# ---- invites ----

INVITE_FIELDS = ("v", "relay", "group", "mailbox", "epoch", "key", "leader", "label", "schedule", "theme",
                 "guidelines", "expires_on")


def sign_invite(invite: dict[str, Any], leader: Ed25519PrivateKey) -> str:
    """The invite token: compressed canonical JSON with the leader's signature, base64url."""
    body = {k: invite[k] for k in INVITE_FIELDS}
    signed = {**body, "sig": sign(leader, signing_bytes("invite", invite=body))}
    return b64e(zlib.compress(canonical(signed), 9))


def read_invite(token: str, *, today: date) -> dict[str, Any]:
    """Check and decode an invite token. ProtocolError reasons: damaged, forged, expired, version."""
    try:
        raw = zlib.decompress(b64d(token.strip()), bufsize=64 * 1024)
        data = json.loads(raw)
    except (ProtocolError, zlib.error, ValueError) as exc:
        raise ProtocolError("damaged", "the invite is damaged") from exc
    if not isinstance(data, dict) or data.get("v") != VERSION:
        raise ProtocolError("version" if isinstance(data, dict) and "v" in data else "damaged")
    try:
        body = {k: data[k] for k in INVITE_FIELDS}
        signature = data["sig"]
        b64d(body["key"], length=KEY_BYTES)
        if not isinstance(body["epoch"], int) or not isinstance(body["schedule"], dict):
            raise ProtocolError("damaged")
        expires = date.fromisoformat(body["expires_on"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError("damaged", "the invite is damaged") from exc
    if not verify(body["leader"], signature, signing_bytes("invite", invite=body)):
        raise ProtocolError("forged", "the invite's signature does not match")
    if expires < today:
        raise ProtocolError("expired", "the invite has expired")
    return body


def invite_link(token: str, relay_url: str) -> str:
    """A link a phone camera opens: the relay's /join page, the token after '#' so no server sees it."""
    if relay_url:
        return f"{relay_url.rstrip('/')}/join#{token}"
    return f"kraft://join#{token}"


def token_from_text(text: str) -> str:
    """Accept a pasted link (https or kraft://) or a bare token."""
    text = text.strip()
    if "#" in text:
        text = text.rsplit("#", 1)[1]
    return "".join(text.split())


# ---- join codes ----


def new_join_code() -> str:
    raw = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_join_code(code: str) -> str:
    """As people type it: any case, spaces or dashes, O for 0, I and L for 1. Raises ProtocolError."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) != JOIN_CODE_LENGTH or any(ch not in JOIN_CODE_ALPHABET for ch in cleaned):
        raise ProtocolError("join_code", "not a join code")
    return cleaned


def stretch_join_code(code: str) -> tuple[str, bytes]:
    """(lookup id for the relay, key that seals the invite). Slow on purpose: Argon2id."""
    kdf = Argon2id(salt=b"kraft/v1/join-code", length=64, iterations=JOIN_CODE_KDF["iterations"],
                   lanes=JOIN_CODE_KDF["lanes"], memory_cost=JOIN_CODE_KDF["memory_kib"])
    out = kdf.derive(normalize_join_code(code).encode("ascii"))
    return b64e(out[:32]), out[32:]


def seal_join_invite(key: bytes, token: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    return b64e(nonce + AESGCM(key).encrypt(nonce, token.encode("ascii"), b"kraft/v1/join-code"))


def open_join_invite(key: bytes, sealed: str) -> str:
    data = b64d(sealed)
    try:
        return AESGCM(key).decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], b"kraft/v1/join-code").decode("ascii")
    except (InvalidTag, ValueError) as exc:
        raise ProtocolError("damaged", "the stored invite does not open with this code") from exc
