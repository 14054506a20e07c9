"""The `meeting_group` table: a group's id, the member's neutral label and its schedule (JSON), plaintext
so the next meeting shows locked and without a vault (docs/adr/0001-vault-format.md)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Connection, delete, insert, select, update

from app.storage.models import MeetingGroup, table

_groups = table(MeetingGroup)


class GroupRow(NamedTuple):
    """One stored group; `schedule` is the JSON of app.domain.schedule.Schedule.to_dict()."""

    id: str
    label: str
    schedule: str


def put_group(*, conn: Connection, group_id: str, label: str, schedule: str) -> None:
    """Add a group (an id already there is an IntegrityError). Example: `put_group(conn=c, group_id="g1",
    label="Torsdag", schedule=json.dumps(s.to_dict()))`."""
    conn.execute(insert(_groups).values(id=group_id, label=label, schedule=schedule))


def group_exists(*, conn: Connection, group_id: str) -> bool:
    """Whether a group with this id is stored. Example: `group_exists(conn=c, group_id="g1")`."""
    return conn.execute(select(_groups.c.id).where(_groups.c.id == group_id)).first() is not None


def list_groups(*, conn: Connection) -> list[GroupRow]:
    """Every stored group, in the table's order. Example: `[r.label for r in list_groups(conn=c)]`."""
    rows = conn.execute(select(_groups.c.id, _groups.c.label, _groups.c.schedule)).all()
    return [GroupRow(r[0], r[1], r[2]) for r in rows]


def set_schedule(*, conn: Connection, group_id: str, schedule: str) -> None:
    """Replace a group's schedule JSON. Example: `set_schedule(conn=c, group_id="g1", schedule="{...}")`."""
    conn.execute(update(_groups).where(_groups.c.id == group_id).values(schedule=schedule))


def delete_group(*, conn: Connection, group_id: str) -> None:
    """Delete a group's row (its link row goes with it: ON DELETE CASCADE). Example:
    `delete_group(conn=c, group_id="g1")`."""
    conn.execute(delete(_groups).where(_groups.c.id == group_id))
