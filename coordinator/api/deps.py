"""Shared dependencies: a database session per request, today's date, and bearer tokens."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from coordinator import crud
from coordinator.models import Token
from coordinator.schemas import Conflict, Reason

bearer = HTTPBearer(auto_error=False, description="A coordinator token, or an enrolment token to register")


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


def get_today() -> date:
    """The relay's idea of today (UTC): the only clock it keeps, to the day."""
    return datetime.now(UTC).date()


SessionDep = Annotated[Session, Depends(get_session)]
TodayDep = Annotated[date, Depends(get_today)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def require_token(kind: str, credentials: HTTPAuthorizationCredentials | None, session: Session,
                  today: date) -> Token:
    if credentials is None:
        raise HTTPException(401, f"This needs a bearer token ({kind}).", headers={"WWW-Authenticate": "Bearer"})
    found = crud.valid_token(session=session, token=credentials.credentials, kind=kind, today=today)
    if found is None:
        raise HTTPException(401, f"That {kind} token is unknown, used up or expired.",
                            headers={"WWW-Authenticate": "Bearer"})
    return found


class Refused(Exception):
    """A 409 with a machine-readable reason beside the words: `{"detail": ..., "reason": ...}`."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def conflict(description: str) -> dict[int | str, dict[str, Any]]:
    """The 409 of a route's `responses`, with its body's schema."""
    return {409: {"model": Conflict, "description": description}}
