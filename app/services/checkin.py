"""The member's own check-ins: "I was there" and "I can't come", and their attendance history.

Having been at a mental-health group is sensitive, so where there is a vault a group's check-ins are one
sealed record (app.storage.records.CHECKINS, one per group: a map meeting id -> status and day). One
record per group, not one per meeting: the record count says nothing about how often the member went, and a
locked vault can still delete it by id when the group is removed.

A member without any vault (anonymous: no passphrase) has nothing to encrypt with; their check-ins are kept
in the plaintext `checkin` table, to the day only. When they later create a journal, `move_into_vault` seals
them and deletes the plaintext rows in one transaction.

A meeting's id is its original start, so a check-in stays with a meeting that is moved; it also keeps the
start it was said for (`CheckIn.start`, migration 0005). "I can't come" is about a time: when the meeting
moves, it is not carried over (`status` says nothing, `asked_again` is True) until the member answers for
the new time. "I was there" stays whatever happens to the schedule after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine

from app import i18n
from app.domain.schedule import Meeting
from app.domain.schedule import meeting_id as start_id
from app.errors import KraftError, Msg
from app.services.groups import Group
from app.storage import db, records
from app.storage.stores import checkins
from app.storage.vault import Vault

ATTENDED = "attended"
CANT_COME = "cant_come"
STATUSES = (ATTENDED, CANT_COME)
KIND = records.CHECKINS.name


@dataclass(frozen=True)
class CheckIn:
    meeting_id: str
    status: str  # ATTENDED | CANT_COME
    day: date  # when the member said it (the day only)
    start: str = ""  # the meeting's start it was said for (UTC, in the meeting id's form)

    def holds_for(self, meeting: Meeting) -> bool:
        """Whether this still answers for the meeting as it is now: "I can't come" only at the same start."""
        return self.status != CANT_COME or (self.start or self.meeting_id) == start_id(meeting.start)


@dataclass(frozen=True)
class AttendanceRow:
    meeting: Meeting
    status: str | None  # None: the member said nothing


@dataclass(frozen=True)
class Attendance:
    rows: list[AttendanceRow]  # meetings that have begun (newest first), then coming ones marked "can't come"
    attended: int
    held: int  # meetings that have begun and were not cancelled

    def summary(self, lang: i18n.Language | None = None) -> str:
        """The member's attendance in kind words: no count when they came to none ("0 of 1" reads as a
        reproach to someone who may be having a hard time), "the meeting" or "all 4" when they came to all."""
        _, ngettext = i18n.resolve(lang).gettext, i18n.resolve(lang).ngettext
        if self.held == 0:
            return ""
        if self.attended == 0:
            return _("Welcome back whenever you can.")
        if self.attended >= self.held:
            return ngettext("You were at the meeting.", "You were at all {m} meetings.", self.held).format(m=self.held)
        return ngettext("You were at {n} of {m} meeting.", "You were at {n} of {m} meetings.",
                        self.held).format(n=self.attended, m=self.held)


class CheckInService:
    """Check-ins in one data directory; `vault` is None for a member who never made a journal."""

    def __init__(self, engine: Engine, vault: Vault | None = None) -> None:
        self._engine = engine
        self._vault = vault

    def _sealed(self) -> bool:
        """True when check-ins belong in the vault (one exists); raises when it exists but is locked."""
        if self._vault is None or not self._vault.exists():
            return False
        if not self._vault.is_unlocked:
            raise KraftError(Msg.CHECKIN_NEEDS_UNLOCK)
        return True

    # ---- reading ----

    def statuses(self, group: Group) -> dict[str, CheckIn]:
        if self._sealed():
            assert self._vault is not None
            record_id = records.CHECKINS.record_id(group.id)
            payload = self._vault.get(KIND, record_id)
            data = records.CHECKINS.unpack(record_id, payload) if payload else {}
            # a record from before the start was kept: the original start (the id) is what it was said for
            return {mid: CheckIn(mid, str(v["status"]), date.fromisoformat(str(v["day"])), str(v.get("start") or mid))
                    for mid, v in data.items()}
        with self._engine.connect() as conn:
            rows = checkins.list_checkins(conn=conn, group_id=group.id)
        return {r.meeting_id: CheckIn(r.meeting_id, r.status, date.fromisoformat(r.day), r.start or r.meeting_id)
                for r in rows}

    def _meeting(self, group: Group, meeting_id: str) -> Meeting | None:
        try:
            return group.meeting(meeting_id)
        except KraftError:
            return None

    def status(self, group: Group, meeting_id: str) -> str | None:
        """What the member says about the meeting as it is now: an "I can't come" said for another start (the
        meeting moved since) is not carried over."""
        found = self.statuses(group).get(meeting_id)
        meeting = self._meeting(group, meeting_id)
        if found is None or (meeting is not None and not found.holds_for(meeting)):
            return None
        return found.status

    def said(self, group: Group, meeting_id: str) -> str | None:
        """What the member said, whether or not it still holds (to take it back, and tell the leader so)."""
        found = self.statuses(group).get(meeting_id)
        return found.status if found else None

    def asked_again(self, group: Group, meeting: Meeting) -> bool:
        """True when the member said "I can't come" for another time and the meeting moved since: the home card
        asks again ("Can you come at the new time?")."""
        found = self.statuses(group).get(meeting.id)
        return found is not None and not found.holds_for(meeting)

    def history(self, group: Group, *, now: datetime) -> Attendance:
        """Every meeting that has begun (newest first) with what the member said, and the coming meetings
        they already said they can't come to (soonest first)."""
        said = self.statuses(group)
        meetings = [m for m in group.schedule.meetings() if not m.cancelled]
        begun = [m for m in meetings if m.start <= now]
        past = [AttendanceRow(m, s.status if (s := said.get(m.id)) and s.holds_for(m) else None)
                for m in reversed(begun)]
        coming = [AttendanceRow(m, CANT_COME) for m in meetings
                  if m.start > now and (s := said.get(m.id)) and s.status == CANT_COME and s.holds_for(m)]
        return Attendance(rows=past + coming, attended=sum(r.status == ATTENDED for r in past), held=len(past))

    # ---- writing ----

    def check_in(self, group: Group, meeting_id: str, status: str, *, now: datetime) -> CheckIn:
        """Say "I was there" (once the meeting has begun) or "I can't come" (before it begins)."""
        if status not in STATUSES:
            raise KraftError(Msg.CHECKIN_STATUS_UNKNOWN, status=status)
        meeting = group.meeting(meeting_id)
        if meeting.cancelled:
            raise KraftError(Msg.CHECKIN_CANCELLED)
        if status == ATTENDED and meeting.start > now:
            raise KraftError(Msg.CHECKIN_NOT_YET)
        if status == CANT_COME and meeting.start <= now:
            raise KraftError(Msg.CHECKIN_TOO_LATE)
        entry = CheckIn(meeting.id, status, now.date(), start_id(meeting.start))
        if self._sealed():
            self._write_sealed(group.id, {**self.statuses(group), meeting.id: entry})
        else:
            with db.begin(self._engine) as conn:
                checkins.put_checkin(conn=conn, group_id=group.id, meeting_id=meeting.id, status=status,
                                     day=entry.day.isoformat(), start=entry.start)
        return entry

    def clear(self, group: Group, meeting_id: str) -> bool:
        """Take back what the member said about a meeting; False if they had said nothing."""
        meeting = group.meeting(meeting_id)
        said = self.statuses(group)
        if meeting.id not in said:
            return False
        if self._sealed():
            self._write_sealed(group.id, {k: v for k, v in said.items() if k != meeting.id})
        else:
            with db.begin(self._engine) as conn:
                checkins.delete_checkin(conn=conn, group_id=group.id, meeting_id=meeting.id)
        return True

    def _write_sealed(self, group_id: str, said: dict[str, CheckIn]) -> None:
        assert self._vault is not None
        payload = records.CHECKINS.pack({k: {"status": v.status, "day": v.day.isoformat(), "start": v.start or k}
                                         for k, v in said.items()})
        with self._vault.transaction() as tx:
            tx.put(KIND, payload, records.CHECKINS.record_id(group_id))

    def forget_group(self, group_id: str) -> None:
        """Delete a group's check-ins from both stores; works while locked (the record goes by its id)."""
        with db.begin(self._engine) as conn:
            checkins.delete_checkins(conn=conn, group_id=group_id)
        if self._vault is not None:
            self._vault.discard(records.CHECKINS.record_id(group_id))

    def move_into_vault(self) -> int:
        """Seal an anonymous member's plaintext check-ins into their new vault and delete the plaintext rows,
        in one transaction. Returns how many moved."""
        assert self._vault is not None and self._vault.is_unlocked
        with self._engine.connect() as conn:
            rows = checkins.list_checkins(conn=conn)
        if not rows:
            return 0
        by_group: dict[str, dict[str, dict[str, str]]] = {}
        for group_id, meeting_id, status, day, start in rows:
            by_group.setdefault(group_id, {})[meeting_id] = {"status": status, "day": day, "start": start or meeting_id}
        with self._vault.transaction() as tx:
            for group_id, said in by_group.items():
                tx.put(KIND, records.CHECKINS.pack(said), records.CHECKINS.record_id(group_id))
            checkins.delete_checkins(conn=tx.conn)
        return len(rows)
