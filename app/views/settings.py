"""Settings: auto-lock, language, change passphrase (quick, or with a new key: app.views.rekey)."""

from __future__ import annotations

import flet as ft

from app.i18n import _
from app.views.backup import backup_section
from app.views.common import busy_beside, dropdown, field, frame, option, section_title
from app.views.routes import Route
from app.views.states.announcements import AnnouncementsState
from app.views.states.finder import FinderState
from app.views.states.groups import GroupsState
from app.views.states.hosting import HostingState
from app.views.states.keystore import KeystoreState
from app.views.states.session import SessionState
from app.views.states.settings import SettingsState
from app.views.widgets.announcements import announcements_tick
from app.views.widgets.keystore import KeystoreSwitch
from app.views.widgets.language import language_choice
from app.views.widgets.meeting import group_tiles

AUTOLOCK_CHOICES = (1, 2, 5, 10, 15, 30, 60)


@ft.component
def Settings(settings: SettingsState, groups: GroupsState, hosting: HostingState, keystore: KeystoreState,
             finder: FinderState, announcements: AnnouncementsState, session: SessionState) -> ft.Control:
    current, set_current = ft.use_state("")
    new, set_new = ft.use_state("")
    repeat, set_repeat = ft.use_state("")

    def clear() -> None:
        set_current("")
        set_new("")
        set_repeat("")

    async def change() -> None:
        if await settings.change_passphrase(current, new, repeat):
            clear()

    async def rekey() -> None:
        if await settings.prepare_rekey(current, new, repeat):
            clear()

    minutes = session.service.autolock_minutes()
    body: list[ft.Control] = [
        section_title(_("My groups")),
        *group_tiles(groups),
        ft.Row([ft.OutlinedButton(_("Add a group"), icon=ft.Icons.ADD, key="add-group",
                                  on_click=lambda: session.router.navigate(Route.ADD_GROUP)),
                ft.OutlinedButton(_("Join with an invite"), icon=ft.Icons.GROUP_ADD_OUTLINED, key="open-join",
                                  on_click=lambda: session.router.navigate(Route.JOIN)),
                *([ft.OutlinedButton(_("Find a group"), icon=ft.Icons.TRAVEL_EXPLORE, key="open-find",
                                     on_click=finder.open)] if finder.available else []),
                ft.OutlinedButton(_("Start a group as its leader"), icon=ft.Icons.CAMPAIGN_OUTLINED, key="open-lead",
                                  on_click=lambda: session.router.navigate(Route.LEAD)),
                ft.OutlinedButton(_("Coordinator"), icon=ft.Icons.BAR_CHART, key="open-coordinator",
                                  on_click=lambda: session.router.navigate(Route.COORDINATOR))], wrap=True),
        ft.OutlinedButton(_("Reminders"), icon=ft.Icons.NOTIFICATIONS_OUTLINED, key="open-reminders",
                          on_click=lambda: session.router.navigate(Route.REMINDERS)),
        *announcements_tick(announcements),
        section_title(_("Lock")),
        dropdown(
            label=_("Lock after (minutes)"), key="autolock", value=str(minutes),
            on_change=lambda e: settings.set_autolock(int(e.control.value)),
            options=[option(str(m), str(m)) for m in AUTOLOCK_CHOICES],
            error=session.field_error("autolock") or None),
        ft.Text(_("The journal also locks when you leave the app, and at once with quick exit.")),
        KeystoreSwitch(keystore, session),
        section_title(_("Language")),
        language_choice(session),
        *backup_section(settings, session),
        section_title(_("Change passphrase")),
        field(session, _("Current passphrase"), current, set_current, key="current-passphrase", label_above=True),
        field(session, _("New passphrase"), new, set_new, key="new-passphrase", label_above=True),
        field(session, _("Repeat new passphrase"), repeat, set_repeat, key="repeat-passphrase", label_above=True),
        ft.Text(_("Changing the passphrase is quick, but old copies of the journal and backups still open with "
                  "the old passphrase. “Change and re-key” also gives the journal a new key and you a new recovery "
                  "code: then an old copy opens nothing you write from now on. It takes a little longer.")),
        ft.Row([ft.FilledButton(_("Change passphrase"), key="change-passphrase", on_click=change,
                                disabled=bool(session.busy)),
                ft.OutlinedButton(_("Change and re-key"), icon=ft.Icons.KEY, key="rekey-passphrase", on_click=rekey,
                                  disabled=bool(session.busy))], wrap=True),
        *busy_beside(session, "change-passphrase"),
        ft.OutlinedButton(_("Lock now"), icon=ft.Icons.LOCK, key="lock", on_click=lambda: session.lock()),
    ]
    return frame(session, _("Settings"), body)
