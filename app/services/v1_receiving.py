"""Reading a version 1 group's mailbox (ADR 0004), split from `relay_sync` as `group_layer.receiving` is for
version 2: a member checks the leader's signature and sequence number and applies schedules, epochs, homework
and the invitation to upgrade; a leader reads members' joins and "can't come". What needs the open journal is
kept as ciphertext in the link's `pending` and applied by `apply_kept` once it is open.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

import protocol as p
from app.domain.prompts import get_prompt
from app.domain.schedule import Schedule
from app.errors import KraftError
from app.services.group_layer import upgrading
from app.services.group_layer.circle import V2, Circles
from app.services.links import LEADER, Link, Secrets

log = logging.getLogger(__name__)


class V1Receiving:
    """One pass over a version 1 link's messages: `report` is the sync's (received, applied, kept, refused)."""

    def __init__(self, circles: Circles, report: Any, *, now: datetime) -> None:
        self.circles = circles
        self.links = circles.links
        self.report = report
        self.now = now

    def receive(self, link: Link, envelope: p.Envelope) -> Link:
        """Check and apply one message; returns the link as it is afterwards (saved)."""
        report = self.report
        after = max(link.after, envelope.position)
        if link.role == LEADER:
            if envelope.sender == p.MEMBER:
                self._from_member(link, envelope)
            return self.links.update(link, after=after)
        if envelope.sender != p.LEADER:
            return self.links.update(link, after=after)  # members' messages are for the leader
        if not p.verify(link.leader_key, envelope.signature, envelope.signed_part()):
            report.refused.append("forged")
            return self.links.update(link, after=after)
        if envelope.seq <= link.last_seq:
            log.warning("refused a message from the relay: replayed (seq %d, last %d)", envelope.seq, link.last_seq)
            report.refused.append("replayed")
            return self.links.update(link, after=after)
        link = replace(link, after=after, last_seq=envelope.seq)
        link = self._open_as_member(link, envelope)
        self.links.save(link)
        return link

    # ---- a member applies the leader's messages ----

    def _open_as_member(self, link: Link, envelope: p.Envelope) -> Link:
        report = self.report
        keys: dict[str, bytes] = {}
        if envelope.epoch in link.schedule_keys:
            keys[p.SCHEDULE] = p.b64d(link.schedule_keys[envelope.epoch])
        secrets = self.circles.readable_secrets(link.group_id)
        if secrets is not None and self.circles.content_open() and envelope.epoch in secrets.group_keys:
            keys[p.CONTENT] = p.channel_key(p.b64d(secrets.group_keys[envelope.epoch]), p.CONTENT)
        try:
            channel, kind, body = p.open_message(envelope, channel_keys=keys)
        except p.ProtocolError as exc:
            if exc.reason == "unreadable" and p.CONTENT not in keys and envelope.epoch in link.schedule_keys:
                report.kept += 1  # most likely content: kept until the journal is open
                return replace(link, pending=[*link.pending, stored(envelope)])
            report.refused.append(exc.reason)
            return link
        try:
            link = self._apply(link, channel, kind, body, secrets)
        except KraftError as exc:
            if exc.passing:  # this device's journal could not take it just now: kept for the next sync
                log.warning("a %s message was kept: %s", kind, exc.msg.name)
                report.kept += 1
                return replace(link, pending=[*link.pending, stored(envelope)])
            log.warning("a %s message could not be applied: %s", kind, exc.msg.name)
            report.refused.append("malformed")
            return link
        except (p.ProtocolError, KeyError, TypeError, ValueError) as exc:
            log.warning("a %s message could not be applied: %s", kind, type(exc).__name__)
            report.refused.append("removed" if getattr(exc, "reason", "") == "removed" else "malformed")
            return link
        if kind in ("epoch", upgrading.UPGRADE) and secrets is None:
            report.kept += 1  # its group-key half (the invitation: sealed to the v1 key) waits for the journal
            return replace(link, pending=[*link.pending, stored(envelope)])
        report.applied += 1
        return link

    def _apply(self, link: Link, channel: str, kind: str, body: dict[str, Any], secrets: Secrets | None) -> Link:
        groups = self.circles.groups
        if channel == p.SCHEDULE and kind == "schedule":
            groups.update_schedule(link.group_id, Schedule.from_dict(body["schedule"]))
            return link
        if channel == p.SCHEDULE and kind == "epoch":
            return self._new_epoch(link, body, secrets)
        if channel == p.SCHEDULE and kind == upgrading.UPGRADE:  # the group moves to version 2
            return upgrading.answer(self.circles, link, secrets, body, now=self.now) if secrets is not None else link
        if channel == p.SCHEDULE and kind == upgrading.MOVED:
            return link  # the leader's last v1 message: once answered, this app reads the new mailbox only
        if channel == p.CONTENT and kind == "prompt":
            prompt_id = str(body.get("prompt_id") or "")
            if prompt_id and get_prompt(prompt_id) is not None:
                groups.set_homework(link.group_id, prompt_id=prompt_id, now=self.now)
            else:
                groups.set_homework(link.group_id, text=str(body["text"]), now=self.now)
            return link
        raise p.ProtocolError("malformed", f"unknown {channel} message {kind}")

    def _new_epoch(self, link: Link, body: dict[str, Any], secrets: Secrets | None) -> Link:
        epoch = int(body["epoch"])
        own = X25519PrivateKey.from_private_bytes(p.b64d(link.schedule_secret, length=32))
        mine = body["members"].get(p.public_b64(own))
        if mine is None:
            raise p.ProtocolError("removed", "no longer in the group")
        context = {"mailbox": link.mailbox, "epoch": epoch}
        keys = {**link.schedule_keys, epoch: p.b64e(p.unwrap(own, mine["schedule"], context=context))}
        if secrets is not None:
            group_secret = X25519PrivateKey.from_private_bytes(p.b64d(secrets.group_secret, length=32))
            secrets.group_keys[epoch] = p.b64e(p.unwrap(group_secret, mine["group"], context=context))
            self.links.put_secrets(link.group_id, secrets)
        return replace(link, epoch=max(link.epoch, epoch), schedule_keys=keys)

    # ---- after the journal opens ----

    def apply_kept(self, link: Link) -> None:
        """Apply what this version 1 link kept for the open journal; what still cannot be read stays."""
        remaining = replace(link, pending=[])
        for i, data in enumerate(link.pending):
            envelope = p.Envelope.from_relay(link.mailbox, data)
            before = len(remaining.pending)
            remaining = self._open_as_member(remaining, envelope)
            if remaining.version == V2:  # the invitation was answered: what was kept after it moves along
                rest = upgrading.kept_from_v1(link.mailbox, link.pending[i + 1:])
                remaining = replace(remaining, pending=[*remaining.pending, *rest])
                break
            if len(remaining.pending) > before:  # still cannot be read: keep it
                continue
        self.links.save(remaining)

    def kept_before_upgrade(self, link: Link) -> Link:
        """Homework a v1 member's app kept for the journal before the group was upgraded: opened with the v1
        keys kept in the secrets ("Upgrading a version 1 group", docs/adr/0006-group-protocol-v2.md)."""
        report = self.report
        old = [item for item in link.pending if "v1" in item]
        secrets = self.circles.readable_secrets(link.group_id) if old else None
        if secrets is None or not secrets.upgrade.get("v1"):
            return link
        v1 = Secrets.from_dict(secrets.upgrade["v1"])
        for n, item in enumerate(old):
            try:
                envelope = p.Envelope.from_relay(str(item["mailbox"]), item["v1"])
                key = p.b64d(v1.group_keys[envelope.epoch])
                channel, kind, body = p.open_message(envelope, channel_keys={p.CONTENT: p.channel_key(key, p.CONTENT)})
                if (channel, kind) != (p.CONTENT, "prompt"):
                    raise p.ProtocolError("malformed", f"{kind} kept from version 1")
                self._apply(link, channel, kind, body, None)
            except KraftError as exc:
                if exc.passing:  # this one and those after it are kept for the next sync
                    report.kept += len(old) - n
                    done = old[:n]
                    return self.links.update(link, pending=[item for item in link.pending if item not in done])
                report.refused.append("malformed")
                continue
            except (p.ProtocolError, KeyError, TypeError, ValueError) as exc:
                report.refused.append(getattr(exc, "reason", "malformed"))
                continue
            report.applied += 1
        return self.links.update(link, pending=[item for item in link.pending if "v1" not in item])

    # ---- the leader reads members' messages ----

    def _from_member(self, link: Link, envelope: p.Envelope) -> None:
        report = self.report
        secrets = self.links.secrets(link.group_id)
        key_b64 = secrets.group_keys.get(envelope.epoch)
        if key_b64 is None:
            report.refused.append("unreadable")
            return
        key = p.b64d(key_b64)
        if not p.verify(p.public_b64(p.member_signer(key)), envelope.signature, envelope.signed_part()):
            report.refused.append("forged")
            return
        try:
            _channel, kind, body = p.open_message(envelope, channel_keys={p.CONTENT: p.channel_key(key, p.CONTENT)})
            member = str(body["member"])
            if kind == "join":
                known = secrets.members.get(member)
                if known is not None and (known["group"], known["schedule"]) != (body["group"], body["schedule"]):
                    # Another member's id with other keys (ADR 0006's attack 2): the place stays whose it was,
                    # so nobody can take it over, nor carry it over at the upgrade.
                    raise p.ProtocolError("known_member", "a join for a known member with other keys")
                secrets.members[member] = {"name": str(body.get("name", ""))[:40], "group": str(body["group"]),
                                           "schedule": str(body["schedule"])}
            elif kind == "cant_come" and member in secrets.members:
                ids = secrets.cant_come.setdefault(str(body["meeting"]), [])
                if body.get("undo"):
                    secrets.cant_come[str(body["meeting"])] = [i for i in ids if i != member]
                elif member not in ids:
                    ids.append(member)
            else:
                raise p.ProtocolError("malformed", kind)
        except (p.ProtocolError, KeyError, TypeError) as exc:
            report.refused.append(getattr(exc, "reason", "malformed"))
            return
        self.links.put_secrets(link.group_id, secrets)
        report.applied += 1


def stored(envelope: p.Envelope) -> dict[str, Any]:
    """A message as kept in a link's `pending`: what the relay gave, with its position."""
    return {**envelope.to_post(), "position": envelope.position}
