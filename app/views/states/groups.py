"""Groups: the member's groups, the next meeting, meeting changes, check-ins, homework, and the reminders (the
banner and the settings) (docs/adr/0007-app-layout.md). The group and meeting shown are route parameters."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import flet as ft

from app import i18n
from app.domain.reminders import Reminder, ReminderSettings
from app.domain.schedule import Meeting, parse_clock
from app.errors import KraftError, Msg
from app.i18n import _, current
from app.services import attend, homework, notify, reminder_prefs, reminder_service
from app.services.calendar import calendar_file
from app.services.checkin import CANT_COME, Attendance
from app.services.groups import Group, GroupDetails, GroupService, NextMeeting
from app.services.notify import Notifier, NullNotifier
from app.views.routes import Route, Router
from app.views.states import guidelines
from app.views.states.forms import (
    REMINDER_FIELDS,
    clock_problems,
    homework_fields,
    schedule_from_form,
    schedule_problems,
)
from app.views.states.session import SessionState

log = logging.getLogger(__name__)


def reminder_key(reminder: Reminder) -> str:
    """A reminder's identity, so a dismissed one stays dismissed while the app runs."""
    return f"{reminder.meeting_id}/{reminder.kind}/{reminder.at.isoformat()}"


@ft.observable
@dataclass
class GroupsState:
    """Groups and reminders. `revision` is the groups' "data changed" signal (a check-in, a group added)."""

    session: SessionState
    notifier: Notifier = field(default_factory=NullNotifier)
    reminder_settings: ReminderSettings = field(default_factory=ReminderSettings)
    dismissed: frozenset[str] = frozenset()  # reminders the member closed
    revision: int = 0

    def __post_init__(self) -> None:
        self.session.hooks.started.append(self._started)
        self.session.hooks.unlocked.append(self.sync_notifications)  # open, the homework nudges are known too
        self.session.hooks.unlocked.append(lambda: guidelines.show_again(self.session))

    @property
    def router(self) -> Router:
        """The router, for the group screens' moves."""
        return self.session.router

    @property
    def groups(self) -> GroupService:
        """The context's GroupService (one per context, shared with every other service)."""
        return self.session.ctx.groups

    def changed(self) -> None:
        """The groups' "data changed" signal: screens showing groups re-render."""
        self.revision += 1

    def _started(self) -> None:
        self.reminder_settings = reminder_prefs.load(self.session.service)
        self.sync_notifications()
        if not self.session.service.has_vault():  # with a journal: after the unlock
            guidelines.show_again(self.session)

    # ---- reminders ----

    def next_meeting(self) -> NextMeeting | None:
        """The soonest coming meeting of any group, for the card on the home, unlock and journal screens."""
        return self.groups.next_meeting(datetime.now(UTC))

    def due_reminder(self) -> tuple[Reminder, str] | None:
        """The reminder to show as a banner now, with its text, unless the member closed it. The homework
        nudge needs the journal open (only it knows whether the homework has an answer)."""
        journal = self.session.service.journal if self.session.unlocked else None
        lang = i18n.current()
        found = [(r, reminder_service.text(g, r, self.reminder_settings, lang=lang)) for g, r in reminder_service.due(
            self.groups, self.reminder_settings, now=datetime.now(UTC), journal=journal)
            if reminder_key(r) not in self.dismissed]
        return max(found, key=lambda pair: pair[0].at, default=None)

    def set_reminder_settings(self, **changes: Any) -> None:
        """Change the reminder settings; saved at once, or a clear error and nothing changed."""
        try:
            self.reminder_settings = reminder_prefs.save(self.session.service,
                                                         replace(self.reminder_settings, **changes))
        except KraftError as exc:
            self.session.fail({REMINDER_FIELDS.get(exc.msg, ""): str(exc)})
            return
        self.session.clear_errors()
        self.sync_notifications()

    def set_quiet_hours(self, start: str, end: str) -> None:
        """Set the quiet hours from the form's text (22:00 and 08:00), or a clear error."""
        try:
            quiet = parse_clock(start), parse_clock(end)
        except ValueError:
            self.session.fail(clock_problems(quiet_start=start, quiet_end=end))
            return
        self.set_reminder_settings(quiet_start=quiet[0], quiet_end=quiet[1])
        if not self.session.error and not self.session.field_errors:
            self.session.notice = _("Saved")

    def sync_notifications(self) -> None:
        """Hand the coming reminders to the platform (nothing happens where it has no notifications)."""
        try:
            journal = self.session.service.journal if self.session.unlocked else None
            notify.sync(self.notifier, self.groups, self.reminder_settings, now=datetime.now(UTC), journal=journal,
                        lang=i18n.current())
        except Exception:  # a platform failing to schedule must never break the app; the banner still works
            log.exception("could not hand the reminders to the platform")

    def dismiss_reminder(self, reminder: Reminder) -> None:
        """Close the banner of this reminder for the rest of the session."""
        self.dismissed = self.dismissed | {reminder_key(reminder)}

    # ---- groups ----

    def add_group(self, *, label: str, first: str, at: str, every: int, count: str, zone: str = "",
                  theme: str = "", place: str = "", link: str = "", show_place: bool = False) -> None:
        """Add a group from the form's text; bad input is a clear error and nothing is stored."""
        schedule = schedule_from_form(self.session, first=first, at=at, every=every, count=count, zone=zone,
                                      label=label)
        if schedule is None:
            return
        details = GroupDetails(theme=theme.strip(), place=place.strip(), link=link.strip(),
                               show_place=show_place and bool(place.strip()))
        try:
            group = self.groups.add(label, schedule, details if details.any_given() else None)
        except KraftError as exc:
            self.session.fail({"group-label" if exc.msg is Msg.GROUP_LABEL_INVALID else "": str(exc)})
            return
        self.changed()
        self.sync_notifications()
        guidelines.shown(self.session, group.id)

    def current_group(self) -> Group | None:
        """The group the group screens show (None once it is removed)."""
        group_id = self.router.param("group" if self.router.route is Route.MEETING else "id")
        try:
            return self.groups.get(group_id) if group_id else None
        except KraftError:
            return None

    def group_details(self, group: Group) -> GroupDetails | None:
        """Theme, place and link when the journal is open; None when locked, anonymous, or damaged."""
        return self.groups.readable_details(group.id)

    def meeting_theme(self, group: Group, meeting: Meeting) -> str:
        """The theme a host set for `meeting` (issue 18), in the member's language; "" when none or unreadable."""
        _revision = self.revision
        try:
            return self.session.ctx.themes.meeting_theme(group.id, meeting.id, current())[0]
        except KraftError:
            return ""

    def shares_schedule(self, group: Group) -> bool:
        """Whether a change of this group's meetings goes to the whole group (its leader, journal open), or
        stays the member's own copy on this device (LeaderService.shares_schedule decides)."""
        return self.session.ctx.leader.shares_schedule(group.id)

    def change_meeting(self, change: str, *, day: str = "", at: str = "") -> None:
        """Move, cancel or restore the meeting shown: the member's own copy of the schedule, or, for the group's
        leader, the group's (sent to every member)."""
        group = self.current_group()
        meeting_id = self.router.param("id")
        if group is None or meeting_id is None:
            self.router.navigate(self.session.home_screen())
            return
        try:
            meeting = group.meeting(meeting_id)
            if change == "move":
                try:
                    new_start = datetime.combine(date.fromisoformat(day.strip()), parse_clock(at),
                                                 tzinfo=group.schedule.tz)
                except ValueError:
                    problems = schedule_problems(first=day, at=at, count="")
                    self.session.fail({f"move-{'day' if k == 'first' else k}": v for k, v in problems.items()})
                    return
                schedule = group.schedule.move(meeting.original_start, new_start)
                note = _("Moved the meeting on {old} to {new}.").format(
                    old=i18n.format_when(meeting.start, own_zone=True), new=i18n.format_when(new_start, own_zone=True))
                shared = _("The group will see the new time.")
            elif change == "cancel":
                schedule = group.schedule.cancel(meeting.original_start)
                note = _("Cancelled the meeting on {when}.").format(when=i18n.format_when(meeting.start, own_zone=True))
                shared = _("The group will see that it is called off.")
            else:
                schedule = group.schedule.restore(meeting.original_start)
                note = _("The meeting is back at {when}.").format(
                    when=i18n.format_when(meeting.original_start, own_zone=True))
                shared = _("The group will see the new time.")
            self.groups.update_schedule(group.id, schedule)
            moved = meeting.id if change != "cancel" else None  # its start changed: "can't come" is asked again
            told = self.session.ctx.leader.schedule_changed(group.id, moved=moved, now=datetime.now(UTC))
        except KraftError as exc:
            self.session.error = str(exc)
            return
        self.changed()
        self.sync_notifications()
        self.router.navigate(Route.GROUP, id=group.id)
        if told:
            self.session.hooks.queue(group.id, f"{note} {shared}")  # sent now, its state beside it
        else:
            self.session.notice = note

    def remove_group(self) -> None:
        """Remove the group shown from this app, then back to Settings (or where a locked app starts)."""
        group = self.current_group()
        if group is not None:
            self.groups.remove(group.id)
            self.changed()
            self.sync_notifications()
        self.router.navigate(Route.SETTINGS if self.session.unlocked else self.session.home_screen())
        self.session.notice = _("The group is removed from this app.") if group else ""

    def calendar_file(self, group: Group) -> tuple[str, bytes]:
        """The .ics file, with the member's own reminder times as its alarms."""
        return calendar_file(group, alarms=self.reminder_settings.before)

    # ---- check-ins and homework ----

    def checkin_status(self, group: Group, meeting_id: str) -> str | None:
        """The member's check-in for one meeting, or None while a journal is locked."""
        return self.session.ctx.checkins.status(group, meeting_id) if self.session.can_check_in() else None

    def asked_again(self, group: Group, meeting: Meeting) -> bool:
        """The member said "I can't come" for the meeting's old time and it moved since: ask again."""
        return self.session.can_check_in() and self.session.ctx.checkins.asked_again(group, meeting)

    def attendance(self, group: Group) -> Attendance | None:
        """The member's own attendance in a group, or None while a journal is locked."""
        if not self.session.can_check_in():
            return None
        return self.session.ctx.checkins.history(group, now=datetime.now(UTC))

    def check_in(self, group: Group, meeting_id: str, status: str | None) -> None:
        """Say "I was there" / "I can't come" (status), or take it back (None)."""
        try:
            said = attend.check_in(self.session.ctx, group, meeting_id, status, now=datetime.now(UTC))
            note = (_("Noted: you can come.") if said.status is None and said.was == CANT_COME
                    else _("Taken back.") if said.status is None
                    else _("Noted. Your group leader will be told.") if said.told
                    else _("Noted. If you can, tell the others too.") if said.cant_come
                    else _("Checked in. Good to have you there."))
        except KraftError as exc:
            self.session.error = str(exc)
            return
        self.changed()
        if said.told:
            self.session.hooks.queue(group.id, note)  # sent now, its state beside it
        else:
            self.session.notice = note
            self.session.hooks.queue(group.id)  # a "can't come" taken back may be news for the group too

    def _change_group(self, work: Any, note: str, fields: dict[Msg, str] | None = None) -> None:
        """Run a change to a group's sealed details; say so, re-render and re-plan, or show the error (at the
        field `fields` names for it)."""
        try:
            work()
        except KraftError as exc:
            self.session.fail({(fields or {}).get(exc.msg, ""): str(exc)})
            return
        self.session.clear_errors()
        self.session.notice = note
        self.changed()
        self.sync_notifications()

    def set_group_details(self, group: Group, note: str = "", **changes: Any) -> None:
        """Change sealed details of a group (whether the card shows the place)."""
        self._change_group(lambda: self.groups.update_details(group.id, **changes), note)

    def set_homework(self, group: Group, choice: str, text: str) -> None:
        """Note the homework for the next meeting: a library prompt (`choice`), or the group's own words."""
        self._change_group(lambda: homework.note_homework(self.session.ctx, group, choice, text,
                                                          now=datetime.now(UTC)),
                           _("The homework is noted."), homework_fields("homework", choice))

    def clear_homework(self, group: Group) -> None:
        """Clear the noted homework (it is done)."""
        self._change_group(lambda: homework.clear_homework(self.session.ctx, group), _("Cleared."))
