"""Finding a group (issue 19 points 1 and 2, docs/adr/0016-region-catalogue.md): the region's signed catalogue,
the copy on the device first, then what the relay has. No journal and no account; the search words never leave
the device (the whole list is fetched, the filtering is here). With a journal open, "I'm interested" in a group:
sealed to the coordinator, taken back at will, and the invite it brings when the group starts."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

import flet as ft

from app.domain.catalogue import find, theme_title
from app.errors import KraftError, Msg
from app.i18n import _, current
from app.services.catalogue import CatalogueService
from app.services.interest import InterestService, MyRequest
from app.views.routes import Route
from app.views.states.hosting import HostingState
from app.views.states.interest import attempt, interest_service
from app.views.states.session import SessionState
from protocol import INTEREST, Catalogue, CatalogueEntry


@ft.observable
@dataclass
class FinderState:
    """The catalogue shown, why it could not be fetched just now (None when it was), and the search words; with
    a journal open, this device's interest per entry, the entry whose "I'm interested" form is open and its
    contact, and why an entry's interest did not go (shown at its card)."""

    session: SessionState
    hosting: HostingState | None = None  # where "Join it" hands the invite a started group sent
    catalogue: Catalogue | None = None
    problem: KraftError | None = None
    theme: str = ""
    town: str = ""
    mine: dict[str, MyRequest] = field(default_factory=dict)  # entry id -> this device's "I'm interested"
    asking: str = ""  # the entry whose form is open
    contact: str = ""
    refused: dict[str, KraftError] = field(default_factory=dict)  # entry id -> why its interest did not go

    def __post_init__(self) -> None:
        self.session.hooks.locked.append(self._forget_words)

    def _forget_words(self) -> None:
        """What was searched for is forgotten at every lock (quick exit included): a shared phone does not show
        the next person that someone looked for a group on grief. So is every interest read from the journal."""
        self.theme = self.town = ""
        self.mine, self.refused = {}, {}
        self.asking = self.contact = ""

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
        """Fetch the relay's list; when that fails, the copy here stays and `problem` says why. With a journal
        open, then this device's interest and the replies that came to it."""
        service = self.service()
        result = await self.session.run(_("Fetching the list of groups…"), service.latest, at="find-refresh")
        if result is not None:
            catalogue, problem = result
            self.catalogue = catalogue
            self.problem = problem
        await self.check_replies()

    # ---- "I'm interested" (issue 19 point 2) ----

    def interest(self) -> InterestService:
        return interest_service(self.session)

    @staticmethod
    def _by_entry(service: InterestService) -> dict[str, MyRequest]:
        return {r.entry: r for r in service.mine() if r.kind == INTEREST}

    async def check_replies(self) -> None:
        """While the journal is open: this device's interest, after asking each reply mailbox whether the
        group started (a relay that cannot be reached just now keeps what is known: the list says so)."""
        if not self.session.unlocked or not self.available:
            self.mine = {}
            return
        service = self.interest()

        def work() -> dict[str, MyRequest]:
            if any(not r.invite for r in self._by_entry(service).values()):
                with contextlib.suppress(KraftError):  # offline or refused: fetched at the next opening
                    service.check_replies()
            return self._by_entry(service)

        found = await attempt(self.session, _("Looking for replies to your interest…"), work, at="find-refresh")
        if isinstance(found, dict):
            self.mine = found

    def request(self, entry: CatalogueEntry) -> MyRequest | None:
        """This device's interest in the entry, if it said so."""
        return self.mine.get(entry.id)

    def refusal(self, entry: CatalogueEntry) -> KraftError | None:
        """Why the entry's interest (or taking it back) did not go: said at its card."""
        return self.refused.get(entry.id)

    def _refuse(self, entry: CatalogueEntry, problem: KraftError | None) -> None:
        others = {k: v for k, v in self.refused.items() if k != entry.id}
        self.refused = {**others, entry.id: problem} if problem is not None else others

    def ask(self, entry: CatalogueEntry) -> None:
        """Open the entry's "I'm interested" form; without an open journal the service's reason shows at the
        card instead (the interest, its contact and the way to take it back are kept there)."""
        self.session.touch()
        self.session.clear_errors()
        if not self.session.unlocked:
            try:
                self.interest().mine()
            except KraftError as exc:
                self._refuse(entry, exc)
                return
        self._refuse(entry, None)
        self.asking, self.contact = entry.id, ""

    def set_contact(self, text: str) -> None:
        self.session.touch()
        self.contact = text

    def cancel(self) -> None:
        self.session.clear_errors()
        self.asking = self.contact = ""

    async def send(self, entry: CatalogueEntry) -> None:
        """Say "I'm interested", sealed to the coordinator, with the contact typed (none: the reply comes in the
        app). A contact that is neither a phone number nor an e-mail address is said at its field."""
        service, contact, title = self.interest(), self.contact, theme_title(entry, current())

        def work() -> dict[str, MyRequest]:
            service.interested(entry, title=title, contact=contact, now=datetime.now(UTC))
            return self._by_entry(service)

        result = await attempt(self.session, _("Sending, sealed to your region's coordinator…"), work,
                               at="interest-send")
        if isinstance(result, KraftError) and result.msg is Msg.CONTACT_INVALID:
            self.session.fail({"interest-contact": str(result)})
        elif isinstance(result, KraftError):
            self._refuse(entry, result)
        elif result is not None:
            self.mine = result
            self._refuse(entry, None)
            self.asking = self.contact = ""

    async def withdraw(self, entry: CatalogueEntry) -> None:
        """Take the interest back: from the relay, then from the journal."""
        service = self.interest()

        def work() -> dict[str, MyRequest]:
            service.withdraw(entry.id)
            return self._by_entry(service)

        result = await attempt(self.session, _("Taking it back…"), work, at=f"find-withdraw-{entry.id}")
        if isinstance(result, KraftError):
            self._refuse(entry, result)
        elif result is not None:
            self.mine = result
            self._refuse(entry, None)

    def join(self, entry: CatalogueEntry) -> None:
        """The group started: the join screen with the invite it sent filled in (checked there, as any)."""
        request = self.request(entry)
        if request is None or not request.invite or self.hosting is None:
            return
        self.hosting.invite_text = request.invite
        self.hosting.open_join()

    def create_journal(self) -> None:
        self.session.router.navigate(Route.SETUP)

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
