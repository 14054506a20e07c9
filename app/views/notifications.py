"""The native-notification adapter for built apps: hands the reminder plan to the flet-notifications
extension (flutter_local_notifications underneath).

It lives with the views because it is Flet; the plan itself is made in `app.services.notify`. Only a
`flet build` app carries the extension's Dart half, so the adapter is chosen only on the platforms whose
builds schedule notifications (Android, iOS, macOS); the web client and `flet run` keep the NullNotifier.
What this machine can check is our side: the calls the adapter makes (tests/ui). A phone showing them at
the right minute is to be checked on a device build.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import flet as ft
from flet_notifications import LocalNotifications

from app.services.notify import Notifier, NullNotifier, ScheduledNotification

log = logging.getLogger(__name__)
SCHEDULING_PLATFORMS = (ft.PagePlatform.ANDROID, ft.PagePlatform.IOS, ft.PagePlatform.MACOS)


class LocalNotifier:
    """Replace-all scheduling through the extension; a failure is logged, never raised into the app."""

    supported = True

    def __init__(self, page: ft.Page) -> None:
        self._page = page
        self._service = LocalNotifications()
        self._asked = False

    async def _replace(self, items: Sequence[ScheduledNotification]) -> None:
        try:
            if not self._asked:
                self._asked = True
                if not await self._service.request_permissions():
                    log.info("notifications not allowed on this device; the in-app banner still works")
                    return
            await self._service.cancel_pending()
            for item in items:
                await self._service.schedule(id=item.id, when=item.at, title=item.title, body=item.body)
        except Exception:
            log.exception("scheduling notifications failed")

    def replace_all(self, items: Sequence[ScheduledNotification]) -> None:
        self._page.run_task(self._replace, list(items))

    def cancel_all(self) -> None:
        self._page.run_task(self._replace, [])


def notifier_for_page(page: ft.Page) -> Notifier:
    if page.platform in SCHEDULING_PLATFORMS and not page.web:
        return LocalNotifier(page)
    return NullNotifier()
