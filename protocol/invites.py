"""Invites: the leader's signed, compressed token a member scans or pastes to join a group (ADR 0004)."""

from __future__ import annotations

import json
import zlib
from datetime import date
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from protocol.encoding import KEY_BYTES, VERSION, ProtocolError, b64d, b64e, canonical, sign, signing_bytes, verify

INVITE_FIELDS = ("v", "relay", "group", "mailbox", "epoch", "key", "leader", "label", "schedule", "theme",
                 "guidelines", "expires_on")


def sign_invite(invite: dict[str, Any], leader: Ed25519PrivateKey) -> str:
    """The invite token: compressed canonical JSON with the leader's signature, base64url.

    Only INVITE_FIELDS are signed and carried; `read_invite` checks and decodes the token.

    >>> from protocol.encoding import public_b64
    >>> leader = Ed25519PrivateKey.generate()
    >>> invite = {"v": 1, "relay": "", "group": "g", "mailbox": "m", "epoch": 0, "key": b64e(bytes(32)),
    ...           "leader": public_b64(leader), "label": "Tuesday", "schedule": {}, "theme": "", "guidelines": "",
    ...           "expires_on": "2026-12-31"}
    >>> read_invite(sign_invite(invite, leader), today=date(2026, 12, 2))["label"]
    'Tuesday'
    """
    body = {k: invite[k] for k in INVITE_FIELDS}
    signed = {**body, "sig": sign(leader, signing_bytes("invite", invite=body))}
    return b64e(zlib.compress(canonical(signed), 9))


def read_invite(token: str, *, today: date) -> dict[str, Any]:
    """Check and decode an invite token. ProtocolError reasons: damaged, forged, expired, version.

    >>> read_invite("not a token", today=date(2026, 12, 2))
    Traceback (most recent call last):
    protocol.encoding.ProtocolError: the invite is damaged
    """
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
    """A link a phone camera opens: the relay's /join page, the token after '#' so no server sees it.

    >>> invite_link("TOKEN", "https://relay.example/")
    'https://relay.example/join#TOKEN'
    """
    if relay_url:
        return f"{relay_url.rstrip('/')}/join#{token}"
    return f"kraft://join#{token}"


def token_from_text(text: str) -> str:
    """Accept a pasted link (https or kraft://) or a bare token.

    >>> token_from_text(" kraft://join#AB CD ")
    'ABCD'
    """
    text = text.strip()
    if "#" in text:
        text = text.rsplit("#", 1)[1]
    return "".join(text.split())
