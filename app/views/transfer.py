"""Taking the journal out as plaintext (behind a clear warning), and bringing entries in from other apps."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.i18n import _
from app.services import transfer
from app.views.common import dropdown, field_message, frame, needs_journal, option, section_title, tick
from app.views.routes import Route
from app.views.states.session import SessionState
from app.views.states.settings import SettingsState


@ft.component
@needs_journal
def Transfer(settings: SettingsState, session: SessionState) -> ft.Control:
    understood, set_understood = ft.use_state(False)
    fmt, set_fmt = ft.use_state(transfer.exporters()[0].name)
    source, set_source = ft.use_state(transfer.importers()[0].name)

    async def export() -> None:
        name, data = settings.export_file(fmt)
        try:
            await ft.FilePicker().save_file(dialog_title=_("Save the export"), file_name=name, src_bytes=data)
        except Exception as exc:
            session.error = _("The export could not be saved: {detail}").format(detail=exc)
            return
        session.notice = _("Exported. The file is not encrypted: delete it when you no longer need it.")

    async def import_() -> None:
        try:
            files = await ft.FilePicker().pick_files(
                dialog_title=_("Choose the file to import"), with_data=True, file_type=ft.FilePickerFileType.CUSTOM,
                allowed_extensions=["json"])
        except Exception as exc:
            session.fail({"import": _("The file could not be opened: {detail}").format(detail=exc)})
            return
        if files and files[0].bytes is not None:
            settings.import_file(source, files[0].bytes, files[0].name)

    def chose(setter: Any) -> Any:
        return lambda e: setter(e.control.value)

    body: list[ft.Control] = [
        section_title(_("Export as plain text")),
        ft.Container(ft.Text(_("An export is NOT encrypted. Anyone who opens the file can read everything you "
                               "wrote. To keep your journal safe, make a backup instead; export only to move to "
                               "another app or to print."), color=ft.Colors.ON_ERROR_CONTAINER, key="export-warning"),
                     bgcolor=ft.Colors.ERROR_CONTAINER, border_radius=8, padding=12),
        dropdown(label=_("Format"), key="export-format", value=fmt, on_change=chose(set_fmt), width=480,
                 options=[option(f.name, _(f.label)) for f in transfer.exporters()]),
        tick(_("I understand that the file will not be encrypted"), value=understood,
             key="export-understood", on_change=lambda e: set_understood(bool(e.control.value))),
        ft.FilledButton(_("Export"), icon=ft.Icons.IOS_SHARE, key="export", disabled=not understood, on_click=export),
        section_title(_("Import entries")),
        ft.Text(_("Entries from another journal app are added to yours and encrypted here. Entries already in "
                  "your journal are not added twice.")),
        dropdown(label=_("From"), key="import-format", value=source, on_change=chose(set_source),
                 options=[option(f.name, _(f.label)) for f in transfer.importers()]),
        ft.OutlinedButton(_("Choose the file and import"), icon=ft.Icons.FILE_OPEN, key="import", on_click=import_),
        *field_message(session, "import"),
        *[ft.Text(line, key=f"import-line-{i}", theme_style=ft.TextThemeStyle.BODY_SMALL)
          for i, line in enumerate(settings.import_lines)],
    ]
    return frame(session, _("Export and import"), body, nav=False, back=lambda: session.router.back(Route.SETTINGS))
