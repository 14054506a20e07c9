"""The next meeting (also locked, also anonymous), adding a group, the group's guidelines, and help now."""

from __future__ import annotations

from datetime import UTC, datetime

import flet as ft

from app.i18n import N_, _, format_countdown, format_when
from app.views.common import field, frame, section_title
from app.views.state import AppState

GUIDELINES = (
    N_("The group is closed after it starts: new members join the next group."),
    N_("If you can't come, tell the others."),
    N_("What is said in the group stays in the group (confidentiality)."),
    N_("Religion and politics are left outside the group."),
    N_("Questions about medication go to your doctor or healthcare."),
    N_("The group is not meant for acute crises. If you need help now, use “Need help now?”."),
)
COUNTRY_NAMES = {"SE": N_("Sweden"), "NO": N_("Norway"), "DK": N_("Denmark")}


def reminder_banner(state: AppState) -> ft.Control:
    """A due reminder, discreet (no group name, no theme): shown on open, on resume and while open."""
    _minute = state.minute  # re-evaluated as the clock moves
    reminder = state.due_reminder()
    if reminder is None:
        return ft.Container()
    return ft.Semantics(live_region=True, content=ft.Container(
        ft.Row([ft.Icon(ft.Icons.NOTIFICATIONS_ACTIVE_OUTLINED),
                ft.Text(reminder.text(), expand=True, key="reminder-text"),
                ft.IconButton(ft.Icons.CLOSE, tooltip=_("Dismiss"), key="reminder-dismiss",
                              on_click=lambda: state.dismiss_reminder(reminder))]),
        bgcolor=ft.Colors.TERTIARY_CONTAINER, border_radius=8, padding=ft.Padding.only(left=12)))


def next_meeting_card(state: AppState) -> ft.Control:
    """Date, time, countdown and meeting N of M of the soonest meeting; nothing else (works locked)."""
    found = state.next_meeting()
    if found is None:
        return ft.Container()
    meeting = found.meeting
    lines: list[ft.Control] = [
        ft.Text(_("Next meeting"), theme_style=ft.TextThemeStyle.LABEL_LARGE),
        ft.Text(format_when(meeting.start, own_zone=True), theme_style=ft.TextThemeStyle.TITLE_LARGE, key="next-when"),
        ft.Text(format_countdown(meeting.start - datetime.now(UTC)), key="next-countdown"),
    ]
    if meeting.number is not None and meeting.total is not None:
        lines.append(ft.Text(_("Meeting {n} of {m}").format(n=meeting.number, m=meeting.total), key="next-number"))
    lines.append(ft.Text(found.group.label, theme_style=ft.TextThemeStyle.BODY_SMALL))
    return ft.Card(ft.Container(ft.Column(lines, spacing=4), padding=16), key="next-meeting")


@ft.component
def Home(state: AppState) -> ft.Control:
    """For a member without a journal: the next meeting, and the way to a journal if they want one."""
    body: list[ft.Control] = [
        reminder_banner(state),
        next_meeting_card(state),
        ft.OutlinedButton(_("Add another group"), icon=ft.Icons.ADD, key="add-group",
                          on_click=lambda: state.go("add_group")),
        ft.Text(_("Want to answer the homework too? A journal keeps your answers encrypted on this device.")),
        ft.FilledButton(_("Create my journal"), key="start", on_click=lambda: state.go("setup")),
    ]
    return frame(state, "Kraft", body, nav=False)


@ft.component
def AddGroup(state: AppState) -> ft.Control:
    label, set_label = ft.use_state("")
    first, set_first = ft.use_state("")
    at, set_at = ft.use_state("18:00")
    every, set_every = ft.use_state("1")
    count, set_count = ft.use_state("")

    body: list[ft.Control] = [
        ft.Text(_("Only the meeting times and the name you choose are kept, so nothing here says what the "
                  "group is about.")),
        field(state, _("A name only you will recognise"), label, set_label, key="group-label", password=False,
              helper=_("e.g. Thursday")),
        field(state, _("First meeting (date)"), first, set_first, key="group-first", password=False,
              helper=_("e.g. {example}").format(example="2026-12-03")),
        field(state, _("Time"), at, set_at, key="group-at", password=False),
        ft.Dropdown(label=_("How often"), key="group-every", value=every,
                    on_select=lambda e: set_every(e.control.value),
                    options=[ft.DropdownOption(key="1", text=_("Every week")),
                             ft.DropdownOption(key="2", text=_("Every second week")),
                             ft.DropdownOption(key="3", text=_("Every third week"))]),
        field(state, _("Number of meetings (empty: no end)"), count, set_count, key="group-count", password=False),
        ft.FilledButton(_("Add group"), key="save-group", on_click=lambda: state.add_group(
            label=label, first=first, at=at, every=int(every), count=count)),
    ]
    return frame(state, _("Add a group"), body, nav=False,
                 back=lambda: state.go("settings" if state.unlocked else state.home_screen()))


@ft.component
def Guidelines(state: AppState) -> ft.Control:
    body: list[ft.Control] = [section_title(_("How the group works"))]
    body += [ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE_OUTLINE), ft.Text(_(g), expand=True)]) for g in GUIDELINES]
    after = "journal" if state.unlocked else state.home_screen()
    body.append(ft.FilledButton(_("I understand"), key="guidelines-ok", on_click=lambda: state.go(after)))
    return frame(state, _("Group guidelines"), body, nav=False)


@ft.component
def Help(state: AppState) -> ft.Control:
    body: list[ft.Control] = [ft.Text(_("If you are in danger or thinking of hurting yourself, call now. "
                                        "You do not have to explain more than you want to."))]
    countries = sorted({line.country for line in state.profile.crisis_lines},
                       key=lambda c: (c != {"sv": "SE", "nb": "NO", "da": "DK"}.get(state.language), c))
    for country in countries:
        body.append(section_title(_(COUNTRY_NAMES.get(country, country))))
        for line in (item for item in state.profile.crisis_lines if item.country == country):
            body.append(ft.ListTile(
                leading=ft.Icon(ft.Icons.PHONE), title=ft.Text(line.name), subtitle=ft.Text(line.number),
                url=f"tel:{line.number.replace(' ', '')}", key=f"call-{country}-{line.number}"))
    return frame(state, _("Need help now?"), body, nav=False, back=lambda: state.go(state.back_to))
