from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.domain.reminders import HOMEWORK, MEETING, ReminderSettings, plan
from app.domain.schedule import Schedule

TZ = ZoneInfo("Europe/Stockholm")


def _course(at: time = time(18), count: int = 3) -> Schedule:
    return Schedule.weekly(zone="Europe/Stockholm", first=date(2026, 3, 19), at=at, interval=2, count=count)


def test_default_plan_24h_and_2h_before_each_meeting_across_dst() -> None:
    reminders = plan(_course(), now=datetime(2026, 3, 1, tzinfo=TZ), horizon=timedelta(days=60))
    assert [(r.at, r.kind) for r in reminders[:2]] == [
        (datetime(2026, 3, 18, 18, tzinfo=TZ), MEETING), (datetime(2026, 3, 19, 16, tzinfo=TZ), MEETING)]
    # the second meeting is after the March change: still 24 h and 2 h before 18:00 local
    assert {r.at.hour for r in reminders} == {18, 16} and len(reminders) == 6


def test_homework_nudge_only_when_the_prompt_is_unanswered() -> None:
    now = datetime(2026, 3, 10, tzinfo=TZ)
    kinds = [r.kind for r in plan(_course(count=1), now=now, homework_open=True)]
    assert kinds == [HOMEWORK, MEETING, MEETING]
    nudge = plan(_course(count=1), now=now, homework_open=True)[0]
    assert nudge.at == datetime(2026, 3, 17, 18, tzinfo=TZ)
    assert HOMEWORK not in [r.kind for r in plan(_course(count=1), now=now, homework_open=False)]


def test_quiet_hours_move_a_reminder_out_of_the_night() -> None:
    early = _course(at=time(8, 30), count=1)  # 2 h before is 06:30: inside 22-08
    reminders = plan(early, now=datetime(2026, 3, 10, tzinfo=TZ))
    assert [r.at.time() for r in reminders] == [time(8, 30), time(8, 0)]
    morning = _course(at=time(8, 0), count=1)  # quiet ends exactly when it starts: remind the evening before
    assert [r.at for r in plan(morning, now=datetime(2026, 3, 10, tzinfo=TZ))][-1] == \
        datetime(2026, 3, 18, 21, 59, tzinfo=TZ)
    no_quiet = ReminderSettings(quiet_start=None, quiet_end=None)
    assert plan(early, now=datetime(2026, 3, 10, tzinfo=TZ), settings=no_quiet)[-1].at.time() == time(6, 30)


def test_no_reminders_for_cancelled_or_past_meetings() -> None:
    course = _course()
    second = course.meetings()[1].original_start
    reminders = plan(course.cancel(second), now=datetime(2026, 3, 19, 17, tzinfo=TZ), horizon=timedelta(days=60))
    assert {r.meeting_start.date() for r in reminders} == {date(2026, 4, 16)}


def test_texts_are_discreet_unless_asked() -> None:
    reminder = plan(_course(count=1), now=datetime(2026, 3, 10, tzinfo=TZ))[0]
    from app import i18n

    english = i18n.language("en")
    assert reminder.text("Torsdagsgruppen", lang=english) == "You have a meeting at 6:00\u202fPM."  # its locale
    assert "Torsdagsgruppen" in reminder.text("Torsdagsgruppen", lang=english, details=True)
    assert reminder.text("Torsdagsgruppen", lang=i18n.language("sv")) == "Du har en träff klockan 18:00."


def test_the_homework_nudge_is_for_the_next_meeting_only() -> None:
    from app.domain.reminders import HOMEWORK

    course = _course(count=4)
    nudges = [r for r in plan(course, now=datetime(2026, 3, 1, tzinfo=TZ), homework_open=True,
                              horizon=timedelta(days=60)) if r.kind == HOMEWORK]
    assert [r.meeting_start.date() for r in nudges] == [date(2026, 3, 19)]  # not 2 April, 16 April, ...


def test_the_reminder_due_now_for_the_in_app_banner() -> None:
    from app.domain.reminders import due

    course = _course(count=2)
    assert due(course, now=datetime(2026, 3, 18, 17, tzinfo=TZ)) is None  # before 24 h
    day_before = due(course, now=datetime(2026, 3, 18, 18, 30, tzinfo=TZ))
    assert day_before is not None and day_before.kind == MEETING
    assert day_before.at == datetime(2026, 3, 18, 18, tzinfo=TZ)
    two_hours = due(course, now=datetime(2026, 3, 19, 16, 30, tzinfo=TZ))
    assert two_hours is not None and two_hours.at == datetime(2026, 3, 19, 16, tzinfo=TZ)
    assert due(course, now=datetime(2026, 3, 19, 18, 5, tzinfo=TZ)) is None  # the meeting has begun
    nudge = due(course, now=datetime(2026, 3, 17, 19, tzinfo=TZ), homework_open=True)
    assert nudge is not None and nudge.kind == HOMEWORK


def test_the_homework_banner_looks_back_past_the_last_meeting() -> None:
    """With a week's reminder, `due` plans from a week back, where the last meeting lies: the nudge is still
    for the coming meeting, not lost on the one that has been."""
    from app.domain.reminders import due

    weekly = Schedule.weekly(zone="Europe/Stockholm", first=date(2026, 3, 5), at=time(18), interval=1, count=4)
    settings = ReminderSettings(before=(timedelta(days=7), timedelta(hours=2)))
    nudge = due(weekly, now=datetime(2026, 3, 10, 18, 30, tzinfo=TZ), settings=settings, homework_open=True)
    assert nudge is not None and (nudge.kind, nudge.at) == (HOMEWORK, datetime(2026, 3, 10, 18, tzinfo=TZ))
    assert nudge.meeting_start == datetime(2026, 3, 12, 18, tzinfo=TZ)
    no_nudge = ReminderSettings(before=settings.before, homework_days_before=None)
    week = due(weekly, now=datetime(2026, 3, 10, 18, 30, tzinfo=TZ), settings=no_nudge, homework_open=True)
    assert week is not None and week.kind == MEETING
