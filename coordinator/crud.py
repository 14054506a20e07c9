"""What the relay does with its tables: plain functions over a session, one job each."""

from __future__ import annotations

import hashlib
import secrets
import weakref
from datetime import date, timedelta
from typing import Any

from sqlalchemy import cast, func, insert, literal, text, update
from sqlmodel import Session, col, delete, select

from coordinator.models import (
    AttendanceToken,
    Catalogue,
    Interest,
    JoinCode,
    Mailbox,
    MeetingCount,
    Message,
    Reply,
    Token,
)
from protocol import GroupCounts, b64e, meeting_closed

COORDINATOR, ENROLMENT = "coordinator", "enrolment"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(*, session: Session, kind: str, name: str = "", uses: int = 1, days: int | None = None,
                 today: date, region: str = "", label: str = "") -> tuple[str, date | None]:
    """A new bearer token; only its hash is stored, so it is shown once. Never one starting with "-": it is
    typed after an option on a command line (`--enrolment CODE`), where that reads as another option."""
    token = secrets.token_urlsafe(24)
    while token.startswith("-"):
        token = secrets.token_urlsafe(24)
    expires = today + timedelta(days=days) if days else None
    session.add(Token(hash=token_hash(token), kind=kind, name=name, uses_left=uses, expires_on=expires,
                      region=region, label=label))
    session.commit()
    return token, expires


def valid_token(*, session: Session, token: str, kind: str, today: date) -> Token | None:
    found = session.get(Token, token_hash(token))
    if found is None or found.kind != kind or found.uses_left <= 0:
        return None
    if found.expires_on is not None and found.expires_on < today:
        return None
    return found


def use_token(*, session: Session, token: Token) -> bool:
    """Spend one use, atomically (two leaders racing for the last use: one wins)."""
    spent = session.exec(update(Token).where(col(Token.hash) == token.hash, col(Token.uses_left) > 0)
                         .values(uses_left=Token.uses_left - 1))
    return bool(spent.rowcount)


def advance_seq(*, session: Session, mailbox: str, seq: int) -> bool:
    """Take `seq` as the leader's newest, only if it is above the last one (atomic in SQLite and PostgreSQL)."""
    moved = session.exec(update(Mailbox).where(col(Mailbox.id) == mailbox, col(Mailbox.last_seq) < seq)
                         .values(last_seq=seq))
    return bool(moved.rowcount)


def has_nonce(*, session: Session, mailbox: str, nonce: str) -> bool:
    found = session.exec(select(Message.id).where(Message.mailbox == mailbox, Message.nonce == nonce)).first()
    return found is not None


def new_epoch(*, session: Session, mailbox: str, epoch: int, member_key: str, leader_key: str | None = None,
              version: int | None = None) -> bool:
    """Move the mailbox to `epoch` with its new keys, only if that is above its epoch (atomic: two hosts
    rotating at once, one wins)."""
    values: dict[str, Any] = {"epoch": epoch, "member_key": member_key}
    if leader_key is not None:
        values["leader_key"] = leader_key
    if version is not None:
        values["version"] = version
    moved = session.exec(update(Mailbox).where(col(Mailbox.id) == mailbox, col(Mailbox.epoch) < epoch)
                         .values(**values))
    session.commit()
    return bool(moved.rowcount)


def messages_after(*, session: Session, mailbox: str, after: int, limit: int) -> tuple[list[Message], bool]:
    rows = session.exec(select(Message).where(Message.mailbox == mailbox, col(Message.id) > after)
                        .order_by(col(Message.id)).limit(limit + 1)).all()
    return list(rows[:limit]), len(rows) > limit


def live_join_code(*, session: Session, lookup: str, today: date) -> JoinCode | None:
    """The join code if it has not expired; expired ones are deleted as they are found."""
    found = session.get(JoinCode, lookup)
    if found is not None and found.expires_on < today:
        session.delete(found)
        session.commit()
        return None
    return found


def drop_expired_join_codes(*, session: Session, today: date) -> None:
    session.exec(delete(JoinCode).where(col(JoinCode.expires_on) < today))


RETENTION_DAYS = 42  # raw tokens stay this long (a resend within it is not counted twice), then only counts


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which has ON CONFLICT (SQLite and PostgreSQL spell it the same)."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _insert_ignoring_duplicates(session: Session, table: Any, rows: list[dict[str, Any]]) -> int:
    """Insert rows, skipping those whose key is already there; returns how many were new."""
    statement: Any = _insert(session)(table).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return len(session.connection().execute(statement, rows).all())


def add_tokens(*, session: Session, mailbox: str, reports: list[dict[str, str]], today: date) -> int:
    """Store the tokens not yet seen; returns how many were new. Folds old ones into counts first. A token for
    a meeting whose quarter has closed is not counted: the funders' CSV has published that quarter, and a figure
    that changed after it showed would tell who came late (ADR 0005)."""
    fold_old_tokens(session=session, today=today)
    rows = [{"mailbox": mailbox, "meeting": r["meeting"], "token": r["token"], "day": today}
            for r in {(r["meeting"], r["token"]): r for r in reports}.values()
            if not meeting_closed(r["meeting"], today)]
    if not rows:
        return 0
    new = _insert_ignoring_duplicates(session, AttendanceToken.__table__, rows)  # type: ignore[attr-defined]
    session.commit()
    return new


def set_head_count(*, session: Session, mailbox: str, meeting: str, count: int, today: date) -> bool:
    """The leader's head count; False, and nothing changed, once the meeting's quarter has closed (as tokens)."""
    if meeting_closed(meeting, today):
        return False
    row = session.get(MeetingCount, (mailbox, meeting)) or MeetingCount(mailbox=mailbox, meeting=meeting)
    row.head_count = count
    session.add(row)
    session.commit()
    return True


_folded_on: weakref.WeakKeyDictionary[Any, date] = weakref.WeakKeyDictionary()  # engine -> day of the last fold


def fold_old_tokens(*, session: Session, today: date) -> None:
    """Tokens older than the retention period become a number in MeetingCount, and are deleted (once a day)."""
    engine = session.get_bind()
    if _folded_on.get(engine) == today:
        return
    _folded_on[engine] = today
    cutoff = today - timedelta(days=RETENTION_DAYS)
    old = session.exec(select(AttendanceToken.mailbox, AttendanceToken.meeting, func.count())
                       .where(col(AttendanceToken.day) < cutoff)
                       .group_by(AttendanceToken.mailbox, AttendanceToken.meeting)).all()
    for mailbox, meeting, count in old:
        row = session.get(MeetingCount, (mailbox, meeting)) or MeetingCount(mailbox=mailbox, meeting=meeting)
        row.folded += int(count)
        session.add(row)
    if old:
        session.exec(delete(AttendanceToken).where(col(AttendanceToken.day) < cutoff))
        session.commit()


def attendance(*, session: Session, region: str = "") -> list[GroupCounts]:
    """Every group (of a region, or all) with meeting id -> (check-ins, head count)."""
    boxes = session.exec(select(Mailbox).where(Mailbox.region == region) if region else select(Mailbox)).all()
    live = session.exec(select(AttendanceToken.mailbox, AttendanceToken.meeting, func.count())
                        .group_by(AttendanceToken.mailbox, AttendanceToken.meeting)).all()
    counts: dict[tuple[str, str], list[Any]] = {}
    for mailbox, meeting, count in live:
        counts[(mailbox, meeting)] = [int(count), None]
    for row in session.exec(select(MeetingCount)).all():
        entry = counts.setdefault((row.mailbox, row.meeting), [0, None])
        entry[0] += row.folded
        entry[1] = row.head_count
    return [GroupCounts(mailbox=box.id, region=box.region, label=box.label, created_on=box.created_on,
                        meetings={meeting: (c[0], c[1]) for (mailbox, meeting), c in sorted(counts.items())
                                  if mailbox == box.id})
            for box in sorted(boxes, key=lambda b: (b.region, b.label, b.id))]


def catalogue(*, session: Session, region: str) -> Catalogue | None:
    return session.get(Catalogue, region)


def put_catalogue(*, session: Session, region: str, key: str, serial: int, document_text: str, signature: str,
                  today: date) -> bool:
    """Store the region's catalogue if there is none or `serial` is above the stored one; False, and nothing
    changed, otherwise. One statement, so two coordinators putting at once cannot both win, nor the lower
    serial overwrite the higher one after it."""
    table: Any = Catalogue.__table__  # type: ignore[attr-defined]
    statement = _insert(session)(table).values(region=region, key=key, serial=serial, document=document_text,
                                               signature=signature, day=today)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.region],
        set_={name: statement.excluded[name] for name in ("key", "serial", "document", "signature", "day")},
        where=table.c.serial < statement.excluded.serial).returning(table.c.region)
    stored = session.connection().execute(statement).first() is not None
    session.commit()
    return stored


MAX_INTEREST = 5000  # requests kept per region: nobody can fill the relay's disk through one open route
MAX_REPLIES = 20  # replies kept per reply mailbox
REQUEST_DAYS = 180  # requests and replies older than this are deleted
# PostgreSQL advisory lock (with the region's or box's hash) around counting and storing, so two requests at
# once cannot both take the last place
SEALED_LOCK = 0x6B726167

_dropped_on: weakref.WeakKeyDictionary[Any, date] = weakref.WeakKeyDictionary()  # engine -> day of last clean-up


def _cutoff(today: date) -> date:
    return today - timedelta(days=REQUEST_DAYS)


def drop_old_requests(*, session: Session, today: date) -> None:
    """Requests and replies older than REQUEST_DAYS are deleted (once a day per engine, at a write)."""
    engine = session.get_bind()
    if _dropped_on.get(engine) == today:
        return
    _dropped_on[engine] = today
    cutoff = _cutoff(today)
    session.exec(delete(Interest).where(col(Interest.day) < cutoff))
    session.exec(delete(Reply).where(col(Reply.day) < cutoff))
    session.commit()


def _one_at_a_time(session: Session, name: str) -> None:
    """In PostgreSQL, wait for another transaction storing under `name` to end (SQLite: one statement, under
    the one writer, does it)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(text("SELECT pg_advisory_xact_lock(:key, hashtext(:name))"),
                                     {"key": SEALED_LOCK, "name": name})


def _insert_below(session: Session, table: Any, values: dict[str, Any], where: Any, limit: int,
                  returning: Any) -> Any:
    """INSERT `values` only while fewer than `limit` rows of `table` match `where`: one statement, so the
    count and the row are one step. The stored row's `returning` column, or None when it was full."""
    count = select(func.count()).select_from(table).where(where).scalar_subquery()
    row = select(*[cast(literal(value), table.c[name].type) if isinstance(value, str)
                   else literal(value, table.c[name].type) for name, value in values.items()]).where(count < limit)
    statement = insert(table).from_select(list(values), row).returning(returning)
    return session.connection().execute(statement).scalar()


def add_interest(*, session: Session, region: str, sealed: str, withdraw: str, today: date,
                 limit: int = MAX_INTEREST) -> str | None:
    """Store a sealed request under a new random id, with the hash of its withdrawal secret and the day;
    None, and nothing stored, when the region already holds `limit` requests."""
    drop_old_requests(session=session, today=today)
    _one_at_a_time(session, f"interest:{region}")
    table: Any = Interest.__table__  # type: ignore[attr-defined]
    stored = _insert_below(session, table, {"id": b64e(secrets.token_bytes(16)), "region": region, "sealed": sealed,
                                            "withdraw": withdraw, "day": today},
                           table.c.region == region, limit, table.c.id)
    session.commit()
    return str(stored) if stored is not None else None


def _bytewise(column: Any, session: Session) -> Any:
    """`column` ordered by its bytes, as SQLite does, not by PostgreSQL's collation (which ignores - and _)."""
    return column.collate("C") if session.get_bind().dialect.name == "postgresql" else column


def interest(*, session: Session, region: str, today: date) -> list[Interest]:
    """The region's requests, by day and id (none older than REQUEST_DAYS, even before they are deleted)."""
    return list(session.exec(select(Interest).where(Interest.region == region, col(Interest.day) >= _cutoff(today))
                             .order_by(col(Interest.day), _bytewise(col(Interest.id), session))).all())


def withdraw_interest(*, session: Session, request: Interest, today: date) -> None:
    drop_old_requests(session=session, today=today)
    session.exec(delete(Interest).where(col(Interest.id) == request.id))
    session.commit()


def add_reply(*, session: Session, box: str, sealed: str, today: date, limit: int = MAX_REPLIES) -> int | None:
    """Store a sealed reply in the reply mailbox; its position, or None when the box holds `limit` replies."""
    drop_old_requests(session=session, today=today)
    _one_at_a_time(session, f"reply:{box}")
    table: Any = Reply.__table__  # type: ignore[attr-defined]
    stored = _insert_below(session, table, {"box": box, "sealed": sealed, "day": today}, table.c.box == box,
                           limit, table.c.position)
    session.commit()
    return int(stored) if stored is not None else None


def replies(*, session: Session, box: str, today: date) -> list[Reply]:
    return list(session.exec(select(Reply).where(Reply.box == box, col(Reply.day) >= _cutoff(today))
                             .order_by(col(Reply.position))).all())
