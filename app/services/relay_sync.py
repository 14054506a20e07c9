"""Keeping in step with the relay (ADR 0004): send what waits in the outbox, fetch new messages, check them and
apply them. Called on start, on resume and periodically by the app, and by `kraft sync`.

Every fetched message is checked before anything is done with it: the leader's signature (or, for the leader,
the epoch's member signer), a sequence number above the last accepted one (a replayed or reordered message is
refused), and authenticated decryption bound to the mailbox, epoch and sequence number. Refused messages are
counted in the report with their reason and never applied. A message that needs the open journal (a prompt
while locked, or for a member without a journal) is kept as ciphertext and applied when it can be.

This module sends and fetches; reading a message is `group_layer.receiving` (version 2) and `v1_receiving`
(version 1).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine

import protocol as p
from app.services.group_layer.circle import V2, Circles
from app.services.group_layer.hosting import after_fetch
from app.services.group_layer.receiving import Receiving
from app.services.groups import GroupService
from app.services.links import LEADER, Link, LinkStore, Waiting
from app.services.relay_client import RelayClient, RelayError
from app.services.v1_receiving import V1Receiving
from app.storage.vault import Vault

log = logging.getLogger(__name__)
FETCH_LIMIT = 100


@dataclass
class SyncReport:
    sent: int = 0
    waiting: int = 0  # still in the outbox (offline, or refused)
    received: int = 0
    applied: int = 0
    kept: int = 0  # accepted, waiting for the open journal
    refused: list[str] = field(default_factory=list)  # reasons: forged, replayed, unreadable, malformed, ...
    gaps: int = 0  # version 2: messages that came after a missing one of the same author
    problems: list[str] = field(default_factory=list)  # for the screen: a relay unreachable or refusing

    @property
    def changed(self) -> bool:
        return bool(self.applied)


class SyncService:
    def __init__(self, engine: Engine, vault: Vault | None, *,
                 relay_factory: Callable[[str], RelayClient] = RelayClient, groups: GroupService | None = None,
                 links: LinkStore | None = None) -> None:
        self._engine = engine
        self._vault = vault
        self._groups = groups or GroupService(engine, vault)
        self._links = links or LinkStore(engine, vault)
        self._relay = relay_factory
        self._circles = Circles(engine, vault, groups=self._groups, links=self._links)

    def run(self, *, now: datetime) -> SyncReport:
        report = SyncReport()
        self.flush(report, now=now)
        for link in self._links.all():
            if link.relay:
                self.fetch(link, report, now=now)
        self.apply_kept(report, now=now)
        self.flush(report, now=now)  # what reading answered (a poll, a new epoch, a name after a welcome)
        report.waiting = len(self._links.waiting())
        return report

    # ---- sending ----

    def flush(self, report: SyncReport, *, now: datetime) -> None:
        """Send what is due, oldest first per group; stop a group at its first failure (order matters). A
        group restored from a backup is read first; until that worked, nothing of it is sent."""
        held = self._read_first(report, now=now)
        while due := [item for item in self._links.due(now) if item.group_id not in held]:
            for item in due:
                try:
                    with self._relay(item.relay) as client:
                        client.request(item.method, item.path, item.body, token=item.token)
                except RelayError as exc:
                    if exc.status == 409 and exc.reason in ("repeated_nonce", "") and not self._outdated(item):
                        self._links.sent(item.id)  # already there: an earlier attempt got through unanswered
                        continue
                    error = f"{exc.reason}: {exc.detail}" if exc.reason else exc.detail
                    if not exc.retry:
                        log.warning("the relay refused a request of a group (%s): it stays, refused", exc.reason
                                    or exc.status)
                    self._links.failed(item, error, now=now, retry=exc.retry)
                    report.problems.append(str(exc.to_kraft(item.relay)))
                    return
                self._links.sent(item.id)
                report.sent += 1

    def _read_first(self, report: SyncReport, *, now: datetime) -> set[str]:
        """Links marked by a restore (docs/adr/0006-group-protocol-v2.md, "Restore"): read what the relay holds
        of this member, then seal again what was sealed meanwhile, above it. Returns the groups still held
        back (the relay unreachable, or the journal locked)."""
        held = set()
        for link in self._links.all():
            if not link.restored:
                continue
            if not link.relay:
                self._links.update(link, restored=False)
                continue
            if not self._links.readable() or not self._caught_up(link, report, now=now):
                held.add(link.group_id)
        return held

    def _caught_up(self, link: Link, report: SyncReport, *, now: datetime) -> bool:
        if link.version == V2:
            self._circles.catching_up = True  # a departure read now may need a new epoch at once
            try:
                if not self.fetch(link, report, now=now, settle=False):
                    return False
            finally:
                self._circles.catching_up = False
            resealed = self._circles.reseal(link.group_id)
            after_fetch(self._circles, self._links.get(link.group_id) or link, now=now)
        elif link.role == LEADER:
            try:
                with self._relay(link.relay) as client:
                    last = int(client.mailbox(link.mailbox).get("last_seq", 0))
            except RelayError as exc:
                report.problems.append(str(exc.to_kraft(link.relay)))
                return False
            resealed = self._reseal_v1(link, last)
        else:  # a version 1 member's messages carry no sequence number of theirs
            self._links.update(link, restored=False)
            return True
        log.info("a restored group was read first: %d waiting message(s) sealed again", resealed)
        return True

    def _reseal_v1(self, link: Link, last: int) -> int:
        """A version 1 leader: seal again, above the relay's `last_seq`, what was sealed since the restore."""
        secrets = self._links.secrets(link.group_id)
        unsent = secrets.unsent
        items = [w for w in self._links.waiting(link.group_id)
                 if w.method == "POST" and w.body.get("nonce") in unsent]
        seq = max(last + 1, min((int(how["seq"]) for how in unsent.values()), default=secrets.next_seq))
        signer = Ed25519PrivateKey.from_private_bytes(p.b64d(secrets.signing_key, length=32))
        bodies = []
        for item in items:
            how = unsent[str(item.body["nonce"])]
            epoch = int(how["epoch"])
            envelope = p.seal_message(mailbox=link.mailbox, sender=p.LEADER, epoch=epoch, seq=seq,
                                      group_key=p.b64d(secrets.group_keys[epoch]), channel=str(how["channel"]),
                                      kind=str(how["kind"]), body=how["body"], signer=signer)
            bodies.append((item.id, envelope.to_post()))
            seq += 1
        secrets.next_seq, secrets.unsent = seq, {}
        with self._links.transaction() as tx:
            self._links.save(replace(link, restored=False), tx)
            self._links.put_secrets(link.group_id, secrets, tx)
            for item_id, body in bodies:
                self._links.rewrite(item_id, body, tx)
        return len(bodies)

    def _outdated(self, item: Waiting) -> bool:
        """A member's message the relay turned down because the group has new keys since (the member was
        removed, or it waited too long): not delivered, so it must not count as sent."""
        if item.body.get("sender") != p.MEMBER:
            return False
        try:
            with self._relay(item.relay) as client:
                mailbox = client.mailbox(item.path.split("/")[3])
        except (RelayError, IndexError):
            return False
        return int(mailbox.get("epoch", 0)) > int(item.body.get("epoch", 0))

    # ---- fetching ----

    def fetch(self, link: Link, report: SyncReport, *, now: datetime, settle: bool = True) -> bool:
        """Read the link's new messages; False when the relay could not be read to the end (or not at all).
        `settle`: then let a version 2 host's app do what is due (close the group)."""
        if link.role == LEADER and not self._links.readable():
            return False  # members' messages are checked with keys in the leader's vault: fetch when it is open
        try:
            with self._relay(link.relay) as client:
                while True:
                    page = client.messages(link.mailbox, link.after, FETCH_LIMIT)
                    again = False
                    for data in page.get("messages", []):
                        before = link.after
                        link = self._receive(link, data, report, now=now)
                        if link.after < before:  # a welcome: read the group again from the start
                            again = True
                            break
                    if not again and not page.get("more"):
                        break
        except RelayError as exc:
            report.problems.append(str(exc.to_kraft(link.relay)))
            read = False
        else:
            read = True
        if link.version == V2 and settle:
            after_fetch(self._circles, link, now=now)
        return read

    def _receive(self, link: Link, data: dict[str, Any], report: SyncReport, *, now: datetime) -> Link:
        report.received += 1
        try:
            envelope = p.Envelope.from_relay(link.mailbox, data)
        except p.ProtocolError:
            report.refused.append("malformed")
            return self._links.update(link, after=max(link.after, int(data.get("position", link.after) or 0)))
        if link.version == V2:
            return Receiving(self._circles, report, now=now).receive(link, envelope)
        return V1Receiving(self._circles, report, now=now).receive(link, envelope)

    def apply_kept(self, report: SyncReport, *, now: datetime) -> None:
        """Apply messages kept for the open journal (after unlocking, or once a journal exists)."""
        if not self._circles.content_open():
            return
        for link in self._links.all():
            if not link.pending:
                continue
            if link.version == V2:
                link = V1Receiving(self._circles, report, now=now).kept_before_upgrade(link)
                Receiving(self._circles, report, now=now).apply_kept(link)
            else:
                V1Receiving(self._circles, report, now=now).apply_kept(link)
