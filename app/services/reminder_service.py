"""Reminders across every group: what is due now (the in-app banner) and what is coming (notifications).

Both the banner and native notifications (app.services.notify) use this module, so they say the same thing.

Homework nudges only while the journal is open: whether the homework has an answer is known only from the
journal, and the homework itself is sealed in the vault. For a locked journal, or a member without one, pass
`journal=None`: only meeting reminders are planned. The group's label appears in a text only when the
member asked for detailed reminders (`ReminderSettings.show_details`); theme, place and prompt never do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from app.domain import reminders
from app.domain.reminders import Reminder, ReminderSettings
from app.domain.schedule import Meeting
from app.i18n import Language, resolve
from app.services.groups import Group, GroupDetails, GroupService
from app.services.journal import Journal

GroupReminder = tuple[Group, Reminder]


def homework_meeting(group: Group, details: GroupDetails, *, now: datetime) -> Meeting | None:
    """The meeting the noted homework is for: the first (not cancelled) to begin after it was noted."""
    after = details.homework_set or now
    return next((m for m in group.schedule.meetings() if not m.cancelled and m.start > after), None)


def answered(journal: Journal, details: GroupDetails) -> bool:
    """A live entry answers the homework: same library prompt, or the same words; written since it was noted."""
    since = details.homework_set
    if details.homework_prompt_id:
        candidates = journal.answers_to(details.homework_prompt_id)
    else:
        words = details.homework_text
        candidates = [e for e in journal.live_entries() if " ".join((e.prompt_text or "").split()) == words]
    return any(since is None or entry.created >= since for entry in candidates)


def homework_open(groups: GroupService, journal: Journal | None, group: Group, *, now: datetime) -> bool:
    """True when the member noted homework for `group`, the meeting it is for has not begun, and no live
    journal entry written since it was noted answers it. False whenever the journal is not open (None)."""
    if journal is None:
        return False
    details = groups.readable_details(group.id)
    if details is None or not details.has_homework:
        return False
    meeting = homework_meeting(group, details, now=now)
    return meeting is not None and now < meeting.start and not answered(journal, details)


def _homework_for(groups: GroupService, journal: Journal | None, settings: ReminderSettings,
                  now: datetime) -> Callable[[Group], bool]:
    if journal is None or settings.homework_days_before is None:
        return lambda group: False  # nothing to nudge: spare the decryption and the journal scan
    return lambda group: homework_open(groups, journal, group, now=now)


def _in_order(pairs: list[GroupReminder]) -> list[GroupReminder]:
    return sorted(pairs, key=lambda pair: (pair[1].at, pair[1].kind, pair[0].label))


def due(groups: GroupService, settings: ReminderSettings, *, now: datetime,
        journal: Journal | None = None) -> list[GroupReminder]:
    """For the in-app banner: per group, the latest reminder whose time has come for a meeting not yet
    begun (at most one per group), oldest first. `journal`: the open journal, for homework nudges."""
    open_for = _homework_for(groups, journal, settings, now)
    found = [(group, reminder) for group in groups.list()
             if (reminder := reminders.due(group.schedule, now=now, settings=settings,
                                           homework_open=open_for(group))) is not None]
    return _in_order(found)


def upcoming(groups: GroupService, settings: ReminderSettings, *, now: datetime, journal: Journal | None = None,
             horizon: timedelta = timedelta(days=14)) -> list[GroupReminder]:
    """Every reminder after `now` for meetings within `horizon`, across groups, in time order (for
    notifications). Quiet hours are already applied; cancelled meetings have none."""
    open_for = _homework_for(groups, journal, settings, now)
    return _in_order([(group, reminder) for group in groups.list()
                      for reminder in reminders.plan(group.schedule, now=now, settings=settings, horizon=horizon,
                                                     homework_open=open_for(group))])


def text(group: Group, reminder: Reminder, settings: ReminderSettings, *, lang: Language | None = None) -> str:
    """What the reminder says in `lang` (default: the caller's context's language): discreet (a time, no
    group) unless the member asked for details."""
    return reminder.text(group.label, lang=resolve(lang), details=settings.show_details)
