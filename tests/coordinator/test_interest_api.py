"""Interest in a region's groups and the coordinator's replies at the relay (docs/adr/0016-region-catalogue.md,
"Planned"), on SQLite and PostgreSQL: anyone may post a request sealed to the region's key, only for a region
with a catalogue; only a coordinator lists them, and only the region's key opens them; the withdrawal secret
takes one back; replies go into a reply mailbox that its id opens; every table has a limit, rows go after 180
days, and nothing of what a request says reaches the relay's database."""

from __future__ import annotations

import os
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

import protocol as p
from coordinator import crud
from coordinator.models import Interest, Reply, Token
from protocol.interest import CONTACT_MAX
from tests.coordinator.conftest import Api

ISSUED = date(2026, 12, 7)
MARKER = "MARKER-CONTACT-7731"


class Region:
    """A region's key and its published catalogue of one forming group."""

    def __init__(self, api: Api, *, words: str = "") -> None:
        self.key = p.Identity.new()
        self.id = p.region_id(self.key.public().sig)
        self.entry = p.new_entry(status="forming", theme="stress", words=words, place="Malmö", language="sv",
                                 weekday=2, time="18:00", zone="Europe/Stockholm", needed=3, intake="040-123 45 67")
        signed = p.sign_catalogue(self.key, serial=1, issued=ISSUED, entries=[self.entry])
        answer = api.client.put(f"/v1/catalogues/{self.id}", json=signed, headers=_bearer(api.token(crud.COORDINATOR)))
        assert answer.status_code == 200, answer.text

    @property
    def url(self) -> str:
        return f"/v1/catalogues/{self.id}/interest"

    def seal(self, *, contact: str = "", kind: str = p.INTEREST, box: p.ReplyBox | None = None,
             language: str = "sv") -> str:
        return p.seal_request(self.key.public().dh, region=self.id, kind=kind,
                              entry=self.entry.id if kind == p.INTEREST else "", contact=contact,
                              reply=box or p.new_reply_box(), language=language,
                              answer="yes" if kind == p.LEAD else "")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _ask(api: Api, region: Region, sealed: str | None = None, secret: str | None = None) -> Any:
    body = {"sealed": sealed or region.seal(), "withdraw": p.withdraw_hash(secret or p.new_withdraw_secret())}
    return api.client.post(region.url, json=body)


def _asked(api: Api, region: Region, sealed: str | None = None, secret: str | None = None) -> str:
    answer = _ask(api, region, sealed, secret)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _listed(api: Api, region: Region) -> list[dict[str, Any]]:
    answer = api.client.get(region.url, headers=_bearer(api.token(crud.COORDINATOR)))
    assert answer.status_code == 200, answer.text
    return list(answer.json()["requests"])


def _reply(api: Api, box: p.ReplyBox, body: dict[str, Any], token: str | None = None) -> Any:
    sealed = p.seal_reply(box.public, box=box.id, body=body)
    return api.client.post(f"/v1/replies/{box.id}", json={"sealed": sealed},
                           headers=_bearer(token or api.token(crud.COORDINATOR)))


def _rows(api: Api, model: Any) -> list[Any]:
    with Session(api.app.state.engine) as session:
        return list(session.exec(select(model)).all())


def test_interest_for_a_region_without_a_catalogue_is_404(api: Api) -> None:
    nowhere = p.Identity.new()
    url = f"/v1/catalogues/{p.region_id(nowhere.public().sig)}/interest"
    sealed = p.seal_request(nowhere.public().dh, region=p.region_id(nowhere.public().sig), kind=p.INTEREST,
                            entry="e", contact="", reply=p.new_reply_box(), language="sv")
    body = {"sealed": sealed, "withdraw": p.withdraw_hash(p.new_withdraw_secret())}
    answer = api.client.post(url, json=body)
    assert answer.status_code == 404 and "no catalogue" in answer.json()["detail"], answer.text
    assert api.client.get(url, headers=_bearer(api.token(crud.COORDINATOR))).status_code == 404
    assert api.client.post("/v1/catalogues/not-a-region/interest", json=body).status_code == 422
    assert _rows(api, Interest) == []
    Region(api)  # another region's catalogue does not open this one
    assert api.client.post(url, json=body).status_code == 404
    assert _rows(api, Interest) == []


def test_a_request_is_listed_for_the_coordinator_and_only_the_regions_key_opens_it(api: Api) -> None:
    region, other = Region(api), Region(api)
    box = p.new_reply_box()
    api.today = date(2026, 12, 9)
    first = _asked(api, region, region.seal(contact="anna@example.org", box=box, language="nb"))
    lead = _asked(api, region, region.seal(kind=p.LEAD))
    assert first != lead and all(len(p.b64d(i, length=16)) == 16 for i in (first, lead))
    listed = _listed(api, region)
    assert [r["id"] for r in listed] == sorted([first, lead]) and {r["day"] for r in listed} == {"2026-12-09"}
    opened = {r["id"]: p.open_request(region.key.dh, r["sealed"], region=region.id) for r in listed}
    assert (opened[first].kind, opened[first].entry, opened[first].contact, opened[first].language) == (
        p.INTEREST, region.entry.id, "anna@example.org", "nb")
    assert (opened[first].reply, opened[first].reply_key) == (box.id, box.public)
    assert (opened[lead].kind, opened[lead].entry, opened[lead].answer) == (p.LEAD, "", "yes")
    for row in listed:  # not with another region's key, nor moved to another region's list
        with pytest.raises(p.ProtocolError):
            p.open_request(other.key.dh, row["sealed"], region=other.id)
        with pytest.raises(p.ProtocolError):
            p.open_request(region.key.dh, row["sealed"], region=other.id)
    assert _listed(api, other) == []
    api.today = date(2026, 12, 10)
    later = _asked(api, region)
    assert [r["id"] for r in _listed(api, region)] == [*sorted([first, lead]), later]  # by day, then id
    stored = {row.id: row.model_dump() for row in _rows(api, Interest)}
    assert set(stored[first]) == {"id", "region", "sealed", "withdraw", "day"}  # nothing of the sender
    assert stored[first]["region"] == region.id and stored[first]["day"] == date(2026, 12, 9)


def test_requests_are_listed_by_day_then_by_id_byte_by_byte(api: Api) -> None:
    """The same order on SQLite and PostgreSQL, whose collation would sort "a", "B", "-" and "_" otherwise."""
    region = Region(api)
    posted: list[tuple[str, str]] = []
    for day in (date(2026, 12, 12), date(2026, 12, 10), date(2026, 12, 11)):
        api.today = day
        sealed = region.seal()
        posted += [(day.isoformat(), _asked(api, region, sealed)) for _ in range(8)]
    assert [(r["day"], r["id"]) for r in _listed(api, region)] == sorted(posted)


def test_every_request_has_the_same_length_whatever_it_holds(api: Api) -> None:
    region = Region(api)
    blobs = [region.seal(), region.seal(contact="040-12 34 56"), region.seal(contact="x" * CONTACT_MAX),
             region.seal(kind=p.LEAD), region.seal(kind=p.LEAD, contact="ö" * CONTACT_MAX, language="da")]
    assert {len(blob) for blob in blobs} == {p.SEALED_CHARS}
    for blob in blobs:
        _asked(api, region, blob)
    assert {len(r["sealed"]) for r in _listed(api, region)} == {p.SEALED_CHARS}
    assert sorted(r["sealed"] for r in _listed(api, region)) == sorted(blobs)


def test_a_sealed_request_of_the_wrong_length_or_not_base64url_is_refused(api: Api) -> None:
    region = Region(api)
    good = region.seal()
    withdraw = p.withdraw_hash(p.new_withdraw_secret())
    cases: list[dict[str, Any]] = [
        {"sealed": good[:-1], "withdraw": withdraw},  # one character short
        {"sealed": good + "A", "withdraw": withdraw},  # one too many
        {"sealed": good[:-4] + "+/==", "withdraw": withdraw},  # base64, not base64url
        {"sealed": good[:-2] + "!!", "withdraw": withdraw},
        {"sealed": "A" * (p.SEALED_CHARS - 1) + "B", "withdraw": withdraw},  # not canonical base64url
        {"sealed": p.b64e(os.urandom(500)), "withdraw": withdraw},
        {"sealed": good, "withdraw": withdraw.upper()},
        {"sealed": good, "withdraw": withdraw[:-1]},
        {"sealed": good, "withdraw": "g" * 64},
        {"sealed": good},
        {"sealed": good, "withdraw": withdraw, "contact": "anna@example.org"},  # nothing beside the blob
    ]
    for body in cases:
        answer = api.client.post(region.url, json=body)
        assert answer.status_code == 422, (body, answer.text)
    assert _rows(api, Interest) == []
    assert api.client.post(region.url, json={"sealed": good, "withdraw": withdraw}).status_code == 201


def test_listing_requests_needs_a_coordinator_token(api: Api) -> None:
    region = Region(api)
    _asked(api, region)
    assert api.client.get(region.url).status_code == 401
    assert api.client.get(region.url, headers=_bearer(api.token(crud.ENROLMENT))).status_code == 401
    assert api.client.get(region.url, headers=_bearer("not-a-token")).status_code == 401
    assert len(_listed(api, region)) == 1


def test_a_request_is_withdrawn_with_its_secret_only(api: Api) -> None:
    region = Region(api)
    secret, other_secret = p.new_withdraw_secret(), p.new_withdraw_secret()
    mine, theirs = _asked(api, region, secret=secret), _asked(api, region, secret=other_secret)
    assert api.client.delete(f"/v1/interest/{mine}").status_code == 401
    answer = api.client.delete(f"/v1/interest/{mine}", headers=_bearer(other_secret))  # another request's
    assert answer.status_code == 403, answer.text
    assert api.client.delete(f"/v1/interest/{mine}", headers=_bearer(p.withdraw_hash(secret))).status_code == 403
    assert {r["id"] for r in _listed(api, region)} == {mine, theirs}
    assert api.client.delete(f"/v1/interest/{mine}", headers=_bearer(secret)).status_code == 204
    assert [r["id"] for r in _listed(api, region)] == [theirs]
    assert api.client.delete(f"/v1/interest/{mine}", headers=_bearer(secret)).status_code == 404  # already gone
    unknown = p.b64e(os.urandom(16))
    assert api.client.delete(f"/v1/interest/{unknown}", headers=_bearer(secret)).status_code == 404
    assert api.client.delete("/v1/interest/short", headers=_bearer(secret)).status_code == 422
    assert [row.id for row in _rows(api, Interest)] == [theirs]


def _fill(api: Api, region: Region, count: int, day: date | None = None) -> None:
    """`count` requests stored directly (the API would take minutes)."""
    sealed, withdraw = region.seal(), p.withdraw_hash(p.new_withdraw_secret())
    rows = [{"id": p.b64e(os.urandom(16)), "region": region.id, "sealed": sealed, "withdraw": withdraw,
             "day": day or api.today} for _ in range(count)]
    with Session(api.app.state.engine) as session:
        session.connection().execute(insert(Interest), rows)
        session.commit()


def test_a_region_holds_at_most_5000_requests(api: Api) -> None:
    region, other = Region(api), Region(api)
    assert crud.MAX_INTEREST == 5000
    _fill(api, region, 4999)
    last = _asked(api, region)  # the 5000th
    answer = _ask(api, region)
    assert answer.status_code == 409 and answer.json()["reason"] == "full", answer.text
    assert "5000" in answer.json()["detail"]
    assert len(_rows(api, Interest)) == 5000
    _asked(api, other)  # another region's list has its own room
    secret = p.new_withdraw_secret()
    with Session(api.app.state.engine) as session:
        row = session.get(Interest, last)
        assert row is not None
        row.withdraw = p.withdraw_hash(secret)
        session.add(row)
        session.commit()
    assert api.client.delete(f"/v1/interest/{last}", headers=_bearer(secret)).status_code == 204
    _asked(api, region)  # a withdrawn request makes room


def test_requests_posted_at_once_never_pass_the_limit(database_url: str) -> None:
    """Many people asking at the same moment for the last places: exactly the limit is stored."""
    api = Api(database_url)
    try:
        region = Region(api)
        sealed, withdraw = region.seal(), p.withdraw_hash(p.new_withdraw_secret())
        starting = threading.Barrier(12)
        results: list[str | None] = []
        errors: list[str] = []

        def ask() -> None:
            starting.wait()
            try:
                with Session(api.app.state.engine) as session:
                    results.append(crud.add_interest(session=session, region=region.id, sealed=sealed,
                                                     withdraw=withdraw, today=api.today, limit=5))
            except Exception as exc:
                errors.append(repr(exc))

        threads = [threading.Thread(target=ask) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == [] and len(results) == 12
        assert sum(result is not None for result in results) == 5
        assert len(_rows(api, Interest)) == 5
    finally:
        api.close()


def test_replies_need_a_coordinator_token_and_read_back_in_order(api: Api) -> None:
    box, other = p.new_reply_box(), p.new_reply_box()
    sealed = p.seal_reply(box.public, box=box.id, body={"invite": "x"})
    url = f"/v1/replies/{box.id}"
    assert api.client.post(url, json={"sealed": sealed}).status_code == 401
    assert api.client.post(url, json={"sealed": sealed}, headers=_bearer(api.token(crud.ENROLMENT))).status_code == 401
    assert api.client.get(url).json() == {"replies": []}
    positions = []
    for n in range(3):
        api.today = date(2026, 12, 10 + n)
        answer = _reply(api, box, {"invite": f"https://kraft.example/j/{n}", "n": n})
        assert answer.status_code == 201, answer.text
        positions.append(answer.json()["position"])
    assert _reply(api, other, {"invite": "elsewhere"}).status_code == 201
    assert positions == sorted(positions)
    got = api.client.get(url)  # no token: the box id is what lets one read
    assert got.status_code == 200
    replies = got.json()["replies"]
    assert [r["position"] for r in replies] == positions
    assert [r["day"] for r in replies] == ["2026-12-10", "2026-12-11", "2026-12-12"]
    assert [p.open_reply(box, r["sealed"])["n"] for r in replies] == [0, 1, 2]
    with pytest.raises(p.ProtocolError):
        p.open_reply(other, replies[0]["sealed"])  # sealed for this box's key and id alone
    assert [p.open_reply(other, r["sealed"])["invite"] for r in api.client.get(f"/v1/replies/{other.id}")
            .json()["replies"]] == ["elsewhere"]
    token = api.token(crud.COORDINATOR)
    for body in ({"sealed": sealed[:-1]}, {"sealed": sealed + "A"}, {"sealed": "!" * p.SEALED_CHARS}, {},
                 {"sealed": sealed, "box": box.id}):
        assert api.client.post(url, json=body, headers=_bearer(token)).status_code == 422, body
    assert api.client.get("/v1/replies/short").status_code == 422
    assert len(_rows(api, Reply)) == 4
    assert set(_rows(api, Reply)[0].model_dump()) == {"position", "box", "sealed", "day"}


def test_a_reply_mailbox_holds_at_most_20_replies(api: Api) -> None:
    box, other = p.new_reply_box(), p.new_reply_box()
    assert crud.MAX_REPLIES == 20
    token = api.token(crud.COORDINATOR)
    for n in range(20):
        assert _reply(api, box, {"n": n}, token).status_code == 201
    answer = _reply(api, box, {"n": 20}, token)
    assert answer.status_code == 409 and answer.json()["reason"] == "full", answer.text
    assert [p.open_reply(box, r["sealed"])["n"] for r in api.client.get(f"/v1/replies/{box.id}")
            .json()["replies"]] == list(range(20))
    assert _reply(api, other, {"n": 0}, token).status_code == 201


def test_requests_and_replies_older_than_180_days_are_deleted(api: Api) -> None:
    region, box = Region(api), p.new_reply_box()
    start = api.today
    old = _asked(api, region)
    assert _reply(api, box, {"n": 0}).status_code == 201
    api.today = start + timedelta(days=180)  # 180 days old: kept
    kept = _asked(api, region)
    assert {r["id"] for r in _listed(api, region)} == {old, kept}
    assert len(api.client.get(f"/v1/replies/{box.id}").json()["replies"]) == 1
    api.today = start + timedelta(days=181)  # older than 180 days: not served even before a write deletes it
    assert [r["id"] for r in _listed(api, region)] == [kept]
    assert api.client.get(f"/v1/replies/{box.id}").json() == {"replies": []}
    assert len(_rows(api, Interest)) == 2 and len(_rows(api, Reply)) == 1  # no write yet
    assert _reply(api, box, {"n": 1}).status_code == 201  # a write to either table deletes both tables' old rows
    assert [row.id for row in _rows(api, Interest)] == [kept]
    assert [p.open_reply(box, row.sealed)["n"] for row in _rows(api, Reply)] == [1]
    with Session(api.app.state.engine) as session:  # and directly, for a day far on
        crud.drop_old_requests(session=session, today=start + timedelta(days=400))
    assert _rows(api, Interest) == [] and _rows(api, Reply) == []


def _database_text(api: Api) -> str:
    """Every row of every table as text, and for SQLite the database file's bytes and its -wal."""
    engine = api.app.state.engine
    parts = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            if engine.dialect.name == "postgresql":  # each row as PostgreSQL writes it out
                parts += [row[0] for row in conn.execute(text(f'SELECT t::text FROM "{table}" AS t'))]
            else:
                parts += [repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{table}"'))]
    if engine.dialect.name == "sqlite":
        path = Path(make_url(str(engine.url)).database or "")
        for name in (path, Path(f"{path}-wal")):
            if name.exists():
                parts.append(name.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def test_nothing_a_request_says_reaches_the_relays_database(api: Api) -> None:
    region, box = Region(api, words="Stress och sömn"), p.new_reply_box()
    secret = p.new_withdraw_secret()
    interest = region.seal(contact=MARKER, box=box, language="da")
    lead = region.seal(kind=p.LEAD, contact=MARKER)
    _asked(api, region, interest, secret=secret)
    _asked(api, region, lead)
    stored = _database_text(api)
    assert interest in stored and lead in stored  # the scan sees what was stored
    secrets_of_the_person = {"contact": MARKER, "reply box": box.id, "reply key": box.public,
                             "withdrawal secret": secret}
    for what, value in secrets_of_the_person.items():
        assert value not in stored, what
    # the entry's id and words are in the public catalogue alone, not beside any request
    with Session(api.app.state.engine) as session:
        rows = session.exec(select(Interest)).all()
    assert sorted(row.sealed for row in rows) == sorted([interest, lead])  # the blobs as they came, no more
    beside = " ".join(repr(row.model_dump()) for row in rows)
    assert region.entry.id not in beside and "Stress" not in beside and MARKER not in beside

    control = "MARKER-CONTROL-7731"  # the same scan finds a marker that is stored
    with Session(api.app.state.engine) as session:
        session.add(Token(hash="0" * 64, kind="coordinator", name=control))
        session.commit()
    assert control in _database_text(api)


def test_the_interest_endpoints_are_in_the_schema(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/v1/catalogues/{region}/interest"]) == {"get", "post"}
    post = paths["/v1/catalogues/{region}/interest"]["post"]
    assert {"201", "404", "409", "422"} <= set(post["responses"]) and "security" not in post
    assert {"200", "401", "404"} <= set(paths["/v1/catalogues/{region}/interest"]["get"]["responses"])
    withdraw = paths["/v1/interest/{id}"]["delete"]
    assert {"204", "401", "403", "404"} <= set(withdraw["responses"])
    assert withdraw["security"] == [{"WithdrawSecret": []}]
    assert set(paths["/v1/replies/{box}"]) == {"get", "post"}
    assert {"201", "401", "409", "422"} <= set(paths["/v1/replies/{box}"]["post"]["responses"])
    assert "security" not in paths["/v1/replies/{box}"]["get"]
    components = schema["components"]["schemas"]
    for name in ("InterestCreate", "InterestStored", "SealedRequest", "InterestList", "ReplyCreate", "ReplyStored",
                 "SealedReply", "ReplyList"):
        assert all(field.get("description") for field in components[name]["properties"].values()), name
    sealed = components["InterestCreate"]["properties"]["sealed"]
    assert sealed["minLength"] == sealed["maxLength"] == p.SEALED_CHARS
    assert components["InterestCreate"]["additionalProperties"] is False
    assert "full" in components["Conflict"]["properties"]["reason"]["enum"]
    assert "full:" in components["Conflict"]["properties"]["reason"]["description"]
