"""Native notifications behind an adapter: the reminder plan handed to the platform, or to nothing.

`sync` hands the platform the whole plan for the next two weeks each time (replace-all): a meeting that was
moved or cancelled, or a change in the settings, drops its old notifications without bookkeeping. Texts are
the same discreet texts as the in-app banner (a time, no group, theme or prompt) unless the member asked for
details, because a lock screen can be read by whoever holds the phone.

Platforms: `NullNotifier` for the web client and desktop runs (no scheduled local notifications there; the
in-app banner and the calendar file's alarms cover them). Built apps on Android, iOS and macOS use
`app.views.notifications.LocalNotifier` (it is Flet, so it lives with the views), over the
flet-notifications extension.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from app.reminders import ReminderSettings
from app.services import reminder_service
from app.services.groups import GroupService
from app.services.journal import Journal

HORIZON = timedelta(days=14)


@dataclass(frozen=True)
class ScheduledNotification:
    id: int  # stable for the same meeting, kind and time: a platform can update instead of doubling
    at: datetime  # aware
    title: str
    body: str


class Notifier(Protocol):
    supported: bool

    def replace_all(self, items: Sequence[ScheduledNotification]) -> None:
        """Cancel every notification this app scheduled before and schedule these."""

    def cancel_all(self) -> None: ...


class NullNotifier:
    """For platforms without scheduled local notifications: accepts the plan and does nothing."""

    supported = False

    def replace_all(self, items: Sequence[ScheduledNotification]) -> None:
        return None

    def cancel_all(self) -> None:
        return None


def _stable_id(meeting_id: str, kind: str, at: datetime) -> int:
    digest = hashlib.sha256(f"{meeting_id}|{kind}|{at.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF  # Android wants a positive 32-bit id


def plan(groups: GroupService, settings: ReminderSettings, *, now: datetime, journal: Journal | None = None,
         horizon: timedelta = HORIZON) -> list[ScheduledNotification]:
    """What the platform should show, in time order."""
    return [ScheduledNotification(id=_stable_id(r.meeting_id, r.kind, r.at), at=r.at, title="Kraft",
                                  body=reminder_service.text(group, r, settings))
            for group, r in reminder_service.upcoming(groups, settings, now=now, journal=journal, horizon=horizon)]


def sync(notifier: Notifier, groups: GroupService, settings: ReminderSettings, *, now: datetime,
         journal: Journal | None = None) -> list[ScheduledNotification]:
    """Hand the whole plan to the notifier (replacing what it had); returns what was handed over."""
    items = plan(groups, settings, now=now, journal=journal)
    notifier.replace_all(items)
    return items

