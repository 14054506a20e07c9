"""AppContext: the one place that builds what the app and the CLI work with (docs/adr/0007-app-layout.md).

Built once at start, and again (`refreshed`) at unlock and lock. Every service it hands out shares the one
engine, the one vault and the one LinkStore and GroupService, so no screen or command builds its own. The
relay's client factory is a field, so tests can point joining and sync at a fake relay in one place.

Example:
    with contextlib.closing(AppContext.open(home, kdf=FAST_KDF)) as ctx:
        ctx.vault_service.unlock("a passphrase")
        ctx = ctx.refreshed()
        ctx.groups.list()
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from app import i18n
from app.errors import KraftError, Msg
from app.i18n import Language
from app.services.journal import Journal
from app.services.vault_service import VaultService
from app.storage.crypto import KdfParams
from app.storage.vault import DamagedRecord as DamagedRecord  # re-exported: callers above services report it
from app.storage.vault import Vault

# The services are imported where they are first built: `kraft journal search` needs none of them, and
# importing them all (httpx, the group layer) costs a tenth of a second (docs/adr/0013-search-folding.md).
if TYPE_CHECKING:
    from sqlalchemy import Engine

    from app.config import Profile
    from app.services.attendance import AttendanceService
    from app.services.checkin import CheckInService
    from app.services.checkin_news import CheckInNews
    from app.services.course import CourseService
    from app.services.groups import GroupService
    from app.services.joining import JoinService
    from app.services.leader import LeaderService
    from app.services.links import LinkStore
    from app.services.my_round import PlanService, RoundService
    from app.services.relay_client import RelayClient
    from app.services.relay_sync import SyncService
    from app.services.themes import ThemeService


def now_utc() -> datetime:
    """The aware UTC now: the default clock; tests hand a context a fixed one instead."""
    return datetime.now(UTC)


@dataclass
class AppContext:
    """Everything the app and the CLI work with, built in one place: once at start, again at unlock and lock."""

    vault_service: VaultService  # the data directory: engine, vault, journal while unlocked
    profile: Profile | None = None  # app/config.py (relay url, crisis lines, default language); None: defaults
    language: str = "en"  # the session's language code
    clock: Callable[[], datetime] = now_utc  # aware UTC now; tests pass a fixed clock
    relay_factory: type[RelayClient] | None = None  # how joining and sync reach a relay (None: RelayClient)

    @classmethod
    def open(cls, home: Path | None = None, *, profile: Profile | None = None, kdf: KdfParams | None = None,
             language: str = "en", clock: Callable[[], datetime] = now_utc) -> AppContext:
        """A context on the data directory `home` (default: the platform's); nothing is opened yet.

        Without a `profile` the defaults are used (the CLI reads none; the app passes the loaded one).
        """
        return cls(vault_service=VaultService(home, kdf=kdf, clock=clock), profile=profile, language=language,
                   clock=clock)

    def refreshed(self) -> AppContext:
        """A new context on the same data directory after unlock or lock: every cached service is dropped."""
        return dataclasses.replace(self)

    def close(self) -> None:
        """Lock (purge, checkpoint) and close the database."""
        self.vault_service.close()

    def now(self) -> datetime:
        """The context's clock, read once."""
        return self.clock()

    # ---- the data directory ----

    @property
    def lang(self) -> Language:
        """The session's language as a value, for the domain and the services that speak."""
        return i18n.language(self.language)

    @property
    def home(self) -> Path:
        """The data directory."""
        return self.vault_service.home

    @property
    def engine(self) -> Engine:
        """The one database engine every service here uses (opened on first use)."""
        return self.vault_service.engine

    @property
    def vault(self) -> Vault:
        """The one vault every service here uses, locked or not."""
        return self.vault_service.vault

    @property
    def is_unlocked(self) -> bool:
        """True while the journal is open."""
        return self.vault_service.is_unlocked

    def has_vault(self) -> bool:
        """True when the member made a journal (a vault exists), locked or not."""
        return self.vault_service.has_vault()

    @property
    def journal(self) -> Journal:
        """The open journal; a clear KraftError when there is none (NO_VAULT) or it is locked."""
        if not self.vault_service.is_unlocked and not self.has_vault():
            raise KraftError(Msg.NO_VAULT)
        return self.vault_service.require_journal()

    def settings(self) -> Profile:
        """The profile given, else the defaults, built when first asked: the CLI never asks, and pydantic,
        which app/config.py needs, is a twentieth of a second to import."""
        if self.profile is None:
            from app.config import Profile

            self.profile = Profile()
        return self.profile

    def relay(self) -> type[RelayClient]:
        """The relay client class joining and sync use: `relay_factory`, else the real one."""
        if self.relay_factory is not None:
            return self.relay_factory
        from app.services.relay_client import RelayClient

        return RelayClient

    # ---- services, built once per context and sharing one engine, vault, LinkStore and GroupService ----

    @cached_property
    def groups(self) -> GroupService:
        """The groups the member follows."""
        from app.services.groups import GroupService

        return GroupService(self.engine, self.vault)

    @cached_property
    def checkins(self) -> CheckInService:
        """"I was there" and "I can't come", sealed when there is a journal."""
        from app.services.checkin import CheckInService

        return CheckInService(self.engine, self.vault)

    @cached_property
    def links(self) -> LinkStore:
        """Groups linked through a relay: keys, mailboxes, the outbox."""
        from app.services.links import LinkStore

        return LinkStore(self.engine, self.vault)

    @cached_property
    def leader(self) -> LeaderService:
        """Leading a group through the relay."""
        from app.services.leader import LeaderService

        return LeaderService(self.engine, self.vault, groups=self.groups, links=self.links)

    @cached_property
    def joining(self) -> JoinService:
        """Reading invites and joining a group."""
        from app.services.joining import JoinService

        return JoinService(self.engine, self.vault, relay_factory=self.relay(), groups=self.groups,
                           links=self.links)

    @cached_property
    def sync(self) -> SyncService:
        """Keeping in step with the relay."""
        from app.services.relay_sync import SyncService

        return SyncService(self.engine, self.vault, relay_factory=self.relay(), groups=self.groups,
                           links=self.links)

    @cached_property
    def rounds(self) -> RoundService:
        """My own round before meetings (needs the open journal)."""
        from app.services.my_round import RoundService

        self.journal  # noqa: B018 - a clear error when there is no open journal
        return RoundService(self.vault)

    @cached_property
    def plan(self) -> PlanService:
        """My crisis plan (needs the open journal)."""
        from app.services.my_round import PlanService

        self.journal  # noqa: B018 - a clear error when there is no open journal
        return PlanService(self.engine, self.vault)

    @cached_property
    def course(self) -> CourseService:
        """The end of a course: the reflection, "go on as a group?", "would you lead a group one day?"."""
        from app.services.course import CourseService

        return CourseService(self.leader.circles, lambda: self.journal, now=self.now)

    @cached_property
    def themes(self) -> ThemeService:
        """The group's themes and today's meeting."""
        from app.services.themes import ThemeService

        return ThemeService(self.leader.circles)

    @cached_property
    def attendance(self) -> AttendanceService:
        """The member's anonymous attendance for the coordinator."""
        from app.services.attendance import AttendanceService

        return AttendanceService(self.engine, self.vault, groups=self.groups, links=self.links)

    @cached_property
    def news(self) -> CheckInNews:
        """What a check-in tells the leader or the coordinator."""
        from app.services.checkin_news import CheckInNews

        return CheckInNews(self.engine, self.vault, join=self.joining, attendance=self.attendance)
