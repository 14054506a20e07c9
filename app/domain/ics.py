"""Export a group's schedule as iCalendar (RFC 5545) that any calendar app imports.

One recurring VEVENT: DTSTART with its IANA zone (and the matching VTIMEZONE), RRULE weekly with the
schedule's interval, bounded by UNTIL (never COUNT: RFC 5545 counts before EXDATE removes, Kraft counts
after), EXDATE for skipped and cancelled meetings, one VALARM per reminder. A moved meeting is an override
VEVENT with its RECURRENCE-ID (the original start). The VTIMEZONE is written by `ics_zone` with yearly
RRULEs, the form every calendar reads. The summary is the member's own neutral label: nothing
about the group's theme goes into a file that calendar apps may sync.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from app.domain.ics_zone import vtimezone
from app.domain.schedule import Schedule

PRODID = "-//Kraft//Kraft schedule//EN"
DEFAULT_ALARMS = (timedelta(hours=24), timedelta(hours=2))


def _alarm(before: timedelta, text: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", -before)
    return alarm


def _event(uid: str, summary: str, start: datetime, end: datetime, stamp: datetime, alarms: Sequence[timedelta],
           alarm_text: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    for before in alarms:
        event.add_component(_alarm(before, alarm_text))
    return event


def schedule_to_ics(schedule: Schedule, *, uid: str, summary: str, alarm_text: str,
                    alarms: Sequence[timedelta] = DEFAULT_ALARMS, now: datetime | None = None) -> bytes:
    """The whole course as an .ics file. `uid` must be stable per group so a re-import updates, not doubles."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")

    first = schedule.first_start
    master = _event(uid, summary, first, first + schedule.duration, stamp, alarms, alarm_text)
    rule: dict[str, object] = {"freq": "weekly", "interval": schedule.interval}
    slots = [m.original_start for m in schedule.meetings()]
    if schedule.count is not None or schedule.until is not None:
        rule["until"] = slots[-1].astimezone(UTC) if slots else first.astimezone(UTC)
    master.add("rrule", rule)
    removed = sorted(schedule.skipped | (schedule.cancelled & set(slots)))
    if removed:
        master.add("exdate", removed)
    calendar.add_component(master)

    for original, new_start in sorted(schedule.moved.items()):
        if original in schedule.cancelled:
            continue
        override = _event(uid, summary, new_start, new_start + schedule.duration, stamp, alarms, alarm_text)
        override.add("recurrence-id", original)
        calendar.add_component(override)

    last = max([first, *(m.start for m in schedule.meetings())])
    for tzid in sorted(calendar.get_used_tzids()):
        calendar.subcomponents.insert(0, vtimezone(tzid, first, last))
    return calendar.to_ical()


def announcements_to_ics(items: Sequence[tuple[str, str, datetime, str, str]], *, alarm_text: str,
                         now: datetime | None = None) -> bytes:
    """The region's announcements (uid, summary, start, location, description) as one .ics file, each event
    two hours long with a reminder a day before; the uid is the announcement's own, so a re-import updates."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    for uid, summary, start, location, description in items:
        event = _event(uid, summary, start, start + timedelta(hours=2), stamp, (timedelta(hours=24),), alarm_text)
        if location:
            event.add("location", location)
        if description:
            event.add("description", description)
        calendar.add_component(event)
    starts = [start for _uid, _summary, start, _location, _description in items]
    for tzid in sorted(calendar.get_used_tzids()):
        calendar.subcomponents.insert(0, vtimezone(tzid, min(starts), max(starts)))
    return calendar.to_ical()
