"""The region's announcements as cards: a lecture for everyone, or the follow-up with the member's own group."""

from __future__ import annotations

import flet as ft

from app.i18n import _, format_weekday_when
from app.views.common import section_title, tick
from app.views.states.announcements import AnnouncementsState


def announcement_cards(state: AnnouncementsState) -> list[ft.Control]:
    """Nothing while they are off or there are none; else a title, a card each, and "Add to my calendar"."""
    if not state.items:
        return []
    cards: list[ft.Control] = [section_title(_("From your region"))]
    for upcoming in state.items:
        item = upcoming.announcement
        kind = _("Follow-up with your group") if upcoming.mine else _("Lecture")
        lines: list[ft.Control] = [
            # in a Row that expands: the card takes the body's width, as the next-meeting card above it does
            ft.Row([ft.Text(kind, theme_style=ft.TextThemeStyle.LABEL_MEDIUM, expand=True)]),
            ft.Text(item.title, theme_style=ft.TextThemeStyle.TITLE_MEDIUM),
            ft.Text(_("{when} · {where}").format(when=format_weekday_when(upcoming.start),
                                                 where=item.place or _("Online"))),
        ]
        if item.text:
            lines.append(ft.Text(item.text))
        cards.append(ft.Card(key=f"announcement-{item.id}",
                             content=ft.Container(ft.Column(lines, spacing=4), padding=16)))
    cards.append(ft.OutlinedButton(_("Add to my calendar"), icon=ft.Icons.EVENT, key="announcements-calendar",
                                   on_click=state.save_calendar))
    return cards


def announcements_tick(state: AnnouncementsState) -> list[ft.Control]:
    """The setting, only where the profile names a region key: off until the member ticks it."""
    if not state.available:
        return []

    async def changed(e: ft.Event[ft.Checkbox]) -> None:
        await state.turn(bool(e.control.value))

    return [tick(_("Show my region's announcements: lectures, and follow-ups with my groups"), value=state.is_on(),
                 key="announcements-on", on_change=changed)]
