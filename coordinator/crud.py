"""What the relay does with its tables: plain functions over a session, one job each."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, delete, select

from coordinator.models import JoinCode, Mailbox, Message, Token

COORDINATOR, ENROLMENT = "coordinator", "enrolment"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(*, session: Session, kind: str, name: str = "", uses: int = 1, days: int | None = None,
                 today: date) -> tuple[str, date | None]:
    """A new bearer token; only its hash is stored, so it is shown once."""
    token = secrets.token_urlsafe(24)
    expires = today + timedelta(days=days) if days else None
    session.add(Token(hash=token_hash(token), kind=kind, name=name, uses_left=uses, expires_on=expires))
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
