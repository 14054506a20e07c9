"""Invites: the signed, compressed token a person scans or pastes to join a group.

Version 1 (ADR 0004) carries the group key and is signed by the leader. Version 2 (ADR 0006) carries no group
key: the post signer's seed (to post a request), the door key (requests are sealed to it, only hosts open
them), the steward key that signs it, an invite id and how many people it may admit.
"""

from __future__ import annotations

import json
import zlib
from datetime import date
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from protocol.encoding import KEY_BYTES, VERSION, ProtocolError, b64d, b64e, canonical, sign, signing_bytes, verify
from protocol.membership import MAX_INVITE_USES

INVITE_FIELDS = ("v", "relay", "group", "mailbox", "epoch", "key", "leader", "label", "schedule", "theme",
                 "guidelines", "expires_on")
INVITE_FIELDS_V2 = ("v", "relay", "group", "mailbox", "epoch", "post", "door", "steward", "invite", "uses",
                    "label", "schedule", "theme", "guidelines", "expires_on")
_FIELDS = {1: INVITE_FIELDS, 2: INVITE_FIELDS_V2}


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
    body = {k: invite[k] for k in _FIELDS[invite["v"]]}
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
    if not isinstance(data, dict) or data.get("v") not in (VERSION, 2):
        raise ProtocolError("version" if isinstance(data, dict) and "v" in data else "damaged")
    try:
        body = {k: data[k] for k in _FIELDS[data["v"]]}
        signature = data["sig"]
        if data["v"] == VERSION:
            b64d(body["key"], length=KEY_BYTES)
            signer = body["leader"]
        else:
            for name in ("post", "door", "steward"):
                b64d(body[name], length=KEY_BYTES)
            if not isinstance(body["uses"], int) or not 1 <= body["uses"] <= MAX_INVITE_USES \
                    or not isinstance(body["invite"], str) or not body["invite"]:
                raise ProtocolError("damaged")
            signer = body["steward"]
        if not isinstance(body["epoch"], int) or not isinstance(body["schedule"], dict):
            raise ProtocolError("damaged")
        expires = date.fromisoformat(body["expires_on"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError("damaged", "the invite is damaged") from exc
    if not verify(signer, signature, signing_bytes("invite", invite=body)):
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
