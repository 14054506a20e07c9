"""The coordinator's view: counts per meeting from the relay, credentials in memory only
(docs/adr/0007-app-layout.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import flet as ft

from app.errors import KraftError, Msg
from app.i18n import _
from app.services.coordinator_view import CoordinatorView, Overview
from app.views.states.session import SessionState

# a relay address or token that cannot work is said at its field
COORD_FIELDS = {Msg.RELAY_URL_INVALID: "coord-relay", Msg.COORDINATOR_TOKEN_MISSING: "coord-token"}


@ft.observable
@dataclass
class CoordinatorState:
    """Relay and bearer token in memory only: forgotten at every lock (a shared desk)."""

    session: SessionState
    view: CoordinatorView | None = None
    overview: Overview | None = None

    def __post_init__(self) -> None:
        self.session.hooks.locked.append(self._forget)

    def _forget(self) -> None:
        self.view = None
        self.overview = None

    def relay_url(self) -> str:
        """The region's relay from the profile, filled in on the coordinator screen."""
        return self.session.profile.relay.url

    async def open(self, relay: str, token: str) -> None:
        """Check the token with the relay and fetch the counts; the credentials stay in memory only."""
        try:
            view = CoordinatorView(relay, token)
        except KraftError as exc:
            self.session.fail({COORD_FIELDS.get(exc.msg, ""): str(exc)})
            return
        overview = await self.session.run(_("Fetching the counts…"),
                                          lambda: view.overview(today=datetime.now(UTC).date()), at="coord-open",
                                          fields={Msg.RELAY_REFUSED: "coord-token"})
        if overview is not None:
            self.view = view
            self.overview = overview

    async def csv(self, year: int) -> str | None:
        """The year's counts as CSV (small cells left empty by the relay), or None when not signed in."""
        view = self.view
        if view is None:
            return None
        text: str | None = await self.session.run(_("Preparing the export…"), lambda: view.export_csv(year),
                                                  at="coord-export")
        return text

    def close(self) -> None:
        """Forget the credentials and go back to where a locked app starts."""
        self._forget()
        self.session.router.back(self.session.home_screen())
