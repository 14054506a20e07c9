"""The member's reminder settings, kept as a device preference.

A preference is plaintext on purpose: reminders work for a member who never made a journal and before
unlocking, and the settings hold nothing the member wrote (how long before a meeting, quiet hours, whether
texts may name the group). A stored value that cannot be read falls back to the defaults, logged, so the
start screen never fails over it.
"""

from __future__ import annotations

import json
import logging
from datetime import time, timedelta
from typing import Any

from app.errors import KraftError, Msg
from app.reminders import ReminderSettings
from app.schedule import parse_clock
from app.services.vault_service import VaultService

log = logging.getLogger(__name__)
PREFERENCE = "reminders"
VERSION = 1
OFFSET_CHOICES = (timedelta(days=7), timedelta(days=2), timedelta(hours=24), timedelta(hours=2),
                  timedelta(hours=1), timedelta(minutes=30))
MAX_OFFSETS = 3
HOMEWORK_DAYS = (1, 2, 3)


def _minutes(value: timedelta) -> int:
    return int(value.total_seconds() // 60)


def validate(settings: ReminderSettings) -> ReminderSettings:
    """The settings as given, or a KraftError saying what is wrong with them."""
    before = settings.before
    if len(before) > MAX_OFFSETS or len(set(before)) != len(before) or any(b not in OFFSET_CHOICES for b in before):
        raise KraftError(Msg.REMINDER_TIMES_INVALID, maximum=MAX_OFFSETS)
    if settings.homework_days_before is not None and settings.homework_days_before not in HOMEWORK_DAYS:
        raise KraftError(Msg.REMINDER_HOMEWORK_DAYS_INVALID)
    quiet = (settings.quiet_start, settings.quiet_end)
    if (quiet[0] is None) != (quiet[1] is None) or (quiet[0] is not None and quiet[0] == quiet[1]):
        raise KraftError(Msg.QUIET_HOURS_INVALID)
    return settings


def to_json(settings: ReminderSettings) -> str:
    def clock(value: time | None) -> str | None:
        return value.strftime("%H:%M") if value else None

    return json.dumps({"v": VERSION, "before_min": sorted((_minutes(b) for b in settings.before), reverse=True),
                       "homework_days": settings.homework_days_before,
                       "quiet": [clock(settings.quiet_start), clock(settings.quiet_end)],
                       "details": settings.show_details}, sort_keys=True)


def from_json(text: str) -> ReminderSettings:
    """Read `to_json`'s form; anything else raises ValueError (or TypeError/KeyError)."""
    data: Any = json.loads(text)
    if not isinstance(data, dict) or data.get("v") != VERSION:
        raise ValueError("not a reminder settings map of a known version")
    start, end = data["quiet"]
    return validate(ReminderSettings(
        before=tuple(timedelta(minutes=int(m)) for m in data["before_min"]),
        homework_days_before=None if data["homework_days"] is None else int(data["homework_days"]),
        quiet_start=parse_clock(start) if start else None, quiet_end=parse_clock(end) if end else None,
        show_details=bool(data["details"])))


def load(service: VaultService) -> ReminderSettings:
    text = service.get_preference(PREFERENCE)
    if text is None:
        return ReminderSettings()
    try:
        return from_json(text)
    except (ValueError, TypeError, KeyError, KraftError) as exc:
        log.warning("stored reminder settings unreadable (%s); using the defaults", exc)
        return ReminderSettings()


def save(service: VaultService, settings: ReminderSettings) -> ReminderSettings:
    service.set_preference(PREFERENCE, to_json(validate(settings)))
    return settings
