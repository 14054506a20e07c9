"""Guessing a passphrase slows down, in every session and across restarts (docs/adr/0009-web-client.md).

Argon2id makes one guess cost about a second of one core, but the web client gives every connection its own
session, so guesses could run side by side without end. From the fifth failed try on, each new try waits
1 s, 2 s, 4 s … (at most 15 minutes) after the last one. The count is kept in the plaintext `preference`
table: it says only how often someone typed a wrong secret, and must be readable before anything is unlocked.

A try is counted as failed when it starts, in the same transaction that checks the wait: sessions trying in
parallel each add to the count, so they get no more tries than one session would. A success sets it to zero.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from app.errors import KraftError, Msg, WaitTime
from app.storage.stores import preferences

FREE_TRIES = 4  # failures that cost nothing but the KDF
MAX_WAIT = 15 * 60  # seconds
FAILURES = "unlock_failures"
FAILED_AT = "unlock_failed_at"  # POSIX seconds of the last counted try
BUSY_RETRIES = 5


def wait_seconds(failures: int) -> int:
    """How long after the last failed try the next one may run: 0 for the first four, then 1, 2, 4 … 900."""
    if failures <= FREE_TRIES:
        return 0
    return min(2 ** min(failures - FREE_TRIES - 1, 20), MAX_WAIT)


def _number(value: str | None) -> float:
    try:
        return float(value) if value is not None else 0.0
    except ValueError:
        return 0.0


class UnlockBackoff:
    """The shared count of failed tries on one data directory."""

    def __init__(self, begin: Callable[[], AbstractContextManager[Any]], clock: Callable[[], datetime]) -> None:
        """`begin()`: a write transaction on the data directory's database, its failures KraftErrors (the
        engine's `db.begin`, or app.storage.direct's `begin` for a command that only reads)."""
        self._begin = begin
        self._clock = clock

    def begin(self) -> None:
        """Before the KDF runs: refuse with the time left to wait, or count this try as failed until it succeeds.

        Two sessions starting at once: SQLite lets one write and refuses the other as busy (its read went
        stale); that one reads again, so it sees the count the first one left, wait included."""
        for attempt in range(BUSY_RETRIES):
            try:
                self._begin_once()
                return
            except KraftError as exc:
                if exc.msg is not Msg.DATABASE_BUSY or attempt == BUSY_RETRIES - 1:
                    raise
            time.sleep(0.02 * (attempt + 1))  # off the event loop: the KDF's thread, or the CLI

    def _begin_once(self) -> None:
        now = self._clock().timestamp()
        with self._begin() as conn:
            failures = int(_number(preferences.get_preference(conn=conn, name=FAILURES)))
            last = _number(preferences.get_preference(conn=conn, name=FAILED_AT))
            wait = wait_seconds(failures)
            left = min(last + wait - now, wait)  # a clock set back never makes the wait longer
            if left > 0:
                raise KraftError(Msg.UNLOCK_WAIT, wait=WaitTime(math.ceil(left)))
            preferences.set_preference(conn=conn, name=FAILURES, value=str(failures + 1))
            preferences.set_preference(conn=conn, name=FAILED_AT, value=repr(now))

    def succeeded(self) -> None:
        """The secret opened the vault: the count starts again from zero."""
        with self._begin() as conn:
            preferences.set_preference(conn=conn, name=FAILURES, value="0")
