"""Asking to join a version 2 group (docs/adr/0006-group-protocol-v2.md).

The invite shows the schedule and guidelines at once; the person's app makes an identity for this group and
sends a request sealed to the hosts' door key (the relay sees one more small message). Both phones then show
the same six-digit check code; a host compares it in person and admits. Only the welcome that follows brings
the group key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import Connection

import protocol as p
from app.errors import KraftError, Msg
from app.services.group_layer.circle import V2, Circle, Circles, identity_secret
from app.services.groups import Group
from app.services.linking import InvitePreview, local_group_id, member_name
from app.services.links import MEMBER, Link, Secrets
from app.storage.vault import RecordWriter


@dataclass(frozen=True)
class Asked:
    group: Group
    check_code: str  # six digits, shown on both phones


def check_code(circles: Circles, group_id: str) -> str:
    """This member's check code in the group (the one the host sees beside the request)."""
    circle = circles.load(group_id)
    return p.check_code(circle.link.mailbox, circle.identity.public())


def ask(circles: Circles, preview: InvitePreview, *, name: str = "", now: datetime) -> Asked:
    """Add the group with the invite's schedule, and queue the request to join, sealed to the hosts."""
    invite = preview.invite
    if invite.get("v") != V2:
        raise KraftError(Msg.INVITE_DAMAGED)
    if not circles.links.readable():
        raise KraftError(Msg.VAULT_LOCKED)
    name = member_name(name)
    group_id = local_group_id(str(invite["group"]))
    if circles.groups.exists(group_id):
        raise KraftError(Msg.ALREADY_IN_GROUP)
    identity, device = p.Identity.new(), X25519PrivateKey.generate()
    public = identity.public()
    epoch = int(str(invite["epoch"]))
    link = Link(group_id=group_id, role=MEMBER, relay=preview.relay, mailbox=str(invite["mailbox"]),
                leader_key=str(invite["steward"]), epoch=epoch, schedule_keys={},
                schedule_secret=p.b64e(p.private_bytes(device)), last_seq=0, after=0, pending=[], version=V2)
    secrets = Secrets(role=MEMBER, group_keys={}, member_id=public.id, name=name, identity=identity_secret(identity),
                      guidelines=preview.guidelines, theme=preview.theme,
                      invite={k: invite[k] for k in ("post", "door", "steward", "invite", "uses", "epoch")})
    circle = Circle(link, secrets)
    request = circles.seal_to(circle, str(invite["door"]), "request",
                              {"member": {"sig": public.sig, "dh": public.dh, "device": p.public_b64(device)},
                               "name": name, "invite": str(invite["invite"])})

    def write(group: Group, tx: RecordWriter | Connection) -> None:
        circles.links.insert(circle.link, circle.secrets, conn=tx)
        circles.links.put_secrets(group.id, circle.secrets, tx)
        if link.relay:
            circles.links.enqueue(group.id, link.relay, "POST", f"/v1/mailboxes/{link.mailbox}/messages",
                                  request.to_post(), now=now, conn=tx)

    group = circles.groups.add(preview.label, preview.schedule, None, group_id=group_id, also=write)
    return Asked(group, p.check_code(link.mailbox, public))
