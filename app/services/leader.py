"""Leader mode (issue 4, ADR 0004): start a group with its keys, invite, send homework and schedule changes,
see who joined and who can't come, and start a new epoch when someone leaves.

A leader's keys live in the leader's vault, so everything here needs the journal open. What goes to the relay
is queued in the outbox in the same transaction as the state change (`relay_sync` sends it), so a message is
never half sent and works offline.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Engine

import protocol as p
from app.domain.schedule import Schedule
from app.errors import KraftError, Msg
from app.services.group_layer import hosting, starting, upgrading
from app.services.group_layer.circle import Circle, Circles
from app.services.groups import Group, GroupDetails, GroupService
from app.services.linking import (
    INVITE_DAYS,
    MAX_INVITE_DAYS,
    Invite,
    JoinCode,
    Member,
    homework_words,
    local_group_id,
    new_group_settings,
    protocol_group_id,
)
from app.services.links import LEADER, Link, LinkStore, Secrets
from app.storage.vault import RecordWriter, Vault

MAX_HEAD_COUNT = 1000


class LeaderService:
    def __init__(self, engine: Engine, vault: Vault | None, *, groups: GroupService | None = None,
                 links: LinkStore | None = None) -> None:
        self._engine = engine
        self._vault = vault
        self._groups = groups or GroupService(engine, vault)
        self._links = links or LinkStore(engine, vault)

    def _require_open(self) -> Vault:
        if self._vault is None or not self._vault.exists():
            raise KraftError(Msg.LEADER_NEEDS_JOURNAL)
        if not self._vault.is_unlocked:
            raise KraftError(Msg.VAULT_LOCKED)
        return self._vault

    def _led(self, group_id: str) -> tuple[Link, Secrets]:
        self._require_open()
        self._groups.get(group_id)
        link = self._links.get(group_id)
        if link is None or link.role != LEADER:
            raise KraftError(Msg.NOT_LEADER)
        return link, self._links.secrets(group_id)

    def is_leader(self, group_id: str) -> bool:
        """True when this device leads the group: a version 1 leader, or a host of a version 2 group."""
        link = self._links.get(group_id)
        if link is None:
            return False
        if link.version == 2:
            if not link.state or not self._links.readable():
                return False
            circle = Circle(link, self._links.secrets(group_id))
            return circle.is_host()
        return link.role == LEADER

    @property
    def circles(self) -> Circles:
        """The version 2 groups, over the same engine, vault, groups and links."""
        return Circles(self._engine, self._vault, groups=self._groups, links=self._links)

    def is_v2(self, group_id: str) -> bool:
        """True when the group speaks protocol version 2 (docs/adr/0006-group-protocol-v2.md)."""
        link = self._links.get(group_id)
        return link is not None and link.version == 2

    def shares_schedule(self, group_id: str) -> bool:
        """Whether a change to this group's schedule made here goes to the whole group (issue 15): this device
        leads the linked group, and its journal, which holds the leader's keys, is open. Otherwise a change is
        the member's own copy, on this device only. The screens and the CLI say which from this."""
        return self.is_leader(group_id) and self._vault is not None and self._vault.is_unlocked

    def schedule_changed(self, group_id: str, *, moved: str | None = None, now: datetime) -> bool:
        """After the schedule was changed here: when this device shares it, send the whole schedule to the
        group, and for a `moved` meeting forget who said they can't come (their apps ask them again for the new
        time). Returns whether the change goes to the group."""
        if not self.shares_schedule(group_id):
            return False
        if moved is not None:
            secrets = self.circles.hosting(group_id).secrets if self.is_v2(group_id) else self._led(group_id)[1]
            if secrets.cant_come.pop(moved, None) is not None:
                self._links.put_secrets(group_id, secrets)
        self.publish_schedule(group_id, now=now)
        return True

    # ---- starting a group ----

    def create_group(self, label: str, schedule: Schedule, *, theme: str = "", guidelines: str = "",
                     relay: str = "", enrolment: str = "", now: datetime, version: int = 2) -> Group:
        """Start a group. Version 2 (the default, docs/adr/0006-group-protocol-v2.md): this device is its
        starter and first host. Version 1 (ADR 0004, kept for groups made before and their tests): the
        group's id, key and the leader's signing key; with a relay, queue the mailbox's registration."""
        self._require_open()
        if version == 2:
            return starting.create_group(self.circles, label, schedule, theme=theme, guidelines=guidelines,
                                         relay=relay, enrolment=enrolment, now=now)
        relay, guidelines = new_group_settings(relay, enrolment, guidelines)
        group_id, key, signer = p.new_group_id(), p.new_group_key(), Ed25519PrivateKey.generate()
        mailbox = p.mailbox_id(group_id, key)
        link = Link(group_id=local_group_id(group_id), role=LEADER, relay=relay, mailbox=mailbox,
                    leader_key=p.public_b64(signer), epoch=0, schedule_keys={}, schedule_secret="", last_seq=0,
                    after=0, pending=[])
        secrets = Secrets(role=LEADER, group_keys={0: p.b64e(key)}, signing_key=p.b64e(p.private_bytes(signer)),
                          guidelines=guidelines, theme=theme.strip())

        def write(group: Group, tx: RecordWriter | Connection) -> None:
            assert isinstance(tx, RecordWriter)
            self._links.insert(link, secrets, conn=tx)
            self._links.put_secrets(group.id, secrets, tx)
            if relay:
                member_key = p.public_b64(p.member_signer(key))
                body = {"mailbox": mailbox, "leader_key": link.leader_key, "member_key": member_key,
                        "signature": p.sign(signer, p.signing_bytes("register", mailbox=mailbox,
                                                                    leader_key=link.leader_key,
                                                                    member_key=member_key))}
                self._links.enqueue(group.id, relay, "POST", "/v1/mailboxes", body, token=enrolment.strip(),
                                    now=now, conn=tx)

        details = GroupDetails(theme=theme.strip()) if theme.strip() else None
        return self._groups.add(label, schedule, details, group_id=link.group_id, also=write)

    # ---- invites ----

    def invite(self, group_id: str, *, days: int = INVITE_DAYS, today: date, uses: int = 1) -> Invite:
        if self.is_v2(group_id):
            return starting.invite(self.circles, group_id, days=days, uses=uses, today=today)
        link, secrets = self._led(group_id)
        if not 1 <= days <= MAX_INVITE_DAYS:
            raise KraftError(Msg.INVITE_DAYS_INVALID, maximum=MAX_INVITE_DAYS)
        group = self._groups.get(group_id)
        expires = today + timedelta(days=days)
        body = {"v": p.VERSION, "relay": link.relay, "group": protocol_group_id(group_id), "mailbox": link.mailbox,
                "epoch": link.epoch, "key": secrets.group_keys[link.epoch], "leader": link.leader_key,
                "label": group.label, "schedule": group.schedule.to_dict(), "theme": secrets.theme,
                "guidelines": secrets.guidelines, "expires_on": expires.isoformat()}
        token = p.sign_invite(body, self._signer(secrets))
        return Invite(token=token, link=p.invite_link(token, link.relay), expires_on=expires)

    def shareable_invite(self, group_id: str, *, days: int = INVITE_DAYS, uses: int = 1, now: datetime) -> Invite:
        """The invite with its short link, for the QR code, "Copy link" and sharing (issue 17): the relay keeps
        the signed invite sealed under a random secret, so the link holds only the relay's address and that
        secret. Without a relay, the long link alone (there is nobody to keep it)."""
        made = self.invite(group_id, days=days, today=now.date(), uses=uses)
        link = self._links.get(group_id)
        if link is None or not link.relay:
            return made
        secret = p.new_link_secret()
        lookup, key = p.link_secret_keys(secret)
        self._leave_sealed(group_id, lookup, key, made.token, made.expires_on, now=now)
        return replace(made, short=p.short_invite_link(secret, link.relay))

    def _leave_sealed(self, group_id: str, lookup: str, key: bytes, token: str, expires_on: date, *,
                      now: datetime) -> None:
        """Queue the invite sealed under `key` for the relay to keep at `lookup` until it expires, signed with
        the key the relay knows the mailbox by (the leader's, or a version 2 group's steward key)."""
        link = self._links.get(group_id)
        assert link is not None and link.relay
        if self.is_v2(group_id):
            host = self.circles.hosting(group_id).host_secret()
            assert host is not None  # a host holds H_e
            signer = p.steward_signer(host)
        else:
            signer = self._signer(self._led(group_id)[1])
        sealed, expires = p.seal_join_invite(key, token), expires_on.isoformat()
        body = {"mailbox": link.mailbox, "ciphertext": sealed, "expires_on": expires,
                "signature": p.sign(signer, p.signing_bytes("join-code", lookup=lookup, mailbox=link.mailbox,
                                                            ciphertext=sealed, expires_on=expires))}
        self._links.enqueue(group_id, link.relay, "PUT", f"/v1/join-codes/{lookup}", body, now=now)

    def join_code(self, group_id: str, *, days: int = INVITE_DAYS, now: datetime, uses: int = 1) -> JoinCode:
        """A short code for the board; the relay keeps the invite sealed under it until it expires."""
        if self.is_v2(group_id):
            return starting.join_code(self.circles, group_id, days=days, uses=uses, now=now)
        link, _secrets = self._led(group_id)
        if not link.relay:
            raise KraftError(Msg.JOIN_CODE_NEEDS_RELAY)
        invite = self.invite(group_id, days=days, today=now.date())
        code = p.new_join_code()
        lookup, key = p.stretch_join_code(code)
        self._leave_sealed(group_id, lookup, key, invite.token, invite.expires_on, now=now)
        return JoinCode(code=code, expires_on=invite.expires_on, queued=True)

    # ---- messages ----

    def send_prompt(self, group_id: str, *, prompt_id: str | None = None, text: str | None = None,
                    now: datetime) -> None:
        """The homework for the next meeting: a library prompt (sent with its words as a fallback for apps
        that do not know it) or the leader's own words."""
        if self.is_v2(group_id):
            hosting.send_homework(self.circles, group_id, prompt_id=prompt_id, text=text, now=now)
            return
        words = homework_words(prompt_id, text)
        group = self._groups.get(group_id)
        meeting = group.schedule.next_meeting(now)
        self._post(group_id, p.CONTENT, "prompt", {"meeting": meeting.id if meeting else "",
                                                   "prompt_id": prompt_id or "", "text": words}, now=now)

    def publish_schedule(self, group_id: str, *, now: datetime) -> None:
        """Send the group's whole schedule as it is now (after a move, cancel or restore)."""
        if self.is_v2(group_id):
            hosting.publish_schedule(self.circles, group_id, now=now)
            return
        self._post(group_id, p.SCHEDULE, "schedule", {"schedule": self._groups.get(group_id).schedule.to_dict()},
                   now=now)

    def _signer(self, secrets: Secrets) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(p.b64d(secrets.signing_key, length=32))

    def _post(self, group_id: str, channel: str, kind: str, body: dict[str, Any], *, now: datetime,
              secrets: Secrets | None = None, epoch: int | None = None) -> Secrets:
        link, stored = self._led(group_id)
        secrets = secrets or stored
        epoch = link.epoch if epoch is None else epoch
        envelope = p.seal_message(mailbox=link.mailbox, sender=p.LEADER, epoch=epoch, seq=secrets.next_seq,
                                  group_key=p.b64d(secrets.group_keys[epoch]), channel=channel, kind=kind,
                                  body=body, signer=self._signer(secrets))
        if link.restored:  # its number is a placeholder until the relay's last one is read (SyncService)
            secrets.unsent[envelope.nonce] = {"seq": secrets.next_seq, "epoch": epoch, "channel": channel,
                                              "kind": kind, "body": body}
        secrets.next_seq += 1
        vault = self._require_open()
        with vault.transaction() as tx:
            self._links.put_secrets(group_id, secrets, tx)
            if link.relay:
                self._links.enqueue(group_id, link.relay, "POST", f"/v1/mailboxes/{link.mailbox}/messages",
                                    envelope.to_post(), now=now, conn=tx)
        return secrets

    def send_head_count(self, group_id: str, meeting_id: str, count: int, *, now: datetime) -> None:
        """How many were in the room (those without the app too), for the coordinator's counts."""
        if self.is_v2(group_id):
            circle = self.circles.hosting(group_id)
            link, host = circle.link, circle.host_secret()
            assert host is not None
            signer = p.steward_signer(host)
        else:
            link, secrets = self._led(group_id)
            signer = self._signer(secrets)
        if not 0 <= count <= MAX_HEAD_COUNT:
            raise KraftError(Msg.HEAD_COUNT_INVALID, maximum=MAX_HEAD_COUNT)
        meeting = self._groups.get(group_id).meeting(meeting_id)
        if not link.relay:
            raise KraftError(Msg.NEEDS_RELAY)
        body = {"count": count, "signature": p.sign(signer, p.signing_bytes(
            "head-count", mailbox=link.mailbox, meeting=meeting.id, count=count))}
        self._links.enqueue(group_id, link.relay, "PUT", f"/v1/mailboxes/{link.mailbox}/head-counts/{meeting.id}",
                            body, now=now)

    # ---- version 2: admission and hosts (docs/adr/0006-group-protocol-v2.md) ----

    def upgrade(self, group_id: str, *, enrolment: str, now: datetime) -> int:
        """Move a version 1 group this device leads to version 2, its members keeping their places ("Upgrading
        a version 1 group" in docs/adr/0006-group-protocol-v2.md): the new mailbox is registered now, the
        invitations go with the next sync. Returns how many members were invited. For the leader's button."""
        self._require_open()
        return upgrading.upgrade(self.circles, group_id, enrolment=enrolment, now=now)

    def people(self, group_id: str) -> list[hosting.Person]:
        """Everyone in the group with their role, this member too."""
        return hosting.people(self.circles, group_id)

    def requests(self, group_id: str) -> list[hosting.Request]:
        """Who asks to join, with the check code to compare in person."""
        return hosting.requests(self.circles, group_id)

    def admit(self, group_id: str, request_id: str, *, now: datetime) -> hosting.Person:
        """Let one person in (after comparing the check code)."""
        return hosting.admit(self.circles, group_id, request_id, now=now)

    def admit_all(self, group_id: str, *, now: datetime) -> list[hosting.Person]:
        """Let in everyone who may come in now."""
        return hosting.admit_all(self.circles, group_id, now=now)

    def set_host(self, group_id: str, member_id: str, *, revoke: bool = False, now: datetime) -> None:
        """Name a host, or take it back."""
        hosting.set_host(self.circles, group_id, member_id, revoke=revoke, now=now)

    def step_back(self, group_id: str, *, now: datetime) -> None:
        """Stop hosting; the other hosts go on."""
        hosting.step_back(self.circles, group_id, now=now)

    def set_policy(self, group_id: str, *, hosting_policy: str | None = None, admission: str | None = None,
                   now: datetime) -> p.Policy:
        """Hosts only or every member hosts; open or closed."""
        return hosting.set_policy(self.circles, group_id, hosting=hosting_policy, admission=admission, now=now)

    # ---- members ----

    def members(self, group_id: str) -> list[Member]:
        """The others in the group (not this device's own member)."""
        if self.is_v2(group_id):
            self.circles.hosting(group_id)
            return sorted((Member(m.id, m.name) for m in hosting.people(self.circles, group_id) if not m.me),
                          key=lambda m: (m.name.casefold(), m.id))
        _link, secrets = self._led(group_id)
        return sorted((Member(mid, info.get("name", "")) for mid, info in secrets.members.items()),
                      key=lambda m: (m.name.casefold(), m.id))

    def cant_come(self, group_id: str) -> dict[str, list[str]]:
        """Meeting id -> the names of members who said they can't come ("" for a member without a name)."""
        if self.is_v2(group_id):
            self.circles.hosting(group_id)
            return hosting.cant_come(self.circles, group_id)
        _link, secrets = self._led(group_id)
        return {meeting: [secrets.members.get(mid, {}).get("name", "") for mid in ids]
                for meeting, ids in secrets.cant_come.items() if ids}

    def remove_member(self, group_id: str, member_id: str, *, now: datetime) -> int:
        """Start a new epoch with a new group key, wrapped for each remaining member, so the one who left
        reads nothing sent from now on. Returns the new epoch."""
        if self.is_v2(group_id):
            return hosting.remove(self.circles, group_id, member_id, now=now)
        link, secrets = self._led(group_id)
        if member_id not in secrets.members:
            raise KraftError(Msg.MEMBER_NOT_FOUND, member_id=member_id)
        del secrets.members[member_id]
        for ids in secrets.cant_come.values():
            if member_id in ids:
                ids.remove(member_id)
        new_epoch, new_key = link.epoch + 1, p.new_group_key()
        context = {"mailbox": link.mailbox, "epoch": new_epoch}
        wraps = {info["schedule"]: {"schedule": p.wrap_for(info["schedule"], p.channel_key(new_key, p.SCHEDULE),
                                                           context=context),
                                    "group": p.wrap_for(info["group"], new_key, context=context)}
                 for info in secrets.members.values()}
        # Announced under the old epoch's schedule key: every member can find their wrap, even locked.
        secrets = self._post(group_id, p.SCHEDULE, "epoch", {"epoch": new_epoch, "members": wraps}, now=now,
                             secrets=secrets)
        secrets.group_keys[new_epoch] = p.b64e(new_key)
        member_key = p.public_b64(p.member_signer(new_key))
        body = {"epoch": new_epoch, "member_key": member_key,
                "signature": p.sign(self._signer(secrets), p.signing_bytes(
                    "member-key", mailbox=link.mailbox, epoch=new_epoch, member_key=member_key))}
        vault = self._require_open()
        with vault.transaction() as tx:
            self._links.put_secrets(group_id, secrets, tx)
            self._links.save(Link(**{**link.__dict__, "epoch": new_epoch}), tx)
            if link.relay:
                self._links.enqueue(group_id, link.relay, "PUT", f"/v1/mailboxes/{link.mailbox}/member-key", body,
                                    now=now, conn=tx)
        return new_epoch
