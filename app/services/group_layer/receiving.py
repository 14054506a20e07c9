"""Reading a version 2 group's mailbox (docs/adr/0006-group-protocol-v2.md).

Every message is opened with the epoch's channel keys, or, when it is sealed to one person, with this
member's identity key or (a host) the door key. Then the author's identity signature is checked against the
key the membership state holds for them, the sequence number against what came from them before (a replay
is refused, a gap counted), and the rule for its type: a schedule change or homework needs a host, a
membership change must pass `protocol.apply`. Nothing refused is applied. What needs the open journal waits,
sealed, in the link's `pending` list, as in version 1.
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
from app.services.group_layer import choosing, hosting, upgrading
from app.services.group_layer.circle import Circle, Circles, Outgoing, accept_seq, refusal
from app.services.links import Link, Secrets

log = logging.getLogger(__name__)
MAX_REQUESTS = 40  # requests a host keeps waiting at once; more are refused


def first_host(state: p.State, *, besides: str = "") -> str:
    """The host whose app starts a new epoch after someone left: the first by id, so exactly one does."""
    hosts = sorted(m.id for m in state.hosts() if m.id != besides)
    return hosts[0] if hosts else ""


class Receiving:
    """One pass over fetched messages: `report` is the sync's (received, applied, kept, refused, gaps)."""

    def __init__(self, circles: Circles, report: Any, *, now: datetime) -> None:
        self.circles = circles
        self.report = report
        self.now = now
        self.held = 0  # messages kept because this device's journal could not save them just then

    def receive(self, link: Link, envelope: p.Envelope) -> Link:
        """Check and apply one message; returns the link as it is afterwards (saved)."""
        link = replace(link, after=max(link.after, envelope.position))
        if envelope.sender != p.MEMBER or envelope.seq != 0:
            self._refuse("malformed", envelope)
            self.circles.links.save(link)
            return link
        secrets = self.circles.readable_secrets(link.group_id)
        keys: dict[str, bytes] = {}
        if envelope.epoch in link.schedule_keys:
            keys[p.SCHEDULE] = p.b64d(link.schedule_keys[envelope.epoch])
        content = secrets is not None and self.circles.content_open() and envelope.epoch in secrets.group_keys
        if content:
            assert secrets is not None
            keys[p.CONTENT] = p.channel_key(p.b64d(secrets.group_keys[envelope.epoch]), p.CONTENT)
        try:
            inner = p.open_v2(envelope, channel_keys=keys) if keys else None
        except p.ProtocolError as exc:
            if exc.reason != "unreadable":
                self._refuse(exc.reason, envelope)
                self.circles.links.save(link)
                return link
            inner = None
        if inner is None and secrets is not None:
            inner = self._open_sealed(link, secrets, envelope)
        if inner is None:
            if secrets is None or (not content and envelope.epoch in secrets.group_keys):
                self.report.kept += 1  # content, or sealed to this member: it waits for the open journal
                link = replace(link, pending=[*link.pending, {**envelope.to_post(), "position": envelope.position}])
            # else: sealed to someone else (a welcome, a request while not a host): not for this device
            self.circles.links.save(link)
            return link
        circle = Circle(link, secrets) if secrets is not None else None
        try:
            link = self._dispatch(link, circle, inner, envelope)
        except p.ProtocolError as exc:  # refused: nothing of it is applied, reading goes on after it
            self._refuse(refusal(exc), envelope)
            self.circles.links.save(link)
            return link
        except KraftError as exc:
            if exc.passing:  # this device's journal could not take it just now: kept for the next sync
                log.warning("a %s message was kept: %s", inner.kind, exc.msg.name)
                self.report.kept += 1
                self.held += 1
                link = replace(link, pending=[*link.pending, {**envelope.to_post(), "position": envelope.position}])
            else:
                log.warning("a %s message could not be applied: %s", inner.kind, exc.msg.name)
                self._refuse("malformed", envelope)
            self.circles.links.save(link)
            return link
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("a %s message could not be applied: %s", inner.kind, type(exc).__name__)
            self._refuse("malformed", envelope)
            self.circles.links.save(link)
            return link
        return link

    def _refuse(self, reason: str, envelope: p.Envelope) -> None:
        """Count a refused message in the report and log it: the reason and where it lies, never its content."""
        log.warning("refused a message of a version 2 group at position %d: %s", envelope.position, reason)
        self.report.refused.append(reason)

    def _open_sealed(self, link: Link, secrets: Secrets, envelope: p.Envelope) -> p.Inner | None:
        if not secrets.identity:
            return None
        privates = [p.Identity.from_secret(secrets.identity).dh]
        if link.state:
            state = p.State.from_snapshot(link.state)
            circle = Circle(link, secrets)
            for epoch in sorted(secrets.group_keys, reverse=True):
                host = circle.host_secret(epoch) if state.is_host(circle.me) else None
                if host is not None:
                    privates.append(p.door_key(host))
        for private in privates:
            try:
                return p.open_from(envelope, private)
            except p.ProtocolError:
                continue
        return None

    # ---- by type ----

    def _dispatch(self, link: Link, circle: Circle | None, inner: p.Inner, envelope: p.Envelope) -> Link:
        mailbox = link.mailbox
        if inner.channel == "sealed":
            if circle is None:
                raise p.ProtocolError("unreadable")
            return self._sealed(circle, inner, envelope)
        if not link.state:
            return link  # not admitted yet: the group's messages are read again after the welcome
        state = p.State.from_snapshot(link.state)
        member = state.members.get(inner.author)
        if member is None:  # a stranger, or someone removed or gone: nothing they send counts
            raise p.ProtocolError("refused", "not_member")
        inner.verified_by(member.public, mailbox=mailbox, epoch=envelope.epoch)
        me = circle.me if circle is not None else self._me_locked(link)
        seqs = dict(link.seqs)
        seen = accept_seq(seqs, inner.author, inner.seq)
        if seen == "replayed":
            if inner.author == me:
                link = replace(link, seqs=seqs)
                self.circles.links.save(link)
                return link  # this device's own message coming back
            raise p.ProtocolError("replayed")
        if seen == "gap":
            self.report.gaps += 1
        link = replace(link, seqs=seqs)
        if circle is not None:
            circle.link = link
        if inner.kind == "log":
            return self._log(link, circle, state, inner)
        if inner.kind == "schedule" and inner.channel == p.SCHEDULE:
            if not state.is_host(inner.author):
                raise p.ProtocolError("refused", "not_host")
            self.circles.groups.update_schedule(link.group_id, Schedule.from_dict(inner.body["schedule"]))
            return self._done(link, circle)
        if circle is None or inner.channel != p.CONTENT:
            raise p.ProtocolError("malformed", f"unknown {inner.channel} message {inner.kind}")
        return self._content(circle, state, inner)

    def _done(self, link: Link, circle: Circle | None) -> Link:
        if circle is not None:
            circle.link = link
            with self.circles.links.transaction() as tx:
                self.circles.links.save(link, tx)
                self.circles.links.put_secrets(link.group_id, circle.secrets, tx)
        else:
            self.circles.links.save(link)
        self.report.applied += 1
        return link

    def _content(self, circle: Circle, state: p.State, inner: p.Inner) -> Link:
        secrets, body, author = circle.secrets, inner.body, inner.author
        if inner.kind == "homework":
            if not state.is_host(author):
                raise p.ProtocolError("refused", "not_host")
            prompt_id = str(body.get("prompt_id") or "")
            if prompt_id and get_prompt(prompt_id) is not None:
                self.circles.groups.set_homework(circle.group_id, prompt_id=prompt_id, now=self.now)
            else:
                self.circles.groups.set_homework(circle.group_id, text=str(body["text"]), now=self.now)
        elif inner.kind == "cant_come":
            meeting = str(body["meeting"])
            ids = [i for i in secrets.cant_come.get(meeting, []) if i != author]
            secrets.cant_come[meeting] = ids if body.get("undo") else [*ids, author]
        elif inner.kind == "name":
            secrets.names[author] = " ".join(str(body.get("name", "")).split())[:40]
        elif inner.kind == "poll":
            if not state.is_host(author):
                raise p.ProtocolError("refused", "not_host")
            request = str(body["request"])
            if request not in state.members and request not in state.gone and request not in secrets.polls:
                secrets.polls[request] = {"name": str(body.get("name", ""))[:40], "voted": False}
        elif inner.kind == "vote":
            vote = body["vote"]
            request = str(vote.get("request", ""))
            if vote.get("voter") != author or not p.check_vote(state, vote, mailbox=circle.link.mailbox,
                                                                 request=request):
                raise p.ProtocolError("forged", "a vote not signed by its author")
            secrets.votes.setdefault(request, {})[author] = vote
        elif inner.kind in choosing.KINDS:
            meetings = {m.id for m in self.circles.groups.get(circle.group_id).schedule.meetings()}
            choosing.apply(circle, state, inner.kind, author, body, meetings=meetings)
        else:
            raise p.ProtocolError("malformed", f"unknown content message {inner.kind}")
        return self._done(circle.link, circle)

    def _log(self, link: Link, circle: Circle | None, state: p.State, inner: p.Inner) -> Link:
        entry = p.Entry.from_dict(inner.body)
        if entry.n <= state.n:  # known already (this device's own change, or read again after the welcome)
            self.circles.links.save(link)
            return link
        new = p.apply(state, entry, mailbox=link.mailbox)
        link = replace(link, state=new.snapshot())
        if circle is not None:
            circle.link = link
        if entry.op == "epoch":
            link = self._epoch_keys(link, circle, entry)
        items: list[Outgoing] = []
        if circle is not None:
            circle.link = link
            me = circle.me
            if entry.op == "admit":
                circle.secrets.requests.pop(str(p.member_id(entry.args["member"]["sig"])), None)
            if entry.op == "leave" and me != entry.author and first_host(new, besides=entry.author) == me \
                    and new.is_host(me) and circle.host_secret() is not None:
                items += hosting._new_epoch(self.circles, circle)
            if items:
                self.circles.write(circle, items, now=self.now)
                self.report.applied += 1
                return circle.link
        return self._done(link, circle)

    def _epoch_keys(self, link: Link, circle: Circle | None, entry: p.Entry) -> Link:
        """Take this member's new keys from an epoch entry: the schedule key with the device key (works
        locked), the group key and (a host) the hosts' secret with the identity key (needs the journal)."""
        epoch = int(entry.args["epoch"])
        me = circle.me if circle is not None else self._me_locked(link)
        mine = entry.args.get("keys", {}).get(me) if me else None
        if mine is None:
            return replace(link, epoch=max(link.epoch, epoch))  # not in the new epoch: removed, or left
        device = X25519PrivateKey.from_private_bytes(p.b64d(link.schedule_secret, length=32))
        keys = {me: mine}
        schedule = p.open_schedule_key(keys, me, device, mailbox=link.mailbox, epoch=epoch)
        link = replace(link, epoch=max(link.epoch, epoch),
                       schedule_keys={**link.schedule_keys, epoch: p.b64e(schedule)})
        if circle is None:
            return replace(link, pending=[*link.pending, {"epoch_keys": mine, "epoch": epoch}])
        self._unwrap_group(circle, mine, epoch)
        return link

    def _me_locked(self, link: Link) -> str:
        """This member's id while the journal is locked: the member whose device key is this device's."""
        device = p.public_b64(X25519PrivateKey.from_private_bytes(p.b64d(link.schedule_secret, length=32)))
        state = p.State.from_snapshot(link.state)
        return next((m.id for m in state.members.values() if m.device == device), "")

    def _unwrap_group(self, circle: Circle, mine: dict[str, str], epoch: int) -> None:
        key, host = p.open_epoch_keys({circle.me: mine}, circle.me, circle.identity.dh, mailbox=circle.link.mailbox,
                                      epoch=epoch)
        circle.secrets.group_keys[epoch] = p.b64e(key)
        if host is not None and circle.state.policy.hosting == p.HOSTS_ONLY:
            circle.secrets.host_secrets[epoch] = p.b64e(host)

    # ---- sealed to one person ----

    def _sealed(self, circle: Circle, inner: p.Inner, envelope: p.Envelope) -> Link:
        link, body = circle.link, inner.body
        if inner.kind == "request":
            return self._request(circle, inner, envelope)
        if inner.kind == "welcome":
            return self._welcome(circle, inner, envelope)
        state = circle.state
        author = state.members.get(inner.author)
        if author is None:
            raise p.ProtocolError("refused", "not_member")
        inner.verified_by(author.public, mailbox=link.mailbox, epoch=envelope.epoch)
        if inner.kind == "host_key":
            if not state.is_host(inner.author):
                raise p.ProtocolError("refused", "not_host")
            circle.secrets.host_secrets[int(body["epoch"])] = p.b64e(p.b64d(str(body["host"]), length=32))
        elif inner.kind == "contact":
            circle.secrets.contacts.append({"from": inner.author, "text": str(body["text"])[:2000]})
        else:
            raise p.ProtocolError("malformed", f"unknown sealed message {inner.kind}")
        return self._done(link, circle)

    def _request(self, circle: Circle, inner: p.Inner, envelope: p.Envelope) -> Link:
        """A person asks to join (only a host opens it): their own key signed it; a known id is refused."""
        member = inner.body["member"]
        public = p.PublicIdentity(sig=str(member["sig"]), dh=str(member["dh"]))
        inner.verified_by(public, mailbox=circle.link.mailbox, epoch=envelope.epoch)
        state = circle.state
        if public.id in state.members or public.id in state.gone:
            raise p.ProtocolError("refused", "known_member")
        if upgrading.is_upgrade_request(circle, inner.body):
            link = upgrading.carry_over(self.circles, circle, inner.body, public, now=self.now)
            self.report.applied += 1
            return link
        if len(circle.secrets.requests) >= MAX_REQUESTS and public.id not in circle.secrets.requests:
            raise p.ProtocolError("refused", "full")
        p.b64d(str(member["device"]), length=32)
        circle.secrets.requests[public.id] = {
            "member": {"sig": public.sig, "dh": public.dh, "device": str(member["device"])},
            "name": " ".join(str(inner.body.get("name", "")).split())[:40], "invite": str(inner.body["invite"]),
            "check": p.check_code(circle.link.mailbox, public)}
        items: list[Outgoing] = []
        if state.policy.admission == p.CLOSED:
            items.append(hosting.put_to_vote(self.circles, circle, public.id))
        self.circles.write(circle, items, now=self.now)
        self.report.applied += 1
        return circle.link

    def _welcome(self, circle: Circle, inner: p.Inner, envelope: p.Envelope) -> Link:
        """A host let this member in: the state as it was then (checked against the invite's steward key and
        the host's own signature), the group key, and everything to read the group from the start."""
        if circle.admitted:
            return circle.link  # read again after the first one
        body, me = inner.body, circle.me
        snapshot = body["state"]
        state = p.State.from_snapshot(snapshot)
        author = state.members.get(inner.author)
        if author is None or not state.is_host(inner.author) or me not in state.members:
            raise p.ProtocolError("refused", "not_host")
        inner.verified_by(author.public, mailbox=circle.link.mailbox, epoch=envelope.epoch)
        if not hosting.check_welcome(str(circle.secrets.invite.get("steward", "")), str(body["steward"]),
                                     mailbox=circle.link.mailbox, member=me, snapshot=snapshot):
            raise p.ProtocolError("forged", "the welcome is not signed by the invite's steward key")
        epoch, key = int(body["epoch"]), p.b64d(str(body["key"]), length=32)
        secrets = circle.secrets
        secrets.group_keys[epoch] = p.b64e(key)
        secrets.names = {str(k): str(v)[:40] for k, v in dict(body.get("names", {})).items()}
        secrets.theme = str(body.get("theme", secrets.theme))
        secrets.guidelines = str(body.get("guidelines", secrets.guidelines))
        schedule_key = p.b64e(p.channel_key(key, p.SCHEDULE))
        circle.link = replace(circle.link, state=snapshot, epoch=epoch, after=0, seqs={},
                              schedule_keys={**circle.link.schedule_keys, epoch: schedule_key})
        if isinstance(body.get("schedule"), dict):
            self.circles.groups.update_schedule(circle.group_id, Schedule.from_dict(body["schedule"]))
        items: list[Outgoing] = []
        if secrets.name:
            items.append(self.circles.seal(circle, p.CONTENT, "name", {"name": secrets.name}))
        self.circles.write(circle, items, now=self.now)
        self.report.applied += 1
        return circle.link

    # ---- after the journal opens ----

    def apply_kept(self, link: Link) -> Link:
        """Apply what waited for the open journal (content, sealed messages, epoch keys)."""
        if not self.circles.content_open() or not link.pending:
            return link
        secrets = self.circles.readable_secrets(link.group_id)
        if secrets is None:
            return link
        remaining = replace(link, pending=[])
        for data in link.pending:
            if "v1" in data:  # kept before the upgrade: relay_sync opens it with the v1 keys
                remaining = replace(remaining, pending=[*remaining.pending, data])
                continue
            if "epoch_keys" in data:
                circle = Circle(remaining, secrets)
                epoch = int(data["epoch"])
                self._unwrap_group(circle, data["epoch_keys"], epoch)
                self.circles.links.put_secrets(link.group_id, secrets)
                continue
            envelope = p.Envelope.from_relay(link.mailbox, data)
            before, held = len(remaining.pending), self.held
            remaining = self.receive(remaining, envelope)
            secrets = self.circles.readable_secrets(remaining.group_id) or secrets
            if len(remaining.pending) > before and self.held == held:  # still unreadable: not for this member
                remaining = replace(remaining, pending=remaining.pending[:before])
        self.circles.links.save(remaining)
        return remaining

