"""Anonymous attendance at the relay (issue 5): signed batches, resends counted once, head counts, the
coordinator's overview and export, and raw tokens folded into counts after the retention period."""

from __future__ import annotations

import csv
import io
import os
from datetime import date, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session, select

import protocol as p
from coordinator import crud
from coordinator.models import AttendanceToken
from protocol import attendance as a
from tests.coordinator.conftest import Api
from tests.coordinator.test_relay_api import Group

FIRST, SECOND = "20261201T170000Z", "20261208T170000Z"


def _enrolled(api: Api, region: str, label: str) -> Group:
    with Session(api.app.state.engine) as session:
        token = crud.create_token(session=session, kind=crud.ENROLMENT, today=api.today, region=region,
                                  label=label)[0]
    group = Group()
    assert api.client.post("/v1/mailboxes", json=group.registration(),
                           headers={"Authorization": f"Bearer {token}"}).status_code == 201
    return group


def batch(group: Group, reports: list[tuple[str, str]], *, signer: Ed25519PrivateKey | None = None,
          epoch: int = 0) -> dict[str, object]:
    nonce = p.b64e(os.urandom(12))
    body = [{"meeting": m, "token": t} for m, t in reports]
    signed = p.signing_bytes("attendance", mailbox=group.mailbox, epoch=epoch, nonce=nonce, reports=body)
    return {"epoch": epoch, "nonce": nonce, "reports": body, "signature": p.sign(signer or group.members, signed)}


def _overview(api: Api, token: str) -> dict[str, dict[str, tuple[int, int | None]]]:
    data = api.client.get("/v1/coordinator/groups", headers={"Authorization": f"Bearer {token}"}).json()
    return {g["label"]: {m["meeting"]: (m["checkins"], m["head_count"]) for m in g["meetings"]}
            for g in data["groups"]}


def test_resends_count_once_and_forgeries_not_at_all(api: Api) -> None:
    group = _enrolled(api, "Syd", "Malmö tisdag")
    url = f"/v1/mailboxes/{group.mailbox}/attendance"
    members = [a.new_secret() for _ in range(4)]
    first = [(FIRST, a.meeting_token(s, FIRST)) for s in members]
    assert api.client.post(url, json=batch(group, first)).json() == {"counted": 4}
    assert api.client.post(url, json=batch(group, first[:2])).json() == {"counted": 0}  # resent
    assert api.client.post(url, json=batch(group, [first[0], first[0]])).json() == {"counted": 0}
    outsider = batch(group, [(FIRST, p.b64e(os.urandom(16)))], signer=Ed25519PrivateKey.generate())
    assert api.client.post(url, json=outsider).status_code == 403
    tampered = batch(group, [(SECOND, a.meeting_token(members[0], SECOND))])
    tampered["reports"] = [{"meeting": FIRST, "token": p.b64e(os.urandom(16))}]
    assert api.client.post(url, json=tampered).status_code == 403
    assert api.client.post(url, json=batch(group, first, epoch=1)).status_code == 409
    assert api.client.post(url, json={**batch(group, first), "reports": []}).status_code == 422
    bad_meeting = batch(group, [("2026-12-01", a.meeting_token(members[0], FIRST))])
    assert api.client.post(url, json=bad_meeting).status_code == 422
    other_digits = "٢٠٢٦١٢٠١T١٧٠٠٠٠Z"  # Arabic-Indic digits: \d would take them, the funders' CSV would not
    assert api.client.post(url, json=batch(group, [(other_digits, p.b64e(os.urandom(16)))])).status_code == 422

    head = p.signing_bytes("head-count", mailbox=group.mailbox, meeting=FIRST, count=6)
    head_url = f"/v1/mailboxes/{group.mailbox}/head-counts/{FIRST}"
    assert api.client.put(head_url, json={"count": 6, "signature": p.sign(group.members, head)}).status_code == 403
    assert api.client.put(head_url, json={"count": 6, "signature": p.sign(group.leader, head)}).status_code == 200
    coordinator = api.token(crud.COORDINATOR)
    assert api.client.get("/v1/coordinator/groups").status_code == 401
    assert _overview(api, coordinator) == {"Malmö tisdag": {FIRST: (4, 6)}}


def test_no_stored_value_ties_one_member_to_two_meetings(api: Api) -> None:
    group = _enrolled(api, "Syd", "x")
    secret = a.new_secret()
    url = f"/v1/mailboxes/{group.mailbox}/attendance"
    for meeting in (FIRST, SECOND):
        assert api.client.post(url, json=batch(group, [(meeting, a.meeting_token(secret, meeting))])).status_code == 200
    with Session(api.app.state.engine) as session:
        rows = session.exec(select(AttendanceToken)).all()
    by_meeting = {row.meeting: {row.token} for row in rows}
    assert by_meeting[FIRST].isdisjoint(by_meeting[SECOND])
    shared = {(k, v) for k, v in rows[0].model_dump().items()} & {(k, v) for k, v in rows[1].model_dump().items()}
    assert {k for k, _v in shared} <= {"mailbox", "day"}  # only what the whole group shares


def test_tokens_are_folded_into_counts_after_the_retention_period(api: Api) -> None:
    group = _enrolled(api, "Syd", "Lund")
    url = f"/v1/mailboxes/{group.mailbox}/attendance"
    api.client.post(url, json=batch(group, [(FIRST, p.b64e(os.urandom(16))) for _ in range(3)]))
    api.today += timedelta(days=crud.RETENTION_DAYS + 1)
    api.client.post(url, json=batch(group, [(SECOND, p.b64e(os.urandom(16)))]))
    with Session(api.app.state.engine) as session:
        assert {row.meeting for row in session.exec(select(AttendanceToken)).all()} == {SECOND}
    assert _overview(api, api.token(crud.COORDINATOR)) == {"Lund": {FIRST: (3, None), SECOND: (1, None)}}


def _count(api: Api, group: Group, meeting: str, people: int) -> int:
    tokens = [(meeting, p.b64e(os.urandom(16))) for _ in range(people)]
    return api.client.post(f"/v1/mailboxes/{group.mailbox}/attendance", json=batch(group, tokens)).json()["counted"]


def _export(api: Api, token: str) -> dict[str, list[str]]:
    answer = api.client.get("/v1/coordinator/export.csv", params={"year": 2026},
                            headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    return {row[0]: row[1:] for row in rows}


def test_a_regional_coordinator_sees_only_their_region_and_the_export_hides_small_cells(api: Api) -> None:
    api.today = date(2026, 3, 20)
    big, lund, north = _enrolled(api, "Syd", "Big"), _enrolled(api, "Syd", "Lund"), _enrolled(api, "Nord", "N")
    assert (_count(api, lund, "20260310T170000Z", 5), _count(api, north, "20260312T170000Z", 2)) == (5, 2)
    api.today = date(2026, 6, 20)
    assert (_count(api, big, "20260602T170000Z", 9), _count(api, north, "20260603T170000Z", 4)) == (9, 4)
    api.today = date(2027, 1, 20)  # every quarter of 2026 has closed
    with Session(api.app.state.engine) as session:
        syd = crud.create_token(session=session, kind=crud.COORDINATOR, today=api.today, region="Syd", uses=10)[0]
    assert set(_overview(api, syd)) == {"Big", "Lund"}
    everyone = _export(api, api.token(crud.COORDINATOR))
    # Nord Q1 = 2 is hidden, and so is the other cell of its quarter (Syd Q1 = 5); the quarter's total shows
    # (two hidden cells); no row total shows beside a hidden cell, and no row hides a cell for another quarter.
    assert everyone == {"region": ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "total"],
                        "Nord": ["", "4", "0", "0", ""], "Syd": ["", "9", "0", "0", ""],
                        "total": ["7", "13", "0", "0", "20"]}
    # Syd's coordinator gets Syd's row of that table, not a table of Syd alone: that would show Syd Q1 = 5, and
    # the national total 7 would then give Nord's 2 away.
    assert _export(api, syd) == {"region": everyone["region"], "Syd": everyone["Syd"]}


def test_a_closed_quarter_shows_and_then_never_changes(api: Api) -> None:
    group, other = _enrolled(api, "Syd", "Lund"), _enrolled(api, "Nord", "Umeå")
    api.today = date(2026, 3, 20)
    assert (_count(api, group, "20260310T170000Z", 5), _count(api, other, "20260311T170000Z", 7)) == (5, 7)
    api.today = date(2026, 4, 14)  # Q1 ended 14 days ago: not yet shown, uploads still counted
    assert _export(api, api.token(crud.COORDINATOR))["region"] == ["total"]
    assert _count(api, group, "20260310T170000Z", 1) == 1
    api.today = date(2026, 4, 15)
    shown = _export(api, api.token(crud.COORDINATOR))
    assert shown == {"region": ["2026-Q1", "total"], "Nord": ["7", "7"], "Syd": ["6", "6"], "total": ["13", "13"]}
    # a late check-in or head count would change what funders already hold: neither counts now
    assert _count(api, group, "20260310T170000Z", 1) == 0
    head = p.sign(group.leader, p.signing_bytes("head-count", mailbox=group.mailbox, meeting="20260310T170000Z",
                                                count=1))
    assert api.client.put(f"/v1/mailboxes/{group.mailbox}/head-counts/20260310T170000Z",
                          json={"count": 1, "signature": head}).json() == {"counted": 0}
    api.today = date(2026, 7, 20)
    later = _export(api, api.token(crud.COORDINATOR))
    assert {row: cells[:1] for row, cells in later.items()} == {row: cells[:1] for row, cells in shown.items()}
