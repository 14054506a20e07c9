"""Fingerprint or face unlock on screen: the switch in Settings and the button on the unlock screen
(docs/adr/0010-keystore-unlock.md)."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.i18n import _
from app.services.keystore_unlock import Offer
from app.views.common import busy_beside, field, section_title
from app.views.states.keystore import KeystoreState
from app.views.states.session import SessionState


@ft.component
def KeystoreSwitch(keystore: KeystoreState, session: SessionState) -> ft.Control:
    """Off by default. Turning it on asks the passphrase once, here; turning it off needs nothing."""
    passphrase, set_passphrase = ft.use_state("")
    if not keystore.shown:
        return ft.Container()

    async def changed(e: Any) -> None:
        if bool(e.control.value) == keystore.enabled:
            return
        if keystore.enabled:
            await keystore.disable()
        else:
            keystore.ask(True)

    async def turn_on() -> None:
        await keystore.enable(passphrase)
        set_passphrase("")

    def not_now() -> None:
        keystore.ask(False)
        set_passphrase("")

    controls: list[ft.Control] = [
        section_title(_("Fingerprint or face")),
        ft.Text(_("Open your journal with your fingerprint or face instead of typing the passphrase. Every {days} "
                  "days Kraft asks for the passphrase once, so you keep it in mind.").format(days=keystore.days)),
        ft.Switch(label=_("Unlock with fingerprint or face"), value=keystore.enabled or keystore.asking,
                  key="keystore-switch", on_change=changed, disabled=bool(session.busy)),
    ]
    if keystore.asking and not keystore.enabled:
        controls += [
            field(session, _("Your passphrase, to turn it on"), passphrase, set_passphrase, key="keystore-passphrase",
                  on_submit=turn_on),
            ft.Row([ft.FilledButton(_("Turn on"), key="keystore-on", on_click=turn_on, disabled=bool(session.busy)),
                    ft.TextButton(_("Not now"), key="keystore-not-now", on_click=not_now)], wrap=True),
            *busy_beside(session, "keystore-on"),
        ]
    return ft.Column(controls, spacing=8)


def keystore_unlock(keystore: KeystoreState, session: SessionState) -> list[ft.Control]:
    """The unlock screen's part: the button while it may be used, after 14 days a calm word why not."""
    if keystore.offer is Offer.OFFERED:
        return [ft.FilledTonalButton(_("Unlock with fingerprint or face"), icon=ft.Icons.FINGERPRINT,
                                     key="unlock-keystore", on_click=keystore.unlock, disabled=bool(session.busy))]
    if keystore.offer is Offer.PASSPHRASE_DUE:
        return [ft.Text(_("Every {days} days Kraft asks for your passphrase once, so you keep it in mind. After you "
                          "type it, fingerprint or face works again.").format(days=keystore.days),
                        key="keystore-due")]
    return []
