"""Long-poll waiters (issue 15): who in this process waits for a mailbox, woken when a post lands here.

A waiter is an asyncio.Event on the event loop of the request that waits: it holds no thread and no database
connection. A post in another process (a second worker, another relay on the same PostgreSQL) wakes nobody
here; the waiting route re-checks the database every `RECHECK` seconds for that.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

RECHECK = 0.5  # seconds between database checks while waiting


class Waiters:
    def __init__(self) -> None:
        self._lock = threading.Lock()  # posts are answered on worker threads, waits on the event loop
        self._by_mailbox: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}

    @contextlib.contextmanager
    def watch(self, mailbox: str) -> Iterator[asyncio.Event]:
        """An event set whenever a post to `mailbox` lands in this process, for as long as the block runs."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._by_mailbox.setdefault(mailbox, set()).add(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                waiting = self._by_mailbox.get(mailbox, set())
                waiting.discard(entry)
                if not waiting:
                    self._by_mailbox.pop(mailbox, None)

    def notify(self, mailbox: str) -> None:
        """Wake everyone waiting for `mailbox` (from any thread)."""
        with self._lock:
            waiting = list(self._by_mailbox.get(mailbox, ()))
        for loop, event in waiting:
            with contextlib.suppress(RuntimeError):  # that request's loop has closed meanwhile
                loop.call_soon_threadsafe(event.set)

    def count(self) -> int:
        with self._lock:
            return sum(len(waiting) for waiting in self._by_mailbox.values())
