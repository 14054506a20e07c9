"""The home screen of a member without a journal: the next meeting, their groups, and the way to a journal."""

from __future__ import annotations

import flet as ft

from app.i18n import _
from app.views.common import frame, section_title
from app.views.routes import Route
from app.views.states.announcements import AnnouncementsState
from app.views.states.finder import FinderState
from app.views.states.groups import GroupsState
from app.views.states.homework import HomeworkState
from app.views.states.session import SessionState
from app.views.widgets.announcements import announcement_cards, announcements_tick
from app.views.widgets.homework import homework_cards
from app.views.widgets.language import language_choice
from app.views.widgets.meeting import group_tiles, next_meeting_card, reminder_banner


@ft.component
def Home(groups: GroupsState, homework: HomeworkState, finder: FinderState, announcements: AnnouncementsState,
         session: SessionState) -> ft.Control:
    """For a member without a journal: the next meeting, homework their groups sent, and the way to a journal
    if they want one."""
    cards = homework_cards(homework)  # a card for homework sent says how to make a journal already
    body: list[ft.Control] = [
        reminder_banner(groups),
        next_meeting_card(groups),
        *cards,
        *announcement_cards(announcements),
        section_title(_("My groups")),
        *group_tiles(groups),
        ft.Row([ft.OutlinedButton(_("Add another group"), icon=ft.Icons.ADD, key="add-group",
                                  on_click=lambda: session.router.navigate(Route.ADD_GROUP)),
                *([ft.OutlinedButton(_("Find a group"), icon=ft.Icons.TRAVEL_EXPLORE, key="open-find",
                                     on_click=finder.open)] if finder.available else []),
                ft.OutlinedButton(_("Join with an invite"), icon=ft.Icons.GROUP_ADD_OUTLINED, key="open-join",
                                  on_click=lambda: session.router.navigate(Route.JOIN)),
                ft.OutlinedButton(_("Reminders"), icon=ft.Icons.NOTIFICATIONS_OUTLINED, key="open-reminders",
                                  on_click=lambda: session.router.navigate(Route.REMINDERS))], wrap=True),
        *announcements_tick(announcements),
    ]
    if not cards:
        body += [
            ft.Text(_("Want to answer the homework too? A journal keeps your answers encrypted on this device.")),
            ft.FilledButton(_("Create my journal"), key="start",
                            on_click=lambda: session.router.navigate(Route.SETUP)),
        ]
    body += [section_title(_("Language")), language_choice(session, key="home-language")]
    return frame(session, "Kraft", body, nav=False)
