"""Pieces for showing a group's schedule, shared by the group screens and the join and lead screens."""

from __future__ import annotations

import flet as ft

from app.domain.schedule import Meeting
from app.i18n import N_, _, format_clock, format_day, format_when, ngettext, zone_name
from app.services.groups import Group, GroupDetails

GUIDELINES = (
    N_("The group is closed after it starts: new members join the next group."),
    N_("If you can't come, tell the others."),
    N_("What is said in the group stays in the group (confidentiality)."),
    N_("Religion and politics are left outside the group."),
    N_("Questions about medication go to your doctor or healthcare."),
    N_("The group is not meant for acute crises. If you need help now, use “Need help now?”."),
)


INTERVAL_TEXT = {1: N_("Every week at {time}"), 2: N_("Every second week at {time}"),
                 3: N_("Every third week at {time}")}


def meeting_subtitle(meeting: Meeting) -> str:
    """A meeting's number, and whether it was moved or cancelled."""
    if meeting.cancelled:
        return _("Cancelled")
    parts = []
    if meeting.number is not None:
        parts.append(_("Meeting {n} of {m}").format(n=meeting.number, m=meeting.total) if meeting.total
                     else _("Meeting {n}").format(n=meeting.number))
    if meeting.moved:
        parts.append(_("moved from {when}").format(when=format_when(meeting.original_start, own_zone=True)))
    return " · ".join(parts)


def schedule_summary(group: Group) -> list[ft.Control]:
    """How often the group meets, for how long, what is cancelled, and in which zone."""
    schedule = group.schedule
    lines = [_(INTERVAL_TEXT[schedule.interval]).format(time=format_clock(schedule.first_start))]
    meetings = schedule.meetings()
    if schedule.count is not None:
        held = schedule.count - sum(m.cancelled for m in meetings)
        lines.append(ngettext("A course of {n} meeting", "A course of {n} meetings", held).format(n=held))
    elif schedule.until is not None:
        lines.append(_("Until {date}").format(date=format_day(schedule.until)))
    cancelled = sum(m.cancelled for m in meetings)
    if cancelled:
        lines.append(ngettext("{n} meeting cancelled", "{n} meetings cancelled", cancelled).format(n=cancelled))
    lines.append(_("Time zone: {zone}").format(zone=zone_name(schedule.zone)))
    return [ft.Text(line) for line in lines]


def details_lines(details: GroupDetails | None) -> list[ft.Control]:
    """Theme, place and link of a group, when the journal is open."""
    if details is None:
        return []
    out: list[ft.Control] = []
    if details.theme:
        out.append(ft.Text(_("Theme: {theme}").format(theme=details.theme), key="group-theme-text"))
    if details.place:
        out.append(ft.Text(_("Place: {place}").format(place=details.place), key="group-place-text"))
    if details.link:
        out.append(ft.TextButton(details.link, icon=ft.Icons.LINK, url=details.link, key="group-link-open"))
    return out
