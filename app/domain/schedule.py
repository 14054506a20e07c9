"""Group schedules: a small RFC 5545 subset, pure Python over python-dateutil and zoneinfo.

A schedule is a first meeting (local wall time in an IANA zone), a duration, a weekly rule every 1, 2 or 3
weeks, bounded by a count (a course), an end date (about a year) or open; skipped dates (EXDATE) and single
meetings moved or cancelled. All arithmetic is in local time, so an 18:00 meeting stays at 18:00 across
daylight-saving changes.

Counting, as the groups count: a *skipped* date is planned in advance (a holiday) and does not use up one of
the course's meetings, so the course runs one interval longer; a *cancelled* meeting uses up its slot but
does not happen. "Meeting N of M" counts only meetings that happen. A meeting's stable id is its original
start (RFC 5545's RECURRENCE-ID), never its position, so moving or cancelling one renumbers nothing else's id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import WEEKLY, rrule

from app.domain.text import EARLIEST_YEAR, LATEST_YEAR, in_calendar
from app.errors import KraftError, Msg

INTERVALS = (1, 2, 3)
MAX_COUNT = 60
_OFF_CALENDAR = f"meetings are between {EARLIEST_YEAR} and {LATEST_YEAR}"
OPEN_HORIZON = timedelta(days=2 * 366)  # how far ahead an open-ended schedule is expanded


_CLOCK = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)")


def parse_clock(text: str) -> time:
    """A wall-clock time as people write it in the Nordics: 18:00 or 18.00 (ValueError otherwise)."""
    found = _CLOCK.fullmatch(text.strip())
    if not found:
        raise ValueError(f"not a time: {text!r}")
    return time(int(found[1]), int(found[2]))


def meeting_id(original_start: datetime) -> str:
    """The stable id of a meeting: its original start in UTC, RFC 5545 style (`20261122T170000Z`)."""
    return original_start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class Meeting:
    id: str
    original_start: datetime  # local, aware
    start: datetime  # local, aware (differs from original_start when moved)
    end: datetime
    cancelled: bool = False
    moved: bool = False
    number: int | None = None  # N of "meeting N of M"; None for a cancelled meeting
    total: int | None = None  # M; None for an open schedule


@dataclass(frozen=True)
class Schedule:
    """When a group meets. Datetimes are aware and expressed in `zone`."""

    zone: str
    first_start: datetime
    duration: timedelta = timedelta(hours=2)
    interval: int = 1
    count: int | None = None
    until: date | None = None
    skipped: frozenset[datetime] = frozenset()  # original starts that are not meetings at all (EXDATE)
    cancelled: frozenset[datetime] = frozenset()  # original starts of meetings called off
    moved: Mapping[datetime, datetime] = field(default_factory=dict)  # original start -> new start

    @classmethod
    def weekly(cls, *, zone: str, first: date, at: time, duration: timedelta = timedelta(hours=2),
               interval: int = 1, count: int | None = None, until: date | None = None) -> Schedule:
        """A schedule from what a leader types: first date, local time, every 1-3 weeks, count or end date."""
        tz = _zone(zone)
        if interval not in INTERVALS:
            raise KraftError(Msg.SCHEDULE_INVALID, detail=f"interval must be one of {INTERVALS}")
        if count is not None and not 1 <= count <= MAX_COUNT:
            raise KraftError(Msg.SCHEDULE_INVALID, detail=f"count must be between 1 and {MAX_COUNT}")
        if count is not None and until is not None:
            raise KraftError(Msg.SCHEDULE_INVALID, detail="give a count or an end date, not both")
        if until is not None and until < first:
            raise KraftError(Msg.SCHEDULE_INVALID, detail="the end date is before the first meeting")
        if not timedelta(minutes=15) <= duration <= timedelta(hours=8):
            raise KraftError(Msg.SCHEDULE_INVALID, detail="a meeting lasts between 15 minutes and 8 hours")
        if not all(EARLIEST_YEAR <= d.year <= LATEST_YEAR for d in (first, until or first)):
            raise KraftError(Msg.SCHEDULE_INVALID, detail=_OFF_CALENDAR)
        start = datetime.combine(first, at, tzinfo=tz)
        return cls(zone=zone, first_start=start, duration=duration, interval=interval, count=count, until=until)

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form: local wall times as ISO strings, so the zone's rules apply when read back."""
        def local(value: datetime) -> str:
            return value.astimezone(self.tz).replace(tzinfo=None).isoformat()

        return {
            "v": 1, "zone": self.zone, "first_start": local(self.first_start),
            "duration_min": int(self.duration.total_seconds() // 60), "interval": self.interval,
            "count": self.count, "until": self.until.isoformat() if self.until else None,
            "skipped": sorted(local(s) for s in self.skipped), "cancelled": sorted(local(s) for s in self.cancelled),
            "moved": {local(k): local(v) for k, v in sorted(self.moved.items())},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Schedule:
        """Read `to_dict`'s form back; anything malformed is a SCHEDULE_INVALID error, not a crash."""
        try:
            tz = _zone(str(data["zone"]))

            def at(value: object) -> datetime:
                return datetime.fromisoformat(str(value)).replace(tzinfo=tz)

            until = data.get("until")
            moved = data.get("moved") or {}
            return cls(
                zone=str(data["zone"]), first_start=at(data["first_start"]),
                duration=timedelta(minutes=int(data["duration_min"])),
                interval=int(data["interval"]),
                count=int(data["count"]) if data.get("count") is not None else None,
                until=date.fromisoformat(str(until)) if until else None,
                skipped=frozenset(at(v) for v in data.get("skipped") or ()),
                cancelled=frozenset(at(v) for v in data.get("cancelled") or ()),
                moved={at(k): at(v) for k, v in moved.items()},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise KraftError(Msg.SCHEDULE_INVALID, detail=f"stored schedule unreadable: {exc}") from exc

    @property
    def tz(self) -> ZoneInfo:
        return _zone(self.zone)

    # ---- changes (each returns a new schedule) ----

    def skip(self, original_start: datetime) -> Schedule:
        return replace(self, skipped=self.skipped | {self._slot(original_start)})

    def cancel(self, original_start: datetime) -> Schedule:
        return replace(self, cancelled=self.cancelled | {self._slot(original_start)})

    def move(self, original_start: datetime, new_start: datetime) -> Schedule:
        slot = self._slot(original_start)
        if new_start.tzinfo is None:
            raise KraftError(Msg.SCHEDULE_INVALID, detail="a new start needs a time zone")
        if in_calendar(new_start) is None:  # 0001-01-01 in Stockholm overflowed every later view of the group
            raise KraftError(Msg.SCHEDULE_INVALID, detail=_OFF_CALENDAR)
        return replace(self, moved={**self.moved, slot: new_start.astimezone(self.tz)})

    def restore(self, original_start: datetime) -> Schedule:
        """Undo a cancel or a move: the meeting is back at its original time."""
        slot = self._slot(original_start)
        return replace(self, cancelled=self.cancelled - {slot},
                       moved={k: v for k, v in self.moved.items() if k != slot})

    def _slot(self, original_start: datetime) -> datetime:
        """The rule's occurrence at exactly this original start, or a clear error."""
        wanted = original_start.astimezone(self.tz)
        for slot in self._rule_slots(until=wanted + timedelta(seconds=1)):
            if slot == wanted:
                return slot
        raise KraftError(Msg.SCHEDULE_INVALID, detail=f"no meeting starts at {wanted.isoformat()}")

    # ---- expansion ----

    def _rule_slots(self, until: datetime | None = None) -> Iterator[datetime]:
        """The rule's occurrences in local time, skipped dates left out, the count applied after skipping."""
        end = None
        if self.until is not None:
            end = datetime.combine(self.until, time(23, 59, 59), tzinfo=self.tz)
        if until is not None:
            end = until if end is None else min(end, until)
        if end is None and self.count is None:
            end = self.first_start + OPEN_HORIZON
        rule = rrule(WEEKLY, interval=self.interval, dtstart=self.first_start, until=end)
        kept = (slot for slot in rule if slot not in self.skipped)
        yield from (islice(kept, self.count) if self.count is not None else kept)

    def meetings(self, *, until: datetime | None = None) -> list[Meeting]:
        """Every meeting (cancelled ones included, flagged) in order of when it actually starts."""
        slots = list(self._rule_slots())
        happening = [s for s in slots if s not in self.cancelled]
        total = len(happening) if (self.count is not None or self.until is not None) else None
        number = {slot: i + 1 for i, slot in enumerate(sorted(happening, key=self._actual_start))}
        out = []
        for slot in slots:
            start = self._actual_start(slot)
            if until is not None and start > until:
                continue
            out.append(Meeting(id=meeting_id(slot), original_start=slot, start=start, end=start + self.duration,
                               cancelled=slot in self.cancelled, moved=slot in self.moved,
                               number=number.get(slot), total=total))
        return sorted(out, key=lambda m: m.start)

    def _actual_start(self, slot: datetime) -> datetime:
        return self.moved.get(slot, slot)

    def last_meeting(self, now: datetime) -> Meeting | None:
        """A course's last meeting once it has begun (the end of a course, docs/adr/0014-meeting-and-themes.md):
        None for an open schedule, or while meetings are still to come."""
        if self.count is None and self.until is None:
            return None
        held = [m for m in self.meetings() if not m.cancelled]
        return held[-1] if held and held[-1].start <= now else None

    def next_meeting(self, now: datetime) -> Meeting | None:
        """The meeting going on now or coming next (cancelled ones are not meetings)."""
        for meeting in self.meetings():
            if not meeting.cancelled and meeting.end > now:
                return meeting
        return None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise KraftError(Msg.SCHEDULE_INVALID, detail=f"unknown time zone {name!r}") from exc
