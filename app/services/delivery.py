"""While the app is open: learn of new messages within seconds (docs/adr/0008-delivery.md).

`Listener` long-polls the mailbox of every relay link the sync could read now, one request per link at a time
(`relay_client.long_poll`, `wait=25`). When one answers with a message it cancels the others and calls
`on_news` (the app runs the sync, which fetches, applies and refreshes the screen). It backs off while a relay
cannot be reached (1 s, doubling, at most 60 s), polls nothing while `active()` is False (locked), and
`pause()` cancels the requests in flight at once (a lock). When a relay answers again after a failure it calls
`on_back` (the app sends what the outbox kept). It holds no key and reads nothing but public ids
and positions.

Example:
    listener = Listener(lambda: listenable(ctx.links), on_news=sync, active=lambda: True)
    task = asyncio.create_task(listener.run(closed))
    listener.pause()  # at lock; listener.wake() at unlock or when a group was joined
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from app.services.links import LEADER, LinkStore
from app.services.relay_client import MAX_WAIT, long_poll

log = logging.getLogger(__name__)
BACKOFF_FIRST = 1.0  # seconds before asking an unreachable relay again; doubles
BACKOFF_MAX = 60.0
IDLE = 30.0  # with nothing to listen for (no links, or locked): look again this often, or when woken


@dataclass(frozen=True)
class Watch:
    """One mailbox to listen to: at its relay, for messages after `after`."""

    relay: str
    mailbox: str
    after: int


def listenable(links: LinkStore) -> list[Watch]:
    """The relay links the sync would fetch now: not a leader's while their vault (the keys that check the
    members' messages) is locked (the same rule as `SyncService.fetch`)."""
    readable = links.readable()
    return [Watch(link.relay, link.mailbox, link.after) for link in links.all()
            if link.relay and (readable or link.role != LEADER)]


class Poll(Protocol):
    def __call__(self, base_url: str, mailbox: str, after: int, *, wait: int = ...) -> Awaitable[dict[str, Any]]:
        ...


class Listener:
    def __init__(self, watches: Callable[[], list[Watch]], *, on_news: Callable[[], Awaitable[object]],
                 active: Callable[[], bool], on_back: Callable[[], Awaitable[object]] | None = None,
                 wait: int = MAX_WAIT, poll: Poll = long_poll,
                 backoff: tuple[float, float] = (BACKOFF_FIRST, BACKOFF_MAX), idle: float = IDLE) -> None:
        self._watches = watches
        self._on_news = on_news
        self._on_back = on_back
        self._active = active
        self._wait = wait
        self._poll = poll
        self._backoff = backoff
        self._idle = idle
        self._seen: dict[str, int] = {}  # mailbox -> the highest position a poll answered with
        self._round: asyncio.Future[bool] | None = None
        self._listening: set[tuple[str, str]] = set()  # (relay, mailbox) of the round in flight
        self._woken = asyncio.Event()
        self.rounds = 0  # polls started (for tests and the bench)
        self.delay = 0.0  # the current back-off, 0 while the relays answer

    @property
    def polling(self) -> bool:
        """True while a round of long polls is in flight."""
        return self._round is not None and not self._round.done()

    def pause(self) -> None:
        """Cancel the requests in flight now (a lock); `active()` decides whether new ones start."""
        if self._round is not None and not self._round.done():
            self._round.cancel()

    def wake(self) -> None:
        """Look at the links again now (an unlock, a group joined or started)."""
        self._woken.set()
        self.pause()

    def links_changed(self) -> None:
        """After an action: wake only if the mailboxes to listen to are not those of the round in flight."""
        if not self._active():
            return
        if {(w.relay, w.mailbox) for w in self._watches()} != (self._listening if self.polling else set()):
            self.wake()

    async def run(self, closed: asyncio.Event) -> None:
        """Listen until `closed` is set (or the task is cancelled)."""
        while not closed.is_set():
            try:
                watches = self._watches() if self._active() else []
            except Exception:  # the links could not be read (a database in trouble): try again later
                log.exception("listening: the links could not be read")
                watches = []
            if not watches:
                await self._sleep(self._idle, closed)
                continue
            self._woken.clear()
            self._listening = {(w.relay, w.mailbox) for w in watches}
            probing = self.delay > 0  # after a failure: a quick fetch (no wait) to learn the relay answers again
            self._round = asyncio.ensure_future(self._poll_all(watches, wait=0 if probing else self._wait))
            try:
                news = await self._round
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise
                continue  # paused or woken: look at the links again
            except Exception as exc:  # unreachable or refusing (RelayError), or a link's relay address is bad
                self.delay = min(self._backoff[1], max(self._backoff[0], self.delay * 2))
                log.info("listening: no answer (%s); again in %.0f s", getattr(exc, "status", type(exc).__name__),
                         self.delay)
                await self._sleep(self.delay, closed)
                continue
            self.delay = 0.0
            callbacks = ([self._on_back] if probing and self._on_back else []) + ([self._on_news] if news else [])
            for callback in callbacks[:1]:  # back online: on_back syncs, which fetches the news too
                try:
                    await callback()
                except Exception:
                    log.exception("listening: the sync after news failed")

    async def _poll_all(self, watches: list[Watch], *, wait: int) -> bool:
        """One round: a long poll per mailbox; True when one answered with a message."""
        tasks = [asyncio.ensure_future(self._one(w, wait)) for w in watches]
        self.rounds += 1
        try:
            done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            # A RelayError from any raises here: back off. Else news from one, or a wait ran out: next round.
            return any([task.result() for task in done])
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _one(self, watch: Watch, wait: int) -> bool:
        after = max(watch.after, self._seen.get(watch.mailbox, 0))
        page = await self._poll(watch.relay, watch.mailbox, after, wait=wait)
        positions = [int(m.get("position", 0) or 0) for m in page.get("messages", []) if isinstance(m, dict)]
        if not positions:
            return False
        self._seen[watch.mailbox] = max(after, *positions)
        return True

    async def _sleep(self, seconds: float, closed: asyncio.Event) -> None:
        """Sleep, but wake for a close or `wake()`."""
        waits = [asyncio.ensure_future(closed.wait()), asyncio.ensure_future(self._woken.wait())]
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waits:
                task.cancel()
        self._woken.clear()
