"""The `group_link` table: a group joined or led through the relay (ADR 0004): public ids, reading positions,
the schedule keys, and (`secrets`, JSON) the sealed part only for a member who has no vault to seal it in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from app.storage.models import GroupLink, table

_links = table(GroupLink)
COLUMNS = tuple(c.name for c in _links.c if c.name != "secrets")  # what a link row holds besides secrets


def get_link(*, conn: Connection, group_id: str) -> dict[str, Any] | None:
    """A group's link row as column -> value (JSON columns as text), None when it has none. Example:
    `get_link(conn=c, group_id="g1")["mailbox"]`."""
    row = conn.execute(select(_links).where(_links.c.group_id == group_id)).first()
    return dict(row._mapping) if row else None


def list_links(*, conn: Connection) -> list[dict[str, Any]]:
    """Every link row, as `get_link` gives one. Example: `[r["group_id"] for r in list_links(conn=c)]`."""
    return [dict(row._mapping) for row in conn.execute(select(_links)).all()]


def put_link(*, conn: Connection, values: dict[str, Any], secrets: str | None) -> None:
    """Add a link row: `values` has every column but `secrets` (the JSON of the sealed part, or None when it
    is sealed in the vault). Example: `put_link(conn=c, values=link.row(), secrets=None)`."""
    conn.execute(insert(_links).values(**values, secrets=secrets))


def update_link(*, conn: Connection, group_id: str, values: dict[str, Any]) -> None:
    """Change some columns of a link row (never `group_id`). Example: `update_link(conn=c, group_id="g1",
    values={"after": 7})`."""
    conn.execute(update(_links).where(_links.c.group_id == group_id).values(**values))


def get_secrets(*, conn: Connection, group_id: str) -> str | None:
    """The plaintext `secrets` JSON of a member without a vault; None when sealed, absent or unlinked.
    Example: `json.loads(get_secrets(conn=c, group_id="g1") or "{}")`."""
    value = conn.execute(select(_links.c.secrets).where(_links.c.group_id == group_id)).scalar()
    return None if value is None else str(value)


def set_secrets(*, conn: Connection, group_id: str, secrets: str) -> None:
    """Store the `secrets` JSON of a member without a vault. Example: `set_secrets(conn=c, group_id="g1",
    secrets=json.dumps(s.to_dict()))`."""
    conn.execute(update(_links).where(_links.c.group_id == group_id).values(secrets=secrets))


def plaintext_secrets(*, conn: Connection) -> list[tuple[str, str]]:
    """(group id, secrets JSON) of every link whose secrets are not sealed yet. Example:
    `dict(plaintext_secrets(conn=c))`."""
    rows = conn.execute(select(_links.c.group_id, _links.c.secrets).where(_links.c.secrets.is_not(None))).all()
    return [(r[0], r[1]) for r in rows]


def clear_secrets(*, conn: Connection) -> None:
    """Drop every plaintext `secrets` copy (they were sealed in the same transaction). Example:
    `clear_secrets(conn=tx.conn)`."""
    conn.execute(update(_links).values(secrets=None))


def mark_restored(*, conn: Connection) -> int:
    """Mark every link that has a relay "restored, read first"; returns how many. Example:
    `mark_restored(conn=c)`."""
    return int(conn.execute(update(_links).where(_links.c.relay != "").values(restored=1)).rowcount or 0)


def delete_link(*, conn: Connection, group_id: str) -> None:
    """Delete a group's link row. Example: `delete_link(conn=c, group_id="g1")`."""
    conn.execute(delete(_links).where(_links.c.group_id == group_id))
