"""The coordinator's view: counts per meeting from the relay, credentials in memory only
(docs/adr/0007-app-layout.md); with the region key in the open journal, the interest in each group of the
region's list and the would-be leaders, opened on this device, and "Start this group" (issue 19 points 2 and
4, docs/adr/0016-region-catalogue.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import flet as ft

from app.errors import KraftError, Msg
from app.i18n import _, ngettext
from app.services.coordinator_view import CoordinatorView, Overview
from app.services.region import Inbox, Publisher, RegionKeys, check_announcement_fields
from app.views.states.interest import attempt
from app.views.states.session import SessionState
from protocol import CatalogueEntry, Request

# a relay address or token that cannot work is said at its field
COORD_FIELDS = {Msg.RELAY_URL_INVALID: "coord-relay", Msg.COORDINATOR_TOKEN_MISSING: "coord-token"}
# an invite that cannot be sent is said at the field it was pasted in
START_FIELDS = {Msg.INVITE_MISSING: "coord-start-invite", Msg.CATALOGUE_ENTRY_UNKNOWN: "coord-start-invite"}
FOLLOW_UP_FIELDS = {Msg.CATALOGUE_FIELD: "coord-follow-up-day"}
# the region's zone from its language (the profile names no zone): a follow-up is at the group's own time
ZONES = {"sv": "Europe/Stockholm", "nb": "Europe/Oslo", "da": "Europe/Copenhagen", "en": "Europe/Stockholm"}


@dataclass(frozen=True)
class Forming:
    """The region's list with the interest in each group, and the would-be leaders, as this device opened them."""

    listed: bool  # the region has a list on the relay (without one there is no interest either)
    entries: list[tuple[CatalogueEntry, list[Request]]] = field(default_factory=list)  # in the list's order
    leaders: list[Request] = field(default_factory=list)
    unreadable: int = 0  # requests this key does not open (damaged, or sealed to another key): counted only


@ft.observable
@dataclass
class CoordinatorState:
    """Relay and bearer token in memory only: forgotten at every lock (a shared desk)."""

    session: SessionState
    view: CoordinatorView | None = None
    overview: Overview | None = None
    publisher: Publisher | None = None  # the region key and the token: only while the journal holds the key
    forming: Forming | None = None
    forming_problem: str = ""  # why the interest could not be fetched just now
    starting: str = ""  # the entry whose "Start this group" asks for the invite
    scheduling: str = ""  # the group (mailbox) whose follow-up is being scheduled as an announcement

    def __post_init__(self) -> None:
        self.session.hooks.locked.append(self._forget)

    def _forget(self) -> None:
        self.view = None
        self.overview = None
        self.publisher = None
        self.forming = None
        self.forming_problem = self.starting = self.scheduling = ""

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
            await self.load_forming()

    # ---- groups forming (issue 19 points 2 and 4) ----

    def _publisher(self) -> Publisher | None:
        """The region key from the open journal with the token given; None without either (nothing is shown)."""
        view = self.view
        if view is None or not self.session.unlocked:
            return None
        try:
            identity = RegionKeys(self.session.ctx.vault).identity()
        except KraftError as exc:
            if exc.msg is not Msg.REGION_KEY_MISSING:
                self.forming_problem = str(exc)
            return None
        return Publisher(identity, relay=view.relay, token=view.token)

    async def load_forming(self) -> None:
        """The region's list and every request sealed to its key, opened and counted here."""
        publisher = self.publisher = self._publisher()
        if publisher is None:
            self.forming = None
            return

        def work() -> Forming:
            catalogue = publisher.current()
            if catalogue is None:
                return Forming(listed=False)
            inbox = Inbox(publisher)
            received = inbox.requests()
            per_entry = inbox.per_entry(received)
            return Forming(listed=True, entries=[(e, per_entry.get(e.id, [])) for e in catalogue.entries],
                           leaders=inbox.leaders(received),
                           unreadable=sum(1 for r in received if r.request is None))

        found = await attempt(self.session, _("Opening the interest in your groups…"), work,
                              at="coord-forming-refresh")
        if isinstance(found, KraftError):
            self.forming_problem = str(found)
        elif found is not None:
            self.forming, self.forming_problem = found, ""

    def ask_start(self, entry: CatalogueEntry) -> None:
        self.session.touch()
        self.session.clear_errors()
        self.starting = entry.id

    def cancel_start(self) -> None:
        self.session.clear_errors()
        self.starting = ""

    async def start(self, entry: CatalogueEntry, invite: str) -> bool:
        """"Start this group": the starter's invite goes, sealed, to everyone interested, and the group shows as
        running; the notice says how many it went to. True when sent."""
        publisher = self.publisher
        if publisher is None:
            return False
        inbox = Inbox(publisher)
        sent = await self.session.run(_("Sending the invite…"),
                                      lambda: inbox.start(entry.id, invite, today=datetime.now(UTC).date()),
                                      at="coord-start-send", fields=START_FIELDS)
        if sent is None:
            return False
        self.starting = ""
        await self.load_forming()
        self.session.notice = ngettext("The invite went to {n} interested person.",
                                       "The invite went to {n} interested people.", sent).format(n=sent)
        return True

    def ask_schedule(self, mailbox: str) -> None:
        self.session.touch()
        self.session.clear_errors()
        self.scheduling = mailbox

    async def schedule(self, mailbox: str, day: str, time: str, place: str) -> bool:
        """A follow-up due becomes an announcement to that group alone (issue 19 point 3): its members who
        turned announcements on see it on their home screen and can put it in their calendar."""
        publisher = self.publisher
        if publisher is None:
            return False
        today = datetime.now(UTC).date()
        zone = ZONES[self.session.profile.default_language]

        def work() -> object:
            fields = check_announcement_fields(kind="follow_up", title=_("Follow-up meeting with the coordinator"),
                                               day=day.strip(), time=time.strip(), zone=zone, place=place,
                                               mailbox=mailbox, text="", today=today)
            return publisher.announce(fields, today=today)

        done = await self.session.run(_("Announcing the follow-up…"), work, at="coord-follow-up-send",
                                      fields=FOLLOW_UP_FIELDS)
        if done is None:
            return False
        self.scheduling = ""
        self.session.notice = _("Announced to the group. Its members see it when their app next fetches the list.")
        return True

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
