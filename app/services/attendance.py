"""A member's anonymous attendance for the region's coordinator (docs/adr/0005-anonymous-attendance.md): off
until the member turns it on for a group; then each "I was there" queues one token, sent after a random delay
together with any others still waiting. The screen shows the exact payload before the member decides.

What is sent: the mailbox, the epoch, a random nonce, `[{"meeting": <id>, "token": <HMAC>}]` and the
signature of the epoch's shared member key. Nothing in it says which member sent it, and a member's tokens
for two meetings cannot be linked (protocol.attendance).
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

import protocol as p
from app.errors import KraftError, Msg
from app.services.checkin import ATTENDED
from app.services.groups import Group, GroupService
from app.services.links import MEMBER, LinkStore, Waiting
from app.storage.vault import Vault
from protocol import attendance as a

DELAY = (timedelta(minutes=30), timedelta(hours=6))  # sent at a random moment in this window after check-in


@dataclass(frozen=True)
class Pending:
    group_id: str
    meetings: list[str]
    after: datetime | None  # not sent before (None: refused, see the outbox error)
    error: str


def _path(mailbox: str) -> str:
    return f"/v1/mailboxes/{mailbox}/attendance"


class AttendanceService:
    def __init__(self, engine: Engine, vault: Vault | None, *, groups: GroupService | None = None,
                 links: LinkStore | None = None) -> None:
        self._links = links or LinkStore(engine, vault)
        self._groups = groups or GroupService(engine, vault)

    def can_report(self, group_id: str) -> bool:
        link = self._links.get(group_id)
        # a version 2 member once let in (before, there is no group key to sign with)
        return link is not None and link.role == MEMBER and bool(link.relay) and (link.version == 1 or bool(link.state))

    def opted_in(self, group_id: str) -> bool:
        return self.can_report(group_id) and self._links.secrets(group_id).attendance_opt_in

    def set_opt_in(self, group_id: str, on: bool) -> None:
        if not self.can_report(group_id):
            raise KraftError(Msg.GROUP_NOT_LINKED, group_id=group_id)
        secrets = self._links.secrets(group_id)
        secrets.attendance_opt_in = on
        secrets.attendance_secret = secrets.attendance_secret or a.new_secret()
        self._links.put_secrets(group_id, secrets)
        if not on:  # nothing waiting may go out after the member said no
            for item in self._waiting(group_id):
                self._links.drop(item.id)

    def payload(self, group_id: str, meetings: list[str]) -> dict[str, Any]:
        """Exactly what is sent for these meetings (a fresh nonce each time, as each upload has)."""
        link = self._links.get(group_id)
        if link is None:
            raise KraftError(Msg.GROUP_NOT_LINKED, group_id=group_id)
        secrets = self._links.secrets(group_id)
        secret = secrets.attendance_secret or a.new_secret()
        epoch = max(secrets.group_keys)
        reports = [{"meeting": m, "token": a.meeting_token(secret, m)} for m in sorted(set(meetings))]
        nonce = p.b64e(os.urandom(p.NONCE_BYTES))
        signed = p.signing_bytes("attendance", mailbox=link.mailbox, epoch=epoch, nonce=nonce, reports=reports)
        key = p.b64d(secrets.group_keys[epoch])
        signer = p.post_signer(key) if link.version == 2 else p.member_signer(key)  # the relay's member key
        return {"epoch": epoch, "nonce": nonce, "reports": reports, "signature": p.sign(signer, signed)}

    def after_check_in(self, group: Group, meeting_id: str, status: str, *, now: datetime) -> bool:
        """Queue the meeting's token when the member opted in and said "I was there"; True when queued."""
        if status != ATTENDED or not self.opted_in(group.id):
            return False
        link = self._links.get(group.id)
        assert link is not None
        waiting = self._waiting(group.id)
        meetings = [r["meeting"] for item in waiting for r in item.body["reports"]] + [group.meeting(meeting_id).id]
        after = min((t for item in waiting if (t := self._links.next_try(item.id))), default=None)
        low, high = DELAY
        after = after or now + low + (high - low) * random.random()  # noqa: S311 (timing, not a secret)
        for item in waiting:  # one upload with every report still waiting
            self._links.drop(item.id)
        self._links.enqueue(group.id, link.relay, "POST", _path(link.mailbox), self.payload(group.id, meetings),
                            now=after)
        return True

    def _waiting(self, group_id: str) -> list[Waiting]:
        return [w for w in self._links.waiting(group_id) if w.path.endswith("/attendance")]

    def pending(self) -> list[Pending]:
        return [Pending(w.group_id, [r["meeting"] for r in w.body["reports"]], self._links.next_try(w.id), w.error)
                for w in self._links.waiting() if w.path.endswith("/attendance")]

    def send_now(self, *, now: datetime) -> int:
        """Make every waiting report due at once (the member asked); returns how many uploads that is."""
        items = [w for w in self._links.waiting() if w.path.endswith("/attendance") and not w.refused]
        for item in items:
            self._links.reschedule(item.id, now)
        return len(items)
