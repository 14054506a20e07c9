"""The relay for protocol v2 (ADR 0006, issue 15): key rotation signed by the current steward key, a v2
mailbox that takes members' messages only, and a machine-readable `reason` on every 409, on SQLite and on
PostgreSQL."""

from __future__ import annotations

import os
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol as p
from tests.coordinator.conftest import Api
from tests.coordinator.test_attendance_api import batch
from tests.coordinator.test_relay_api import Group, _bearer, _join_code, _registered

REASONS = {"old_epoch", "stale_seq", "repeated_nonce", "taken", "version", "not_newer", "full"}


def rotation(group: Group, *, epoch: int, version: int, signer: Ed25519PrivateKey | None = None,
             new_key: bytes | None = None, new_leader: Ed25519PrivateKey | None = None) -> dict[str, Any]:
    """`PUT /keys` for the next epoch: a new post key (from `new_key`) and steward key, signed by `signer`
    (the group's current steward key unless given). The group's keys move on to the new ones."""
    key = new_key or p.new_group_key()
    leader = new_leader or Ed25519PrivateKey.generate()
    body = {"epoch": epoch, "member_key": p.public_b64(p.member_signer(key)), "leader_key": p.public_b64(leader),
            "version": version}
    signed = p.signing_bytes("keys", mailbox=group.mailbox, **body)
    body["signature"] = p.sign(signer or group.leader, signed)
    group.next = (key, leader)  # type: ignore[attr-defined]
    return body


def _take(group: Group) -> None:
    group.key, group.leader = group.next  # type: ignore[attr-defined]
    group.members = p.member_signer(group.key)


def _refused(answer: Any, reason: str) -> None:
    assert answer.status_code == 409, answer.text
    body = answer.json()
    assert body["reason"] == reason and isinstance(body["detail"], str) and body["detail"], body


def test_rotation_to_v2_moves_both_keys_and_refuses_the_leader(api: Api) -> None:
    group = _registered(api)
    messages = f"/v1/mailboxes/{group.mailbox}/messages"
    assert api.client.post(messages, json=group.leader_message()).status_code == 201
    keys = f"/v1/mailboxes/{group.mailbox}/keys"
    old_leader, old_members = group.leader, group.members

    outsider = rotation(group, epoch=1, version=2, signer=Ed25519PrivateKey.generate())
    assert api.client.put(keys, json=outsider).status_code == 403
    new_signs_itself = rotation(group, epoch=1, version=2)
    new_signs_itself["signature"] = p.sign(group.next[1], p.signing_bytes(  # type: ignore[attr-defined]
        "keys", mailbox=group.mailbox, **{k: new_signs_itself[k] for k in
                                          ("epoch", "member_key", "leader_key", "version")}))
    assert api.client.put(keys, json=new_signs_itself).status_code == 403  # only the CURRENT steward key
    assert api.client.put(f"/v1/mailboxes/{Group().mailbox}/keys", json=rotation(group, epoch=1, version=2)
                          ).status_code == 404

    body = rotation(group, epoch=1, version=2)
    done = api.client.put(keys, json=body)
    assert done.status_code == 200, done.text
    assert done.json() == {"mailbox": group.mailbox, "leader_key": body["leader_key"], "member_key": body["member_key"],
                           "epoch": 1, "last_seq": 1, "version": 2}
    _take(group)
    again = api.client.put(keys, json=body)  # a retry after a lost answer: done already, nothing changes
    assert again.status_code == 200 and again.json() == done.json()
    _refused(api.client.put(keys, json=rotation(group, epoch=1, version=2)), "not_newer")  # by the new steward

    _refused(api.client.post(messages, json=group.leader_message(epoch=1)), "version")  # even by the new steward
    old_style = p.seal_message(mailbox=group.mailbox, sender=p.LEADER, epoch=1, seq=5, group_key=group.key,
                               channel=p.CONTENT, kind="prompt", body={}, signer=old_leader).to_post()
    _refused(api.client.post(messages, json=old_style), "version")
    assert api.client.post(messages, json=group.member_message(epoch=1)).status_code == 201
    stale_members = group.member_message(epoch=1, signer=old_members)
    assert api.client.post(messages, json=stale_members).status_code == 403
    _refused(api.client.post(messages, json=group.member_message(epoch=0)), "old_epoch")
    assert api.client.post(messages, json={**group.member_message(epoch=1), "seq": 1}).status_code == 422

    # the new steward key signs what the leader key signed: join codes, head counts, the next rotation
    lookup = p.b64e(os.urandom(32))
    assert api.client.put(f"/v1/join-codes/{lookup}", json=_join_code(group, lookup, 7, api)).status_code == 201
    head = {"count": 3, "signature": p.sign(old_leader, p.signing_bytes(
        "head-count", mailbox=group.mailbox, meeting="20261201T170000Z", count=3))}
    assert api.client.put(f"/v1/mailboxes/{group.mailbox}/head-counts/20261201T170000Z", json=head).status_code == 403
    assert api.client.put(keys, json=rotation(group, epoch=2, version=2, signer=old_leader)).status_code == 403
    assert api.client.put(keys, json=rotation(group, epoch=2, version=2)).status_code == 200
    _take(group)
    _refused(api.client.put(keys, json=rotation(group, epoch=3, version=1)), "version")  # no way back to v1
    assert api.client.get(f"/v1/mailboxes/{group.mailbox}").json()["version"] == 2


def test_a_v1_rotation_keeps_a_v1_mailbox_working(api: Api) -> None:
    group = _registered(api)
    messages = f"/v1/mailboxes/{group.mailbox}/messages"
    assert api.client.post(messages, json=group.leader_message()).status_code == 201
    done = api.client.put(f"/v1/mailboxes/{group.mailbox}/keys", json=rotation(group, epoch=4, version=1))
    assert done.status_code == 200 and done.json()["version"] == 1 and done.json()["epoch"] == 4
    _take(group)
    assert api.client.post(messages, json=group.leader_message(epoch=4)).status_code == 201
    _refused(api.client.post(messages, json=group.leader_message(epoch=4, seq=2)), "stale_seq")
    assert api.client.post(messages, json=group.member_message(epoch=4)).status_code == 201


def test_bad_rotations_are_a_clear_422(api: Api) -> None:
    group = _registered(api)
    keys = f"/v1/mailboxes/{group.mailbox}/keys"
    for changes, field in (({"version": 3}, "version"), ({"version": 0}, "version"), ({"epoch": -1}, "epoch"),
                           ({"leader_key": "short"}, "leader_key"), ({"member_key": "!" * 43}, "member_key")):
        answer = api.client.put(keys, json={**rotation(group, epoch=1, version=2), **changes})
        assert answer.status_code == 422 and answer.json()["detail"].startswith(f"{field}: "), answer.text
    body = rotation(group, epoch=1, version=2)
    del body["leader_key"]
    answer = api.client.put(keys, json=body)
    assert answer.status_code == 422 and "leader_key" in answer.json()["detail"]


def test_every_409_says_why(api: Api) -> None:
    group = _registered(api)
    messages = f"/v1/mailboxes/{group.mailbox}/messages"
    other = Group()
    other.mailbox = group.mailbox
    _refused(api.client.post("/v1/mailboxes", json=other.registration(), headers=_bearer(api.token())), "taken")

    first = group.leader_message()
    assert api.client.post(messages, json=first).status_code == 201
    _refused(api.client.post(messages, json=group.leader_message(seq=1)), "stale_seq")
    _refused(api.client.post(messages, json=first), "repeated_nonce")  # a resend after a lost answer: already here
    member = group.member_message()
    assert api.client.post(messages, json=member).status_code == 201
    _refused(api.client.post(messages, json=member), "repeated_nonce")  # "already here"
    _refused(api.client.post(messages, json=group.signed(group.leader_message(), nonce=member["nonce"])),
             "repeated_nonce")

    new_key = p.new_group_key()
    new_members = p.public_b64(p.member_signer(new_key))
    signed = p.signing_bytes("member-key", mailbox=group.mailbox, epoch=1, member_key=new_members)
    roll = {"epoch": 1, "member_key": new_members, "signature": p.sign(group.leader, signed)}
    assert api.client.put(f"/v1/mailboxes/{group.mailbox}/member-key", json=roll).status_code == 200
    _refused(api.client.put(f"/v1/mailboxes/{group.mailbox}/member-key", json=roll), "not_newer")
    _refused(api.client.post(messages, json=group.member_message()), "old_epoch")
    _refused(api.client.post(messages, json=group.leader_message(epoch=0)), "old_epoch")
    _refused(api.client.post(f"/v1/mailboxes/{group.mailbox}/attendance",
                             json=batch(group, [("20261201T170000Z", p.b64e(os.urandom(16)))])), "old_epoch")

    lookup = p.b64e(os.urandom(32))
    assert api.client.put(f"/v1/join-codes/{lookup}", json=_join_code(group, lookup, 7, api)).status_code == 201
    elsewhere = _registered(api)
    _refused(api.client.put(f"/v1/join-codes/{lookup}", json=_join_code(elsewhere, lookup, 7, api)), "taken")


def test_the_schema_documents_every_409_and_its_reasons(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    conflict = schema["components"]["schemas"]["Conflict"]
    assert set(conflict["properties"]["reason"]["enum"]) == REASONS
    assert {"detail", "reason"} <= set(conflict["required"])
    for reason in REASONS:
        assert reason in conflict["properties"]["reason"]["description"]
    with_409 = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "409" in operation["responses"]:
                answer = operation["responses"]["409"]
                assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Conflict"}
                with_409.append((method, path))
    assert sorted(with_409) == sorted([
        ("post", "/v1/mailboxes"), ("put", "/v1/mailboxes/{mailbox}/member-key"),
        ("put", "/v1/mailboxes/{mailbox}/keys"), ("post", "/v1/mailboxes/{mailbox}/messages"),
        ("post", "/v1/mailboxes/{mailbox}/attendance"), ("put", "/v1/join-codes/{lookup}"),
        ("put", "/v1/catalogues/{region}"), ("post", "/v1/catalogues/{region}/interest"),
        ("post", "/v1/replies/{box}")])
    keys = schema["paths"]["/v1/mailboxes/{mailbox}/keys"]["put"]
    assert {"403", "404", "409", "422"} <= set(keys["responses"])
