"""Settings: the autolock, the passphrase, backups (make, check, restore), and export and import
(docs/adr/0007-app-layout.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import flet as ft

from app.errors import KraftError, Msg
from app.i18n import _, ngettext
from app.services import backup, journal_import, transfer
from app.services.vault_service import PASSPHRASE, RECOVERY, PendingRekey
from app.views.routes import Route
from app.views.states.journal import JournalState
from app.views.states.session import SessionState

# a refused passphrase is said at the Settings field it was typed in
PASSPHRASE_FIELDS = {Msg.WRONG_PASSPHRASE: "current-passphrase", Msg.PASSPHRASE_TOO_SHORT: "new-passphrase",
                     Msg.PASSPHRASES_DIFFER: "repeat-passphrase"}
# a backup's secret that does not open it is said at the field it was typed in
BACKUP_FIELDS = {Msg.BACKUP_WRONG_PASSPHRASE: "backup-secret", Msg.BACKUP_WRONG_RECOVERY_CODE: "backup-secret",
                 Msg.BACKUP_UNREADABLE: "pick-backup", Msg.BACKUP_NEWER: "pick-backup",
                 Msg.RESTORE_WOULD_REPLACE: "confirm-replace"}


def backup_note(report: backup.BackupReport) -> str:
    """What a backup holds, in a sentence (entries, groups, damaged records)."""
    text = ngettext("It holds {n} journal entry", "It holds {n} journal entries", report.entries).format(
        n=report.entries)
    text += ngettext(" and {n} group.", " and {n} groups.", report.groups).format(n=report.groups)
    if report.damaged:
        text += " " + ngettext("{n} record in it is damaged.", "{n} records in it are damaged.",
                               report.damaged).format(n=report.damaged)
    return text


@ft.observable
@dataclass
class SettingsState:
    """What Settings changes. An import changes the journal, so it tells `journal`."""

    session: SessionState
    journal: JournalState
    import_lines: tuple[str, ...] = ()  # what the last import did, shown under the import button
    after_passphrase_change: Callable[[], Awaitable[None]] | None = None  # the keystore forgets its secret
    rekey_pending: PendingRekey | None = None  # a re-key waiting for its new recovery code to be typed back
    rekey_progress: float | None = None  # 0..1 while (and after) the records are sealed again

    def __post_init__(self) -> None:
        self.session.hooks.locked.append(self._forget)

    def _forget(self) -> None:
        self.import_lines = ()
        self.rekey_pending, self.rekey_progress = None, None

    def set_autolock(self, minutes: int) -> None:
        """Lock after this many idle minutes; saved at once, or a clear error."""
        try:
            self.session.service.set_autolock_minutes(minutes)
        except KraftError as exc:
            self.session.fail({"autolock": str(exc)})
            return
        self.session.idle.minutes = minutes
        self.session.notice = _("Saved")

    async def change_passphrase(self, current: str, new: str, repeat: str) -> bool:
        """Change the passphrase (slow); True when it is changed."""
        ok = await self.session.run(_("Changing your passphrase…"), self._change, current, new, repeat,
                                    at="change-passphrase", fields=PASSPHRASE_FIELDS)
        if ok:
            self.session.notice = _("Your passphrase is changed. Old copies and backups still open with the old "
                                    "one.")
            if self.after_passphrase_change is not None:
                await self.after_passphrase_change()
        return bool(ok)

    def _change(self, current: str, new: str, repeat: str) -> bool:
        self.session.service.change_passphrase(current, new, repeat)
        return True

    # ---- change and re-key (docs/adr/0001-vault-format.md) ----

    async def prepare_rekey(self, current: str, new: str, repeat: str) -> bool:
        """Check the passphrase and make the new keys and code (slow); then show the code. Writes nothing."""
        pending = await self.session.run(_("Preparing a new key…"), self.session.service.prepare_rekey,
                                         current, new, repeat, at="change-passphrase", fields=PASSPHRASE_FIELDS)
        if pending is None:
            return False
        self.rekey_pending, self.rekey_progress = pending, None
        self.session.router.navigate(Route.REKEY)
        return True

    async def confirm_rekey(self, typed: str) -> None:
        """Once the new code is typed back: seal every record again under the new key, with a progress bar.
        The worker thread reports progress through the event loop, which owns this state."""
        pending = self.rekey_pending
        if pending is None:
            self.session.router.navigate(Route.SETTINGS)
            return
        loop = asyncio.get_running_loop()

        def progress(done: int, total: int) -> None:
            loop.call_soon_threadsafe(self._set_progress, done / total if total else 1.0)

        self.rekey_progress = 0.0
        result = await self.session.run(_("Giving your journal a new key…"), lambda: self.session.service
                                        .finish_rekey(pending, typed, progress=progress),
                                        fields={Msg.RECOVERY_CODE_MISMATCH: "rekey-code-confirm",
                                                Msg.REKEY_CODE_UNCONFIRMED: "rekey-code-confirm"})
        if result is None:
            self.rekey_progress = None  # nothing changed: the old passphrase and code still work
            return
        self.rekey_pending, self.rekey_progress = None, 1.0
        self.session.notice = _("Done: your journal has a new key, a new passphrase and a new recovery code. "
                                "Old copies and backups open nothing you write from now on. Make a new backup.")
        if self.after_passphrase_change is not None:  # the keystore slot went with the old key
            await self.after_passphrase_change()

    def leave_rekey(self) -> None:
        """Back to Settings; a re-key not confirmed yet is dropped (its keys and code leave memory)."""
        self.rekey_pending, self.rekey_progress = None, None
        self.session.router.back(Route.SETTINGS)

    def _set_progress(self, fraction: float) -> None:
        if self.rekey_progress is not None:
            self.rekey_progress = fraction

    # ---- export and import ----

    def open_transfer(self) -> None:
        """The export and import screen, without the last import's lines."""
        self.session.router.navigate(Route.TRANSFER)
        self.import_lines = ()

    def export_file(self, fmt: str) -> tuple[str, bytes]:
        """The journal in another format, as a file name and its bytes (not encrypted)."""
        return transfer.export_file(self.session.journal, fmt)

    def import_file(self, fmt: str, data: bytes, name: str) -> None:
        """Add entries from another app's file; what was added, skipped or left out is listed."""
        try:
            result = journal_import.import_entries(self.session.journal, fmt, data, source=name)
        except KraftError as exc:  # said beside the import button, where the member is looking
            self.session.fail({"import": str(exc)})
            self.import_lines = ()
            return
        self.session.clear_errors()  # the last file's problem is not this one's
        self.import_lines = tuple(result.lines(bullet="• "))
        self.journal.changed()

    # ---- backups ----

    async def make_backup(self) -> tuple[str, bytes, str] | None:
        """An encrypted backup in memory, checked, and what it holds in a sentence; the screen hands it to the
        platform's save dialog and then says where it went."""
        made = await self.session.run(_("Making a backup…"), backup.make_backup, self.session.service,
                                      at="make-backup")
        if made is None:
            return None
        name, data, report = made
        return name, data, backup_note(report)

    async def check_backup(self, data: bytes, secret: str, *, recovery: bool) -> None:
        """A test restore: open the backup and every record in it, in memory; nothing here changes."""
        report = await self.session.run(_("Checking the backup…"), lambda: backup.verify_backup(
            data, secret, kind=RECOVERY if recovery else PASSPHRASE), at="check-backup", fields=BACKUP_FIELDS)
        if report is not None:
            self.session.notice = _("The backup opens.") + " " + backup_note(report)

    def restore_would_replace(self) -> bool:
        """True when restoring would move this device's data aside."""
        return backup.would_replace(self.session.service.home)

    async def restore(self, data: bytes, secret: str, *, recovery: bool, replace: bool) -> None:
        """Make the backup this device's data. The journal is locked and the database closed first; what
        was here is moved aside as a safety copy (only with `replace`)."""
        session = self.session
        kind = RECOVERY if recovery else PASSPHRASE
        try:
            backup.check_restore(session.service.home, data, kind=kind, replace=replace)  # before the lock
        except KraftError as exc:
            session.fail({BACKUP_FIELDS.get(exc.msg, ""): str(exc)})
            return
        if session.unlocked:
            session.lock()
        session.router.show(Route.RESTORE)
        session.busy = _("Restoring the backup…")  # the delivery listener asks this and waits
        with session.service.shut():  # a screen drawn meanwhile opens no database: it sees DATABASE_BUSY
            session.refresh()  # no service keeps the closed engine
            result = await session.run(_("Restoring the backup…"), lambda: backup.restore_backup(
                session.service.home, data, secret, kind=kind, replace=replace), at="restore-backup",
                fields=BACKUP_FIELDS)
        if result is None:
            return
        session.start()
        session.notice = _("The backup is restored. Unlock with the passphrase you had when it was made, or with "
                           "your recovery code.")
        self.journal.changed()
