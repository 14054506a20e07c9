"""Reminder settings: how long before a meeting, the homework nudge, quiet hours, and what texts may say."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import flet as ft

from app.i18n import N_, _, ngettext
from app.services.reminder_prefs import HOMEWORK_DAYS, OFFSET_CHOICES
from app.views.common import dropdown, field_message, frame, option, section_title, tick
from app.views.routes import Route
from app.views.states.groups import GroupsState
from app.views.states.session import SessionState
from app.views.widgets.pickers import time_field

OFFSET_LABELS = {
    timedelta(days=7): N_("1 week before"), timedelta(days=2): N_("2 days before"),
    timedelta(hours=24): N_("24 hours before"), timedelta(hours=2): N_("2 hours before"),
    timedelta(hours=1): N_("1 hour before"), timedelta(minutes=30): N_("30 minutes before"),
}
DEFAULT_QUIET = ("22:00", "08:00")


def _clock(value: time | None, default: str) -> str:
    return value.strftime("%H:%M") if value else default


@ft.component
def Reminders(groups: GroupsState, session: SessionState) -> ft.Control:
    settings = groups.reminder_settings
    quiet_start, set_quiet_start = ft.use_state(_clock(settings.quiet_start, DEFAULT_QUIET[0]))
    quiet_end, set_quiet_end = ft.use_state(_clock(settings.quiet_end, DEFAULT_QUIET[1]))
    quiet_on = settings.quiet_start is not None
    refused, set_refused = ft.use_state(0)  # how many ticks were refused: the boxes are drawn anew after one

    def offset_changed(offset: timedelta) -> Any:
        def change(e: Any) -> None:
            chosen = set(settings.before) | {offset} if e.control.value else set(settings.before) - {offset}
            groups.set_reminder_settings(before=tuple(sorted(chosen, reverse=True)))
            if e.control.value and offset not in groups.reminder_settings.before:  # refused: untick it again
                set_refused(refused + 1)  # the box was unticked in the last render too: only new boxes untick
        return change

    def homework_changed(e: Any) -> None:
        value = e.control.value
        groups.set_reminder_settings(homework_days_before=None if value == "off" else int(value))

    def quiet_changed(e: Any) -> None:
        if e.control.value:
            groups.set_quiet_hours(quiet_start, quiet_end)
        else:
            groups.set_reminder_settings(quiet_start=None, quiet_end=None)

    body: list[ft.Control] = [
        ft.Text(_("Kraft reminds you in the app, and as notifications where your device lets the app show them. "
                  "A reminder says only that you have a meeting and when, unless you choose otherwise below.")),
        section_title(_("Before a meeting")),
        ft.Column([tick(_(OFFSET_LABELS[offset]), value=offset in settings.before,
                        key=f"before-{int(offset.total_seconds() // 60)}", on_change=offset_changed(offset))
                   for offset in OFFSET_CHOICES], key=f"offsets-{refused}", spacing=12),
        *field_message(session, "reminder-times"),  # "at most 3", right under the tick that was refused
        section_title(_("Homework")),
        dropdown(label=_("Remind me of homework I have not answered"), key="homework-days",
                 value=str(settings.homework_days_before or "off"), on_change=homework_changed,
                 options=[option("off", _("Never")),
                          *[option(str(d), ngettext_days(d)) for d in HOMEWORK_DAYS]],
                 error=session.field_error("homework-days") or None),
        ft.Text(_("Only while your journal is open can Kraft tell whether the homework has an answer."),
                theme_style=ft.TextThemeStyle.BODY_SMALL),
        section_title(_("Quiet hours")),
        ft.Switch(label=_("No reminders during quiet hours"), value=quiet_on, key="quiet-on",
                  on_change=quiet_changed),
    ]
    if quiet_on:
        body += [
            ft.Row([ft.Container(time_field(session, _("From"), quiet_start, set_quiet_start, key="quiet-start"),
                                 width=240),
                    ft.Container(time_field(session, _("Until"), quiet_end, set_quiet_end, key="quiet-end"),
                                 width=240)], wrap=True),
            ft.OutlinedButton(_("Save quiet hours"), key="save-quiet",
                              on_click=lambda: groups.set_quiet_hours(quiet_start, quiet_end)),
        ]
    body += [
        section_title(_("What reminders say")),
        tick(_("Name the group in reminders"), value=settings.show_details, key="show-details",
             on_change=lambda e: groups.set_reminder_settings(show_details=bool(e.control.value))),
        ft.Text(_("Off, a reminder says only “You have a meeting at 18:00”, so nobody who glances at your screen "
                  "learns about the group."), theme_style=ft.TextThemeStyle.BODY_SMALL),
    ]
    return frame(session, _("Reminders"), body, nav=False,
                 back=lambda: session.router.back(Route.SETTINGS if session.unlocked else session.home_screen()))


def ngettext_days(days: int) -> str:
    return ngettext("{n} day before the meeting", "{n} days before the meeting", days).format(n=days)
