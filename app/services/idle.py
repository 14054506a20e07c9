"""When to lock by itself: after a number of minutes with no interaction."""

from __future__ import annotations

import time
from collections.abc import Callable


def monotonic() -> float:
    """The clock idle time is measured on (a module function, so a test can move it alone)."""
    return time.monotonic()


class IdleTimer:
    """Tracks the last interaction; `expired()` says when the idle timeout has passed."""

    def __init__(self, minutes: float, now: Callable[[], float] | None = None) -> None:
        self._now = now or (lambda: monotonic())
        self.minutes = minutes
        self._last = self._now()

    def touch(self) -> None:
        self._last = self._now()

    def expired(self) -> bool:
        return self._now() - self._last >= self.minutes * 60

    def seconds_left(self) -> float:
        return max(0.0, self.minutes * 60 - (self._now() - self._last))
