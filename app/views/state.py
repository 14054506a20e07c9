"""The UI's state and intents. Screens read it and call its methods; it calls the services.

Slow work (Argon2id, decrypting a journal) runs in a worker thread so the UI keeps answering.
"""

from __future__ import annotations

import asyncio
import logging
import time as clock_time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import flet as ft

from app import i18n
from app.config import CrisisLine, Profile
from app.domain.journal import Draft, Entry
from app.domain.reminders import Reminder, ReminderSettings
from app.domain.schedule import Schedule, parse_clock
from app.errors import KraftError
from app.i18n import _, ngettext
from app.services import backup, notify, reminder_prefs, reminder_service, transfer
from app.services.calendar import calendar_file
from app.services.checkin import CANT_COME, Attendance, CheckInService
from app.services.checkin_news import CheckInNews
from app.services.coordinator_view import CoordinatorView, Overview
from app.services.groups import Group, GroupDetails, GroupService, NextMeeting
from app.services.idle import IdleTimer
from app.services.joining import InvitePreview
from app.services.journal import NEW_DRAFT, Journal
from app.services.notify import Notifier, NullNotifier
from app.services.vault_service import PASSPHRASE, RECOVERY, PendingSetup, VaultService
from app.views.relay_state import RelayIntents
from app.views.routes import Route, guard, unknown

log = logging.getLogger(__name__)


def reminder_key(reminder: Reminder) -> str:
    return f"{reminder.meeting_id}/{reminder.kind}/{reminder.at.isoformat()}"


ZONE_FOR_LANGUAGE = {"sv": "Europe/Stockholm", "nb": "Europe/Oslo", "da": "Europe/Copenhagen"}
UNDO_SECONDS = 10


@dataclass(frozen=True)
class EditorState:
    """What the editor shows; autosaved as an encrypted draft while dirty."""

    key: str = NEW_DRAFT  # NEW_DRAFT or the id of the entry being edited
    text: str = ""
    prompt_id: str | None = None
    prompt_text: str | None = None
    tags: tuple[str, ...] = ()
    theme: str | None = None
    dirty: bool = False
    saved_note: str = ""


@ft.observable
@dataclass
class AppState(RelayIntents):
    service: VaultService
    profile: Profile
    screen: Route = Route.WELCOME
    busy: str = ""  # what the app is doing right now, shown beside a progress ring
    error: str = ""
    notice: str = ""
    pending: PendingSetup | None = None
    entry_id: str | None = None  # the entry shown or the prompt history's anchor
    history_prompt: str | None = None
    limit: int = 50
    query: str = ""
    undo_id: str | None = None
    undo_until: float = 0.0  # clock_time.monotonic() when the undo window ends
    editor: EditorState = field(default_factory=EditorState)
    revision: int = 0  # bumped after every journal change, so screens re-read it
    language: str = "en"
    idle: IdleTimer = field(default_factory=lambda: IdleTimer(5))
    lock_epoch: int = 0  # bumped by every lock, so an unlock that finishes after one is not shown
    back_to: Route = Route.WELCOME  # where "Need help now?" returns to
    dismissed: frozenset[str] = frozenset()  # reminders the member closed
    minute: int = 0  # the clock, per minute: banners and countdowns re-render as it moves
    reminder_settings: ReminderSettings = field(default_factory=ReminderSettings)
    notifier: Notifier = field(default_factory=NullNotifier)
    import_lines: tuple[str, ...] = ()  # what the last import did, shown under the import button
    group_id: str | None = None  # the group shown
    meeting_id: str | None = None  # the meeting being changed
    invite_preview: InvitePreview | None = None  # an invite checked and shown before joining
    invite_text: str = ""  # an invite link the app was opened with, to fill in on the join screen
    coordinator: CoordinatorView | None = None  # relay and bearer token, in memory only
    coordinator_overview: Overview | None = None
    sync_problem: str = ""  # why the last sync with the relay did not get through (shown on the group screen)

    # ---- helpers ----

    @property
    def journal(self) -> Journal:
        return self.service.require_journal()

    @property
    def unlocked(self) -> bool:
        return self.service.is_unlocked

    @property
    def groups(self) -> GroupService:
        return GroupService(self.service.engine, self.service.vault)

    def next_meeting(self) -> NextMeeting | None:
        return self.groups.next_meeting(datetime.now(UTC))

    def due_reminder(self) -> tuple[Reminder, str] | None:
        """The reminder to show as a banner now, with its text, unless the member closed it. The homework
        nudge needs the journal open (only it knows whether the homework has an answer)."""
        journal = self.service.journal if self.unlocked else None
        found = [(r, reminder_service.text(g, r, self.reminder_settings)) for g, r in reminder_service.due(
            self.groups, self.reminder_settings, now=datetime.now(UTC), journal=journal)
            if reminder_key(r) not in self.dismissed]
        return max(found, key=lambda pair: pair[0].at, default=None)

    def set_reminder_settings(self, **changes: Any) -> None:
        """Change the reminder settings; saved at once, or a clear error and nothing changed."""
        try:
            self.reminder_settings = reminder_prefs.save(self.service, replace(self.reminder_settings, **changes))
        except KraftError as exc:
            self.error = str(exc)
            return
        self.error = ""
        self.sync_notifications()

    def set_quiet_hours(self, start: str, end: str) -> None:
        try:
            quiet = parse_clock(start), parse_clock(end)
        except ValueError:
            self.error = _("Write the times as 22:00 and 08:00.")
            return
        self.set_reminder_settings(quiet_start=quiet[0], quiet_end=quiet[1])
        if not self.error:
            self.notice = _("Saved")

    def sync_notifications(self) -> None:
        """Hand the coming reminders to the platform (nothing happens where it has no notifications)."""
        try:
            journal = self.service.journal if self.unlocked else None
            notify.sync(self.notifier, self.groups, self.reminder_settings, now=datetime.now(UTC), journal=journal)
        except Exception:  # a platform failing to schedule must never break the app; the banner still works
            log.exception("could not hand the reminders to the platform")

    def dismiss_reminder(self, reminder: Reminder) -> None:
        self.dismissed = self.dismissed | {reminder_key(reminder)}

    def home_screen(self) -> Route:
        """Where a locked app starts: unlock when there is a journal, the meeting for an anonymous member."""
        if self.service.has_vault():
            return Route.UNLOCK
        return Route.HOME if self.groups.list() else Route.WELCOME

    def show_help(self) -> None:
        self.go(Route.HELP, back_to=self.screen if self.screen != Route.HELP else self.back_to)

    def _schedule_from_form(self, *, first: str, at: str, every: int, count: str, zone: str = "") -> Schedule | None:
        """A schedule from the form's text, or None with a clear error shown."""
        try:
            day = date.fromisoformat(first.strip())
            clock = parse_clock(at)
        except ValueError:
            self.error = _("Write the date as 2026-12-03 and the time as 18:00.")
            return None
        try:
            return Schedule.weekly(zone=zone or self.default_zone(), first=day, at=clock, interval=every,
                                   count=int(count) if count.strip() else None)
        except ValueError:
            self.error = _("The number of meetings must be a whole number.")
        except KraftError as exc:
            self.error = str(exc)
        return None

    def add_group(self, *, label: str, first: str, at: str, every: int, count: str, zone: str = "",
                  theme: str = "", place: str = "", link: str = "", show_place: bool = False) -> None:
        """Add a group from the form's text; bad input is a clear error and nothing is stored."""
        schedule = self._schedule_from_form(first=first, at=at, every=every, count=count, zone=zone)
        if schedule is None:
            return
        details = GroupDetails(theme=theme.strip(), place=place.strip(), link=link.strip(),
                               show_place=show_place and bool(place.strip()))
        try:
            group = self.groups.add(label, schedule, details if details.any_given() else None)
        except KraftError as exc:
            self.error = str(exc)
            return
        self.changed()
        self.sync_notifications()
        self.go(Route.GUIDELINES, group_id=group.id)

    def default_zone(self) -> str:
        return ZONE_FOR_LANGUAGE.get(self.language, "Europe/Stockholm")

    def current_group(self) -> Group | None:
        """The group the group screens show (None once it is removed)."""
        try:
            return self.groups.get(self.group_id) if self.group_id else None
        except KraftError:
            return None

    def group_details(self, group: Group) -> GroupDetails | None:
        """Theme, place and link when the journal is open; None when locked, anonymous, or damaged."""
        return self.groups.readable_details(group.id)

    def change_meeting(self, change: str, *, day: str = "", at: str = "") -> None:
        """Move, cancel or restore the meeting being changed, in the member's own copy of the schedule."""
        group = self.current_group()
        if group is None or self.meeting_id is None:
            self.go(self.home_screen())
            return
        try:
            meeting = group.meeting(self.meeting_id)
            if change == "move":
                try:
                    new_start = datetime.combine(date.fromisoformat(day.strip()), parse_clock(at),
                                                 tzinfo=group.schedule.tz)
                except ValueError:
                    self.error = _("Write the date as 2026-12-03 and the time as 18:00.")
                    return
                schedule = group.schedule.move(meeting.original_start, new_start)
                note = _("Moved the meeting on {old} to {new}.").format(
                    old=i18n.format_when(meeting.start, own_zone=True), new=i18n.format_when(new_start, own_zone=True))
            elif change == "cancel":
                schedule = group.schedule.cancel(meeting.original_start)
                note = _("Cancelled the meeting on {when}.").format(when=i18n.format_when(meeting.start, own_zone=True))
            else:
                schedule = group.schedule.restore(meeting.original_start)
                note = _("The meeting is back at {when}.").format(
                    when=i18n.format_when(meeting.original_start, own_zone=True))
            changed = self.groups.update_schedule(group.id, schedule)
            self.after_schedule_change(changed)
        except KraftError as exc:
            self.error = str(exc)
            return
        self.changed()
        self.sync_notifications()
        self.go(Route.GROUP, notice=note)

    # ---- check-ins ----

    @property
    def checkins(self) -> CheckInService:
        return CheckInService(self.service.engine, self.service.vault)

    def can_check_in(self) -> bool:
        """Anonymous members always; with a journal only while it is open (check-ins are sealed in it)."""
        return self.unlocked or not self.service.has_vault()

    def checkin_status(self, group: Group, meeting_id: str) -> str | None:
        return self.checkins.status(group, meeting_id) if self.can_check_in() else None

    def attendance(self, group: Group) -> Attendance | None:
        return self.checkins.history(group, now=datetime.now(UTC)) if self.can_check_in() else None

    def check_in(self, group: Group, meeting_id: str, status: str | None) -> None:
        """Say "I was there" / "I can't come" (status), or take it back (None)."""
        try:
            news = CheckInNews(self.service.engine, self._vault)
            if status is None:
                was = self.checkins.status(group, meeting_id)
                self.checkins.clear(group, meeting_id)
                news.took_back(group, meeting_id, was, now=datetime.now(UTC))
                self.notice = _("Taken back.")
            else:
                self.checkins.check_in(group, meeting_id, status, now=datetime.now(UTC))
                told = news.said(group, meeting_id, status, now=datetime.now(UTC))
                self.notice = (_("Noted. Your group leader will be told.") if told
                               else _("Noted. If you can, tell the others too.") if status == CANT_COME
                               else _("Checked in. Good to have you there."))
        except KraftError as exc:
            self.error = str(exc)
            return
        self.changed()

    def _change_group(self, work: Any, note: str) -> None:
        """Run a change to a group's sealed details; say so, re-render and re-plan, or show the error."""
        try:
            work()
        except KraftError as exc:
            self.error = str(exc)
            return
        self.notice = note
        self.changed()
        self.sync_notifications()

    def set_group_details(self, group: Group, note: str = "", **changes: Any) -> None:
        """Change sealed details of a group (whether the card shows the place)."""
        self._change_group(lambda: self.groups.update_details(group.id, **changes), note)

    def set_homework(self, group: Group, choice: str, text: str) -> None:
        """Note the homework for the next meeting: a library prompt (`choice`), or the group's own words."""
        own = choice == "own"
        self._change_group(lambda: self.groups.set_homework(
            group.id, prompt_id=None if own else choice, text=text if own else None, now=datetime.now(UTC)),
            _("The homework is noted."))

    def clear_homework(self, group: Group) -> None:
        self._change_group(lambda: self.groups.clear_homework(group.id), _("Cleared."))

    def remove_group(self) -> None:
        group = self.current_group()
        if group is not None:
            self.groups.remove(group.id)
            self.changed()
            self.sync_notifications()
        self.go(Route.SETTINGS if self.unlocked else self.home_screen(), group_id=None,
                notice=_("The group is removed from this app.") if group else "")

    def calendar_file(self, group: Group) -> tuple[str, bytes]:
        """The .ics file, with the member's own reminder times as its alarms."""
        return calendar_file(group, alarms=self.reminder_settings.before)

    def crisis_line(self) -> CrisisLine | None:
        """The region's first crisis line for the country of the member's language (else its first)."""
        country = {"sv": "SE", "nb": "NO", "da": "DK"}.get(self.language)
        lines = self.profile.crisis_lines
        return next((line for line in lines if line.country == country), lines[0] if lines else None)

    def touch(self) -> None:
        self.idle.touch()

    def go(self, screen: Route, **changes: Any) -> None:
        """Navigate: every move goes through the one lock guard (docs/adr/0007-app-layout.md)."""
        if not isinstance(screen, Route):
            screen = unknown(screen)
        self.touch()
        self.error = ""
        self.notice = ""  # a notice belongs to the screen it was shown on, unless this move sets one
        for name, value in changes.items():
            setattr(self, name, value)
        self.screen = guard(screen, unlocked=self.unlocked) or self.home_screen()

    def changed(self) -> None:
        self.revision += 1

    async def _run(self, label: str, work: Any, *args: Any) -> Any:
        """Run slow work in a thread with a progress label; a KraftError becomes the shown error."""
        self.touch()
        self.error, self.busy = "", label
        try:
            return await asyncio.to_thread(work, *args)
        except KraftError as exc:
            self.error = str(exc)
            return None
        finally:
            self.busy = ""
            self.touch()

    # ---- start, onboarding, unlock ----

    def start(self) -> None:
        """Pick the first screen. A database that cannot be read is shown as a problem, never reset."""
        try:
            lang = self.service.get_preference("language") or i18n.device_language() or self.profile.default_language
            self.set_language(lang, remember=False)
            self.idle.minutes = self.service.autolock_minutes()
            self.reminder_settings = reminder_prefs.load(self.service)
            self.screen = self.home_screen()
            self.sync_notifications()
        except KraftError as exc:
            self.set_language(i18n.device_language() or self.profile.default_language, remember=False)
            self.error = str(exc)
            self.screen = Route.PROBLEM

    async def prepare_setup(self, passphrase: str, repeat: str) -> None:
        pending = await self._run(_("Securing your journal…"), self.service.prepare_setup, passphrase, repeat)
        if pending is not None:
            self.pending = pending
            self.go(Route.RECOVERY_CODE)

    async def _open(self, label: str, work: Any, *args: Any) -> bool:
        """Run an opening step (setup, unlock, recover) in a thread. A lock while it runs (quick exit, the
        app hidden) wins: the journal it opened is locked again and never shown."""
        epoch = self.lock_epoch
        opened = await self._run(label, work, *args)
        if opened and epoch != self.lock_epoch:
            self.service.lock()
            return False
        return bool(opened)

    async def confirm_recovery(self, typed: str) -> None:
        if self.pending is None:
            self.go(Route.SETUP)
            return
        if await self._open(_("Creating your journal…"), self.service.finish_setup, self.pending, typed):
            self.pending = None
            self.go(Route.JOURNAL)

    async def unlock(self, passphrase: str) -> None:
        if await self._open(_("Opening your journal…"), self.service.unlock, passphrase):
            self.go(Route.JOURNAL, limit=50, query="")
            self.restore_draft()
            self.sync_notifications()  # open, the homework nudges are known too

    async def recover(self, code: str, passphrase: str, repeat: str) -> None:
        if await self._open(_("Opening your journal…"), self.service.recover, code, passphrase, repeat):
            self.go(Route.JOURNAL, notice=_("Your new passphrase is set."))

    def lock(self, *, neutral: bool = False) -> None:
        """Lock now: keep the draft, forget every decrypted thing, show the unlock (or a neutral) screen.

        Nothing stops the lock: a draft that cannot be written is kept sealed and written later.
        """
        self.lock_epoch += 1
        try:
            if self.unlocked:
                self.autosave()
        except Exception:
            log.exception("autosave before lock failed")
        finally:
            self.service.lock()
        self.pending = None
        self.editor = EditorState()
        self.undo_id = None
        self.import_lines = ()
        self.coordinator = None  # a coordinator's token is forgotten too (a shared desk)
        self.coordinator_overview = None
        self.query = ""
        self.notice = ""
        self.busy = ""
        self.error = ""
        # No re-sync here: the plan handed over while the journal was open keeps its homework nudges, which a
        # locked journal could not compute (the app locks whenever it is hidden).
        self.screen = Route.NEUTRAL if neutral else self.home_screen()

    # ---- editor ----

    def restore_draft(self) -> None:
        draft = self.journal.get_draft(NEW_DRAFT)
        if draft is not None:
            self.notice = _("You have an unsaved draft. Open “New entry” to continue it.")

    def open_editor(self, entry: Entry | None = None, prompt_id: str | None = None,
                    prompt_text: str | None = None) -> None:
        key = entry.id if entry else NEW_DRAFT
        draft = self.journal.get_draft(key)
        if draft is not None:
            editor = EditorState(key, draft.text, draft.prompt_id, draft.prompt_text, draft.tags, draft.theme,
                                 saved_note=_("Draft restored"))
        elif entry is not None:
            editor = EditorState(key, entry.text, entry.prompt_id, entry.prompt_text, entry.tags, entry.theme)
        else:
            editor = EditorState(prompt_id=prompt_id, prompt_text=prompt_text)
        self.go(Route.EDITOR, editor=editor)

    def edit(self, **changes: Any) -> None:
        """Change the editor (a new EditorState each time, so the screen re-renders)."""
        self.touch()
        self.editor = replace(self.editor, **changes, dirty=True, saved_note="")

    def autosave(self) -> None:
        ed = self.editor
        if not ed.dirty or not self.unlocked:
            return
        saved = self.journal.save_draft(Draft(ed.key, ed.text, ed.prompt_id, ed.prompt_text, ed.tags, ed.theme))
        note = _("Draft saved") if saved else _("The draft could not be written yet. Kraft keeps trying.")
        self.editor = replace(ed, dirty=False, saved_note=note)

    def save_entry(self) -> None:
        ed = self.editor
        try:
            if ed.key == NEW_DRAFT:
                entry = self.journal.add(ed.text, prompt_id=ed.prompt_id, prompt_text=ed.prompt_text, tags=ed.tags,
                                         theme=ed.theme, from_draft=NEW_DRAFT)
            else:
                entry = self.journal.edit(ed.key, text=ed.text, tags=ed.tags, theme=ed.theme,
                                          clear_theme=ed.theme is None, from_draft=ed.key)
        except KraftError as exc:
            self.error = str(exc)
            return
        self.editor = EditorState()
        self.changed()
        self.sync_notifications()  # an answer to the homework drops its nudge
        self.go(Route.ENTRY, entry_id=entry.id, notice=_("Saved"))

    def discard_editor(self) -> None:
        self.journal.discard_draft(self.editor.key)
        back = Route.ENTRY if self.editor.key != NEW_DRAFT else Route.JOURNAL
        self.editor = EditorState()
        self.go(back)

    # ---- entries ----

    def delete_entry(self, entry_id: str) -> None:
        self.journal.delete(entry_id)
        self.undo_id, self.undo_until = entry_id, clock_time.monotonic() + UNDO_SECONDS
        self.go(Route.JOURNAL)
        self.changed()

    def undo_delete(self) -> None:
        if self.undo_id:
            self.journal.undo_delete(self.undo_id)
            self.go(Route.ENTRY, entry_id=self.undo_id, undo_id=None, notice=_("Entry restored."))
            self.changed()

    def tick(self) -> None:
        """Every few seconds: autosave the draft, end a passed undo window, lock when idle too long, and
        write any sealed draft that could not be written before (even while locked)."""
        minute = int(clock_time.time() // 60)
        if minute != self.minute:
            self.minute = minute  # re-render: countdowns and reminder banners follow the clock
        if not self.unlocked:
            self.service.vault.flush_deferred()
            return
        try:
            self.autosave()
            if self.undo_id and clock_time.monotonic() >= self.undo_until:
                self.journal.purge_deleted(older_than=timedelta(0))
                self.undo_id = None
            self.service.vault.flush_deferred()
        finally:
            if self.idle.expired():
                self.lock()

    def pin(self, entry_id: str, section: str | None) -> None:
        self.journal.pin(entry_id, section)
        self.notice = _("Pinned to your toolkit.") if section else _("Removed from your toolkit.")
        self.changed()

    # ---- settings ----

    def set_language(self, lang: str, *, remember: bool = True) -> None:
        self.language = i18n.set_language(lang)
        if remember:
            self.service.set_preference("language", self.language)
        self.changed()

    def set_autolock(self, minutes: int) -> None:
        try:
            self.service.set_autolock_minutes(minutes)
        except KraftError as exc:
            self.error = str(exc)
            return
        self.idle.minutes = minutes
        self.notice = _("Saved")

    async def change_passphrase(self, current: str, new: str, repeat: str) -> bool:
        ok = await self._run(_("Changing your passphrase…"), self._change, current, new, repeat)
        if ok:
            self.notice = _("Your passphrase is changed.")
        return bool(ok)

    def _change(self, current: str, new: str, repeat: str) -> bool:
        self.service.change_passphrase(current, new, repeat)
        return True

    # ---- export and import ----

    def export_file(self, fmt: str) -> tuple[str, bytes]:
        return transfer.export_file(self.journal, fmt)

    def import_file(self, fmt: str, data: bytes, name: str) -> None:
        """Add entries from another app's file; what was added, skipped or left out is listed."""
        try:
            report = transfer.import_file(self.journal, fmt, data, source=name)
        except KraftError as exc:
            self.error = str(exc)
            self.import_lines = ()
            return
        lines = [ngettext("Imported {count} entry.", "Imported {count} entries.", report.imported).format(
            count=report.imported)]
        if report.skipped:
            lines.append(ngettext("Skipped {count} item:", "Skipped {count} items:", len(report.skipped)).format(
                count=len(report.skipped)))
            lines += [f"• {reason}" for reason in report.skipped]
        if report.left_out:
            lines.append(_("Imported, but without what Kraft does not keep:"))
            lines += [f"• {what}" for what in report.left_out]
        self.import_lines = tuple(lines)
        self.changed()

    # ---- backups ----

    async def make_backup(self) -> tuple[str, bytes] | None:
        """An encrypted backup in memory, checked; the screen hands it to the platform's save dialog."""
        made = await self._run(_("Making a backup…"), backup.make_backup, self.service)
        if made is None:
            return None
        name, data, report = made
        self.notice = backup_note(report)
        return name, data

    async def check_backup(self, data: bytes, secret: str, *, recovery: bool) -> None:
        """A test restore: open the backup and every record in it, in memory; nothing here changes."""
        report = await self._run(_("Checking the backup…"), lambda: backup.verify_backup(
            data, secret, kind=RECOVERY if recovery else PASSPHRASE))
        if report is not None:
            self.notice = _("The backup opens.") + " " + backup_note(report)

    def restore_would_replace(self) -> bool:
        return backup.would_replace(self.service.home)

    async def restore(self, data: bytes, secret: str, *, recovery: bool, replace: bool) -> None:
        """Make the backup this device's data. The journal is locked and the database closed first; what
        was here is moved aside as a safety copy (only with `replace`)."""
        if self.unlocked:
            self.lock()
        self.screen = Route.RESTORE
        self.service.close()
        result = await self._run(_("Restoring the backup…"), lambda: backup.restore_backup(
            self.service.home, data, secret, kind=RECOVERY if recovery else PASSPHRASE, replace=replace))
        if result is None:
            return
        self.start()
        self.notice = _("The backup is restored. Unlock with the passphrase you had when it was made, or with "
                        "your recovery code.")
        self.changed()


def backup_note(report: backup.BackupReport) -> str:
    text = ngettext("It holds {n} journal entry", "It holds {n} journal entries", report.entries).format(
        n=report.entries)
    text += ngettext(" and {n} group.", " and {n} groups.", report.groups).format(n=report.groups)
    if report.damaged:
        text += " " + ngettext("{n} record in it is damaged.", "{n} records in it are damaged.",
                               report.damaged).format(n=report.damaged)
    return text
