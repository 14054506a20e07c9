"""A region's signed catalogue at the relay (docs/adr/0016-region-catalogue.md, decision 5), on SQLite and
PostgreSQL: open to read, a coordinator token to put, the same shape and signature checks as the apps, only a
higher serial replaces the stored one, and each region's list stays its own."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

import protocol as p
from coordinator import crud
from coordinator.models import Catalogue
from protocol.catalogue import DOCUMENT_FIELDS, ENTRY_FIELDS
from tests.coordinator.conftest import Api
from tests.examples import examples

ISSUED = date(2026, 12, 7)


def _entry(**changes: Any) -> p.CatalogueEntry:
    fields: dict[str, Any] = {"status": "forming", "theme": "stress", "words": "", "place": "Malmö",
                              "language": "sv", "weekday": 2, "time": "18:00", "zone": "Europe/Stockholm",
                              "needed": 3, "intake": "040-123 45 67"}
    return p.new_entry(**{**fields, **changes})


def _signed(region: p.Identity, serial: int, *places: str) -> dict[str, Any]:
    entries = [_entry(place=place) for place in places or ("Malmö",)]
    return p.sign_catalogue(region, serial=serial, issued=ISSUED, entries=entries)


def _signed_anyway(region: p.Identity, document: dict[str, Any]) -> dict[str, Any]:
    """`document` signed by `region` with no shape check (`sign_catalogue` would refuse a wrong one): so only
    the relay's own check stands between it and the apps."""
    return {"catalogue": document, "signature": region.sign("catalogue", **document)}


def _id(region: p.Identity) -> str:
    return p.region_id(region.public().sig)


def _url(region: p.Identity | str) -> str:
    return f"/v1/catalogues/{region if isinstance(region, str) else _id(region)}"


def _put(api: Api, region: p.Identity | str, body: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token or api.token(crud.COORDINATOR)}"}
    return api.client.put(_url(region), json=body, headers=headers)


def _stored(api: Api, region: p.Identity) -> dict[str, Any]:
    answer = api.client.get(_url(region))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_region_without_a_catalogue_is_404(api: Api) -> None:
    answer = api.client.get(_url(p.Identity.new()))
    assert answer.status_code == 404
    assert answer.json()["detail"] == "This region has no catalogue on this relay yet."
    assert api.client.get("/v1/catalogues/not-a-region").status_code == 422  # 22 base64url characters or nothing


def test_putting_needs_a_coordinator_token(api: Api) -> None:
    region = p.Identity.new()
    body = _signed(region, 1)
    assert api.client.put(_url(region), json=body).status_code == 401
    assert _put(api, region, body, token=api.token(crud.ENROLMENT)).status_code == 401
    assert _put(api, region, body, token="not-a-token").status_code == 401
    assert api.client.get(_url(region)).status_code == 404  # none of them stored anything
    assert _put(api, region, body).json() == {"serial": 1}  # the same body with a coordinator's token


def test_a_stored_catalogue_reads_back_exactly_as_signed_and_keeps_only_its_day(api: Api) -> None:
    region = p.Identity.new()
    body = _signed(region, 1, "Malmö", "", "Lund")
    api.today = date(2026, 12, 9)
    answer = _put(api, region, body)
    assert answer.status_code == 200 and answer.json() == {"serial": 1}
    got = _stored(api, region)
    assert got == body
    checked = p.read_catalogue(got["catalogue"], got["signature"], key=region.public().sig)
    assert [e.place for e in checked.entries] == ["Malmö", "", "Lund"]
    with Session(api.app.state.engine) as session:
        rows = session.exec(select(Catalogue)).all()
    assert [row.model_dump() for row in rows] == [{
        "region": _id(region), "key": region.public().sig, "serial": 1,
        "document": p.canonical(body["catalogue"]).decode("utf-8"), "signature": body["signature"],
        "day": date(2026, 12, 9)}]  # the day it came and what was signed: nothing of who sent or reads it


def test_only_a_higher_serial_replaces_the_stored_catalogue(api: Api) -> None:
    region = p.Identity.new()
    first = _signed(region, 2, "Malmö")
    assert _put(api, region, first).status_code == 200
    for serial in (2, 1):  # another coordinator's change on top of an older list
        answer = _put(api, region, _signed(region, serial, "Lund"))
        assert answer.status_code == 409 and answer.json()["reason"] == "not_newer", answer.text
        assert "Serial" in answer.json()["detail"]
    resent = _put(api, region, first)  # the same again, after a lost answer
    assert resent.status_code == 409 and resent.json()["reason"] == "not_newer"
    assert _stored(api, region) == first
    newer = _signed(region, 3, "Ystad")
    assert _put(api, region, newer).json() == {"serial": 3}
    assert _stored(api, region) == newer


def test_a_catalogue_signed_by_another_regions_key_is_refused_under_this_region(api: Api) -> None:
    region, other = p.Identity.new(), p.Identity.new()
    ours = _signed(region, 1)
    assert _put(api, region, ours).status_code == 200
    theirs = _signed(other, 2, "Kiruna")  # rightly signed, by a key whose region is not the path's
    answer = _put(api, region, theirs)
    assert answer.status_code == 422 and "region" in answer.json()["detail"], answer.text
    # signed by the other key but claiming this region: its region is not its key's id
    claiming = _signed_anyway(other, {**theirs["catalogue"], "region": _id(region)})
    answer = _put(api, region, claiming)
    assert answer.status_code == 422 and "region is not the id of the catalogue's key" in answer.json()["detail"]
    assert _stored(api, region) == ours
    assert api.client.get(_url(other)).status_code == 404  # and it was not stored under its own region either


def test_a_catalogue_changed_after_signing_is_refused_and_the_stored_one_stays(api: Api) -> None:
    region = p.Identity.new()
    stored = _signed(region, 1, "Malmö")
    assert _put(api, region, stored).status_code == 200
    forged = _signed(region, 2, "Malmö")
    forged["catalogue"]["entries"][0] = {**forged["catalogue"]["entries"][0], "intake": "a stranger's number"}
    added = _signed(region, 2, "Malmö")
    added["catalogue"]["entries"].append(_entry(place="Lund").to_dict())
    bumped = {**stored, "catalogue": {**stored["catalogue"], "serial": 9}}  # an old list made to look newest
    newer = _signed(region, 2)["catalogue"]
    stranger = {"catalogue": newer, "signature": p.Identity.new().sign("catalogue", **newer)}  # not its key's
    for body in (forged, added, bumped, stranger):
        answer = _put(api, region, body)
        assert answer.status_code == 403, answer.text
        assert answer.json()["detail"] == "The catalogue's signature does not match its key."
    assert _stored(api, region) == stored


def test_a_malformed_catalogue_is_refused_naming_what_is_wrong(api: Api) -> None:
    region = p.Identity.new()
    good = _signed(region, 1)["catalogue"]
    entry = good["entries"][0]
    cases = {
        "needed must be a whole number from 0 to 8": [{**entry, "needed": 99}],
        "unknown field leader": [{**entry, "leader": "Anna"}],  # a field that could name a person
        "missing field intake": [{k: v for k, v in entry.items() if k != "intake"}],
        "weekday must be a whole number from 1 to 7": [{**entry, "weekday": 8}],
        "two entries have the same id": [entry, {**entry, "place": "Lund"}],
    }
    for why, entries in cases.items():
        answer = _put(api, region, _signed_anyway(region, {**good, "entries": entries}))  # a valid signature
        assert answer.status_code == 422, (why, answer.text)
        assert why in answer.json()["detail"], answer.text
    answer = _put(api, region, _signed_anyway(region, {**good, "note": "x"}))
    assert answer.status_code == 422 and "unknown field note" in answer.json()["detail"]
    answer = _put(api, region, _signed_anyway(region, {**good, "serial": 0}))
    assert answer.status_code == 422 and "serial" in answer.json()["detail"]
    not_an_object = _put(api, region, {"catalogue": [good], "signature": _signed(region, 1)["signature"]})
    assert not_an_object.status_code == 422 and "catalogue" in not_an_object.json()["detail"]
    assert api.client.get(_url(region)).status_code == 404


NEAR = st.sampled_from(["", " x", "forming", "running", "sv", "18:00", "24:00", "Europe/Stockholm", "Malmö\n",
                        "2026-02-30", 0, 1, 8, 9, -1, 2**53, 2**53 + 1, 2**63])  # at the edges of the checks
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                    | st.text(max_size=130) | NEAR, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)
WHERE = (st.tuples(st.just(True), st.sampled_from(sorted(ENTRY_FIELDS | {"other"})))
         | st.tuples(st.just(False), st.sampled_from(sorted(DOCUMENT_FIELDS | {"other"}))))
REGION = p.Identity.new()


@given(where=WHERE, value=JSON)
@settings(max_examples=examples(60), deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_whatever_a_field_holds_the_relay_answers_without_a_server_error(api: Api, where: tuple[bool, str],
                                                                         value: Any) -> None:
    """Any JSON in any field of the document or of an entry, signed by the region's key: refused with a reason,
    or stored and served as signed; never a 5xx (the schema run seldom gets a body this far)."""
    in_entry, field = where
    document = _signed(REGION, 1)["catalogue"]
    if in_entry:
        document["entries"][0][field] = value
    else:
        document[field] = value
    try:
        body = _signed_anyway(REGION, document)
    except p.ProtocolError:  # a float: nothing can sign it
        body = {"catalogue": document, "signature": _signed(REGION, 1)["signature"]}
    answer = _put(api, REGION, body)
    assert answer.status_code in (200, 403, 409, 422), answer.text
    if answer.status_code == 200:
        assert _stored(api, REGION) == body


def test_a_catalogue_of_one_region_never_appears_under_another(api: Api) -> None:
    north, south, elsewhere = p.Identity.new(), p.Identity.new(), p.Identity.new()
    assert _put(api, north, _signed(north, 5, "Umeå")).status_code == 200
    south_list = _signed(south, 1, "Malmö")
    assert _put(api, south, south_list).status_code == 200  # a lower serial than the north's: its own count
    assert _stored(api, south) == south_list
    assert _stored(api, north)["catalogue"]["entries"][0]["place"] == "Umeå"
    assert _put(api, south, _signed(south, 2, "Lund")).status_code == 200
    assert _stored(api, north)["catalogue"]["serial"] == 5
    assert api.client.get(_url(elsewhere)).status_code == 404


def test_only_the_highest_of_serials_put_at_once_is_stored(database_url: str) -> None:
    """Coordinators (or one coordinator's retries) putting at the same moment, the region's first list among
    them: none fails, and a lower serial never overwrites a higher one that came just before it."""
    api = Api(database_url)
    try:
        region = p.Identity.new()
        bodies = [_signed(region, serial) for serial in range(1, 9)]
        starting = threading.Barrier(len(bodies))
        stored: dict[int, bool] = {}

        def put(body: dict[str, Any]) -> None:
            starting.wait()
            with Session(api.app.state.engine) as session:
                document = body["catalogue"]
                stored[document["serial"]] = crud.put_catalogue(
                    session=session, region=document["region"], key=document["key"], serial=document["serial"],
                    document_text=p.canonical(document).decode("utf-8"), signature=body["signature"],
                    today=api.today)

        threads = [threading.Thread(target=put, args=(body,)) for body in bodies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert len(stored) == len(bodies) and stored[8]  # every put answered; the highest always stores
        assert _stored(api, region) == bodies[-1]
        with Session(api.app.state.engine) as session:
            assert not crud.put_catalogue(session=session, region=_id(region), key=region.public().sig, serial=8,
                                          document_text="{}", signature="x", today=api.today + timedelta(days=1))
            row = crud.catalogue(session=session, region=_id(region))
            assert row is not None and (row.serial, row.day) == (8, api.today)
    finally:
        api.close()


def test_the_catalogue_endpoints_are_in_the_schema(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    path = schema["paths"]["/v1/catalogues/{region}"]
    assert set(path) == {"get", "put"}
    assert {"200", "404"} <= set(path["get"]["responses"]) and "security" not in path["get"]
    assert {"200", "401", "403", "409", "422"} <= set(path["put"]["responses"])
    upload = schema["components"]["schemas"]["CatalogueUpload"]
    assert upload["additionalProperties"] is False
    assert all(field.get("description") for field in upload["properties"].values())
    assert "catalogue's serial" in schema["components"]["schemas"]["Conflict"]["properties"]["reason"]["description"]
