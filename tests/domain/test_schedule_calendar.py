"""A schedule refuses dates no zone can show: 0001-01-01 moved into Stockholm overflowed every later view."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from app.domain.schedule import Schedule
from app.errors import KraftError, Msg


@pytest.mark.parametrize(("first", "until"), [(date(9999, 12, 31), None), (date(1, 1, 1), None),
                                              (date(2030, 1, 7), date(9999, 12, 31)), (date(1899, 12, 31), None)])
def test_a_weekly_schedule_off_the_calendar_is_refused(first: date, until: date | None) -> None:
    with pytest.raises(KraftError) as refused:
        Schedule.weekly(zone="Europe/Stockholm", first=first, at=time(18), count=None if until else 3, until=until)
    assert refused.value.msg is Msg.SCHEDULE_INVALID and "1900 and 2199" in str(refused.value)


@pytest.mark.parametrize("to", [datetime(1, 1, 1, tzinfo=ZoneInfo("Europe/Stockholm")),
                                datetime(9999, 12, 31, 23, 59, tzinfo=UTC)])
def test_a_move_off_the_calendar_is_refused(to: datetime) -> None:
    schedule = Schedule.weekly(zone="Europe/Stockholm", first=date(2030, 1, 7), at=time(18), count=3)
    meeting = next(iter(schedule.meetings()))
    with pytest.raises(KraftError) as refused:
        schedule.move(meeting.original_start, to)
    assert refused.value.msg is Msg.SCHEDULE_INVALID
