"""The `.ics` VTIMEZONE as calendars other than Python's read it (issue 17 point 9).

Mozilla's ical.js (Thunderbird, Nextcloud Calendar) takes the offsets from the VTIMEZONE in the file, and of a
multi-valued RDATE it reads only the first date. `_onsets` below reads a VTIMEZONE the same way: DTSTART,
RRULE (expanded with dateutil), and only the first date of each RDATE. Every meeting must then land on the
UTC instant the app means.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Component

from app.domain.ics import schedule_to_ics
from app.domain.schedule import Schedule
from tests.examples import examples

Onset = tuple[datetime, timedelta, timedelta]  # local wall time of the change, offset before, offset after


def _onsets(sub: Component, until: datetime) -> list[Onset]:
    start: datetime = sub["DTSTART"].dt
    before, after = sub["TZOFFSETFROM"].td, sub["TZOFFSETTO"].td
    times = [start]
    if "RRULE" in sub:
        rule = dict(sub["RRULE"])
        if "UNTIL" in rule:  # UTC in the file; dateutil wants it in DTSTART's (local, floating) form
            rule["UNTIL"] = [(rule["UNTIL"][0].astimezone(UTC) + before).replace(tzinfo=None)]
        text = type(sub["RRULE"])(rule).to_ical().decode()
        times = list(rrulestr(text, dtstart=start).between(start, until, inc=True))
    for rdate in sub.get("RDATE", []) if isinstance(sub.get("RDATE"), list) else [sub.get("RDATE")]:
        if rdate is not None:
            times.append(rdate.dts[0].dt)  # ical.js: the first date only
    return [(t, before, after) for t in times]


def _zone_rules(ics: bytes, until: datetime) -> list[Onset]:
    [zone] = Calendar.from_ical(ics).walk("VTIMEZONE")
    onsets = [o for sub in zone.subcomponents for o in _onsets(sub, until)]
    return sorted(onsets, key=lambda o: o[0] - o[1])


def _as_read(local: datetime, onsets: list[Onset]) -> datetime:
    """The UTC instant of a local wall time, with the offsets the VTIMEZONE gives."""
    offset = onsets[0][1]
    for when, _before, after in onsets:
        if when <= local:
            offset = after
    return (local - offset).replace(tzinfo=UTC)


def _check(schedule: Schedule) -> Calendar:
    ics = schedule_to_ics(schedule, uid="z@kraft", summary="x", alarm_text="y")
    meetings = [m.start for m in schedule.meetings() if not m.cancelled]
    onsets = _zone_rules(ics, max(meetings).replace(tzinfo=None) + timedelta(days=1))
    for start in meetings:
        assert _as_read(start.replace(tzinfo=None), onsets) == start.astimezone(UTC), start
    calendar = Calendar.from_ical(ics)
    master = next(e for e in calendar.walk("VEVENT") if "RRULE" in e)
    if "UNTIL" in master["RRULE"]:  # the last slot, read with the file's offsets, is not past UNTIL (not dropped)
        last = max(m.original_start for m in schedule.meetings()).replace(tzinfo=None)
        assert _as_read(last, onsets) <= master["RRULE"]["UNTIL"][0].astimezone(UTC)
    return calendar


def test_every_summer_meeting_in_stockholm_lands_on_its_hour() -> None:
    course = Schedule.weekly(zone="Europe/Stockholm", first=date(2026, 2, 19), at=time(18), interval=1, count=40)
    calendar = _check(course)
    [zone] = calendar.walk("VTIMEZONE")
    parts = {sub.name: sub for sub in zone.subcomponents}
    assert set(parts) == {"STANDARD", "DAYLIGHT"} and "RDATE" not in zone.to_ical().decode()
    summer, winter = parts["DAYLIGHT"]["RRULE"], parts["STANDARD"]["RRULE"]
    assert summer["FREQ"] == ["YEARLY"] and summer["BYMONTH"] == [3] and summer["BYDAY"] == ["-1SU"]
    assert winter["FREQ"] == ["YEARLY"] and winter["BYMONTH"] == [10] and winter["BYDAY"] == ["-1SU"]
    assert "UNTIL" not in summer and "UNTIL" not in winter  # the rules go on, as Outlook and tzurl.org write
    assert parts["DAYLIGHT"]["DTSTART"].dt.time() == time(2)  # local time before the change (RFC 5545 3.6.5)
    assert parts["DAYLIGHT"]["TZOFFSETFROM"].td == timedelta(hours=1)
    assert parts["DAYLIGHT"]["TZOFFSETTO"].td == timedelta(hours=2)


def test_a_zone_without_daylight_saving_has_one_standard() -> None:
    course = Schedule.weekly(zone="Asia/Tokyo", first=date(2026, 2, 19), at=time(18), interval=1, count=40)
    [zone] = _check(course).walk("VTIMEZONE")
    [standard] = zone.subcomponents
    assert standard.name == "STANDARD" and "RRULE" not in standard and "RDATE" not in standard
    assert standard["TZOFFSETFROM"].td == standard["TZOFFSETTO"].td == timedelta(hours=9)


def test_a_zone_that_stopped_changing_ends_its_rule() -> None:
    """Brazil kept no summer time after February 2019: the rules end there, later meetings stay at -03:00."""
    course = Schedule.weekly(zone="America/Sao_Paulo", first=date(2018, 6, 5), at=time(18), interval=2,
                             count=60)
    [zone] = _check(course).walk("VTIMEZONE")
    assert all("UNTIL" in sub["RRULE"] for sub in zone.subcomponents if "RRULE" in sub)


@settings(max_examples=examples(40), deadline=None)
@given(
    zone=st.sampled_from(("Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen", "Europe/Helsinki",
                          "Europe/London", "America/New_York", "Australia/Sydney", "America/Sao_Paulo",
                          "Asia/Tokyo")),
    interval=st.sampled_from((1, 2, 3)),
    first=st.dates(min_value=date(2017, 1, 1), max_value=date(2034, 12, 31)),
    count=st.integers(min_value=1, max_value=60),
    at=st.sampled_from((time(9), time(18), time(19, 30))),
)
def test_any_course_lands_on_its_hour_when_read_by_the_rules(zone: str, interval: int, first: date, count: int,
                                                             at: time) -> None:
    _check(Schedule.weekly(zone=zone, first=first, at=at, interval=interval, count=count))
