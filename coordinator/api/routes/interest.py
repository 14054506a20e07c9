"""Interest in a region's groups and the coordinator's replies (docs/adr/0016-region-catalogue.md, "Planned").

A person's app seals "I'm interested" (or "I would lead a group") to the region's key and posts it with the hash
of a withdrawal secret; the coordinator fetches the region's requests and opens them on their device. A reply
(the invite to the group that starts) is sealed to the reply key the person's app made, into its reply mailbox,
which that app reads. The relay holds ciphertext, hashes and days: never who asked, from where, or when in the
day, and never what a request says.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from coordinator import crud
from coordinator.api.deps import BearerDep, Refused, SessionDep, TodayDep, conflict, require_token
from coordinator.api.routes.catalogues import NOT_FOUND, RegionPath
from coordinator.models import Interest
from coordinator.schemas import (
    InterestCreate,
    InterestId,
    InterestList,
    InterestStored,
    ReplyBoxId,
    ReplyCreate,
    ReplyList,
    ReplyStored,
    SealedReply,
    SealedRequest,
)
from protocol import withdraw_hash

router = APIRouter(tags=["interest"])
InterestPath = Annotated[InterestId, Path(description="The request's id, as the relay gave it (16 bytes, base64url)")]
BoxPath = Annotated[ReplyBoxId, Path(description="The reply mailbox's id, made by the person's app (16 bytes, "
                                                 "base64url): whoever knows it may read the sealed replies")]
UNAUTHORISED: dict[int | str, dict[str, Any]] = {401: {"description": "no valid coordinator token"}}
withdraw_bearer = HTTPBearer(auto_error=False, scheme_name="WithdrawSecret",
                             description="The withdrawal secret the app made with the request "
                                         "(protocol.new_withdraw_secret); the relay keeps only its hash")
WithdrawDep = Annotated[HTTPAuthorizationCredentials | None, Depends(withdraw_bearer)]


def _catalogued(session: SessionDep, region: str) -> None:
    if crud.catalogue(session=session, region=region) is None:
        raise HTTPException(404, "This region has no catalogue on this relay.")


@router.post("/v1/catalogues/{region}/interest", status_code=201, response_model=InterestStored,
             responses={**NOT_FOUND, **conflict("the region holds as many requests as the relay keeps (full)")})
def post_interest(region: RegionPath, body: InterestCreate, session: SessionDep, today: TodayDep) -> InterestStored:
    """A person's "I'm interested" or "I would lead a group", sealed to the region's key: no token, anyone may
    ask, but only for a region with a catalogue here. The relay keeps the blob, the hash of its withdrawal
    secret and the day, and answers the id that withdraws it; it keeps nothing of the sender."""
    _catalogued(session, region)
    stored = crud.add_interest(session=session, region=region, sealed=body.sealed, withdraw=body.withdraw,
                               today=today)
    if stored is None:
        raise Refused("full", f"This region already holds {crud.MAX_INTEREST} requests; ask the coordinator, "
                      "or try again later.")
    return InterestStored(id=stored)


@router.get("/v1/catalogues/{region}/interest", response_model=InterestList,
            responses={**UNAUTHORISED, **NOT_FOUND})
def list_interest(region: RegionPath, session: SessionDep, today: TodayDep, credentials: BearerDep) -> InterestList:
    """Every request for the region, sealed, by day and id, for the coordinator's device to open and count
    (needs a coordinator token)."""
    require_token(crud.COORDINATOR, credentials, session, today)
    _catalogued(session, region)
    return InterestList(requests=[SealedRequest(id=row.id, sealed=row.sealed, day=row.day)
                                  for row in crud.interest(session=session, region=region, today=today)])


@router.delete("/v1/interest/{id}", status_code=204, response_class=Response,
               responses={401: {"description": "no withdrawal secret"}, 403: {"description": "not its secret"},
                          404: {"description": "no such request (never stored, withdrawn, or expired)"}})
def withdraw(id: InterestPath, session: SessionDep, today: TodayDep, credentials: WithdrawDep) -> Response:
    """Take a request back with the secret the app made with it (`Authorization: Bearer <secret>`)."""
    if credentials is None:
        raise HTTPException(401, "This needs the request's withdrawal secret as a bearer token.",
                            headers={"WWW-Authenticate": "Bearer"})
    found = session.get(Interest, id)
    if found is None:
        raise HTTPException(404, "No such request.")
    if not hmac.compare_digest(withdraw_hash(credentials.credentials).encode(), found.withdraw.encode()):
        raise HTTPException(403, "That is not this request's withdrawal secret.")
    crud.withdraw_interest(session=session, request=found, today=today)
    return Response(status_code=204)


@router.post("/v1/replies/{box}", status_code=201, response_model=ReplyStored,
             responses={**UNAUTHORISED, **conflict("the reply mailbox holds as many replies as the relay keeps "
                                                   "(full)")})
def post_reply(box: BoxPath, body: ReplyCreate, session: SessionDep, today: TodayDep,
               credentials: BearerDep) -> ReplyStored:
    """A coordinator's reply, sealed to the reply key in a request, into the request's reply mailbox (needs a
    coordinator token)."""
    require_token(crud.COORDINATOR, credentials, session, today)
    position = crud.add_reply(session=session, box=box, sealed=body.sealed, today=today)
    if position is None:
        raise Refused("full", f"This reply mailbox already holds {crud.MAX_REPLIES} replies.")
    return ReplyStored(position=position)


@router.get("/v1/replies/{box}", response_model=ReplyList)
def get_replies(box: BoxPath, session: SessionDep, today: TodayDep) -> ReplyList:
    """The reply mailbox's replies, oldest first, sealed: its id is what lets one read them, and only the app
    that made it opens them. An empty list for a box nobody has replied to (or that does not exist)."""
    return ReplyList(replies=[SealedReply(position=row.position or 0, sealed=row.sealed, day=row.day)
                              for row in crud.replies(session=session, box=box, today=today)])
