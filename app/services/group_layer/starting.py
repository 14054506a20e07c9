"""Starting a version 2 group and inviting people to it (docs/adr/0006-group-protocol-v2.md).

The starter's app makes the group key K_0, the hosts' secret H_0 and the starter's identity, writes the
membership log's first entry (`create`: the starter is starter and host), registers the mailbox with the
post key and the steward key, and posts the entry. An invite carries no group key: it lets a person ask.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import Connection

import protocol as p
from app.domain.schedule import Schedule
from app.errors import KraftError, Msg
from app.services.group_layer.circle import V2, Circle, Circles, identity_secret
from app.services.groups import Group, GroupDetails
from app.services.linking import (
    INVITE_DAYS,
    MAX_INVITE_DAYS,
    Invite,
    JoinCode,
    local_group_id,
    new_group_settings,
    protocol_group_id,
)
from app.services.links import MEMBER, Link, Secrets
from app.storage.vault import RecordWriter


def policy_for(*, every_member_hosts: bool = False, closed: bool = False, closes_at: int = 2) -> p.Policy:
    return p.Policy(hosting=p.EVERY_MEMBER if every_member_hosts else p.HOSTS_ONLY,
                    admission=p.CLOSED if closed else p.OPEN, closes_at=closes_at)


def create_group(circles: Circles, label: str, schedule: Schedule, *, theme: str = "", guidelines: str = "",
                 relay: str = "", enrolment: str = "", policy: p.Policy | None = None, now: datetime) -> Group:
    """Start a group as its starter. Works with a journal (keys sealed) and, for a starter who keeps none,
    without (keys in the device's row, as for a member without a journal)."""
    if not circles.links.readable():
        raise KraftError(Msg.VAULT_LOCKED)
    relay, guidelines = new_group_settings(relay, enrolment, guidelines)
    group_id, key, host = p.new_group_id(), p.new_group_key(), p.new_host_secret()
    mailbox = p.mailbox_id(group_id, key)
    identity, device = p.Identity.new(), X25519PrivateKey.generate()
    public = identity.public()
    policy = policy or policy_for()
    entry = p.make_entry(None, identity, "create",
                         {"member": {"sig": public.sig, "dh": public.dh, "device": p.public_b64(device)},
                          "policy": policy.to_dict()}, mailbox=mailbox)
    state = p.apply(None, entry, mailbox=mailbox)
    steward = p.steward_signer(host)
    link = Link(group_id=local_group_id(group_id), role=MEMBER, relay=relay, mailbox=mailbox,
                leader_key=p.public_b64(steward), epoch=0,
                schedule_keys={0: p.b64e(p.channel_key(key, p.SCHEDULE))},
                schedule_secret=p.b64e(p.private_bytes(device)), last_seq=0, after=0, pending=[], version=V2,
                state=state.snapshot())
    secrets = Secrets(role=MEMBER, group_keys={0: p.b64e(key)}, member_id=public.id,
                      host_secrets={0: p.b64e(host)}, identity=identity_secret(identity), guidelines=guidelines,
                      theme=theme.strip())
    circle = Circle(link, secrets)
    log = circles.seal(circle, p.SCHEDULE, "log", entry.to_dict())
    member_key = p.public_b64(p.post_signer(key))
    register = {"mailbox": mailbox, "leader_key": link.leader_key, "member_key": member_key,
                "signature": p.sign(steward, p.signing_bytes("register", mailbox=mailbox, leader_key=link.leader_key,
                                                             member_key=member_key))}

    def write(group: Group, tx: RecordWriter | Connection) -> None:
        circles.links.insert(circle.link, circle.secrets, conn=tx)
        circles.links.put_secrets(group.id, circle.secrets, tx)
        if relay:  # the registration first: the outbox sends a group's requests in order
            circles.links.enqueue(group.id, relay, "POST", "/v1/mailboxes", register, token=enrolment.strip(),
                                  now=now, conn=tx)
            circles.links.enqueue(group.id, relay, "POST", f"/v1/mailboxes/{mailbox}/messages", log.to_post(),
                                  now=now, conn=tx)

    details = GroupDetails(theme=theme.strip()) if theme.strip() and circles.links.sealed() else None
    return circles.groups.add(label, schedule, details, group_id=link.group_id, also=write)


def invite(circles: Circles, group_id: str, *, days: int = INVITE_DAYS, uses: int = 1, today: date) -> Invite:
    """A signed invite a host hands out: whoever holds it may ask to join, `uses` people in all."""
    circle = circles.hosting(group_id)
    if not 1 <= days <= MAX_INVITE_DAYS:
        raise KraftError(Msg.INVITE_DAYS_INVALID, maximum=MAX_INVITE_DAYS)
    if not 1 <= uses <= p.MAX_INVITE_USES:
        raise KraftError(Msg.INVITE_USES_INVALID, maximum=p.MAX_INVITE_USES)
    host = circle.host_secret()
    assert host is not None  # a host holds H_e
    group = circles.groups.get(group_id)
    expires = today + timedelta(days=days)
    invite_id = p.b64e(os.urandom(12))
    key = circle.group_key()
    body = {"v": V2, "relay": circle.link.relay, "group": protocol_group_id(group_id), "mailbox": circle.link.mailbox,
            "epoch": circle.epoch, "post": p.b64e(p.post_seed(key)), "door": p.public_b64(p.door_key(host)),
            "steward": p.public_b64(p.steward_signer(host)), "invite": invite_id, "uses": uses,
            "label": group.label, "schedule": group.schedule.to_dict(), "theme": circle.secrets.theme,
            "guidelines": circle.secrets.guidelines, "expires_on": expires.isoformat()}
    token = p.sign_invite(body, p.steward_signer(host))
    circle.secrets.invites[invite_id] = uses
    circles.links.put_secrets(group_id, circle.secrets)
    return Invite(token=token, link=p.invite_link(token, circle.link.relay), expires_on=expires)


def join_code(circles: Circles, group_id: str, *, days: int = INVITE_DAYS, uses: int = 1, now: datetime) -> JoinCode:
    """A short code for the board: the relay keeps the invite sealed under it until it expires."""
    circle = circles.hosting(group_id)
    if not circle.link.relay:
        raise KraftError(Msg.JOIN_CODE_NEEDS_RELAY)
    made = invite(circles, group_id, days=days, uses=uses, today=now.date())
    host = circle.host_secret()
    assert host is not None
    code = p.new_join_code()
    lookup, key = p.stretch_join_code(code)
    sealed = p.seal_join_invite(key, made.token)
    expires = made.expires_on.isoformat()
    body = {"mailbox": circle.link.mailbox, "ciphertext": sealed, "expires_on": expires,
            "signature": p.sign(p.steward_signer(host), p.signing_bytes(
                "join-code", lookup=lookup, mailbox=circle.link.mailbox, ciphertext=sealed, expires_on=expires))}
    circles.links.enqueue(group_id, circle.link.relay, "PUT", f"/v1/join-codes/{lookup}", body, now=now)
    return JoinCode(code=code, expires_on=made.expires_on, queued=True)
