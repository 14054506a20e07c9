"""The command line's one clock: every command reads the time here, and tests set it here once."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current moment, aware UTC (tests replace this)."""
    return datetime.now(UTC)
