"""The `preference` table: device settings needed before unlocking (language, theme, auto-lock, reminders);
never anything the member wrote."""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert

from app.storage.models import Preference, table

_prefs = table(Preference)


def get_preference(*, conn: Connection, name: str) -> str | None:
    """A stored preference, None when never set. Example: `get_preference(conn=c, name="language")`."""
    value = conn.execute(select(_prefs.c.value).where(_prefs.c.name == name)).scalar()
    return None if value is None else str(value)


def set_preference(*, conn: Connection, name: str, value: str) -> None:
    """Store a preference, replacing the old value. Example: `set_preference(conn=c, name="theme",
    value="dark")`."""
    conn.execute(insert(_prefs).values(name=name, value=value)
                 .on_conflict_do_update(index_elements=["name"], set_={"value": value}))
