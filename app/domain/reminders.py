"""The reminder plan: what to remind a member of, and when, computed from a schedule and their settings.

Pure: the same plan feeds the in-app banner, the ICS alarms and (in mobile builds) native notifications.
Texts are discreet by default: "a meeting at 18:00", never the group's label, theme or a prompt, unless the
member asks for details (a lock screen can be read by anyone holding the phone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from app.domain.schedule import Schedule
from app.i18n import N_, Language

MEETING = "meeting"
HOMEWORK = "homework"


@dataclass(frozen=True)
class ReminderSettings:
    """What the member chose (kept as a device preference by app.services.reminder_prefs, which validates)."""

    before: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=2))
    homework_days_before: int | None = 2  # None: no homework nudge
    quiet_start: time | None = time(22, 0)  # no reminder between quiet_start and quiet_end (local time)
    quiet_end: time | None = time(8, 0)
    show_details: bool = False  # the group's label in the text (off: discreet)


@dataclass(frozen=True)
class Reminder:
    at: datetime  # aware, in the schedule's zone
    kind: str  # MEETING | HOMEWORK
    meeting_id: str
    meeting_start: datetime

    def text(self, label: str = "", *, lang: Language, details: bool = False) -> str:
        """What the reminder says in `lang`: discreet (a time, no group) unless `details` and a `label`.

        >>> reminder.text("Torsdagsgruppen", lang=language("sv"))
        'Du har en träff klockan 18:00.'
        """
        when = lang.format_clock(self.meeting_start)
        if self.kind == HOMEWORK:
            if details and label:
                return lang.gettext(_HOMEWORK_DETAILED).format(label=label)
            return lang.gettext(_HOMEWORK)
        if details and label:
            return lang.gettext(_MEETING_DETAILED).format(label=label, time=when)
        return lang.gettext(_MEETING).format(time=when)


_MEETING = N_("You have a meeting at {time}.")
_MEETING_DETAILED = N_("{label}: meeting at {time}.")
_HOMEWORK = N_("There is something to think about before your next meeting.")
_HOMEWORK_DETAILED = N_("{label}: the homework is waiting for your answer.")


def _in_quiet(moment: datetime, settings: ReminderSettings) -> bool:
    start, end = settings.quiet_start, settings.quiet_end
    if start is None or end is None or start == end:
        return False
    clock = moment.timetz().replace(tzinfo=None)
    return start <= clock or clock < end if start > end else start <= clock < end


def _out_of_quiet(moment: datetime, meeting_start: datetime, settings: ReminderSettings) -> datetime:
    """A moment in quiet hours moves to their end if that is still before the meeting, else to their start."""
    if not _in_quiet(moment, settings):
        return moment
    assert settings.quiet_start is not None and settings.quiet_end is not None
    day = moment.date() if moment.timetz().replace(tzinfo=None) < settings.quiet_end else moment.date() + timedelta(1)
    end = datetime.combine(day, settings.quiet_end, tzinfo=moment.tzinfo)
    if end < meeting_start:
        return end
    start_day = day - timedelta(days=1) if settings.quiet_start > settings.quiet_end else day
    return datetime.combine(start_day, settings.quiet_start, tzinfo=moment.tzinfo) - timedelta(minutes=1)


def plan(schedule: Schedule, *, now: datetime, settings: ReminderSettings = ReminderSettings(),
         homework_open: bool = False, horizon: timedelta = timedelta(days=30),
         nudge_after: datetime | None = None) -> list[Reminder]:
    """Reminders due after `now` for meetings in the next `horizon`, in time order (cancelled: none).

    The homework nudge (when `homework_open`) is for the first meeting that begins after `nudge_after`
    (default `now`): the homework is for the next meeting only.
    """
    out = []
    nudge_after = now if nudge_after is None else nudge_after
    nudge = homework_open and settings.homework_days_before is not None
    for meeting in schedule.meetings(until=now + horizon):
        if meeting.cancelled or meeting.start <= now:
            continue
        moments = [(meeting.start - before, MEETING) for before in settings.before]
        if nudge and meeting.start > nudge_after:
            nudge = False
            nudge_day = meeting.start.date() - timedelta(days=settings.homework_days_before or 0)
            moments.append((datetime.combine(nudge_day, time(18), tzinfo=meeting.start.tzinfo), HOMEWORK))
        for at, kind in moments:
            at = _out_of_quiet(at, meeting.start, settings)
            if now < at < meeting.start:
                out.append(Reminder(at=at, kind=kind, meeting_id=meeting.id, meeting_start=meeting.start))
    return sorted(set(out), key=lambda r: (r.at, r.kind))


def due(schedule: Schedule, *, now: datetime, settings: ReminderSettings = ReminderSettings(),
        homework_open: bool = False) -> Reminder | None:
    """The reminder to show in the app now: the latest one whose time has come, for a meeting not yet begun."""
    longest = max((*settings.before, timedelta(days=(settings.homework_days_before or 0) + 1)))
    window = plan(schedule, now=now - longest, settings=settings, homework_open=homework_open,
                  horizon=2 * longest + timedelta(days=1), nudge_after=now)
    shown = [r for r in window if r.at <= now < r.meeting_start]
    return shown[-1] if shown else None
