"""The `preference` table: device settings needed before unlocking (language, theme, auto-lock, reminders);
never anything the member wrote.

Plain SQL through `exec_driver_sql`, which a SQLAlchemy connection and app.storage.direct's both have: the
unlock's count of tries (app.services.unlock_backoff) is kept here by `kraft journal search` too, which loads
no SQLAlchemy (docs/adr/0018-reading-without-sqlalchemy.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.storage.direct import SqlConnection


def get_preference(*, conn: SqlConnection, name: str) -> str | None:
    """A stored preference, None when never set. Example: `get_preference(conn=c, name="language")`."""
    value = conn.exec_driver_sql("SELECT value FROM preference WHERE name = ?", (name,)).scalar()
    return None if value is None else str(value)


def set_preference(*, conn: SqlConnection, name: str, value: str) -> None:
    """Store a preference, replacing the old value. Example: `set_preference(conn=c, name="theme",
    value="dark")`."""
    conn.exec_driver_sql("INSERT INTO preference (name, value) VALUES (?, ?)"
                         " ON CONFLICT (name) DO UPDATE SET value = excluded.value", (name, value))
