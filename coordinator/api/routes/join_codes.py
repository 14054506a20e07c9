"""Join codes: the leader leaves the invite sealed under a stretched code; a member looks it up by the code."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path

from coordinator import crud
from coordinator.api.deps import Refused, SessionDep, TodayDep, conflict
from coordinator.models import JoinCode, Mailbox
from coordinator.schemas import JoinCodeCreate, JoinCodePublic, Lookup
from coordinator.settings import MAX_JOIN_CODE_DAYS
from protocol import signing_bytes, verify

router = APIRouter(prefix="/v1/join-codes", tags=["join codes"])
LookupPath = Annotated[Lookup, Path(description="The lookup id stretched from the code (32 bytes, base64url)")]


@router.put("/{lookup}", status_code=201, response_model=JoinCodePublic,
            responses={403: {"description": "bad signature"}, 404: {"description": "no such mailbox"},
                       **conflict("the code is taken by another group (taken)")})
def put_join_code(lookup: LookupPath, body: JoinCodeCreate, session: SessionDep, today: TodayDep) -> JoinCodePublic:
    if not today <= body.expires_on <= today + timedelta(days=MAX_JOIN_CODE_DAYS):
        raise HTTPException(422, f"expires_on must be between today and {MAX_JOIN_CODE_DAYS} days from now.")
    box = session.get(Mailbox, body.mailbox)
    if box is None:
        raise HTTPException(404, "No such mailbox.")
    signed = signing_bytes("join-code", lookup=lookup, mailbox=body.mailbox, ciphertext=body.ciphertext,
                           expires_on=body.expires_on.isoformat())
    if not verify(box.leader_key, body.signature, signed):
        raise HTTPException(403, "The signature does not match the leader key.")
    crud.drop_expired_join_codes(session=session, today=today)
    existing = session.get(JoinCode, lookup)
    if existing is not None and existing.mailbox != body.mailbox:
        raise Refused("taken", "This code is taken; make another one.")
    row = existing or JoinCode(lookup=lookup, mailbox=body.mailbox, ciphertext="", expires_on=body.expires_on)
    row.ciphertext, row.expires_on = body.ciphertext, body.expires_on
    session.add(row)
    session.commit()
    return JoinCodePublic(mailbox=row.mailbox, ciphertext=row.ciphertext, expires_on=row.expires_on)


@router.get("/{lookup}", response_model=JoinCodePublic, responses={404: {"description": "unknown or expired"}})
def get_join_code(lookup: LookupPath, session: SessionDep, today: TodayDep) -> JoinCodePublic:
    row = crud.live_join_code(session=session, lookup=lookup, today=today)
    if row is None:
        raise HTTPException(404, "No group has this join code, or it has expired.")
    return JoinCodePublic(mailbox=row.mailbox, ciphertext=row.ciphertext, expires_on=row.expires_on)
