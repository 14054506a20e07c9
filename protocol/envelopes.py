"""Messages in a group's mailbox: the envelope the relay stores, sealed and opened here (ADR 0004)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from protocol.encoding import MAX_MESSAGE_BYTES, NONCE_BYTES, ProtocolError, b64d, b64e, canonical, sign, signing_bytes
from protocol.keys import channel_key


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
        """The bytes the sender signs and the relay verifies: every field but the signature and position."""
        return signing_bytes("message", mailbox=self.mailbox, sender=self.sender, epoch=self.epoch,
                             seq=self.seq, nonce=self.nonce, ciphertext=self.ciphertext)

    def to_post(self) -> dict[str, Any]:
        """The JSON body of `POST /v1/mailboxes/{mailbox}/messages`."""
        return {"sender": self.sender, "epoch": self.epoch, "seq": self.seq, "nonce": self.nonce,
                "ciphertext": self.ciphertext, "signature": self.signature}

    @classmethod
    def from_relay(cls, mailbox: str, data: dict[str, Any]) -> Envelope:
        """Read one message of the relay's answer; raises ProtocolError("envelope") when it is malformed."""
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
    """Encrypt `{"type": kind, "body": body}` under the epoch's channel key and sign the envelope.

    The envelope's readable fields are the AEAD's associated data, so the relay cannot move a message to
    another mailbox, epoch or channel.

    >>> key, signer = bytes(32), Ed25519PrivateKey.generate()
    >>> env = seal_message(mailbox="m", sender="leader", epoch=0, seq=1, group_key=key, channel="content",
    ...                    kind="prompt", body={"text": "hi"}, signer=signer)
    >>> open_message(env, channel_keys={"content": channel_key(key, "content")})
    ('content', 'prompt', {'text': 'hi'})
    """
    plaintext = canonical({"type": kind, "body": body})
    if len(plaintext) > MAX_MESSAGE_BYTES - 64:
        raise ProtocolError("too_large", "message too large")
    return encrypt_envelope(mailbox=mailbox, sender=sender, epoch=epoch, seq=seq, channel=channel,
                            key=channel_key(group_key, channel), plaintext=plaintext, signer=signer)


def encrypt_envelope(*, mailbox: str, sender: str, epoch: int, seq: int, channel: str, key: bytes,
                     plaintext: bytes, signer: Ed25519PrivateKey) -> Envelope:
    """AES-GCM `plaintext` under a channel `key` (the envelope's fields as associated data), then sign.

    The one encryption of v1 and v2 channel messages (`seal_message`, `protocol.sealing.seal_v2`).
    """
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, _message_ad(mailbox, sender, epoch, seq, channel))
    return signed_envelope(mailbox=mailbox, sender=sender, epoch=epoch, seq=seq, nonce=b64e(nonce),
                           ciphertext=ciphertext, signer=signer)


def signed_envelope(*, mailbox: str, sender: str, epoch: int, seq: int, nonce: str, ciphertext: bytes,
                    signer: Ed25519PrivateKey) -> Envelope:
    """The envelope of `ciphertext`, signed by `signer` (the key the relay checks)."""
    unsigned = Envelope(mailbox, sender, epoch, seq, nonce, b64e(ciphertext), "")
    return Envelope(mailbox, sender, epoch, seq, unsigned.nonce, unsigned.ciphertext,
                    sign(signer, unsigned.signed_part()))


def decrypt_envelope(envelope: Envelope, *, channel_keys: dict[str, bytes]) -> tuple[str, bytes]:
    """(channel, plaintext) with the first channel key that opens `envelope`.

    Raises ProtocolError("unreadable") when none fits, ("malformed") when the envelope's fields are not
    base64url.
    """
    try:
        nonce = b64d(envelope.nonce, length=NONCE_BYTES)
        ciphertext = b64d(envelope.ciphertext)
    except ProtocolError as exc:
        raise ProtocolError("malformed", str(exc)) from exc
    for channel, key in channel_keys.items():
        ad = _message_ad(envelope.mailbox, envelope.sender, envelope.epoch, envelope.seq, channel)
        try:
            return channel, AESGCM(key).decrypt(nonce, ciphertext, ad)
        except InvalidTag:
            continue
    raise ProtocolError("unreadable", "no key opens this message")


def open_message(envelope: Envelope, *, channel_keys: dict[str, bytes]) -> tuple[str, str, dict[str, Any]]:
    """Decrypt with the first channel key that fits: returns (channel, type, body).

    `channel_keys` maps channel name to that channel's key (`channel_key(K_e, channel)`); a locked app
    passes only the schedule key. Raises ProtocolError("unreadable") when none fits, ("malformed") when the
    plaintext is not a message. The signature must have been checked before (`verify`).
    """
    channel, plaintext = decrypt_envelope(envelope, channel_keys=channel_keys)
    try:
        data = json.loads(plaintext)
        kind, body = data["type"], data["body"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ProtocolError("malformed", "not a message") from exc
    if not isinstance(kind, str) or not isinstance(body, dict):
        raise ProtocolError("malformed", "not a message")
    return channel, kind, body
