"""What a coordinator sees (bearer coordinator token): counts per group and meeting, never people."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from coordinator import crud
from coordinator.api.deps import BearerDep, SessionDep, TodayDep, require_token
from coordinator.schemas import GroupAttendance, MeetingAttendance, Overview
from protocol import funders_csv

router = APIRouter(prefix="/v1/coordinator", tags=["coordinator"])
UNAUTHORISED: dict[int | str, dict[str, Any]] = {401: {"description": "no valid coordinator token"}}


@router.get("/groups", response_model=Overview, responses=UNAUTHORISED)
def groups(session: SessionDep, today: TodayDep, credentials: BearerDep) -> Overview:
    """Every group of the coordinator's region with check-ins and head counts per meeting."""
    token = require_token(crud.COORDINATOR, credentials, session, today)
    crud.fold_old_tokens(session=session, today=today)
    return Overview(groups=[
        GroupAttendance(mailbox=g.mailbox, region=g.region, label=g.label, created_on=g.created_on,
                        meetings=[MeetingAttendance(meeting=m, checkins=c, head_count=h)
                                  for m, (c, h) in g.meetings.items()])
        for g in crud.attendance(session=session, region=token.region)])


@router.get("/export.csv", response_class=PlainTextResponse, responses=UNAUTHORISED)
def export(session: SessionDep, today: TodayDep, credentials: BearerDep,
           year: Annotated[int, Query(ge=2000, le=2200)]) -> PlainTextResponse:
    """Attendances by region and closed quarter for funders: cells below 3 (and what would reveal them) empty.
    A regional coordinator gets their region's row of the whole table (ADR 0005), so exports of one region and
    of all regions, held together, uncover nothing either."""
    token = require_token(crud.COORDINATOR, credentials, session, today)
    crud.fold_old_tokens(session=session, today=today)
    text = funders_csv(crud.attendance(session=session), year, today=today, region=token.region or None)
    return PlainTextResponse(text, media_type="text/csv",
                             headers={"Content-Disposition": f'attachment; filename="kraft-attendance-{year}.csv"'})
