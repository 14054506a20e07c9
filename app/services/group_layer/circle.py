"""One version 2 group as this device holds it (`Circle`), and the shared steps of every action: load it,
seal a message with the next sequence number, apply and post a membership change, write it all in one
transaction with its outbox items (docs/adr/0006-group-protocol-v2.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import Connection, Engine

import protocol as p
from app.errors import KraftError, Msg
from app.services.groups import GroupService
from app.services.links import Link, LinkStore, Secrets
from app.storage.vault import RecordWriter, Vault

V2 = 2
Outgoing = p.Envelope | tuple[str, str, dict[str, Any]]  # a message, or another request: (method, path, body)
MAX_MISSING = 200  # sequence numbers still awaited per author; older gaps are given up on


def host_secret_of(state: p.State, group_key: bytes, stored: str | None) -> bytes | None:
    """H_e: derived from K_e when every member may host (then every member holds it), else the stored one."""
    if state.policy.hosting == p.EVERY_MEMBER:
        return hashlib.sha256(b"kraft/v2/every-member-host" + group_key).digest()
    return p.b64d(stored) if stored else None


def accept_seq(seqs: dict[str, Any], author: str, seq: int) -> str:
    """Note `seq` from `author`: "new" (next or filling a gap), "gap" (ahead: the ones between are awaited),
    "replayed" (seen before). A first message from an author sets where counting starts."""
    if author not in seqs:
        seqs[author] = [seq, []]
        return "new"
    high, missing = int(seqs[author][0]), list(seqs[author][1])
    if seq == high + 1:
        seqs[author] = [seq, missing]
        return "new"
    if seq > high + 1:
        missing = (missing + list(range(high + 1, seq)))[-MAX_MISSING:]
        seqs[author] = [seq, missing]
        return "gap"
    if seq in missing:
        missing.remove(seq)
        seqs[author] = [high, missing]
        return "new"
    return "replayed"


@dataclass
class Circle:
    """A linked version 2 group: the plaintext link row and its (sealed) secrets, loaded together."""

    link: Link
    secrets: Secrets

    @property
    def group_id(self) -> str:
        return self.link.group_id

    @property
    def admitted(self) -> bool:
        """True once a host let this member in (the welcome arrived); False while asking."""
        return bool(self.link.state)

    @property
    def state(self) -> p.State:
        if not self.link.state:
            raise KraftError(Msg.NOT_ADMITTED_YET)
        return p.State.from_snapshot(self.link.state)

    @property
    def identity(self) -> p.Identity:
        return p.Identity.from_secret(self.secrets.identity)

    @property
    def me(self) -> str:
        return p.member_id(self.secrets.identity["sig_public"])

    @property
    def epoch(self) -> int:
        return self.state.epoch if self.admitted else self.link.epoch

    def group_key(self, epoch: int | None = None) -> bytes:
        epoch = self.epoch if epoch is None else epoch
        if epoch not in self.secrets.group_keys:
            raise KraftError(Msg.NOT_ADMITTED_YET)
        return p.b64d(self.secrets.group_keys[epoch])

    def host_secret(self, epoch: int | None = None) -> bytes | None:
        epoch = self.epoch if epoch is None else epoch
        if epoch not in self.secrets.group_keys:
            return None
        return host_secret_of(self.state, self.group_key(epoch), self.secrets.host_secrets.get(epoch))

    def is_host(self) -> bool:
        return self.admitted and self.state.is_host(self.me)

    def post_signer(self, epoch: int | None = None) -> Ed25519PrivateKey:
        if self.admitted:
            return p.post_signer(self.group_key(epoch))
        return p.post_signer_from_seed(p.b64d(self.secrets.invite["post"]))

    def device_key(self) -> X25519PrivateKey:
        return X25519PrivateKey.from_private_bytes(p.b64d(self.link.schedule_secret, length=32))

    def name_of(self, member: str) -> str:
        return self.secrets.names.get(member, "")


def identity_secret(identity: p.Identity) -> dict[str, str]:
    """What `Secrets.identity` keeps: the private halves, and the public signing key for the member id."""
    return {**identity.to_secret(), "sig_public": identity.public().sig}


class Circles:
    """Loads and writes version 2 groups; the actions (starting, asking, hosting, taking part, receiving) are
    functions over it. Built from the AppContext's engine, vault, groups and links."""

    def __init__(self, engine: Engine, vault: Vault | None, *, groups: GroupService | None = None,
                 links: LinkStore | None = None) -> None:
        self.engine = engine
        self.vault = vault
        self.groups = groups or GroupService(engine, vault)
        self.links = links or LinkStore(engine, vault)
        self.catching_up = False  # the first read after a restore (SyncService): changes as the log demands

    def readable_secrets(self, group_id: str) -> Secrets | None:
        """The group's sealed secrets if the journal is open and they read; None while locked or unreadable
        (what needs them then waits in the link's `pending`)."""
        if not self.links.readable():
            return None
        try:
            return self.links.secrets(group_id)
        except KraftError:
            return None

    def content_open(self) -> bool:
        """Whether content (homework, themes) can be applied now: there is a journal and it is unlocked."""
        return self.vault is not None and self.vault.exists() and self.vault.is_unlocked

    def is_v2(self, group_id: str) -> bool:
        link = self.links.get(group_id)
        return link is not None and link.version == V2

    def load(self, group_id: str) -> Circle:
        """The group with its secrets; KraftError when it is not a linked version 2 group or is locked."""
        self.groups.get(group_id)
        link = self.links.get(group_id)
        if link is None or link.version != V2:
            raise KraftError(Msg.GROUP_NOT_LINKED, group_id=group_id)
        if not self.links.readable():
            raise KraftError(Msg.VAULT_LOCKED)
        return Circle(link, self.links.secrets(group_id))

    def hosting(self, group_id: str) -> Circle:
        """The group, for an action only a host may take."""
        circle = self.load(group_id)
        if not circle.is_host():
            raise KraftError(Msg.NOT_HOST)
        return circle

    # ---- sealing ----

    def next_seq(self, circle: Circle) -> int:
        """The next sequence number: above what this device counted and above what the mailbox showed of
        this member. After a restore (the link marked, its mailbox not read yet) the mailbox's own highest is
        unknown: the number is only a placeholder, and `reseal` gives the message its real one."""
        seen = circle.link.seqs.get(circle.me, [0, []])[0] if circle.admitted else 0
        seq = max(circle.secrets.next_seq, int(seen) + 1)
        circle.secrets.next_seq = seq + 1
        if circle.admitted and not circle.link.restored:  # while restored, link.seqs waits for the mailbox's
            seqs = dict(circle.link.seqs)
            accept_seq(seqs, circle.me, seq)
            circle.link = replace(circle.link, seqs=seqs)
        return seq

    def seal(self, circle: Circle, channel: str, kind: str, body: dict[str, Any], *,
             size: int | None = None) -> p.Envelope:
        """A message to the whole group under the current epoch, signed by this member's identity."""
        return self._seal(circle, self.next_seq(circle), {"to": "", "channel": channel, "kind": kind, "body": body,
                                                          "size": size})

    def seal_to(self, circle: Circle, recipient_dh: str, kind: str, body: dict[str, Any], *,
                size: int | None = None) -> p.Envelope:
        """A message only the holder of `recipient_dh` opens (a request to the door, a welcome, a host key)."""
        return self._seal(circle, self.next_seq(circle), {"to": recipient_dh, "channel": "", "kind": kind,
                                                          "body": body, "size": size})

    def _seal(self, circle: Circle, seq: int, how: dict[str, Any]) -> p.Envelope:
        """Seal what `how` says; while the link is marked restored, keep `how` (in the sealed secrets, written
        with the outbox item) so `reseal` can seal it again above what the mailbox shows."""
        if how["to"]:
            envelope = p.seal_to(mailbox=circle.link.mailbox, epoch=circle.epoch, recipient_dh=how["to"],
                                 kind=how["kind"], body=how["body"], author=circle.identity, seq=seq,
                                 signer=circle.post_signer(), size=how["size"])
        else:
            envelope = p.seal_v2(mailbox=circle.link.mailbox, epoch=circle.epoch, group_key=circle.group_key(),
                                 channel=how["channel"], kind=how["kind"], body=how["body"], author=circle.identity,
                                 seq=seq, signer=circle.post_signer(), size=how["size"])
        if circle.link.restored:
            circle.secrets.unsent[envelope.nonce] = {**how, "seq": seq}
        return envelope

    def reseal(self, group_id: str) -> int:
        """After the first read of a restored link's mailbox: seal again, in outbox order, every message sealed
        while it was marked, numbered right above this member's highest sequence number the mailbox showed (or
        the placeholders' first, if that is higher), then clear the mark. Returns how many were sealed again."""
        circle = self.load(group_id)
        unsent = circle.secrets.unsent
        items = [w for w in self.links.waiting(group_id) if w.method == "POST" and w.body.get("nonce") in unsent]
        seen = int(circle.link.seqs.get(circle.me, [0, []])[0]) if circle.admitted else 0
        # Every placeholder is at or above the backup's own next number (a message still waiting from before
        # the backup may hold the numbers below it): the lowest is where numbering may start again.
        floor = min((int(how["seq"]) for how in unsent.values()), default=circle.secrets.next_seq)
        circle.secrets.next_seq = max(seen + 1, floor)
        circle.link = replace(circle.link, restored=False)
        bodies = []
        for item in items:
            envelope = self._seal(circle, self.next_seq(circle), unsent[str(item.body["nonce"])])
            bodies.append((item.id, envelope.to_post()))
        circle.secrets.unsent = {}
        with self.links.transaction() as tx:
            self.links.save(circle.link, tx)
            self.links.put_secrets(group_id, circle.secrets, tx)
            for item_id, body in bodies:
                self.links.rewrite(item_id, body, tx)
        return len(bodies)

    def change(self, circle: Circle, op: str, args: dict[str, Any]) -> tuple[p.State, p.Envelope]:
        """A membership change: checked by the same rule every app applies, then sealed as a log message.
        Raises KraftError(CHANGE_REFUSED) with the rule's reason when the policy in force does not allow it, and
        KraftError(RESTORED_READ_FIRST) after a restore until the mailbox was read: the log may have moved on
        since the backup, and an entry made on the backup's state would not fit it."""
        if circle.link.restored and not self.catching_up:
            raise KraftError(Msg.RESTORED_READ_FIRST)
        state = circle.state
        entry = p.make_entry(state, circle.identity, op, args, mailbox=circle.link.mailbox)
        try:
            new = p.apply(state, entry, mailbox=circle.link.mailbox)
        except p.ProtocolError as exc:
            raise refused(exc) from exc
        size = p.LARGE if op == "epoch" else None
        envelope = self.seal(circle, p.SCHEDULE, "log", entry.to_dict(), size=size)
        circle.link = replace(circle.link, state=new.snapshot())
        return new, envelope

    # ---- writing ----

    def write(self, circle: Circle, items: Sequence[Outgoing], *, now: datetime,
              tx: RecordWriter | Connection | None = None) -> None:
        """The link row, its secrets and what to send (messages, or other requests as (method, path, body)),
        in one transaction (or the caller's); the outbox sends them in this order."""
        if tx is None:
            with self.links.transaction() as own:
                self.write(circle, items, now=now, tx=own)
            return
        self.links.save(circle.link, tx)
        self.links.put_secrets(circle.group_id, circle.secrets, tx)
        relay, mailbox = circle.link.relay, circle.link.mailbox
        if not relay:
            return
        for item in items:
            if isinstance(item, p.Envelope):
                method, path, body = "POST", f"/v1/mailboxes/{mailbox}/messages", item.to_post()
            else:
                method, path, body = item
            self.links.enqueue(circle.group_id, relay, method, path, body, now=now, conn=tx)


def refusal(exc: p.ProtocolError) -> str:
    """The rule's word for a refused change ("last_host", "not_host", ...), or the protocol error's reason."""
    return str(exc) if exc.reason == "refused" else exc.reason


def refused(exc: p.ProtocolError) -> KraftError:
    """What a refused membership change tells the person who tried it."""
    reason = refusal(exc)
    if reason == "last_host":
        return KraftError(Msg.LAST_HOST)
    if reason == "not_host":
        return KraftError(Msg.NOT_HOST)
    return KraftError(Msg.CHANGE_REFUSED, reason=reason)
