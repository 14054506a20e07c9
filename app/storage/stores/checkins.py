"""The `checkin` table: an anonymous member's "I was there" / "I can't come", to the day only; only for a
member without a vault (with one, check-ins are a sealed record: app.storage.records.CHECKINS)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.sqlite import insert

from app.storage.models import CheckInRow, table

_rows = table(CheckInRow)


class CheckinRow(NamedTuple):
    """One plaintext check-in; `day` is an ISO date, `start` the meeting's start it was said for (UTC, in the
    meeting id's form; rows from before migration 0005 have the original start)."""

    group_id: str
    meeting_id: str
    status: str
    day: str
    start: str


def list_checkins(*, conn: Connection, group_id: str | None = None) -> list[CheckinRow]:
    """The check-ins of one group, or of every group. Example: `list_checkins(conn=c, group_id="g1")`."""
    query = select(_rows.c.group_id, _rows.c.meeting_id, _rows.c.status, _rows.c.day, _rows.c.start)
    if group_id is not None:
        query = query.where(_rows.c.group_id == group_id)
    return [CheckinRow(*r) for r in conn.execute(query).all()]


def put_checkin(*, conn: Connection, group_id: str, meeting_id: str, status: str, day: str, start: str) -> None:
    """Store what the member said about a meeting at its `start`, replacing what they said before. Example:
    `put_checkin(conn=c, group_id="g1", meeting_id="20261203T170000Z", status="attended", day="2026-12-03",
    start="20261203T170000Z")`."""
    conn.execute(insert(_rows).values(group_id=group_id, meeting_id=meeting_id, status=status, day=day, start=start)
                 .on_conflict_do_update(index_elements=["group_id", "meeting_id"],
                                        set_={"status": status, "day": day, "start": start}))


def delete_checkin(*, conn: Connection, group_id: str, meeting_id: str) -> None:
    """Forget what the member said about one meeting. Example: `delete_checkin(conn=c, group_id="g1",
    meeting_id="20261203T170000Z")`."""
    conn.execute(delete(_rows).where(_rows.c.group_id == group_id, _rows.c.meeting_id == meeting_id))


def delete_checkins(*, conn: Connection, group_id: str | None = None) -> None:
    """Delete one group's check-ins, or every one (sealed into a new vault). Example:
    `delete_checkins(conn=c, group_id="g1")`."""
    query = delete(_rows)
    if group_id is not None:
        query = query.where(_rows.c.group_id == group_id)
    conn.execute(query)
