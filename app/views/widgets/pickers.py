"""Date and time fields: typed text, with Flet's date or time picker beside it for those who would rather
tap. The text stays what the form reads, so a typed date and a picked one are checked the same way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import flet as ft

from app.domain.schedule import parse_clock
from app.i18n import _
from app.views.common import field, icon_button
from app.views.states.session import SessionState

YEARS_AHEAD = 5  # a group meets within a few years; the calendar need not scroll further


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _clock(text: str) -> time | None:
    try:
        return parse_clock(text)
    except ValueError:
        return None


def _picked_day(value: Any) -> str:
    """The picked day as the field's text. Flet hands a datetime (its wire format has one); a plain ISO
    string is read too. A datetime with a zone is the member's midnight told in another zone (UTC: the
    evening before, east of it): the nearest midnight is the day picked (right for offsets up to 12 hours)."""
    if isinstance(value, datetime):
        return (value + timedelta(hours=12) if value.tzinfo else value).date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def _picked_clock(value: Any) -> str:
    """The picked time as the field's text (18:00), from a time or its ISO text."""
    if isinstance(value, time | datetime):
        return value.strftime("%H:%M")
    return str(value)[:5]


def _show(picker: ft.DialogControl) -> None:
    """Open a picker on the page of the session handling this tap (Flet 1.0: page.show_dialog)."""
    ft.context.page.show_dialog(picker)


def date_field(session: SessionState, label: str, value: str, setter: Callable[[str], Any], *, key: str,
               helper: str = "") -> ft.Control:
    """A date typed as 2026-12-03, or chosen in a calendar (the button beside it)."""
    today = datetime.now().date()
    shown = _day(value) or today

    def picked(e: Any) -> None:
        if e.control.value is not None:
            session.touch()
            setter(_picked_day(e.control.value))

    def open_picker() -> None:
        first = min(shown, today - timedelta(days=366))
        _show(ft.DatePicker(value=datetime.combine(shown, time()), first_date=datetime.combine(first, time()),
                            last_date=datetime(today.year + YEARS_AHEAD, 12, 31), locale=ft.Locale(session.language),
                            help_text=label, cancel_text=_("Cancel"), confirm_text=_("Choose"),
                            on_change=picked, key=f"{key}-picker"))

    return ft.Row([ft.Container(field(session, label, value, setter, key=key, password=False, helper=helper),
                                expand=True),
                   icon_button(ft.Icons.CALENDAR_MONTH, _("Choose the date in a calendar"), key=f"{key}-pick",
                               on_click=open_picker)],
                  vertical_alignment=ft.CrossAxisAlignment.START)


def time_field(session: SessionState, label: str, value: str, setter: Callable[[str], Any], *, key: str,
               helper: str = "") -> ft.Control:
    """A time typed as 18:00, or chosen on a clock (the button beside it), always on the 24-hour clock."""

    def picked(e: Any) -> None:
        if e.control.value is not None:
            session.touch()
            setter(_picked_clock(e.control.value))

    def open_picker() -> None:
        _show(ft.TimePicker(value=_clock(value) or time(18, 0), hour_format=ft.TimePickerHourFormat.H24,
                            locale=ft.Locale(session.language), help_text=label, cancel_text=_("Cancel"),
                            confirm_text=_("Choose"), on_change=picked, key=f"{key}-picker"))

    return ft.Row([ft.Container(field(session, label, value, setter, key=key, password=False, helper=helper),
                                expand=True),
                   icon_button(ft.Icons.SCHEDULE, _("Choose the time on a clock"), key=f"{key}-pick",
                               on_click=open_picker)],
                  vertical_alignment=ft.CrossAxisAlignment.START)
