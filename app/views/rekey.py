"""Settings > "Change and re-key": the new recovery code, confirmed as at setup, then a progress bar while
every record is sealed again under the new key (docs/adr/0001-vault-format.md, "Change and re-key")."""

from __future__ import annotations

import flet as ft

from app.i18n import _
from app.views.common import field, frame, section_title
from app.views.states.session import SessionState
from app.views.states.settings import SettingsState


def _code_box(code: str) -> ft.Control:
    return ft.Container(
        ft.Semantics(identifier="rekey-code", content=ft.Text(
            code, size=22, weight=ft.FontWeight.BOLD, font_family="monospace")),
        padding=16, border_radius=8, bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST)


@ft.component
def Rekey(settings: SettingsState, session: SessionState) -> ft.Control:
    typed, set_typed = ft.use_state("")
    pending, progress = settings.rekey_pending, settings.rekey_progress
    back = settings.leave_rekey

    async def submit() -> None:
        await settings.confirm_rekey(typed)

    body: list[ft.Control] = []
    if pending is not None:
        body += [
            section_title(_("Your new recovery code")),
            ft.Text(_("Write this new code down and keep it somewhere safe. It is shown only now. Nothing changes "
                      "until you type it back: then your old passphrase and your old recovery code stop "
                      "opening this journal.")),
            _code_box(pending.recovery_code),
            ft.Text(_("To be sure it is written down, type it here:")),
            field(session, _("Recovery code"), typed, set_typed, key="rekey-code-confirm", password=False,
                  on_submit=submit),
            ft.FilledButton(_("I have saved it"), on_click=submit, disabled=bool(session.busy), key="rekey-confirm"),
        ]
    if progress is not None:
        body.append(ft.ProgressBar(value=progress, semantics_label=_("Sealing your journal again"),
                                   key="rekey-progress"))
    if pending is None and progress is not None and progress >= 1.0:
        body.append(ft.FilledButton(_("Back to settings"), on_click=back, key="rekey-done"))
    if pending is None and progress is None:
        body.append(ft.TextButton(_("Back to settings"), on_click=back, key="rekey-done"))
    return frame(session, _("Change and re-key"), body, nav=False,
                 back=None if session.busy else back)
