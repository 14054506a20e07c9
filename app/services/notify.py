"""Native notifications behind an adapter: the reminder plan handed to the platform, or to nothing.

`sync` hands the platform the whole plan for the next two weeks each time (replace-all): a meeting that was
moved or cancelled, or a change in the settings, drops its old notifications without bookkeeping. Texts are
the same discreet texts as the in-app banner (a time, no group, theme or prompt) unless the member asked for
details, because a lock screen can be read by whoever holds the phone. Homework nudges are planned only when
the open journal is passed (see app.services.reminder_service); sync again after unlocking.

Platforms: `NullNotifier` for the web client and desktop runs (no scheduled local notifications there; the
in-app banner and the calendar file's alarms cover them). Built apps on Android, iOS and macOS use
`app.views.notifications.LocalNotifier` (it is Flet, so it lives with the views; `notifier_for_page` there
picks the adapter from the page's platform) over the flet-notifications extension (PyPI, MIT, 0.1.x for
Flet 1.0, flutter_local_notifications underneath). Its Dart half exists only in a `flet build` app: there
is no Flutter SDK on this machine, so what is checked here is the plan and the calls the adapter makes;
that a phone shows them at the right minute is for a device build.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from app.domain.reminders import ReminderSettings
from app.i18n import Language
from app.services import reminder_service
from app.services.groups import GroupService
from app.services.journal import Journal

HORIZON = timedelta(days=14)
TITLE = "Kraft"  # the app's name: a platform shows it anyway, and it says nothing about a group


@dataclass(frozen=True)
class ScheduledNotification:
    """One notification for the platform to show at `at`."""

    id: int  # stable for the same meeting, kind and time: a platform can update instead of doubling
    at: datetime  # aware
    title: str
    body: str


class Notifier(Protocol):
    """What a platform adapter does; `supported` is False where nothing will ever be shown."""

    supported: bool

    def replace_all(self, items: Sequence[ScheduledNotification]) -> None:
        """Cancel every notification this app scheduled before and schedule these."""

    def cancel_all(self) -> None:
        """Cancel every notification this app scheduled (e.g. when the member turns reminders off)."""


class NullNotifier:
    """For platforms without scheduled local notifications: accepts the plan and does nothing."""

    supported = False

    def replace_all(self, items: Sequence[ScheduledNotification]) -> None:
        return None

    def cancel_all(self) -> None:
        return None


def stable_id(group_id: str, meeting_id: str, kind: str, at: datetime) -> int:
    """The same id for the same group, meeting, kind and moment, whenever the plan is made."""
    digest = hashlib.sha256(f"{group_id}|{meeting_id}|{kind}|{at.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF or 1  # Android wants a positive 32-bit id


def plan(groups: GroupService, settings: ReminderSettings, *, now: datetime, journal: Journal | None = None,
         horizon: timedelta = HORIZON, lang: Language | None = None) -> list[ScheduledNotification]:
    """What the platform should show, in time order, in `lang` (default: the caller's context's language)."""
    return [ScheduledNotification(id=stable_id(group.id, r.meeting_id, r.kind, r.at), at=r.at, title=TITLE,
                                  body=reminder_service.text(group, r, settings, lang=lang))
            for group, r in reminder_service.upcoming(groups, settings, now=now, journal=journal, horizon=horizon)]


def sync(notifier: Notifier, groups: GroupService, settings: ReminderSettings, *, now: datetime,
         journal: Journal | None = None, horizon: timedelta = HORIZON,
         lang: Language | None = None) -> list[ScheduledNotification]:
    """Hand the whole plan to the notifier, replacing what it had; returns what was handed over (nothing is
    planned for an unsupported notifier). `journal`: the open journal, for homework nudges; `lang`: the
    language the texts are in."""
    if not notifier.supported:
        return []
    items = plan(groups, settings, now=now, journal=journal, horizon=horizon, lang=lang)
    notifier.replace_all(items)
    return items

