"""The ICS export, parsed back with icalendar and expanded with recurring-ical-events, equals the app's plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from app.domain.ics import schedule_to_ics
from app.domain.schedule import Schedule
from tests.examples import examples


def _expand(ics: bytes, schedule: Schedule) -> list[datetime]:
    calendar = Calendar.from_ical(ics)
    start = schedule.first_start - timedelta(days=1)
    end = max(m.start for m in schedule.meetings()) + timedelta(days=30)
    events = recurring_ical_events.of(calendar).between(start, end)
    return sorted(e["DTSTART"].dt for e in events)


def _happening(schedule: Schedule) -> list[datetime]:
    return sorted(m.start for m in schedule.meetings() if not m.cancelled)


def _course() -> Schedule:
    tz = ZoneInfo("Europe/Stockholm")
    course = Schedule.weekly(zone="Europe/Stockholm", first=date(2026, 2, 19), at=time(18), interval=2, count=8)
    slots = [m.original_start for m in course.meetings()]
    return (course.skip(slots[2]).cancel(slots[4])
            .move(slots[5], datetime.combine(slots[5].date() + timedelta(days=1), time(19), tzinfo=tz)))


def test_the_export_expands_to_exactly_the_meetings_that_happen() -> None:
    course = _course()
    ics = schedule_to_ics(course, uid="g1@kraft", summary="Torsdag", alarm_text="Snart träff")
    assert _expand(ics, course) == _happening(course)
    assert len(_happening(course)) == 7  # 8 in the course, one cancelled; the skipped date moved the end


def test_the_export_has_the_zone_alarms_and_a_stable_uid() -> None:
    course = _course()
    ics = schedule_to_ics(course, uid="g1@kraft", summary="Torsdag", alarm_text="Snart träff",
                          now=datetime(2026, 1, 1, tzinfo=UTC))
    calendar = Calendar.from_ical(ics)
    zones = [c for c in calendar.walk("VTIMEZONE")]
    assert [str(z["TZID"]) for z in zones] == ["Europe/Stockholm"]
    events = calendar.walk("VEVENT")
    assert {str(e["UID"]) for e in events} == {"g1@kraft"}
    master = next(e for e in events if "RRULE" in e)
    assert master["RRULE"]["FREQ"] == ["WEEKLY"] and master["RRULE"]["INTERVAL"] == [2]
    assert "COUNT" not in master["RRULE"] and "UNTIL" in master["RRULE"]
    triggers = sorted(a["TRIGGER"].dt for a in master.walk("VALARM"))
    assert triggers == [-timedelta(hours=24), -timedelta(hours=2)]
    assert b"Snart tr" in ics and b"RECURRENCE-ID" in ics and b"EXDATE" in ics
    # same input, same file: importing twice updates instead of doubling
    assert ics == schedule_to_ics(course, uid="g1@kraft", summary="Torsdag", alarm_text="Snart träff",
                                  now=datetime(2026, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize("until", [date(2026, 12, 31), None])
def test_year_long_and_open_schedules(until: date | None) -> None:
    schedule = Schedule.weekly(zone="Europe/Oslo", first=date(2026, 1, 6), at=time(17, 30), interval=3,
                               until=until)
    ics = schedule_to_ics(schedule, uid="g2@kraft", summary="Møte", alarm_text="Snart møte")
    expanded = _expand(ics, schedule)
    if until is None:
        assert b"UNTIL" not in ics
        expanded = [d for d in expanded if d <= max(_happening(schedule))]
    assert expanded == _happening(schedule)


@settings(max_examples=examples(40), deadline=None)
@given(
    zone=st.sampled_from(("Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen")),
    interval=st.sampled_from((1, 2, 3)),
    first=st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
    count=st.integers(min_value=2, max_value=14),
    changes=st.lists(st.tuples(st.sampled_from(("skip", "cancel", "move")), st.integers(0, 13)), max_size=4),
)
def test_any_course_round_trips(zone: str, interval: int, first: date, count: int,
                                changes: list[tuple[str, int]]) -> None:
    schedule = Schedule.weekly(zone=zone, first=first, at=time(18), interval=interval, count=count)
    for action, index in changes:
        slots = [m.original_start for m in schedule.meetings()
                 if m.original_start not in schedule.cancelled and m.original_start not in schedule.moved]
        if not slots:
            break
        slot = slots[index % len(slots)]
        if action == "skip":
            schedule = schedule.skip(slot)
        elif action == "cancel":
            schedule = schedule.cancel(slot)
        else:
            schedule = schedule.move(slot, slot + timedelta(days=1, hours=1))
    ics = schedule_to_ics(schedule, uid="p@kraft", summary="x", alarm_text="y")
    assert _expand(ics, schedule) == _happening(schedule)
