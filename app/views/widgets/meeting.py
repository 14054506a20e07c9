"""The next meeting, its check-in buttons, the reminder banner and the group list: shown on the home, unlock,
journal and settings screens alike."""

from __future__ import annotations

from datetime import UTC, datetime

import flet as ft

from app.domain.schedule import Meeting
from app.i18n import _, format_countdown, format_weekday_when, format_when
from app.services.checkin import ATTENDED, CANT_COME
from app.services.groups import Group
from app.views.common import icon_button
from app.views.routes import Route
from app.views.states.groups import GroupsState


def reminder_banner(groups: GroupsState) -> ft.Control:
    """A due reminder, discreet (no group name, no theme): shown on open, on resume and while open."""
    _minute = groups.session.minute  # re-evaluated as the clock moves
    due = groups.due_reminder()
    if due is None:
        return ft.Container()
    reminder, text = due
    return ft.Semantics(live_region=True, content=ft.Container(
        ft.Row([ft.Icon(ft.Icons.NOTIFICATIONS_ACTIVE_OUTLINED),
                ft.Text(text, expand=True, key="reminder-text"),
                icon_button(ft.Icons.CLOSE, _("Dismiss"), key="reminder-dismiss",
                            on_click=lambda: groups.dismiss_reminder(reminder))]),
        bgcolor=ft.Colors.TERTIARY_CONTAINER, border_radius=8, padding=ft.Padding.only(left=12)))


def next_meeting_card(groups: GroupsState) -> ft.Control:
    """Date, time, countdown and meeting N of M of the soonest meeting; nothing else (works locked)."""
    found = groups.next_meeting()
    if found is None:
        return ft.Container()
    meeting = found.meeting
    lines: list[ft.Control] = [
        # in a Row that expands: the card takes the body's width, as the homework card beside it does
        ft.Row([ft.Text(_("Next meeting"), theme_style=ft.TextThemeStyle.LABEL_LARGE, expand=True)]),
        ft.Text(format_when(meeting.start, own_zone=True), theme_style=ft.TextThemeStyle.TITLE_LARGE, key="next-when"),
        ft.Text(format_countdown(meeting.start - datetime.now(UTC)), key="next-countdown"),
    ]
    if meeting.moved:  # the time changed since the member last looked, perhaps since they said anything
        lines.append(ft.Row([ft.Icon(ft.Icons.UPDATE, size=16),
                             ft.Text(_("Moved: was {when}").format(when=format_weekday_when(meeting.original_start)),
                                     key="next-moved", expand=True)], spacing=6))
    if meeting.number is not None and meeting.total is not None:
        lines.append(ft.Text(_("Meeting {n} of {m}").format(n=meeting.number, m=meeting.total), key="next-number"))
    lines.append(ft.Text(found.group.label, theme_style=ft.TextThemeStyle.BODY_SMALL))
    theme = groups.meeting_theme(found.group, meeting) if groups.session.unlocked else ""
    if theme:  # sealed with the group's secrets: never on a locked screen, a reminder or a notification
        lines.append(ft.Row([ft.Icon(ft.Icons.FORUM_OUTLINED, size=16),
                             ft.Text(_("Theme: {theme}").format(theme=theme), key="next-theme", expand=True)],
                            spacing=6))
    details = groups.group_details(found.group) if groups.session.unlocked else None
    if details is not None and details.show_place and details.place:
        lines.append(ft.Row([ft.Icon(ft.Icons.PLACE_OUTLINED, size=16), ft.Text(details.place, key="next-place")]))
    # ink: an InkWell, which the keyboard can reach and a screen reader calls a button (a bare tap area is
    # neither). The check-in buttons sit beside it, not inside: no button within a button, and the open area's
    # focus shade does not lie under their text
    opening = ft.Container(ft.Column(lines, spacing=4), padding=ft.Padding.only(left=16, top=16, right=16, bottom=8),
                           key="next-meeting-open", ink=True, border_radius=12,
                           on_click=lambda: groups.session.router.navigate(Route.GROUP, id=found.group.id))
    actions = checkin_actions(groups, found.group, meeting)
    body: list[ft.Control] = [opening]
    if actions:
        body.append(ft.Container(ft.Column(actions, spacing=4), padding=ft.Padding.only(left=16, right=16, bottom=8)))
    return ft.Card(ft.Column(body, spacing=0), key="next-meeting")


def checkin_actions(groups: GroupsState, group: Group, meeting: Meeting) -> list[ft.Control]:
    """"I'm here" while a meeting goes on, "I can't come" before it; nothing while a journal is locked."""
    if not groups.session.can_check_in() or meeting.cancelled:
        return []
    status = groups.checkin_status(group, meeting.id)
    begun = meeting.start <= datetime.now(UTC)
    if not begun and status is None and groups.asked_again(group, meeting):  # "can't come" was for the old time
        return [ft.Text(_("The meeting moved. Can you come at the new time?"), key=f"asked-again-{meeting.id}"),
                ft.Row([ft.FilledTonalButton(_("I can come"), icon=ft.Icons.EVENT_AVAILABLE,
                                             key=f"cancome-{meeting.id}",
                                             on_click=lambda: groups.check_in(group, meeting.id, None)),
                        ft.OutlinedButton(_("I can't come"), icon=ft.Icons.EVENT_BUSY, key=f"cantcome-{meeting.id}",
                                          on_click=lambda: groups.check_in(group, meeting.id, CANT_COME))],
                       wrap=True)]
    if begun and status == ATTENDED:
        said, undo = _("You checked in."), _("Take it back")
    elif not begun and status == CANT_COME:
        said, undo = _("You said you can't come."), _("I can come after all")
    elif begun:
        return [ft.FilledTonalButton(_("I'm here"), icon=ft.Icons.HOW_TO_REG, key=f"checkin-{meeting.id}",
                                     on_click=lambda: groups.check_in(group, meeting.id, ATTENDED))]
    else:
        return [ft.OutlinedButton(_("I can't come"), icon=ft.Icons.EVENT_BUSY, key=f"cantcome-{meeting.id}",
                                  on_click=lambda: groups.check_in(group, meeting.id, CANT_COME))]
    return [ft.Row([ft.Text(said, key=f"said-{meeting.id}"),
                    ft.TextButton(undo, key=f"undo-checkin-{meeting.id}",
                                  on_click=lambda: groups.check_in(group, meeting.id, None))], wrap=True)]


def group_tiles(groups: GroupsState) -> list[ft.Control]:
    """Every group the member follows, each opening its own screen."""
    now = datetime.now(UTC)
    tiles: list[ft.Control] = []
    for group in sorted(groups.groups.list(), key=lambda g: g.label.casefold()):
        upcoming = group.schedule.next_meeting(now)
        when = format_when(upcoming.start, own_zone=True) if upcoming else _("No more meetings")
        tiles.append(ft.ListTile(leading=ft.Icon(ft.Icons.GROUPS_OUTLINED), title=ft.Text(group.label),
                                 subtitle=ft.Text(when), key=f"group-{group.id}",
                                 on_click=lambda _e, g=group: groups.session.router.navigate(Route.GROUP, id=g.id)))
    return tiles
