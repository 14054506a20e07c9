"""Schedules: every second and third week, DST in Stockholm, Oslo and Copenhagen, skips, moves, cancels."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.schedule import Schedule, meeting_id, parse_clock
from app.errors import KraftError, Msg
from tests.examples import examples

NORDIC = ("Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen")


@pytest.mark.parametrize("zone", NORDIC)
@pytest.mark.parametrize("interval", [2, 3])
@pytest.mark.parametrize("first", [date(2026, 3, 5), date(2026, 10, 8)])  # across the March / October change
def test_an_1800_meeting_stays_at_1800_across_daylight_saving(zone: str, interval: int, first: date) -> None:
    schedule = Schedule.weekly(zone=zone, first=first, at=time(18), interval=interval, count=8)
    meetings = schedule.meetings()
    assert len(meetings) == 8
    assert {m.start.timetz().replace(tzinfo=None) for m in meetings} == {time(18)}
    offsets = {m.start.utcoffset() for m in meetings}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}  # the change really falls inside the course
    assert all((b.start.date() - a.start.date()).days == 7 * interval for a, b in pairwise(meetings))
    assert [m.number for m in meetings] == list(range(1, 9)) and {m.total for m in meetings} == {8}


def test_a_skipped_date_extends_the_course_and_ids_stay_the_original_starts() -> None:
    course = Schedule.weekly(zone="Europe/Stockholm", first=date(2026, 12, 3), at=time(18), count=4)
    christmas = datetime(2026, 12, 24, 18, tzinfo=ZoneInfo("Europe/Stockholm"))
    skipped = course.skip(christmas)
    starts = [m.start.date() for m in skipped.meetings()]
    assert starts == [date(2026, 12, 3), date(2026, 12, 10), date(2026, 12, 17), date(2026, 12, 31)]
    assert [m.number for m in skipped.meetings()] == [1, 2, 3, 4]
    assert meeting_id(christmas) not in {m.id for m in skipped.meetings()}


def test_moved_and_cancelled_meetings() -> None:
    tz = ZoneInfo("Europe/Oslo")
    course = Schedule.weekly(zone="Europe/Oslo", first=date(2026, 9, 1), at=time(17, 30), interval=2, count=5)
    second, third = (m.original_start for m in course.meetings()[1:3])
    changed = course.move(second, datetime(2026, 9, 17, 19, tzinfo=tz)).cancel(third)
    meetings = changed.meetings()
    moved = next(m for m in meetings if m.original_start == second)
    assert moved.moved and moved.start == datetime(2026, 9, 17, 19, tzinfo=tz) and moved.id == meeting_id(second)
    cancelled = next(m for m in meetings if m.original_start == third)
    assert cancelled.cancelled and cancelled.number is None
    assert [m.number for m in meetings if not m.cancelled] == [1, 2, 3, 4]
    assert {m.total for m in meetings} == {4}  # "meeting N of 4": the cancelled one does not happen
    # the next meeting after the first skips the cancelled one, and finds the moved one at its new time
    assert changed.next_meeting(datetime(2026, 9, 2, tzinfo=UTC)).start == moved.start
    assert changed.next_meeting(datetime(2026, 9, 18, tzinfo=UTC)).start.date() == date(2026, 10, 13)


@pytest.mark.parametrize(("text", "expected"), [("18:00", time(18)), ("18.30", time(18, 30)), (" 9:05 ", time(9, 5)),
                                                ("00:00", time(0))])
def test_a_time_is_read_as_people_write_it(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["19", "24:00", "18:60", "18:5", "1800", "18:00:00", "", "kl 18"])
def test_a_time_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_clock(text)


def test_restore_undoes_a_cancel_and_a_move() -> None:
    tz = ZoneInfo("Europe/Oslo")
    course = Schedule.weekly(zone="Europe/Oslo", first=date(2026, 9, 1), at=time(17, 30), count=3)
    second, third = (m.original_start for m in course.meetings()[1:3])
    changed = course.move(second, datetime(2026, 9, 9, 19, tzinfo=tz)).cancel(third)
    restored = changed.restore(second).restore(third)
    assert restored.meetings() == course.meetings()
    assert restored.to_dict() == course.to_dict()
    with pytest.raises(KraftError):
        course.restore(datetime(2026, 9, 2, 17, 30, tzinfo=tz))  # no meeting starts then


def test_a_meeting_going_on_is_the_next_meeting() -> None:
    course = Schedule.weekly(zone="Europe/Copenhagen", first=date(2026, 5, 5), at=time(18), count=2,
                             duration=timedelta(hours=2))
    during = datetime(2026, 5, 5, 19, tzinfo=ZoneInfo("Europe/Copenhagen"))
    assert course.next_meeting(during).start.date() == date(2026, 5, 5)
    assert course.next_meeting(datetime(2027, 1, 1, tzinfo=UTC)) is None


def test_an_end_date_and_an_open_schedule() -> None:
    year = Schedule.weekly(zone="Europe/Stockholm", first=date(2026, 1, 8), at=time(18), interval=3,
                           until=date(2026, 12, 31))
    assert len(year.meetings()) == 18 and year.meetings()[-1].start.date() <= date(2026, 12, 31)
    open_ended = Schedule.weekly(zone="Europe/Stockholm", first=date(2026, 1, 8), at=time(18))
    assert open_ended.meetings()[0].total is None and len(open_ended.meetings()) > 100


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"interval": 4}, "interval"),
    ({"count": 0}, "count"),
    ({"count": 8, "until": date(2027, 1, 1)}, "not both"),
    ({"until": date(2025, 1, 1)}, "before the first"),
    ({"zone": "Mars/Olympus"}, "unknown time zone"),
    ({"duration": timedelta(minutes=5)}, "between 15 minutes"),
])
def test_bad_schedules_are_clear_errors(kwargs: dict, fragment: str) -> None:
    args = {"zone": "Europe/Stockholm", "first": date(2026, 1, 8), "at": time(18), **kwargs}
    with pytest.raises(KraftError) as err:
        Schedule.weekly(**args)
    assert err.value.msg is Msg.SCHEDULE_INVALID and fragment in str(err.value)


def test_changing_a_meeting_that_does_not_exist_is_refused() -> None:
    course = Schedule.weekly(zone="Europe/Stockholm", first=date(2026, 1, 8), at=time(18), count=3)
    with pytest.raises(KraftError):
        course.cancel(datetime(2026, 1, 9, 18, tzinfo=ZoneInfo("Europe/Stockholm")))


@settings(max_examples=examples(150), deadline=None)
@given(
    zone=st.sampled_from((*NORDIC, "Europe/London", "America/New_York", "Australia/Sydney")),
    interval=st.sampled_from((1, 2, 3)),
    first=st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31)),
    hour=st.integers(min_value=7, max_value=21),
    minute=st.sampled_from((0, 15, 30, 45)),
    count=st.integers(min_value=1, max_value=30),
    skip_every=st.integers(min_value=0, max_value=5),
)
def test_properties_of_any_course(zone: str, interval: int, first: date, hour: int, minute: int, count: int,
                                  skip_every: int) -> None:
    course = Schedule.weekly(zone=zone, first=first, at=time(hour, minute), interval=interval, count=count)
    if skip_every:
        for meeting in course.meetings()[1::skip_every + 1]:
            course = course.skip(meeting.original_start)
    meetings = course.meetings()
    assert len(meetings) == count  # skipping never shortens a course
    assert all(m.start.hour == hour and m.start.minute == minute for m in meetings)  # local wall time kept
    assert all(m.start.weekday() == first.weekday() for m in meetings)
    days = [(m.start.date() - first).days for m in meetings]
    assert all(d % (7 * interval) == 0 for d in days) and days == sorted(set(days))
    assert len({m.id for m in meetings}) == count and [m.number for m in meetings] == list(range(1, count + 1))


def test_a_schedule_survives_storage_with_its_changes() -> None:
    import json

    tz = ZoneInfo("Europe/Copenhagen")
    course = Schedule.weekly(zone="Europe/Copenhagen", first=date(2026, 10, 1), at=time(18), interval=2, count=6)
    slots = [m.original_start for m in course.meetings()]
    course = course.skip(slots[1]).cancel(slots[2]).move(slots[3], datetime(2026, 11, 13, 17, tzinfo=tz))
    again = Schedule.from_dict(json.loads(json.dumps(course.to_dict())))
    assert again == course and again.meetings() == course.meetings()
    with pytest.raises(KraftError):
        Schedule.from_dict({"zone": "Europe/Copenhagen"})


def test_a_course_is_over_once_its_last_held_meeting_has_begun() -> None:
    """The end of a course (issue 18 point 6): not while meetings are to come, never for an open schedule; a
    cancelled last date does not count, a moved one counts where it moved to."""
    zone = ZoneInfo("Europe/Oslo")
    course = Schedule.weekly(zone="Europe/Oslo", first=date(2027, 1, 5), at=time(18), count=4)
    meetings = course.meetings()
    last = meetings[-1]
    assert course.last_meeting(last.start - timedelta(minutes=1)) is None
    assert course.last_meeting(last.start) == last
    cancelled = course.cancel(last.original_start)
    assert cancelled.last_meeting(meetings[2].start) == cancelled.meetings()[2]
    moved = course.move(last.original_start, last.start + timedelta(days=2))
    assert moved.last_meeting(last.start + timedelta(days=1)) is None
    yearly = Schedule.weekly(zone="Europe/Oslo", first=date(2027, 1, 5), at=time(18), until=date(2027, 2, 2))
    assert yearly.last_meeting(datetime(2027, 2, 2, 18, tzinfo=zone)) is not None
    open_ended = Schedule.weekly(zone="Europe/Oslo", first=date(2027, 1, 5), at=time(18))
    assert open_ended.last_meeting(datetime(2030, 1, 1, tzinfo=UTC)) is None
