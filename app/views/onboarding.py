"""Screens of a locked app: welcome, choosing a passphrase, the recovery code, unlock, recover, neutral."""

from __future__ import annotations

import flet as ft

from app.i18n import _
from app.services.vault_service import MIN_PASSPHRASE
from app.views.common import field, frame, section_title, selectable_text
from app.views.routes import Route
from app.views.states.finder import FinderState
from app.views.states.groups import GroupsState
from app.views.states.homework import HomeworkState
from app.views.states.keystore import KeystoreState
from app.views.states.session import SessionState
from app.views.widgets.homework import homework_cards
from app.views.widgets.keystore import keystore_unlock
from app.views.widgets.language import language_choice
from app.views.widgets.meeting import next_meeting_card, reminder_banner


@ft.component
def Welcome(finder: FinderState, session: SessionState) -> ft.Control:
    body = [
        language_choice(session, key="welcome-language"),
        ft.Text(_("Welcome to Kraft"), theme_style=ft.TextThemeStyle.HEADLINE_SMALL),
        ft.Text(_("A journal for your group's homework and your own thoughts. What you write stays on this "
                  "device, encrypted with a passphrase that only you know.")),
        ft.Text(_("Kraft is not meant for acute crises. If you need help now, call {name}: {number}.").format(
            name=line.name, number=line.number)) if (line := session.crisis_line()) else ft.Container(),
        ft.FilledButton(_("Create my journal"), on_click=lambda: session.router.navigate(Route.SETUP), key="start"),
        ft.Text(_("Or use Kraft without a journal: no name, no passphrase, just your group's meeting times and "
                  "reminders.")),
        ft.OutlinedButton(_("Just the meeting times"), on_click=lambda: session.router.navigate(Route.ADD_GROUP),
                          key="anonymous"),
        ft.OutlinedButton(_("I have an invite from my group"), icon=ft.Icons.GROUP_ADD_OUTLINED, key="open-join",
                          on_click=lambda: session.router.navigate(Route.JOIN)),
        *([ft.OutlinedButton(_("Find a group"), icon=ft.Icons.TRAVEL_EXPLORE, key="open-find", on_click=finder.open)]
          if finder.available else []),
        ft.TextButton(_("I have a backup to restore"), icon=ft.Icons.RESTORE, key="open-restore",
                      on_click=lambda: session.router.navigate(Route.RESTORE)),
        ft.TextButton(_("I am a coordinator"), icon=ft.Icons.BAR_CHART, key="open-coordinator",
                      on_click=lambda: session.router.navigate(Route.COORDINATOR)),
    ]
    return frame(session, "Kraft", body, nav=False)


@ft.component
def Setup(session: SessionState) -> ft.Control:
    passphrase, set_passphrase = ft.use_state("")
    repeat, set_repeat = ft.use_state("")

    async def submit() -> None:
        await session.prepare_setup(passphrase, repeat)

    body = [
        section_title(_("Choose a passphrase")),
        ft.Text(_("Use a few words that you will remember, at least {minimum} characters. Nobody can reset it for "
                  "you, but you will also get a recovery code.").format(minimum=MIN_PASSPHRASE)),
        # over their fields, as in Settings: at 200 % text "Gentag adgangssætningen" broke inside its words and
        # over its field at 360 px
        field(session, _("Passphrase"), passphrase, set_passphrase, key="passphrase", autofocus=True,
              label_above=True),
        field(session, _("Repeat passphrase"), repeat, set_repeat, key="repeat", on_submit=submit, label_above=True),
        ft.FilledButton(_("Continue"), on_click=submit, disabled=bool(session.busy), key="continue"),
    ]
    return frame(session, _("New journal"), body, nav=False, back=lambda: session.router.back(Route.WELCOME))


@ft.component
def RecoveryCode(session: SessionState) -> ft.Control:
    typed, set_typed = ft.use_state("")
    code = session.pending.recovery_code if session.pending else ""

    async def submit() -> None:
        await session.confirm_recovery(typed)

    body = [
        section_title(_("Your recovery code")),
        ft.Text(_("Write this code down on paper and keep it somewhere safe. It is shown only now. If you forget "
                  "your passphrase, this code is the only way back into your journal.")),
        ft.Container(
            ft.Semantics(identifier="recovery-code", content=ft.Text(
                code, size=22, weight=ft.FontWeight.BOLD, font_family="monospace")),
            padding=16, border_radius=8, bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST),
        ft.Text(_("To be sure it is written down, type it here:")),
        field(session, _("Recovery code"), typed, set_typed, key="recovery-confirm", password=False, on_submit=submit,
              label_above=True),  # "Gjenopprettingskode" broke over its field at 200 %
        ft.FilledButton(_("I have saved it"), on_click=submit, disabled=bool(session.busy), key="confirm"),
    ]
    return frame(session, _("New journal"), body, nav=False)


@ft.component
def Unlock(groups: GroupsState, homework: HomeworkState, keystore: KeystoreState, session: SessionState) -> ft.Control:
    passphrase, set_passphrase = ft.use_state("")

    async def submit() -> None:
        await session.unlock(passphrase)
        set_passphrase("")

    body = [
        reminder_banner(groups),
        next_meeting_card(groups),
        *homework_cards(homework),
        section_title(_("Your journal is locked")),
        field(session, _("Passphrase"), passphrase, set_passphrase, key="unlock-passphrase", autofocus=True,
               on_submit=submit),
        ft.FilledButton(_("Unlock"), on_click=submit, disabled=bool(session.busy), key="unlock"),
        *keystore_unlock(keystore, session),
        ft.TextButton(_("I forgot my passphrase"), on_click=lambda: session.router.navigate(Route.RECOVER),
                      key="forgot"),
    ]
    return frame(session, "Kraft", body, nav=False)


@ft.component
def Recover(session: SessionState) -> ft.Control:
    code, set_code = ft.use_state("")
    passphrase, set_passphrase = ft.use_state("")
    repeat, set_repeat = ft.use_state("")

    async def submit() -> None:
        await session.recover(code, passphrase, repeat)

    body = [
        section_title(_("Open with your recovery code")),
        ft.Text(_("Type the recovery code you wrote down, then choose a new passphrase.")),
        field(session, _("Recovery code"), code, set_code, key="recover-code", password=False, autofocus=True,
              label_above=True),
        field(session, _("New passphrase"), passphrase, set_passphrase, key="recover-new", label_above=True),
        field(session, _("Repeat new passphrase"), repeat, set_repeat, key="recover-repeat", on_submit=submit,
              label_above=True),
        ft.FilledButton(_("Open journal"), on_click=submit, disabled=bool(session.busy), key="recover"),
    ]
    return frame(session, "Kraft", body, nav=False, back=lambda: session.router.back(Route.UNLOCK))


@ft.component
def Neutral(session: SessionState) -> ft.Control:
    """What quick exit shows: nothing about Kraft, the group or the journal."""
    return ft.Column(
        [ft.AppBar(title=ft.Text(_("Notes")), automatically_imply_leading=False),
         ft.Container(ft.Column([
             ft.Text(_("No notes")),
             ft.TextButton(_("Back"), on_click=lambda: session.lock(), key="neutral-back"),
         ]), padding=16)],
        expand=True)


@ft.component
def Problem(session: SessionState) -> ft.Control:
    """The journal's file cannot be opened: say so and where it is; change nothing."""
    body = [
        ft.Text(_("Your journal is still on this device, untouched. Kraft will not change or replace it. "
                  "Keep the folder below safe; a backup can be restored from it.")),
        selectable_text(str(session.service.home), font_family="monospace"),
        ft.FilledButton(_("Restore from a backup"), icon=ft.Icons.RESTORE, key="open-restore",
                        on_click=lambda: session.router.navigate(Route.RESTORE)),
    ]
    return frame(session, _("Kraft cannot open your journal"), body, nav=False)
