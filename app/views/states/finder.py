"""Finding a group (issue 19 point 1, docs/adr/0016-region-catalogue.md): the region's signed catalogue, the
copy on the device first, then what the relay has. No journal and no account; the search words never leave
the device (the whole list is fetched, the filtering is here)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import flet as ft

from app.domain.catalogue import find
from app.errors import KraftError
from app.i18n import _, current
from app.services.catalogue import CatalogueService
from app.views.routes import Route
from app.views.states.session import SessionState
from protocol import Catalogue, CatalogueEntry


@ft.observable
@dataclass
class FinderState:
    """The catalogue shown, why it could not be fetched just now (None when it was), and the search words."""

    session: SessionState
    catalogue: Catalogue | None = None
    problem: KraftError | None = None
    theme: str = ""
    town: str = ""

    def __post_init__(self) -> None:
        self.session.hooks.locked.append(self._forget_words)

    def _forget_words(self) -> None:
        """What was searched for is forgotten at every lock (quick exit included): a shared phone does not show
        the next person that someone looked for a group on grief."""
        self.theme = self.town = ""

    def service(self) -> CatalogueService:
        """The catalogue of the profile's region, kept in the data directory."""
        return CatalogueService.for_profile(self.session.profile, self.session.service.home)

    @property
    def available(self) -> bool:
        """Whether this app can show a catalogue at all: its profile names the region's key."""
        return self.service().available

    async def open(self) -> None:
        """Show "Find a group": the copy on this device at once, then the relay's list."""
        self.session.router.navigate(Route.FIND)
        if self.catalogue is None:
            self.catalogue = await asyncio.to_thread(self.service().cached)
        await self.refresh()

    async def refresh(self) -> None:
        """Fetch the relay's list; when that fails, the copy here stays and `problem` says why."""
        service = self.service()
        result = await self.session.run(_("Fetching the list of groups…"), service.latest, at="find-refresh")
        if result is not None:
            catalogue, problem = result
            self.catalogue = catalogue
            self.problem = problem

    def set_theme(self, text: str) -> None:
        self.session.touch()
        self.theme = text

    def set_town(self, text: str) -> None:
        self.session.touch()
        self.town = text

    def found(self) -> list[CatalogueEntry]:
        """The entries the search words find, in the session's language (all of them without words)."""
        if self.catalogue is None:
            return []
        return find(self.catalogue.entries, current(), theme=self.theme, town=self.town)

    def close(self) -> None:
        self.session.router.back(self.session.home_screen())
