"""Reminders across every group: what is due now (the in-app banner) and what is coming (notifications).

The homework nudge needs to know whether the homework has an answer, which only the open journal can tell;
while it is locked, or for a member without one, only meeting reminders are planned. The group's theme,
place or label appear in a text only when the member has asked for detailed reminders.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app import reminders
from app.reminders import Reminder, ReminderSettings
from app.services.groups import Group, GroupService
from app.services.journal import Journal


def homework_open(groups: GroupService, journal: Journal | None, group: Group, *, now: datetime) -> bool:
    """The member noted homework for the group and has not answered it since (needs the journal open)."""
    if journal is None:
        return False
    details = groups.readable_details(group.id)
    if details is None or not details.has_homework:
        return False
    since = details.homework_set
    coming = group.schedule.next_meeting(now)
    if coming is None or coming.start <= now or (since is not None and coming.start <= since):
        return False
    for entry in journal.live_entries():
        if since is not None and entry.created < since:
            continue
        if details.homework_prompt_id and entry.prompt_id == details.homework_prompt_id:
            return False
        if details.homework_text and entry.prompt_text == details.homework_text:
            return False
    return True


def _in_order(pairs: list[tuple[Group, Reminder]]) -> list[tuple[Group, Reminder]]:
    return sorted(pairs, key=lambda pair: (pair[1].at, pair[1].kind))


def due(groups: GroupService, settings: ReminderSettings, *, now: datetime,
        journal: Journal | None = None) -> list[tuple[Group, Reminder]]:
    """The reminder whose time has come for each group (at most one per group), oldest first."""
    found = []
    for group in groups.list():
        reminder = reminders.due(group.schedule, now=now, settings=settings,
                                 homework_open=homework_open(groups, journal, group, now=now))
        if reminder is not None:
            found.append((group, reminder))
    return _in_order(found)


def upcoming(groups: GroupService, settings: ReminderSettings, *, now: datetime, journal: Journal | None = None,
             horizon: timedelta = timedelta(days=14)) -> list[tuple[Group, Reminder]]:
    """Every reminder still to come within `horizon`, across groups, in time order."""
    return _in_order([(group, reminder) for group in groups.list()
                      for reminder in reminders.plan(group.schedule, now=now, settings=settings, horizon=horizon,
                                                     homework_open=homework_open(groups, journal, group, now=now))])


def text(group: Group, reminder: Reminder, settings: ReminderSettings) -> str:
    """What the reminder says: discreet (a time, no group) unless the member asked for details."""
    return reminder.text(group.label, details=settings.show_details)
