"""Version 2 invites (docs/adr/0006-group-protocol-v2.md): no group key, signed by the steward key, with an
invite id and a number of uses; version 1 invites keep reading as before."""

from __future__ import annotations

from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol as p

TODAY = date(2026, 12, 3)


def _invite(steward: Ed25519PrivateKey, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "v": 2, "relay": "", "group": p.new_group_id(), "mailbox": "m", "epoch": 0, "post": p.b64e(bytes(32)),
        "door": p.b64e(bytes(range(32))), "steward": p.public_b64(steward), "invite": "inv-1", "uses": 1,
        "label": "Tisdag", "schedule": {}, "theme": "", "guidelines": "", "expires_on": "2026-12-10"}
    return {**body, **changes}


def test_a_v2_invite_round_trips_without_a_group_key() -> None:
    steward = Ed25519PrivateKey.generate()
    body = p.read_invite(p.sign_invite(_invite(steward), steward), today=TODAY)
    assert body["v"] == 2 and body["uses"] == 1 and body["invite"] == "inv-1"
    assert "key" not in body and set(body) == set(p.INVITE_FIELDS_V2)


def test_a_v2_invite_signed_by_another_key_is_forged() -> None:
    steward, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    with pytest.raises(p.ProtocolError) as caught:
        p.read_invite(p.sign_invite(_invite(steward), other), today=TODAY)
    assert caught.value.reason == "forged"


@pytest.mark.parametrize("changes", [{"uses": 0}, {"uses": p.MAX_INVITE_USES + 1}, {"uses": "1"},
                                     {"invite": ""}, {"door": "short"}, {"post": p.b64e(bytes(31))}])
def test_a_v2_invite_with_bad_fields_is_damaged(changes: dict[str, object]) -> None:
    steward = Ed25519PrivateKey.generate()
    with pytest.raises(p.ProtocolError) as caught:
        p.read_invite(p.sign_invite(_invite(steward, **changes), steward), today=TODAY)
    assert caught.value.reason == "damaged"


def test_an_invite_of_an_unknown_version_says_so() -> None:
    steward = Ed25519PrivateKey.generate()
    token = p.sign_invite(_invite(steward), steward)
    import json
    import zlib
    data = json.loads(zlib.decompress(p.b64d(token)))
    data["v"] = 3
    with pytest.raises(p.ProtocolError) as caught:
        p.read_invite(p.b64e(zlib.compress(p.canonical(data))), today=TODAY)
    assert caught.value.reason == "version"
