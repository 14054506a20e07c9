"""Anonymous attendance: members' tokens (signed with the epoch's member key) and the leader's head counts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path

from coordinator import crud
from coordinator.api.deps import Refused, SessionDep, TodayDep, conflict
from coordinator.api.routes.mailboxes import NOT_FOUND, MailboxPath, _mailbox
from coordinator.schemas import AttendanceBatch, Counted, HeadCount, MeetingId
from protocol import signing_bytes, verify

router = APIRouter(prefix="/v1/mailboxes", tags=["attendance"])
MeetingPath = Annotated[MeetingId, Path()]
SIGNED: dict[int | str, dict[str, Any]] = {**NOT_FOUND, 403: {"description": "bad signature"}}


@router.post("/{mailbox}/attendance", response_model=Counted,
             responses={**SIGNED, **conflict("an old epoch (old_epoch)")})
def report_attendance(mailbox: MailboxPath, body: AttendanceBatch, session: SessionDep, today: TodayDep) -> Counted:
    """A batch of "I was there" tokens. The same token for the same meeting is counted once, however often
    it comes; the relay keeps the day it came, not the time."""
    box = _mailbox(session, mailbox)
    reports = [{"meeting": r.meeting, "token": r.token} for r in body.reports]
    signed = signing_bytes("attendance", mailbox=mailbox, epoch=body.epoch, nonce=body.nonce, reports=reports)
    if body.epoch != box.epoch:
        raise Refused("old_epoch", "The reports are for an old epoch.")
    if not verify(box.member_key, body.signature, signed):
        raise HTTPException(403, "The signature does not match the members' key.")
    counted = crud.add_tokens(session=session, mailbox=mailbox, reports=reports, today=today)
    return Counted(counted=counted)


@router.put("/{mailbox}/head-counts/{meeting}", response_model=Counted, responses=SIGNED)
def put_head_count(mailbox: MailboxPath, meeting: MeetingPath, body: HeadCount, session: SessionDep,
                   today: TodayDep) -> Counted:
    """The leader's count of who was in the room (it may differ from the check-ins); 0 counted once the
    meeting's quarter has closed (its figures are published and stay as they were)."""
    box = _mailbox(session, mailbox)
    if not verify(box.leader_key, body.signature,
                  signing_bytes("head-count", mailbox=mailbox, meeting=meeting, count=body.count)):
        raise HTTPException(403, "The signature does not match the leader key.")
    counted = crud.set_head_count(session=session, mailbox=mailbox, meeting=meeting, count=body.count, today=today)
    return Counted(counted=body.count if counted else 0)
