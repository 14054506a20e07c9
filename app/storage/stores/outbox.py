"""The `outbox` table: requests waiting for the relay, retried with backoff. Times are ISO datetimes in UTC;
`REFUSED` in `next_try` marks one the relay refused for good. With a journal, `sealed` holds the request's
method, path, body and token under the data key (app.services.links seals and opens it) and those columns are
empty: what waits says nothing while the journal is locked (docs/adr/0005-anonymous-attendance.md)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Connection, delete, insert, select, update

from app.storage.models import OutboxItem, table

REFUSED = "refused"  # next_try of a request the relay refused for good
_outbox = table(OutboxItem)


class OutboxRow(NamedTuple):
    """One waiting request; `body` is JSON."""

    id: int
    group_id: str
    relay: str
    method: str
    path: str
    body: str
    token: str
    attempts: int
    next_try: str
    error: str
    sealed: bytes | None = None  # nonce + ciphertext of method, path, body and token (then "")


def enqueue(*, conn: Connection, group_id: str, relay: str, method: str, path: str, body: str, token: str,
            next_try: str, sealed: bytes | None = None) -> int:
    """Queue a request, first sent at `next_try`; returns its id (the highest plus one: the table keeps no
    counter, and ids stay in order). A request to be sealed comes with `sealed=b""` and empty method, path,
    body and token, and gets its sealed form (bound to the id) by `set_sealed` in the same transaction.
    Example: `enqueue(conn=c, group_id="g1", relay=url, method="POST", path="/v1/mailboxes", body="{}",
    token="", next_try=now.isoformat())`."""
    result = conn.execute(insert(_outbox).values(group_id=group_id, relay=relay, method=method, path=path, body=body,
                                                 token=token, attempts=0, next_try=next_try, error="", sealed=sealed))
    return int(result.lastrowid)


def list_waiting(*, conn: Connection, group_id: str | None = None) -> list[OutboxRow]:
    """Waiting requests of one group or of all, oldest first. Example: `list_waiting(conn=c, group_id="g1")`."""
    query = select(*(_outbox.c[name] for name in OutboxRow._fields)).order_by(_outbox.c.id)
    if group_id is not None:
        query = query.where(_outbox.c.group_id == group_id)
    return [OutboxRow(*r) for r in conn.execute(query).all()]


def get_row(*, conn: Connection, item_id: int) -> OutboxRow | None:
    """One request as stored, None when it is gone. Example: `get_row(conn=c, item_id=3).group_id`."""
    query = select(*(_outbox.c[name] for name in OutboxRow._fields)).where(_outbox.c.id == item_id)
    row = conn.execute(query).first()
    return OutboxRow(*row) if row else None


def sendable(*, conn: Connection) -> list[tuple[int, str, str]]:
    """(id, group id, next try) of every request not refused, oldest first. Example: `sendable(conn=c)`."""
    rows = conn.execute(select(_outbox.c.id, _outbox.c.group_id, _outbox.c.next_try)
                        .where(_outbox.c.next_try != REFUSED).order_by(_outbox.c.id)).all()
    return [(r[0], r[1], r[2]) for r in rows]


def plaintext(*, conn: Connection) -> list[OutboxRow]:
    """Requests not sealed yet (queued before a journal existed, or before this version), oldest first.
    Example: `[r.id for r in plaintext(conn=c)]`."""
    query = select(*(_outbox.c[name] for name in OutboxRow._fields)).where(_outbox.c.sealed.is_(None))
    return [OutboxRow(*r) for r in conn.execute(query.order_by(_outbox.c.id)).all()]


def sealed_ad(group_id: str, item_id: int) -> bytes:
    """The associated data of a sealed request: bound to its group and row, so it cannot take another's place."""
    return f"kraft|outbox|{group_id}|{item_id}|1".encode()


def sealed_requests(*, conn: Connection) -> list[tuple[int, str, bytes]]:
    """(id, group id, sealed blob) of every sealed request (a re-key seals them again). Example:
    `sealed_requests(conn=c)`."""
    rows = conn.execute(select(_outbox.c.id, _outbox.c.group_id, _outbox.c.sealed)
                        .where(_outbox.c.sealed.is_not(None)).order_by(_outbox.c.id)).all()
    return [(r[0], r[1], bytes(r[2])) for r in rows if r[2]]


def set_sealed(*, conn: Connection, item_id: int, sealed: bytes) -> None:
    """Replace a request's method, path, body and token by their sealed form. Example:
    `set_sealed(conn=tx.conn, item_id=3, sealed=nonce + ciphertext)`."""
    conn.execute(update(_outbox).where(_outbox.c.id == item_id)
                 .values(method="", path="", body="", token="", sealed=sealed))


def get_next_try(*, conn: Connection, item_id: int) -> str | None:
    """When a request is next tried (or `REFUSED`), None when it is gone. Example:
    `get_next_try(conn=c, item_id=3)`."""
    value = conn.execute(select(_outbox.c.next_try).where(_outbox.c.id == item_id)).scalar()
    return None if value is None else str(value)


def set_next_try(*, conn: Connection, item_id: int, next_try: str) -> None:
    """Move a request's next attempt. Example: `set_next_try(conn=c, item_id=3, next_try=at.isoformat())`."""
    conn.execute(update(_outbox).where(_outbox.c.id == item_id).values(next_try=next_try))


def set_body(*, conn: Connection, item_id: int, body: str) -> None:
    """Replace a waiting request's body (a message sealed again after a restore). Example:
    `set_body(conn=c, item_id=3, body=json.dumps(envelope.to_post()))`."""
    conn.execute(update(_outbox).where(_outbox.c.id == item_id).values(body=body))


def note_failure(*, conn: Connection, item_id: int, attempts: int, error: str, next_try: str) -> None:
    """Record a failed attempt. Example: `note_failure(conn=c, item_id=3, attempts=2, error="timeout",
    next_try=REFUSED)`."""
    conn.execute(update(_outbox).where(_outbox.c.id == item_id)
                 .values(attempts=attempts, error=error, next_try=next_try))


def delete_item(*, conn: Connection, item_id: int) -> None:
    """Remove a request (sent, or dropped by the member). Example: `delete_item(conn=c, item_id=3)`."""
    conn.execute(delete(_outbox).where(_outbox.c.id == item_id))


def delete_for_group(*, conn: Connection, group_id: str) -> None:
    """Remove every request of a group. Example: `delete_for_group(conn=c, group_id="g1")`."""
    conn.execute(delete(_outbox).where(_outbox.c.group_id == group_id))
