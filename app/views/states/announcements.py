"""The region's announcements on the home and journal screens (issue 19 point 3, docs/adr/0016-region-
catalogue.md): off until the member turns them on in Settings; then fetched with the region's list when the
app starts, on unlock and on "Refresh", and read from the copy on the device, offline too."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import flet as ft

from app.errors import KraftError
from app.i18n import _
from app.services.announcements import AnnouncementService, Upcoming
from app.services.catalogue import CatalogueService
from app.services.links import LinkStore
from app.views.states.session import SessionState


@ft.observable
@dataclass
class AnnouncementsState:
    session: SessionState
    items: list[Upcoming] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.session.hooks.started.append(self._soon)
        self.session.hooks.unlocked.append(self._soon)

    def service(self) -> AnnouncementService:
        vault_service = self.session.service
        return AnnouncementService(CatalogueService.for_profile(self.session.profile, vault_service.home),
                                   get=vault_service.get_preference, put=vault_service.set_preference,
                                   mailboxes=lambda: [link.mailbox for link in LinkStore(vault_service.engine).all()])

    @property
    def available(self) -> bool:
        """Whether the profile names a region key (else there is nothing to turn on)."""
        return self.service().available

    def is_on(self) -> bool:
        try:
            return self.available and self.service().is_on()
        except KraftError:  # the journal is busy in another window: as if off, until the next look
            return False

    def _soon(self) -> None:
        if not self.is_on():
            return
        work: Coroutine[Any, Any, None] = self.refresh()
        try:
            task = asyncio.get_running_loop().create_task(work)
        except RuntimeError:  # no loop (a script): the next start fetches
            work.close()
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def refresh(self) -> None:
        """Fetch the list (offline: the copy stays) and read what is coming."""
        service = self.service()
        with contextlib.suppress(KraftError):  # offline or refused: the copy on the device is shown
            await asyncio.to_thread(service.refresh)
        self.items = await asyncio.to_thread(service.upcoming, date.today())

    async def turn(self, on: bool) -> None:
        self.session.touch()
        await asyncio.to_thread(self.service().turn, on)
        if on:
            await self.refresh()
        else:
            self.items = []
        self.session.notice = (_("The region's announcements are on.") if on
                               else _("The region's announcements are off."))

    async def save_calendar(self) -> None:
        data = AnnouncementService.calendar(self.items, online=_("Online"), alarm_text=_("Tomorrow, from your region"))
        try:
            await ft.FilePicker().save_file(dialog_title=_("Add to my calendar"), file_name="kraft-region.ics",
                                            src_bytes=data)
        except Exception as exc:  # the platform's picker: whatever it raises is said, never a crash
            self.session.error = _("The file could not be saved: {detail}").format(detail=exc)
