"""Group mailboxes: register, read the public state, roll the member key or rotate both keys, post and fetch
messages."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from coordinator import crud
from coordinator.api.deps import BearerDep, Refused, SessionDep, TodayDep, conflict, require_token
from coordinator.models import Mailbox, Message
from coordinator.schemas import (
    KeysUpdate,
    MailboxCreate,
    MailboxId,
    MailboxPublic,
    MemberKeyUpdate,
    MessageCreate,
    MessagePage,
    MessagePublic,
    Position,
)
from coordinator.settings import MAX_PAGE, MAX_WAIT
from coordinator.waiters import RECHECK, Waiters
from protocol import signing_bytes, verify

router = APIRouter(prefix="/v1/mailboxes", tags=["mailboxes"])
MailboxPath = Annotated[MailboxId, Path(description="The mailbox id (16 bytes, base64url)")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such mailbox"}}
BAD_SIGNATURE: dict[int | str, dict[str, Any]] = {403: {"description": "bad signature"}}


def _public(box: Mailbox) -> MailboxPublic:
    return MailboxPublic(mailbox=box.id, leader_key=box.leader_key, member_key=box.member_key, epoch=box.epoch,
                         last_seq=box.last_seq, version=box.version)


def _mailbox(session: SessionDep, mailbox: str) -> Mailbox:
    box = session.get(Mailbox, mailbox)
    if box is None:
        raise HTTPException(404, "No such mailbox.")
    return box


@router.post("", status_code=201, response_model=MailboxPublic,
             responses={200: {"model": MailboxPublic, "description": "already registered, same leader"},
                        401: {"description": "no valid enrolment token"}, **BAD_SIGNATURE,
                        **conflict("registered to another leader (taken)")})
def register(body: MailboxCreate, session: SessionDep, today: TodayDep, credentials: BearerDep,
             response: Response) -> MailboxPublic:
    """Register a group's mailbox with the leader's key and the members' key (needs an enrolment token)."""
    signed = signing_bytes("register", mailbox=body.mailbox, leader_key=body.leader_key, member_key=body.member_key)
    if not verify(body.leader_key, body.signature, signed):
        raise HTTPException(403, "The signature does not match the leader key.")
    existing = session.get(Mailbox, body.mailbox)
    if existing is not None:
        if existing.leader_key != body.leader_key:
            raise Refused("taken", "This mailbox belongs to another leader.")
        response.status_code = 200  # a retry after a lost answer: the token was spent the first time
        return _public(existing)
    token = require_token(crud.ENROLMENT, credentials, session, today)
    if not crud.use_token(session=session, token=token):
        raise HTTPException(401, "That enrolment token is used up.")
    box = Mailbox(id=body.mailbox, leader_key=body.leader_key, member_key=body.member_key, created_on=today,
                  region=token.region, label=token.label)
    session.add(box)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Refused("taken", "This mailbox was registered at the same moment; try again.") from None
    return _public(box)


@router.get("/{mailbox}", response_model=MailboxPublic, responses=NOT_FOUND)
def read_mailbox(mailbox: MailboxPath, session: SessionDep) -> MailboxPublic:
    return _public(_mailbox(session, mailbox))


@router.put("/{mailbox}/member-key", response_model=MailboxPublic,
            responses={**NOT_FOUND, **BAD_SIGNATURE, **conflict("not a newer epoch (not_newer)")})
def roll_member_key(mailbox: MailboxPath, body: MemberKeyUpdate, session: SessionDep) -> MailboxPublic:
    """The leader's new epoch: members of earlier epochs can no longer post."""
    box = _mailbox(session, mailbox)
    signed = signing_bytes("member-key", mailbox=mailbox, epoch=body.epoch, member_key=body.member_key)
    if not verify(box.leader_key, body.signature, signed):
        raise HTTPException(403, "The signature does not match the leader key.")
    if not crud.new_epoch(session=session, mailbox=mailbox, epoch=body.epoch, member_key=body.member_key):
        raise Refused("not_newer", f"Epoch {body.epoch} is not newer than {box.epoch}.")
    return _public(_mailbox(session, mailbox))


@router.put("/{mailbox}/keys", response_model=MailboxPublic,
            responses={**NOT_FOUND, **BAD_SIGNATURE,
                       **conflict("not a newer epoch (not_newer), or from version 2 back to 1 (version)")})
def rotate_keys(mailbox: MailboxPath, body: KeysUpdate, session: SessionDep) -> MailboxPublic:
    """A new epoch's post key and steward key at once (docs/adr/0006-group-protocol-v2.md), signed by the
    mailbox's CURRENT steward key over `signing_bytes("keys", mailbox, epoch, member_key, leader_key,
    version)`. Posts signed with the old post key are refused from now on, and so is all the old steward key
    signed (join codes, head counts, the next rotation). Version 2, once set, stays: then every message is a
    member's (sender "member", seq 0). The same rotation again answers 200 and changes nothing."""
    box = _mailbox(session, mailbox)
    if (box.epoch, box.member_key, box.leader_key, box.version) == (body.epoch, body.member_key, body.leader_key,
                                                                    body.version):
        return _public(box)  # a retry after a lost answer (the old key's signature no longer checks)
    signed = signing_bytes("keys", mailbox=mailbox, epoch=body.epoch, member_key=body.member_key,
                           leader_key=body.leader_key, version=body.version)
    if not verify(box.leader_key, body.signature, signed):
        raise HTTPException(403, "The signature does not match the mailbox's steward key.")
    if body.epoch <= box.epoch:
        raise Refused("not_newer", f"Epoch {body.epoch} is not newer than {box.epoch}.")
    if body.version < box.version:
        raise Refused("version", f"This mailbox is on protocol version {box.version}; it cannot go back.")
    if not crud.new_epoch(session=session, mailbox=mailbox, epoch=body.epoch, member_key=body.member_key,
                          leader_key=body.leader_key, version=body.version):
        raise Refused("not_newer", f"Epoch {body.epoch} is not newer than the mailbox's: another rotation came first.")
    return _public(_mailbox(session, mailbox))


@router.post("/{mailbox}/messages", status_code=201, response_model=Position,
             responses={**NOT_FOUND, **BAD_SIGNATURE,
                        **conflict("an old epoch (old_epoch), a leader's seq not above the last (stale_seq), "
                                   "already here (repeated_nonce), a leader's in a version 2 mailbox (version)")})
def post_message(mailbox: MailboxPath, body: MessageCreate, session: SessionDep, today: TodayDep,
                 request: Request) -> Position:
    """A signed, encrypted message from the leader (checked against the leader key, seq above the last) or a
    member (checked against the epoch's member key). In a version 2 mailbox every message is a member's."""
    box = _mailbox(session, mailbox)
    signed = signing_bytes("message", mailbox=mailbox, sender=body.sender, epoch=body.epoch, seq=body.seq,
                           nonce=body.nonce, ciphertext=body.ciphertext)
    if body.sender == "leader":
        if box.version >= 2:
            raise Refused("version", 'This mailbox is on protocol version 2: every message is sent as "member", '
                                     "with sequence number 0.")
        if not verify(box.leader_key, body.signature, signed):
            raise HTTPException(403, "The signature does not match the leader key.")
        if body.epoch < box.epoch:
            raise Refused("old_epoch", "The message is for an old epoch.")
        if not crud.advance_seq(session=session, mailbox=mailbox, seq=body.seq):
            if crud.has_nonce(session=session, mailbox=mailbox, nonce=body.nonce):
                raise Refused("repeated_nonce", "This message is already here (repeated nonce).")
            raise Refused("stale_seq", "Replayed or out of order: the sequence number is not above the last.")
    else:
        if body.seq != 0:
            raise HTTPException(422, "A member's message has sequence number 0.")
        if body.epoch != box.epoch:
            raise Refused("old_epoch", "The message is for an old epoch.")
        if not verify(box.member_key, body.signature, signed):
            raise HTTPException(403, "The signature does not match the members' key.")
    message = Message(mailbox=mailbox, sender=body.sender, epoch=body.epoch, seq=body.seq, nonce=body.nonce,
                      ciphertext=body.ciphertext, signature=body.signature, day=today)
    session.add(message)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Refused("repeated_nonce", "This message is already here (repeated nonce).") from None
    assert message.id is not None
    request.app.state.waiters.notify(mailbox)
    return Position(position=message.id)


def _page(engine: Engine, mailbox: str, after: int, limit: int) -> MessagePage:
    """One look at the database, on a worker thread, its connection given back before it returns."""
    with Session(engine) as session:
        _mailbox(session, mailbox)
        rows, more = crud.messages_after(session=session, mailbox=mailbox, after=after, limit=limit)
    return MessagePage(more=more, messages=[
        MessagePublic(position=m.id or 0, sender=m.sender, epoch=m.epoch, seq=m.seq, nonce=m.nonce,
                      ciphertext=m.ciphertext, signature=m.signature) for m in rows])


@router.get("/{mailbox}/messages", response_model=MessagePage, responses=NOT_FOUND)
async def fetch_messages(
        mailbox: MailboxPath, request: Request,
        after: Annotated[int, Query(ge=0, le=2**62, description="the last position already read")] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
        wait: Annotated[int, Query(ge=0, le=MAX_WAIT, description="seconds to wait for a message when there is "
                                   "none after `after` (long poll); 0 answers at once")] = 0) -> MessagePage:
    """The messages after position `after`, oldest first. With `wait`, a fetch that finds nothing waits until
    a message arrives or `wait` seconds have passed, then answers the same way (empty then). Waiting holds no
    database connection and no worker thread: a post in this process wakes the waiters at once, and the
    database is looked at again every 0.5 s for posts that landed through another process."""
    engine = request.app.state.engine
    waiters: Waiters = request.app.state.waiters
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(wait, request.app.state.longest_wait)
    with waiters.watch(mailbox) as woken:
        while True:
            woken.clear()  # before the look: a post that lands during it sets it again
            page = await run_in_threadpool(_page, engine, mailbox, after, limit)
            left = deadline - loop.time()
            if page.messages or left <= 0 or await request.is_disconnected():
                return page
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), min(RECHECK, left))
