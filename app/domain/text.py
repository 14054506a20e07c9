"""What every piece of text a person hands in must be before Kraft keeps it: Unicode that UTF-8 can hold.

Python hands invalid UTF-8 (in an argument, a file name, an environment variable) over as lone surrogates
(`surrogateescape`), and JSON's `\\udc80` escapes make them too; sealing such text would fail deep inside with
UnicodeEncodeError. The front ends and the import check with `is_unicode` first and say so in plain words.
"""

from __future__ import annotations

from datetime import UTC, datetime

# Dates an entry may carry (docs/adr/0002-cli-secrets-and-transfer.md, "Bad input"): every zone can show them,
# and 9999-12-31 or year 1 moved into a zone other than UTC no longer overflows Python's datetime.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2199


def is_unicode(text: str) -> bool:
    """False when `text` holds a lone surrogate (invalid UTF-8 that Python carried over), else True."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def in_calendar(value: datetime) -> datetime | None:
    """`value` in UTC when its year is within EARLIEST_YEAR..LATEST_YEAR there, else None (also when it overflows)."""
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return utc if EARLIEST_YEAR <= utc.year <= LATEST_YEAR else None
