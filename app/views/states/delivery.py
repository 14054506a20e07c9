"""Keeping in step with the relay (docs/adr/0008-delivery.md): the one place that sends after every action that
queues a message (`deliver`), the quiet syncs on open, unlock, resume and news, and the sync the member asks
for. Syncs never overlap (one lock per app). It writes what the screens show into `HostingState`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any, Protocol

from app.errors import KraftError
from app.i18n import _, ngettext
from app.services.context import AppContext
from app.services.delivery import Listener, listenable
from app.services.groups import Group
from app.services.relay_sync import SyncReport
from app.views.states.groups import GroupsState
from app.views.states.session import SessionState

log = logging.getLogger(__name__)


# An action's notice ("... Sent.") stays this long before a background sync's "N updates arrived" may
# replace it: the sync the action's own post wakes must not hide that it was sent.
KEEP_ACTION_NOTICE = 8.0


def state_text(unsent: int) -> str:
    """What is said beside an action: sent, or will be (never "waits": the member has nothing to do)."""
    return _("Sent.") if not unsent else _("Will be sent when you are online.")


class Hosting(Protocol):
    """What `Delivery` needs of `HostingState` (named here, so the two modules do not import each other)."""

    session: SessionState
    groups: GroupsState
    sync_problem: str

    @property
    def ctx(self) -> AppContext: ...


class Delivery:
    """Part of `HostingState` (its `delivery`); not observable itself: what it learns goes into the state."""

    def __init__(self, hosting: Hosting) -> None:
        self.hosting = hosting
        self.listener: Listener | None = None  # set by the app while a page is open
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._said: tuple[str, float] = ("", 0.0)  # an action's notice, and when it was shown
        session = hosting.session
        session.hooks.queued.append(self.deliver_soon)
        session.hooks.unlocked.append(self._unlocked)
        session.hooks.locked.append(self._locked)

    @property
    def session(self) -> SessionState:
        return self.hosting.session

    def unsent(self, group_id: str | None = None) -> int:
        """How many messages (of a group) are not sent yet; attendance uploads, sent later on purpose, aside, and
        so, while the journal is locked, whatever is sealed in it (it cannot tell them apart, and it goes after
        unlock rather than "when you are online")."""
        return len([w for w in self.hosting.ctx.links.waiting(group_id)
                    if not w.refused and not w.locked and not w.path.endswith("/attendance")])

    # ---- the one place that sends ----

    async def deliver(self, group: Group | None = None, note: str = "", *, progress: str = "", at: str = "") -> None:
        """After an action that queued a message: send it now (and fetch), then show `note` with its state.
        The member waits for it when `progress` is given: it is shown while the relay answers (beside the
        control `at`, else on top)."""
        if progress:
            await self._sync_shown(progress, at)
        else:
            await self.sync_quietly()
        if self.listener is not None:
            self.listener.links_changed()  # a group started or joined: listen to it too
        if note and group is not None and not self._relayed(group.id):
            self.session.notice = note  # a group without a relay: nothing is sent, so nothing to say about it
        elif note:
            self.session.notice = f"{note} {state_text(self.unsent(group.id if group else None))}"
        if note:
            self._said = (self.session.notice, time.monotonic())

    def deliver_soon(self, group_id: str = "", note: str = "") -> None:
        """`deliver` from a synchronous action (a meeting change, a check-in): a task on the running loop."""
        try:
            group = self.hosting.ctx.groups.get(group_id) if group_id else None
        except KraftError:  # removed meanwhile: send what is there, say nothing of a group
            group = None
        self._spawn(self.deliver(group, note))
        if note:
            self.session.notice = note  # until the sync says sent or not

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            task = asyncio.get_running_loop().create_task(work)
        except RuntimeError:  # no loop (a script): the periodic sync sends it
            work.close()
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def listen(self, active: Callable[[], bool], **options: Any) -> Listener:
        """The listener of an open page: news runs the quiet sync; back online, what was kept is sent."""
        self.listener = Listener(lambda: listenable(self.hosting.ctx.links), on_news=self.sync_quietly,
                                 on_back=self.back_online, active=active, **options)
        return self.listener

    async def back_online(self) -> None:
        """A relay answers again: what the outbox tried and kept goes now, not at its retry time, and the
        screen's "will be sent" count follows (anonymous attendance keeps its own delay; refused stays)."""
        links, now = self.hosting.ctx.links, datetime.now(UTC)
        for item in links.waiting():
            if item.attempts and not item.refused and not item.locked and not item.path.endswith("/attendance"):
                links.reschedule(item.id, now)
        await self.sync_quietly()
        self.hosting.groups.changed()

    def _unlocked(self) -> None:
        self._spawn(self.sync_quietly())  # fetch on unlock: what needed the open journal can be applied
        if self.listener is not None:
            self.listener.wake()

    def _locked(self) -> None:
        if self.listener is not None:
            self.listener.pause()

    # ---- syncing ----

    def _relayed(self, group_id: str) -> bool:
        link = self.hosting.ctx.links.get(group_id)
        return link is not None and bool(link.relay)

    def has_relay_links(self) -> bool:
        """True when any group is linked through a relay (else there is nothing to sync)."""
        return any(link.relay for link in self.hosting.ctx.links.all())

    async def _sync(self) -> SyncReport:
        sync = self.hosting.ctx.sync  # the context of now (a lock or unlock makes a new one)
        async with self._lock:
            return await asyncio.to_thread(sync.run, now=datetime.now(UTC))

    async def sync_quietly(self) -> None:
        """On open, unlock, resume, news and after an action: never an error on screen (the member did not
        ask), but a line on the group screen says when something is not sent, and a change is shown at once."""
        if self.session.busy or not self.has_relay_links():
            return  # busy: a restore may have the database closed; the next round syncs
        try:
            report = await self._sync()
        except KraftError as exc:
            self.hosting.sync_problem = str(exc)
            return
        except Exception:
            log.exception("background sync failed")
            return
        self._after_sync(report)

    async def _sync_shown(self, progress: str, at: str) -> None:
        """The quiet sync, with its progress on screen: a wait the member started, never an error in red."""
        session = self.session
        if session.busy or not self.has_relay_links():
            return
        session.busy, session.busy_at = progress, at
        try:
            report = await self._sync()
        except KraftError as exc:
            self.hosting.sync_problem = str(exc)
            return
        except Exception:
            log.exception("sync after an action failed")
            return
        finally:
            session.busy, session.busy_at = "", ""
        self._after_sync(report)

    async def sync_now(self) -> None:
        """Ask the relay for news because the member asked: progress and problems are shown."""
        session = self.session
        session.touch()
        session.clear_errors()
        session.busy, session.busy_at = _("Checking for news from the group…"), "sync-now"  # beside the button
        try:
            report = await self._sync()
        except KraftError as exc:
            session.error = str(exc)
            return
        finally:
            session.busy = session.busy_at = ""
        self._after_sync(report)
        if not report.problems:
            session.notice = _("Up to date.") if not report.applied else session.notice

    def _after_sync(self, report: SyncReport) -> None:
        self.hosting.sync_problem = report.problems[0] if report.problems else ""
        if report.applied:
            said, when = self._said
            if not (self.session.notice == said and time.monotonic() - when < KEEP_ACTION_NOTICE):
                self._notice_updates(report.applied)
            self.hosting.groups.changed()
            self.hosting.groups.sync_notifications()

    def _notice_updates(self, applied: int) -> None:
        self.session.notice = ngettext("{n} update from your group arrived.",
                                       "{n} updates from your group arrived.", applied).format(n=applied)
