"""Find a group (issue 19 point 1, docs/adr/0016-region-catalogue.md): the groups the region lists, forming
and running, filtered on this device by theme and town; without a journal, offline from the copy here."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.domain.catalogue import shown
from app.errors import KraftError, Msg
from app.i18n import _, current, format_day
from app.views.common import busy_beside, frame, selectable_text, text_input
from app.views.states.finder import FinderState
from app.views.states.session import SessionState
from protocol import CatalogueEntry


def entry_card(entry: CatalogueEntry, *, expand: bool = False) -> ft.Control:
    """One group: what it is about, where, when and in which language, whether it still needs people, and how
    to reach the intake (selectable, to copy into the phone or the mail)."""
    lines = shown(entry, current())
    forming = entry.status == "forming"
    return ft.Card(ft.Container(ft.Column([
        ft.Row([ft.Text(lines.title, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, expand=True)]),
        ft.Text(" · ".join((lines.where, lines.when, lines.language))),
        ft.Row([ft.Icon(ft.Icons.GROUP_ADD_OUTLINED if forming else ft.Icons.EVENT_REPEAT, size=18),
                ft.Text(lines.status, expand=True, weight=ft.FontWeight.W_500)], spacing=8,
               vertical_alignment=ft.CrossAxisAlignment.START),
        selectable_text(lines.intake),
    ], spacing=8), padding=16), key=f"find-entry-{entry.id}", expand=expand)


def _cards(entries: list[CatalogueEntry], wide: bool) -> list[ft.Control]:
    """A card per entry: one under the other on a phone; two side by side in a wide window's body."""
    if not wide:
        return [entry_card(e) for e in entries]
    cards = [entry_card(e, expand=True) for e in entries]
    if len(cards) % 2:
        cards.append(ft.Container(expand=True))  # the last one as wide as the others
    return [ft.Row(cards[i:i + 2], vertical_alignment=ft.CrossAxisAlignment.START, spacing=12)
            for i in range(0, len(cards), 2)]


def _no_list(problem: KraftError) -> str:
    """Why there is no list to show (the relay's own "cannot be reached" speaks of sending messages)."""
    if problem.msg is Msg.RELAY_UNREACHABLE:
        return _("The list of groups could not be fetched: the relay cannot be reached just now. Once it has "
                 "been fetched, it can be read here offline too.")
    return str(problem)


def _copy_only(problem: KraftError) -> str:
    """That the list shown is the device's copy, and why it was not updated: calmly, being offline is no fault."""
    if problem.msg is Msg.RELAY_UNREACHABLE:
        return _("This is the copy on this device: the relay cannot be reached just now.")
    return _("This is the copy on this device. It could not be updated: {why}").format(why=str(problem))


def _calm(text: str, *, key: str, icon: ft.IconData = ft.Icons.INFO_OUTLINE) -> ft.Control:
    return ft.Container(ft.Row([ft.Icon(icon, size=20), ft.Text(text, expand=True, key=key)], spacing=8,
                               vertical_alignment=ft.CrossAxisAlignment.START),
                        bgcolor=ft.Colors.SURFACE_CONTAINER_HIGH, border_radius=8, padding=12)


def _search(finder: FinderState, session: SessionState) -> ft.Control:
    def on(setter: Any) -> Any:
        return lambda e: setter(e.control.value)

    theme = text_input(_("Theme"), finder.theme, on(finder.set_theme), key="find-theme",
                       helper=_("e.g. stress, pain"), prefix_icon=ft.Icons.SEARCH)
    town = text_input(_("Town"), finder.town, on(finder.set_town), key="find-town",
                      helper=_("A town, or online; empty shows every group"), prefix_icon=ft.Icons.PLACE_OUTLINED)
    if session.wide:
        return ft.Row([ft.Container(theme, expand=True), ft.Container(town, expand=True)], spacing=12,
                      vertical_alignment=ft.CrossAxisAlignment.START)
    # as wide as the cards under them
    return ft.Column([ft.Row([ft.Container(theme, expand=True)]), ft.Row([ft.Container(town, expand=True)])],
                     spacing=12)


@ft.component
def FindGroup(finder: FinderState, session: SessionState) -> ft.Control:
    catalogue, problem = finder.catalogue, finder.problem
    refresh = ft.OutlinedButton(_("Refresh"), icon=ft.Icons.REFRESH, key="find-refresh",
                                disabled=bool(session.busy), on_click=finder.refresh)
    body: list[ft.Control] = [ft.Text(_("Groups your region lists. What you search for stays on this phone."))]
    if catalogue is None:
        if problem is not None:
            body.append(_calm(_no_list(problem), key="find-problem"))
        body += [refresh, *busy_beside(session, "find-refresh")]
        return frame(session, _("Find a group"), body, nav=False, back=finder.close)
    body += [
        _search(finder, session),
        ft.Row([ft.Text(_("As of {day}").format(day=format_day(catalogue.issued)), key="find-issued"), refresh],
               wrap=True, spacing=16, vertical_alignment=ft.CrossAxisAlignment.CENTER),
        *busy_beside(session, "find-refresh"),
    ]
    if problem is not None:
        body.append(_calm(_copy_only(problem), key="find-copy", icon=ft.Icons.CLOUD_OFF_OUTLINED))
    entries = finder.found()
    if entries:
        body += _cards(entries, session.wide)
    elif catalogue.entries:
        body.append(ft.Text(_("No group matches. Try fewer words, or leave out the town: online groups show then "
                              "too."), key="find-none"))
    else:
        body.append(ft.Text(_("Your region lists no groups just now."), key="find-empty"))
    return frame(session, _("Find a group"), body, nav=False, back=finder.close)
