"""Backups in the app: make one (Settings), check one opens, restore one (also from the "cannot open" screen)."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.i18n import _
from app.views.common import busy_beside, field, field_message, frame, section_title, tick
from app.views.routes import Route
from app.views.states.session import SessionState
from app.views.states.settings import SettingsState

EXTENSION = "kraftbackup"


def saved_where(name: str, path: str | None, note: str) -> str:
    """Where the backup went, then what it holds. The web client downloads the file (no path comes back);
    elsewhere no path means the member closed the save dialog, and then nothing was saved."""
    if path:
        return _("Saved: {path}.").format(path=path) + " " + note
    if ft.context.page.web:
        return _("Saved as {name} in your browser's downloads.").format(name=name) + " " + note
    return _("The backup was not saved: no place was chosen. Make it again to choose one.")


def backup_section(settings: SettingsState, session: SessionState) -> list[ft.Control]:
    """The Settings part: make a backup, or go check or restore one."""

    async def make() -> None:
        made = await settings.make_backup()
        if made is None:
            return
        name, data, note = made
        try:
            path = await ft.FilePicker().save_file(dialog_title=_("Save the backup"), file_name=name, src_bytes=data)
        except Exception as exc:  # the platform's dialog failed: say so; the journal is unchanged
            session.error = _("The backup could not be saved: {detail}").format(detail=exc)
            return
        session.notice = saved_where(name, path, note)

    return [
        section_title(_("Backup")),
        ft.Text(_("A backup is one encrypted file with your journal, groups and settings. It opens with "
                  "today's passphrase or your recovery code. Keep it somewhere other than this device.")),
        ft.Row([ft.FilledButton(_("Make a backup"), icon=ft.Icons.SAVE_ALT, key="make-backup", on_click=make,
                                disabled=bool(session.busy)),
                *busy_beside(session, "make-backup"),
                ft.OutlinedButton(_("Check or restore a backup"), icon=ft.Icons.RESTORE, key="open-restore",
                                  on_click=lambda: session.router.navigate(Route.RESTORE)),
                ft.OutlinedButton(_("Export and import"), icon=ft.Icons.IMPORT_EXPORT, key="open-transfer",
                                  on_click=settings.open_transfer)], wrap=True),
    ]


@ft.component
def Restore(settings: SettingsState, session: SessionState) -> ft.Control:
    picked, set_picked = ft.use_state(("", b""))  # (file name, bytes); no name: nothing chosen yet
    secret, set_secret = ft.use_state("")
    recovery, set_recovery = ft.use_state(False)
    replace, set_replace = ft.use_state(False)
    replaces = settings.restore_would_replace()

    async def pick() -> None:
        try:
            files = await ft.FilePicker().pick_files(
                dialog_title=_("Choose the backup file"), with_data=True, file_type=ft.FilePickerFileType.CUSTOM,
                allowed_extensions=[EXTENSION])
        except Exception as exc:
            session.fail({"pick-backup": _("The file could not be opened: {detail}").format(detail=exc)})
            return
        if files and files[0].bytes:
            set_picked((files[0].name, files[0].bytes))
            session.clear_errors()  # what was wrong with the last file is not about this one

    async def check() -> None:
        await settings.check_backup(picked[1], secret, recovery=recovery)

    async def restore() -> None:
        await settings.restore(picked[1], secret, recovery=recovery, replace=replace)

    def toggle(setter: Any) -> Any:
        return lambda e: setter(bool(e.control.value))

    ready = bool(picked[0]) and bool(secret) and not session.busy
    body: list[ft.Control] = [
        ft.Text(_("Choose a Kraft backup file. Checking it opens every record in it without changing anything "
                  "here. Restoring makes it the journal on this device.")),
        ft.OutlinedButton(_("Choose the backup file"), icon=ft.Icons.FOLDER_OPEN, key="pick-backup", on_click=pick),
        ft.Text(picked[0] or _("No file chosen yet."), key="picked-backup"),
        *field_message(session, "pick-backup"),  # a file that is no backup, or too new: said by its name
        tick(_("I have the recovery code instead of the passphrase"), value=recovery,
             key="use-recovery-code", on_change=toggle(set_recovery)),
        field(session, _("Recovery code") if recovery else _("Passphrase"), secret, set_secret, key="backup-secret",
              helper=_("The one you had when the backup was made") if not recovery else ""),
        ft.OutlinedButton(_("Only check it"), icon=ft.Icons.FACT_CHECK_OUTLINED, key="check-backup",
                          disabled=not ready, on_click=check),
        *busy_beside(session, "check-backup"),
        section_title(_("Restore")),
    ]
    if replaces:
        body.append(tick(
            _("Replace the journal and groups on this device. Kraft keeps them as a safety copy beside it."),
            value=replace, key="confirm-replace", on_change=toggle(set_replace)))
        body += field_message(session, "confirm-replace")
    body.append(ft.FilledButton(
        _("Restore this backup"), icon=ft.Icons.RESTORE, key="restore-backup",
        disabled=not ready or (replaces and not replace),
        on_click=restore))
    body += busy_beside(session, "restore-backup")
    back = (lambda: session.router.back(Route.SETTINGS)) if session.unlocked else session.start
    return frame(session, _("Check or restore a backup"), body, nav=False, back=back)
