"""A coordinator issues enrolment tokens to the leaders of their region."""

from __future__ import annotations

from fastapi import APIRouter

from coordinator import crud
from coordinator.api.deps import BearerDep, SessionDep, TodayDep, require_token
from coordinator.schemas import EnrolmentCreate, EnrolmentPublic

router = APIRouter(prefix="/v1/enrolments", tags=["coordinator"])


@router.post("", status_code=201, response_model=EnrolmentPublic,
             responses={401: {"description": "no valid coordinator token"}})
def create_enrolment(body: EnrolmentCreate, session: SessionDep, today: TodayDep,
                     credentials: BearerDep) -> EnrolmentPublic:
    """An enrolment token a leader enters in the app to register their group's mailbox."""
    coordinator = require_token(crud.COORDINATOR, credentials, session, today)
    token, expires = crud.create_token(session=session, kind=crud.ENROLMENT, uses=body.uses, days=body.days,
                                       today=today, region=coordinator.region or body.region.strip(),
                                       label=body.label.strip())
    assert expires is not None
    return EnrolmentPublic(token=token, expires_on=expires)
