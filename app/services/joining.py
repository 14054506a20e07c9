"""Joining a group from the leader's invite (a link, a pasted token or a join code), and telling the group
"I can't come" (issue 4, ADR 0004).

Joining works with or without a journal: the schedule and its key are device data (the next meeting shows
without unlocking); the group key and the member's private keys are sealed in the journal when there is one.
"""

from __future__ import annotations

from datetime import date, datetime

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import Connection, Engine

import protocol as p
from app.domain.schedule import Schedule
from app.errors import KraftError, Msg
from app.i18n import format_day
from app.services.group_layer import asking, hosting, taking_part
from app.services.group_layer.circle import Circles
from app.services.groups import Group, GroupDetails, GroupService
from app.services.linking import InvitePreview, local_group_id, member_name
from app.services.links import MEMBER, Link, LinkStore, Secrets
from app.services.relay_client import RelayClient, RelayError, check_relay_url
from app.storage.vault import RecordWriter, Vault


def _invite_error(exc: p.ProtocolError, token: str) -> KraftError:
    if exc.reason == "forged":
        return KraftError(Msg.INVITE_FORGED)
    if exc.reason == "expired":
        try:
            day = format_day(date.fromisoformat(str(p.read_invite(token, today=date.min)["expires_on"])))
        except (p.ProtocolError, ValueError):
            day = "?"
        return KraftError(Msg.INVITE_EXPIRED, day=day)
    if exc.reason == "version":
        return KraftError(Msg.INVITE_NEWER)
    return KraftError(Msg.INVITE_DAMAGED)


class JoinService:
    def __init__(self, engine: Engine, vault: Vault | None, *,
                 relay_factory: type[RelayClient] = RelayClient, groups: GroupService | None = None,
                 links: LinkStore | None = None) -> None:
        self._engine = engine
        self._vault = vault
        self._groups = groups or GroupService(engine, vault)
        self._links = links or LinkStore(engine, vault)
        self._relay = relay_factory

    @property
    def circles(self) -> Circles:
        """The version 2 groups, over the same engine, vault, groups and links."""
        return Circles(self._engine, self._vault, groups=self._groups, links=self._links)

    def check_code(self, group_id: str) -> str:
        """The six digits to compare with a host before they let this member in (version 2); "" while the
        journal is locked (the identity they come from is sealed in it; the group screen works locked)."""
        if not self._links.readable():
            return ""
        return asking.check_code(self.circles, group_id)

    def waiting_to_be_let_in(self, group_id: str) -> bool:
        """True while a version 2 request waits for a host."""
        link = self._links.get(group_id)
        return link is not None and link.version == 2 and not link.state

    def leave(self, group_id: str, *, now: datetime) -> None:
        """Tell the group this member leaves (version 2); a host's app then starts a new epoch."""
        taking_part.leave(self.circles, group_id, now=now)

    # ---- taking part in a version 2 group (docs/adr/0006-group-protocol-v2.md) ----

    def takes_part(self, group_id: str) -> bool:
        """True for a version 2 group this member was let in to, with its secrets readable here (the journal
        open, or none): the group screen then offers voting, "contact the starter" and leaving."""
        link = self._links.get(group_id)
        return link is not None and link.version == 2 and bool(link.state) and self._links.readable()

    def people(self, group_id: str) -> list[hosting.Person]:
        """Everyone in the group, starter and hosts first (anyone in it may see who is in it)."""
        return hosting.people(self.circles, group_id)

    def policy(self, group_id: str) -> p.Policy:
        """Who hosts ("hosts only" or every member) and who is admitted (open, or closed: by vote)."""
        return taking_part.policy(self.circles, group_id)

    def polls(self, group_id: str) -> list[taking_part.Poll]:
        """Newcomers the members are asked about (a closed group)."""
        return taking_part.polls(self.circles, group_id)

    def vote(self, group_id: str, request_id: str, *, yes: bool, now: datetime) -> None:
        """Answer "Let X join?" with this member's signed yes or no."""
        taking_part.vote(self.circles, group_id, request_id, yes=yes, now=now)

    def contact_starter(self, group_id: str, text: str, *, now: datetime) -> None:
        """A message only the starter reads, also after they stepped back."""
        taking_part.contact_starter(self.circles, group_id, text, now=now)

    def contacts(self, group_id: str) -> list[tuple[str, str]]:
        """For the starter: what members wrote to them, (name, text)."""
        return taking_part.contacts(self.circles, group_id)

    def has_left(self, group_id: str) -> bool:
        """True once this member left or was removed."""
        return taking_part.has_left(self.circles, group_id)

    # ---- reading an invite ----

    def read(self, text: str, *, today: date, check_relay: bool = True) -> InvitePreview:
        """Check an invite link or token: signature, expiry, and (with a relay, when reachable) that the relay
        knows this group under the same leader key and the same epoch. A short link is first opened through
        the relay it names."""
        short = p.short_link_parts(text)
        if short is not None:
            return self._read_short(*short, today=today)
        return self._read_token(text, today=today, check_relay=check_relay)

    def _read_token(self, text: str, *, today: date, check_relay: bool = True) -> InvitePreview:
        """A long link or a bare token: never another short link (one look at the relay, never a chain)."""
        token = p.token_from_text(text)
        try:
            invite = p.read_invite(token, today=today)
            relay = check_relay_url(str(invite["relay"])) if invite["relay"] else ""
            schedule = Schedule.from_dict(invite["schedule"])
            p.b64d(str(invite["group"]), length=p.GROUP_ID_BYTES)
            p.b64d(str(invite["mailbox"]), length=p.MAILBOX_BYTES)
            p.b64d(str(invite["leader" if invite["v"] == p.VERSION else "steward"]), length=32)
        except p.ProtocolError as exc:
            raise _invite_error(exc, token) from exc
        except KraftError as exc:
            raise KraftError(Msg.INVITE_DAMAGED) from exc
        if relay and check_relay:
            self._check_mailbox(relay, invite)
        return InvitePreview(token=token, label=str(invite["label"]), schedule=schedule,
                             theme=str(invite["theme"]), guidelines=str(invite["guidelines"]), relay=relay,
                             expires_on=date.fromisoformat(str(invite["expires_on"])), invite=invite)

    def _read_short(self, relay: str, secret: str, *, today: date) -> InvitePreview:
        """The invite the relay keeps sealed under a short link's secret; it must name the same relay."""
        relay = check_relay_url(relay)
        lookup, key = p.link_secret_keys(secret)
        preview = self._read_token(self._sealed(relay, lookup, key, unknown=Msg.INVITE_LINK_UNKNOWN), today=today)
        if preview.relay != relay:
            raise KraftError(Msg.INVITE_DAMAGED)
        return preview

    def _sealed(self, relay: str, lookup: str, key: bytes, *, unknown: Msg) -> str:
        """The invite token the relay keeps at `lookup`, opened with `key` (a join code's or a short link's)."""
        try:
            with self._relay(relay) as client:
                found = client.join_code(lookup)
        except RelayError as exc:
            if exc.status == 404:
                raise KraftError(unknown) from exc
            raise exc.to_kraft(relay) from exc
        try:
            return p.open_join_invite(key, str(found.get("ciphertext", "")))
        except p.ProtocolError as exc:
            raise KraftError(Msg.INVITE_DAMAGED) from exc

    def _check_mailbox(self, relay: str, invite: dict[str, object]) -> None:
        try:
            with self._relay(relay) as client:
                found = client.mailbox(str(invite["mailbox"]))
        except RelayError as exc:
            if exc.status == 404:
                return  # not registered yet (the leader's phone may still be offline): the signature stands
            if exc.retry:
                return  # offline: the signature stands, the relay is checked again at the first sync
            raise exc.to_kraft(relay) from exc
        if found.get("leader_key") != invite["leader" if invite["v"] == p.VERSION else "steward"]:
            raise KraftError(Msg.INVITE_FORGED)
        if int(found.get("epoch", 0)) > int(invite["epoch"]):  # type: ignore[call-overload]
            raise KraftError(Msg.INVITE_OUTDATED)

    def read_code(self, code: str, relay: str, *, today: date) -> InvitePreview:
        """Resolve a join code through the relay (the code is stretched first, so this takes a moment)."""
        relay = check_relay_url(relay)
        if not relay:
            raise KraftError(Msg.JOIN_CODE_NEEDS_RELAY)
        try:
            lookup, key = p.stretch_join_code(code)
        except p.ProtocolError as exc:
            raise KraftError(Msg.JOIN_CODE_INVALID) from exc
        return self._read_token(self._sealed(relay, lookup, key, unknown=Msg.JOIN_CODE_UNKNOWN), today=today)

    # ---- joining ----

    def join(self, preview: InvitePreview, *, name: str = "", now: datetime) -> Group:
        """Add the group with its schedule. Version 2: queue the request to join, sealed to the hosts (the
        group key comes with a host's welcome; `check_code` is what to compare with them). Version 1: with
        the invite's keys, and queue the (encrypted) hello to the leader."""
        invite = preview.invite
        if invite.get("v") == 2:
            return asking.ask(self.circles, preview, name=name, now=now).group
        name = member_name(name)
        group_id = local_group_id(str(invite["group"]))
        if self._groups.exists(group_id):
            raise KraftError(Msg.ALREADY_IN_GROUP)
        epoch, key = int(invite["epoch"]), p.b64d(str(invite["key"]), length=p.KEY_BYTES)  # type: ignore[call-overload]
        schedule_secret, group_secret = X25519PrivateKey.generate(), X25519PrivateKey.generate()
        member_id = p.b64e(p.new_group_key()[:12])
        link = Link(group_id=group_id, role=MEMBER, relay=preview.relay, mailbox=str(invite["mailbox"]),
                    leader_key=str(invite["leader"]), epoch=epoch,
                    schedule_keys={epoch: p.b64e(p.channel_key(key, p.SCHEDULE))},
                    schedule_secret=p.b64e(p.private_bytes(schedule_secret)), last_seq=0, after=0, pending=[])
        secrets = Secrets(role=MEMBER, group_keys={epoch: p.b64e(key)}, member_id=member_id, name=name,
                          group_secret=p.b64e(p.private_bytes(group_secret)), guidelines=preview.guidelines,
                          theme=preview.theme)
        hello = p.seal_message(mailbox=link.mailbox, sender=p.MEMBER, epoch=epoch, seq=0, group_key=key,
                               channel=p.CONTENT, kind="join",
                               body={"member": member_id, "name": name, "group": p.public_b64(group_secret),
                                     "schedule": p.public_b64(schedule_secret)},
                               signer=p.member_signer(key))

        def write(group: Group, tx: RecordWriter | Connection) -> None:
            self._links.insert(link, secrets, conn=tx)
            if isinstance(tx, RecordWriter):
                self._links.put_secrets(group.id, secrets, tx)
            if link.relay:
                self._links.enqueue(group.id, link.relay, "POST", f"/v1/mailboxes/{link.mailbox}/messages",
                                    hello.to_post(), now=now, conn=tx)

        details = GroupDetails(theme=preview.theme) if preview.theme and self._links.readable() and \
            self._vault is not None and self._vault.is_unlocked else None
        return self._groups.add(preview.label, preview.schedule, details, group_id=group_id, also=write)

    def tell_cant_come(self, group_id: str, meeting_id: str, *, undo: bool = False, now: datetime) -> bool:
        """Queue "I can't come" (or taking it back) for the leader; False for a group without a leader or
        without a relay (nothing to send it through)."""
        link = self._links.get(group_id)
        if link is not None and link.version == 2:
            if not link.state:
                return False  # not let in yet: nobody to tell
            return taking_part.cant_come(self.circles, group_id, meeting_id, undo=undo, now=now)
        if link is None or link.role != MEMBER:
            return False
        secrets = self._links.secrets(group_id)
        meeting = self._groups.get(group_id).meeting(meeting_id)
        key = p.b64d(secrets.group_keys[max(secrets.group_keys)])
        epoch = max(secrets.group_keys)
        envelope = p.seal_message(mailbox=link.mailbox, sender=p.MEMBER, epoch=epoch, seq=0, group_key=key,
                                  channel=p.CONTENT, kind="cant_come",
                                  body={"member": secrets.member_id, "meeting": meeting.id, "undo": undo},
                                  signer=p.member_signer(key))
        if not link.relay:
            return False
        self._links.enqueue(group_id, link.relay, "POST", f"/v1/mailboxes/{link.mailbox}/messages",
                            envelope.to_post(), now=now)
        return True
