"""A region's signed catalogue of groups (docs/adr/0016-region-catalogue.md): the coordinator puts it, anyone
reads it. The relay checks it as the apps do, so it never serves a document the region's key did not sign, and
it keeps only the newest serial; the apps still check it themselves, under the key their profile pins."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path

from coordinator import crud
from coordinator.api.deps import BearerDep, Refused, SessionDep, TodayDep, conflict, require_token
from coordinator.schemas import CatalogueStored, CatalogueUpload, RegionId, SignedCatalogue
from protocol import ProtocolError, canonical, read_catalogue

router = APIRouter(prefix="/v1/catalogues", tags=["catalogues"])
RegionPath = Annotated[RegionId, Path(description="The region's id: the member id of its key (16 bytes, base64url)")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "the region has no catalogue here"}}


@router.get("/{region}", response_model=SignedCatalogue, responses=NOT_FOUND)
def get_catalogue(region: RegionPath, session: SessionDep) -> SignedCatalogue:
    """The region's newest catalogue, open to all: it is a public list, and whoever reads it needs no journal
    and no token. The relay learns only that someone read the whole list, never what they looked for."""
    row = crud.catalogue(session=session, region=region)
    if row is None:
        raise HTTPException(404, "This region has no catalogue on this relay yet.")
    return SignedCatalogue(catalogue=json.loads(row.document), signature=row.signature)


@router.put("/{region}", response_model=CatalogueStored,
            responses={401: {"description": "no valid coordinator token"},
                       403: {"description": "the signature does not match the document's key"},
                       **conflict("the serial is not above the stored one (not_newer)")})
def put_catalogue(region: RegionPath, body: CatalogueUpload, session: SessionDep, today: TodayDep,
                  credentials: BearerDep) -> CatalogueStored:
    """A new catalogue for the region, signed by the region's key, whose id is the path; its serial must be above
    the stored one, so of two coordinators changing the list at once the later is refused and starts again
    from the newer list instead of overwriting it. The token says who may put; the signature, what is said."""
    require_token(crud.COORDINATOR, credentials, session, today)
    try:
        checked = read_catalogue(body.catalogue, body.signature)
    except ProtocolError as exc:
        if exc.reason == "forged":
            raise HTTPException(403, "The catalogue's signature does not match its key.") from None
        raise HTTPException(422, f"The catalogue is not valid: {exc}.") from None
    if checked.region != region:
        raise HTTPException(422, "The catalogue is signed by another region's key than the one in the path.")
    if not crud.put_catalogue(session=session, region=region, key=checked.key, serial=checked.serial,
                              document_text=canonical(body.catalogue).decode("utf-8"), signature=checked.signature,
                              today=today):
        stored = crud.catalogue(session=session, region=region)
        raise Refused("not_newer", f"Serial {checked.serial} is not above the stored one "
                      f"({stored.serial if stored else '?'}): fetch the catalogue and sign the change on top of it.")
    return CatalogueStored(serial=checked.serial)
