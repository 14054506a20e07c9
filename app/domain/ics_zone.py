"""The VTIMEZONE of an `.ics` file in the form Outlook and tzurl.org publish (issue 17).

Each kind of change (to summer time, back to standard time) is one STANDARD or DAYLIGHT with its first onset
as DTSTART and a yearly RRULE ("the last Sunday of March"), never a list of dates: Mozilla's ical.js
(Thunderbird, Nextcloud Calendar) reads only the first date of a multi-valued RDATE and then puts every
summer meeting an hour off. The onsets are found in the zone itself (zoneinfo) around the course; where a
zone's rule changes, the old rule ends with UNTIL and a new one starts. A zone without changes gets one
STANDARD.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

MARGIN = timedelta(days=366)  # onsets looked for this long before the first and after the last meeting
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Onset:
    """One change of a zone's offset: its UTC instant and the offsets before and after."""

    at: datetime
    before: timedelta
    after: timedelta
    name: str

    @property
    def local(self) -> datetime:
        """The wall time when it happens, on the clock before the change (RFC 5545 3.6.5's DTSTART)."""
        return (self.at + self.before).replace(tzinfo=None)

    def positions(self) -> set[int]:
        """Which weekday of its month it falls on: n-th from the start, and -1 when it is the last one."""
        day = self.local.day
        found = {(day - 1) // 7 + 1}
        if day + 7 > calendar.monthrange(self.local.year, self.local.month)[1]:
            found.add(-1)
        return found

    def kind(self) -> tuple[object, ...]:
        """What must stay the same for one yearly rule to describe two onsets."""
        return (self.local.month, self.local.weekday(), self.local.time(), self.before, self.after, self.name)


def _offset(tz: ZoneInfo, at: datetime) -> timedelta:
    return at.astimezone(tz).utcoffset() or timedelta(0)


def onsets(tz: ZoneInfo, start: datetime, end: datetime) -> list[Onset]:
    """Every change between start and end (UTC): a day's step, then halving to the second."""
    found: list[Onset] = []
    day = start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    while day < end:
        later = day + timedelta(days=1)
        if _offset(tz, day) != _offset(tz, later):
            low, high = day, later
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if _offset(tz, middle) == _offset(tz, low) else (low, middle)
            found.append(Onset(high, _offset(tz, low), _offset(tz, high), high.astimezone(tz).tzname() or ""))
        day = later
    return found


def _runs(changes: list[Onset]) -> list[tuple[list[Onset], set[int]]]:
    """Onsets of one kind in consecutive years that one yearly rule describes, with the rule's positions."""
    runs: list[tuple[list[Onset], set[int]]] = []
    for kind in dict.fromkeys(c.kind() for c in changes):
        current: list[Onset] = []
        positions: set[int] = set()
        for onset in (c for c in changes if c.kind() == kind):
            shared = positions & onset.positions()
            if current and onset.local.year == current[-1].local.year + 1 and shared:
                current.append(onset)
                positions = shared
                continue
            if current:
                runs.append((current, positions))
            current, positions = [onset], onset.positions()
        runs.append((current, positions))
    return runs


def _part(run: list[Onset], positions: set[int], *, open_ended: bool) -> TimezoneStandard | TimezoneDaylight:
    first = run[0]
    part = TimezoneDaylight() if _forward(first) else TimezoneStandard()
    part.add("dtstart", first.local)
    part.add("tzname", first.name)
    part.add("tzoffsetfrom", first.before)
    part.add("tzoffsetto", first.after)
    if len(run) > 1:
        position = -1 if -1 in positions else min(positions)
        rule: dict[str, object] = {"freq": "yearly", "bymonth": first.local.month,
                                   "byday": f"{position}{_WEEKDAYS[first.local.weekday()]}"}
        if not open_ended:
            rule["until"] = run[-1].at
        part.add("rrule", rule)
    return part


def vtimezone(zone: str, first: datetime, last: datetime) -> Timezone:
    """The VTIMEZONE for a course from `first` to `last` (aware datetimes)."""
    tz = ZoneInfo(zone)
    start, end = first.astimezone(UTC) - MARGIN, last.astimezone(UTC) + MARGIN
    changes = onsets(tz, start, end)
    component = Timezone()
    component.add("tzid", zone)
    if not changes:
        part = TimezoneStandard()
        part.add("dtstart", datetime(1970, 1, 1))
        part.add("tzname", first.astimezone(tz).tzname() or zone)
        part.add("tzoffsetfrom", _offset(tz, first))
        part.add("tzoffsetto", _offset(tz, first))
        component.add_component(part)
        return component
    still_changing = changes[-1].at > end - MARGIN  # the zone changed in the last year looked at: rules go on
    runs = sorted(_runs(changes), key=lambda r: r[0][0].at)
    latest = {_forward(run[0]): run[-1] for run, _positions in runs}  # the newest rule of each direction
    for run, positions in runs:
        open_ended = still_changing and latest[_forward(run[0])] is run[-1]
        component.add_component(_part(run, positions, open_ended=open_ended))
    return component


def _forward(onset: Onset) -> bool:
    """True for a change to summer time (the clock goes forward)."""
    return onset.after > onset.before
