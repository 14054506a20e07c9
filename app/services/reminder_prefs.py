"""The member's reminder settings, kept as a device preference.

A preference is plaintext on purpose: reminders work for a member who never made a journal and before
unlocking, and the settings hold nothing the member wrote (how long before a meeting, quiet hours, whether
texts may name the group). A stored value that cannot be read falls back to the defaults, logged, so the
start screen never fails over it.

API for the settings screen: `load(store)`, `save(store, settings)` (validates, returns what was stored),
`validate(settings)`, and the choices a screen can offer: `OFFSET_CHOICES` (at most `MAX_OFFSETS` of them)
and `HOMEWORK_DAYS`. `store` is anything with get_preference/set_preference, e.g. a VaultService.

Stored form (version 1), a JSON object: {"v": 1, "before_min": [1440, 120] (minutes, longest first),
"homework_days": 2 or null, "quiet": ["22:00", "08:00"] or [null, null], "details": false}.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import time, timedelta
from typing import Any, Protocol

from app.domain.reminders import ReminderSettings
from app.domain.schedule import parse_clock
from app.errors import KraftError, Msg

log = logging.getLogger(__name__)
PREFERENCE = "reminders"
VERSION = 1
OFFSET_CHOICES = (timedelta(days=7), timedelta(days=2), timedelta(hours=24), timedelta(hours=2),
                  timedelta(hours=1), timedelta(minutes=30))
MAX_OFFSETS = 3
HOMEWORK_DAYS = (1, 2, 3)


class PreferenceStore(Protocol):
    """Where device preferences live (app.services.vault_service.VaultService is one)."""

    def get_preference(self, name: str, default: str | None = None) -> str | None: ...

    def set_preference(self, name: str, value: str) -> None: ...


def validate(settings: ReminderSettings) -> ReminderSettings:
    """The settings in their normal form (reminder times longest first, quiet hours to the minute), or a
    KraftError saying what is wrong: reminder times outside `OFFSET_CHOICES` (so never zero), repeated or
    more than `MAX_OFFSETS`; a homework nudge other than off or `HOMEWORK_DAYS`; quiet hours with only one
    end, or two equal ends."""
    before = settings.before
    if len(before) > MAX_OFFSETS or len(set(before)) != len(before) or any(b not in OFFSET_CHOICES for b in before):
        raise KraftError(Msg.REMINDER_TIMES_INVALID, maximum=MAX_OFFSETS)
    days = settings.homework_days_before
    if days is not None and (isinstance(days, bool) or days not in HOMEWORK_DAYS):
        raise KraftError(Msg.REMINDER_HOMEWORK_DAYS_INVALID)
    start, end = (None if t is None else t.replace(second=0, microsecond=0, tzinfo=None)
                  for t in (settings.quiet_start, settings.quiet_end))
    if (start is None) != (end is None) or (start is not None and start == end):
        raise KraftError(Msg.QUIET_HOURS_INVALID)
    return replace(settings, before=tuple(sorted(before, reverse=True)), quiet_start=start, quiet_end=end,
                   show_details=bool(settings.show_details))


def to_json(settings: ReminderSettings) -> str:
    """The stored form of (validated) settings."""
    def clock(value: time | None) -> str | None:
        return value.strftime("%H:%M") if value else None

    return json.dumps({"v": VERSION, "before_min": sorted((int(b.total_seconds() // 60) for b in settings.before),
                                                          reverse=True),
                       "homework_days": settings.homework_days_before,
                       "quiet": [clock(settings.quiet_start), clock(settings.quiet_end)],
                       "details": settings.show_details}, sort_keys=True)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"not a whole number: {value!r}")
    return value


def from_json(text: str) -> ReminderSettings:
    """Read `to_json`'s form; anything else raises ValueError, TypeError, KeyError or KraftError."""
    data: Any = json.loads(text)
    if not isinstance(data, dict) or data.get("v") != VERSION:
        raise ValueError("not a reminder settings map of a known version")
    start, end = data["quiet"]
    if not isinstance(data["before_min"], list) or not isinstance(data["details"], bool):
        raise TypeError("reminder times or details of the wrong type")
    days = data["homework_days"]
    return validate(ReminderSettings(
        before=tuple(timedelta(minutes=_int(m)) for m in data["before_min"]),
        homework_days_before=None if days is None else _int(days),
        quiet_start=parse_clock(start) if start is not None else None,
        quiet_end=parse_clock(end) if end is not None else None,
        show_details=data["details"]))


def load(store: PreferenceStore) -> ReminderSettings:
    """The member's settings; the defaults when none were saved or the stored value cannot be read."""
    text = store.get_preference(PREFERENCE)
    if text is None:
        return ReminderSettings()
    try:
        return from_json(text)
    except (ValueError, TypeError, KeyError, AttributeError, KraftError) as exc:
        log.warning("stored reminder settings unreadable (%s); using the defaults", exc)
        return ReminderSettings()


def save(store: PreferenceStore, settings: ReminderSettings) -> ReminderSettings:
    """Validate and store the settings (nothing is stored when they are refused); returns the normal form."""
    checked = validate(settings)
    store.set_preference(PREFERENCE, to_json(checked))
    return checked
