"""Upgrading a version 1 group to version 2 without reopening the takeover (docs/adr/0006-group-protocol-v2.md,
"Upgrading a version 1 group").

The v1 leader's app (`upgrade`) starts the v2 group on a new mailbox as its starter, keeping the local group
(journal, schedule, homework), and sends on the old mailbox one last-but-one leader message with an
invitation sealed to each registered member's v1 "group" key, then "moved". A member's app (`answer`) makes
its v2 identity and asks to join with a proof made with the v1 secret it holds (`protocol.continuity`); the
starter's app (`carry_over`) lets in only a valid proof for a registered member id, once per id. A member
who tries another's place holds the group's keys but not that member's v1 secret: refused.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

import protocol as p
from app.errors import KraftError, Msg
from app.services.group_layer import hosting
from app.services.group_layer.circle import V2, Circle, Circles, identity_secret
from app.services.linking import protocol_group_id
from app.services.links import LEADER, MEMBER, Link, Secrets
from app.services.relay_client import RelayClient, RelayError

UPGRADE, MOVED = "upgrade", "moved"  # the v1 leader's last two message types (schedule channel)
CLOSES_AT_AFTER = 2  # once everyone came over, the group closes as any group after its second meeting


def _context(mailbox: str, member: str) -> dict[str, Any]:
    return {"mailbox": mailbox, "member": member, "purpose": "v2/upgrade"}


def upgrade(circles: Circles, group_id: str, *, enrolment: str, now: datetime,
            relay_factory: Callable[[str], RelayClient] = RelayClient) -> int:
    """Upgrade the v1 group this device leads; returns how many registered members were invited. The new
    mailbox is registered at once (the relay must be reachable and take the enrolment code); the first entry,
    the invitations and "moved" go through the outbox, in that order."""
    if circles.vault is None or not circles.links.sealed():
        raise KraftError(Msg.LEADER_NEEDS_JOURNAL)
    circles.groups.get(group_id)
    link = circles.links.get(group_id)
    if link is not None and link.version == V2:
        raise KraftError(Msg.ALREADY_UPGRADED)
    if link is None or link.role != LEADER:
        raise KraftError(Msg.NOT_LEADER)
    if not link.relay:
        raise KraftError(Msg.NEEDS_RELAY)
    if not enrolment.strip():
        raise KraftError(Msg.UPGRADE_ENROLMENT_MISSING)
    old = circles.links.secrets(group_id)
    members = {mid: {"name": str(info.get("name", "")), "group": str(info["group"])}
               for mid, info in old.members.items()}

    key, host = p.new_group_key(), p.new_host_secret()
    mailbox = p.mailbox_id(protocol_group_id(group_id), key)
    identity, device = p.Identity.new(), X25519PrivateKey.generate()
    public = identity.public()
    policy = p.Policy(hosting=p.HOSTS_ONLY, admission=p.OPEN, closes_at=0)  # its meetings began: not closed yet
    entry = p.make_entry(None, identity, "create",
                         {"member": {"sig": public.sig, "dh": public.dh, "device": p.public_b64(device)},
                          "policy": policy.to_dict()}, mailbox=mailbox)
    state = p.apply(None, entry, mailbox=mailbox)
    steward, invite_id = p.steward_signer(host), p.b64e(os.urandom(12))
    member_key = p.public_b64(p.post_signer(key))
    register = {"mailbox": mailbox, "leader_key": p.public_b64(steward), "member_key": member_key,
                "signature": p.sign(steward, p.signing_bytes("register", mailbox=mailbox,
                                                             leader_key=p.public_b64(steward),
                                                             member_key=member_key))}
    try:
        with relay_factory(link.relay) as client:
            client.request("POST", "/v1/mailboxes", register, token=enrolment.strip())
    except RelayError as exc:
        raise exc.to_kraft(link.relay) from exc

    invitation = {"mailbox": mailbox, "post": p.b64e(p.post_seed(key)), "door": p.public_b64(p.door_key(host)),
                  "steward": p.public_b64(steward), "invite": invite_id, "uses": max(1, len(members)), "epoch": 0,
                  "starter": public.dh}
    sealed = {mid: p.wrap_for(info["group"], p.canonical(invitation), context=_context(link.mailbox, mid))
              for mid, info in members.items()}
    signer = Ed25519PrivateKey.from_private_bytes(p.b64d(old.signing_key, length=32))
    group_key = p.b64d(old.group_keys[link.epoch])
    bodies: list[tuple[str, dict[str, Any]]] = [(UPGRADE, {"mailbox": mailbox, "invites": sealed}),
                                                (MOVED, {"mailbox": mailbox})]
    last = [p.seal_message(mailbox=link.mailbox, sender=p.LEADER, epoch=link.epoch, seq=old.next_seq + i,
                           group_key=group_key, channel=p.SCHEDULE, kind=kind, body=body, signer=signer)
            for i, (kind, body) in enumerate(bodies)]
    old.next_seq += len(last)

    new_link = Link(group_id=group_id, role=MEMBER, relay=link.relay, mailbox=mailbox,
                    leader_key=p.public_b64(steward), epoch=0,
                    schedule_keys={0: p.b64e(p.channel_key(key, p.SCHEDULE))},
                    schedule_secret=p.b64e(p.private_bytes(device)), last_seq=0, after=0, pending=[], version=V2,
                    state=state.snapshot())
    secrets = Secrets(role=MEMBER, group_keys={0: p.b64e(key)}, member_id=public.id, host_secrets={0: p.b64e(host)},
                      identity=identity_secret(identity), guidelines=old.guidelines, theme=old.theme,
                      invites={invite_id: max(1, len(members))},
                      upgrade={"from": link.mailbox, "invite": invite_id, "members": members, "done": {},
                               "cant_come": old.cant_come, "v1": old.to_dict()})
    circle = Circle(new_link, secrets)
    log = circles.seal(circle, p.SCHEDULE, "log", entry.to_dict())
    old_path = f"/v1/mailboxes/{link.mailbox}/messages"
    circles.write(circle, [log, *(("POST", old_path, envelope.to_post()) for envelope in last)], now=now)
    return len(members)


# ---- a v1 member's app ----


def answer(circles: Circles, link: Link, v1: Secrets, body: dict[str, Any], *, now: datetime) -> Link:
    """Read the leader's invitations (a v1 message already checked against the leader key): when one is
    sealed to this member, move the link to the new mailbox and ask to join there with the continuity proof.
    Returns the link as it is now (unchanged when there is nothing for this member)."""
    sealed = dict(body.get("invites", {})).get(v1.member_id)
    if sealed is None or not v1.group_secret:
        return link  # not registered with the leader (its join never arrived): a host invites them anew
    v1_secret = X25519PrivateKey.from_private_bytes(p.b64d(v1.group_secret, length=32))
    invitation = json.loads(p.unwrap(v1_secret, str(sealed), context=_context(link.mailbox, v1.member_id)))
    mailbox = str(invitation["mailbox"])
    p.b64d(mailbox, length=p.MAILBOX_BYTES)
    identity, device = p.Identity.new(), X25519PrivateKey.generate()
    public, device_public = identity.public(), p.public_b64(device)
    proof = p.continuity_proof(v1_secret, str(invitation["starter"]), public, old_mailbox=link.mailbox,
                               mailbox=mailbox, member=v1.member_id, device=device_public)
    new_link = replace(link, mailbox=mailbox, leader_key=str(invitation["steward"]), epoch=int(invitation["epoch"]),
                       schedule_keys={}, schedule_secret=p.b64e(p.private_bytes(device)), last_seq=0, after=0,
                       pending=kept_from_v1(link.mailbox, link.pending), version=V2, state={}, seqs={})
    secrets = Secrets(role=MEMBER, group_keys={}, member_id=public.id, name=v1.name,
                      identity=identity_secret(identity), guidelines=v1.guidelines, theme=v1.theme,
                      attendance_opt_in=v1.attendance_opt_in, attendance_secret=v1.attendance_secret,
                      invite={k: invitation[k] for k in ("post", "door", "steward", "invite", "uses", "epoch",
                                                         "starter")},
                      upgrade={"from": v1.member_id, "v1": v1.to_dict()})
    circle = Circle(new_link, secrets)
    request = circles.seal_to(circle, str(invitation["door"]), "request",
                              {"member": {"sig": public.sig, "dh": public.dh, "device": device_public},
                               "name": v1.name, "invite": str(invitation["invite"]),
                               "upgrade": {"from": v1.member_id, "proof": proof}})
    circles.write(circle, [request], now=now)
    return circle.link


def kept_from_v1(old_mailbox: str, pending: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a v1 member's app kept for the journal (homework sent before the upgrade), marked to be opened
    with the v1 keys (`Secrets.upgrade["v1"]`) once the journal is open: nothing kept is lost by moving."""
    return [item if "v1" in item else {"v1": item, "mailbox": old_mailbox} for item in pending]


# ---- the starter's app ----


def is_upgrade_request(circle: Circle, body: dict[str, Any]) -> bool:
    """A request that claims a v1 place, or uses the upgrade's ticket (which admits only with a proof)."""
    ticket = circle.secrets.upgrade.get("invite")
    return "upgrade" in body or (ticket is not None and str(body.get("invite", "")) == ticket)


def carry_over(circles: Circles, circle: Circle, body: dict[str, Any], public: p.PublicIdentity, *,
               now: datetime) -> Link:
    """Admit a v1 member into their own place: only with a valid proof for a registered member id, once per
    id. Raises ProtocolError("refused", "upgrade_proof" | "upgraded_already"); nothing is used up then."""
    up = circle.secrets.upgrade
    claim = body.get("upgrade")
    if not up.get("members") or str(body.get("invite", "")) != up.get("invite") or not isinstance(claim, dict):
        raise p.ProtocolError("refused", "upgrade_proof")
    old_id, device = str(claim.get("from", "")), str(body["member"]["device"])
    p.b64d(device, length=32)
    known = up["members"].get(old_id)
    if known is None or not p.check_continuity(circle.identity.dh, known["group"], claim.get("proof"), public,
                                               old_mailbox=up["from"], mailbox=circle.link.mailbox, member=old_id,
                                               device=device):
        raise p.ProtocolError("refused", "upgrade_proof")
    if old_id in up["done"]:
        raise p.ProtocolError("refused", "upgraded_already")
    up["done"][old_id] = public.id
    circle.secrets.requests[public.id] = {"member": {"sig": public.sig, "dh": public.dh, "device": device},
                                          "name": known["name"], "invite": up["invite"],
                                          "check": p.check_code(circle.link.mailbox, public)}
    for meeting, ids in dict(up.get("cant_come", {})).items():
        if old_id in ids:
            circle.secrets.cant_come.setdefault(meeting, []).append(public.id)
    circles.write(circle, [], now=now)  # the claim is noted before the admission: a place is carried over once
    hosting.admit(circles, circle.group_id, public.id, now=now)
    after = circles.load(circle.group_id)
    if len(after.secrets.upgrade["done"]) >= len(after.secrets.upgrade["members"]) \
            and after.state.policy.closes_at == 0 and after.is_host():
        _new, log = circles.change(after, "policy", {"closes_at": CLOSES_AT_AFTER})
        circles.write(after, [log], now=now)
    return after.link
