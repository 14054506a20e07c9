"""The root of the UI's state: it builds the feature states, wires what one feature tells another, and runs
the app-wide moments (the tick, a lock from the platform) (docs/adr/0007-app-layout.md).

It holds no data of its own: a screen is handed the feature states it shows, never the model.

Example:
    model = AppModel.build(AppContext(vault_service=VaultService(home), profile=Profile()))
    model.session.start()
    model.router.navigate(Route.GROUP, id=group_id)
"""

from __future__ import annotations

import time as clock_time
from dataclasses import dataclass

from app.services.context import AppContext
from app.services.keystore_unlock import Keystore, NullKeystore
from app.services.notify import Notifier, NullNotifier
from app.views.routes import Router
from app.views.states.announcements import AnnouncementsState
from app.views.states.choosing import ChoosingState
from app.views.states.coordinator import CoordinatorState
from app.views.states.finder import FinderState
from app.views.states.groups import GroupsState
from app.views.states.homework import HomeworkState
from app.views.states.hosting import HostingState
from app.views.states.journal import JournalState
from app.views.states.keystore import KeystoreState
from app.views.states.meeting import MeetingState
from app.views.states.membership import MembershipState
from app.views.states.my_round import MyRoundState
from app.views.states.session import SessionState
from app.views.states.settings import SettingsState


@dataclass
class AppModel:
    """The feature states and the router, built once per page."""

    router: Router
    session: SessionState
    journal: JournalState
    groups: GroupsState
    hosting: HostingState
    membership: MembershipState
    coordinator: CoordinatorState
    settings: SettingsState
    homework: HomeworkState
    keystore: KeystoreState
    meeting: MeetingState
    choosing: ChoosingState
    my_round: MyRoundState
    finder: FinderState
    announcements: AnnouncementsState

    @classmethod
    def build(cls, ctx: AppContext, *, notifier: Notifier | None = None, keystore: Keystore | None = None) -> AppModel:
        """Every feature state on one context; the hooks join in the order lock and unlock need."""
        router = Router()
        session = SessionState(ctx=ctx, router=router)
        groups = GroupsState(session=session, notifier=notifier or NullNotifier())
        journal = JournalState(session=session, after_save=groups.sync_notifications)
        hosting = HostingState(session=session, groups=groups)
        unlock = KeystoreState(session=session, keystore=keystore or NullKeystore())
        meeting = MeetingState(session=session)
        session.hooks.locked.append(meeting.stop)  # a locked app runs no round and keeps no screen on
        return cls(router=router, session=session, journal=journal, groups=groups, hosting=hosting,
                   membership=MembershipState(session=session, groups=groups, hosting=hosting),
                   coordinator=CoordinatorState(session=session),
                   settings=SettingsState(session=session, journal=journal,
                                          after_passphrase_change=unlock.passphrase_changed),
                   homework=HomeworkState(session=session, groups=groups, journal=journal), keystore=unlock,
                   meeting=meeting, choosing=ChoosingState(session=session, groups=groups, hosting=hosting),
                   my_round=MyRoundState(session=session), finder=FinderState(session=session, hosting=hosting),
                   announcements=AnnouncementsState(session=session))

    def tick(self) -> None:
        """Every few seconds: autosave the draft, end a passed undo window, lock when idle too long, and
        write any sealed draft that could not be written before (even while locked)."""
        session = self.session
        minute = int(clock_time.time() // 60)
        if minute != session.minute:
            session.minute = minute  # re-render: countdowns and reminder banners follow the clock
        if session.service.is_shut:
            return  # a backup is being restored: the journal's file is not there to write to
        if not session.unlocked:
            session.service.vault.flush_deferred()
            return
        try:
            self.journal.tick()
            session.service.vault.flush_deferred()
        finally:
            if session.idle.expired():
                session.lock()
