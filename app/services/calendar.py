"""A group's whole course as an .ics file, for the app's "Add to calendar" and `kraft group export-ics`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from app.domain.ics import DEFAULT_ALARMS, schedule_to_ics
from app.i18n import N_, _
from app.services.groups import Group

ALARM_TEXT = N_("Meeting soon")  # discreet: calendar alarms show on lock screens


def calendar_file(group: Group, *, alarms: Sequence[timedelta] = DEFAULT_ALARMS,
                  now: datetime | None = None) -> tuple[str, bytes]:
    """A file name and the .ics bytes. The UID is stable per group, so importing again updates the events."""
    data = schedule_to_ics(group.schedule, uid=f"{group.id}@kraft", summary=group.label, alarm_text=_(ALARM_TEXT),
                           alarms=alarms, now=now)
    slug = re.sub(r"[^\w]+", "-", group.label.casefold()).strip("-") or "group"
    return f"kraft-{slug}.ics", data
