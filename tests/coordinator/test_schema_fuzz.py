"""A property-based run of the relay's OpenAPI schema (schemathesis): whatever arrives, never a 5xx, on
SQLite and on PostgreSQL. Every operation gets its own Hypothesis run of generated requests.

Random ids never name anything, so about half the cases are aimed past the first door: at a registered
mailbox, a stored join code, a region with a stored catalogue, a stored request (with its withdrawal secret),
a reply mailbox with a reply and, where a coordinator token is asked for, a valid one. Then the signature and
epoch checks and the coordinator's queries see the generated bodies too; an aimed catalogue is the stored one
with the generated fields laid over it and its signature, so the shape checks see what was generated (and the
signature check the changed document); an aimed request or reply carries a sealed blob of the right size, so
the generated rest of it reaches the tables.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from sqlmodel import Session

import protocol as p
from coordinator import crud
from coordinator.main import create_app
from coordinator.settings import Settings
from tests.coordinator.test_relay_api import Group
from tests.examples import examples

# Per operation. The default (the same cases every run) takes well under a minute per database on 2 cores;
# KRAFT_FUZZ_EXAMPLES=2000 searches longer, with new cases each run.
EXAMPLES = int(os.environ.get("KRAFT_FUZZ_EXAMPLES", str(examples(40))))
REPEATABLE = "KRAFT_FUZZ_EXAMPLES" not in os.environ


def _inhabited(app: object) -> dict[str, Any]:
    """A registered mailbox with a message and a join code, a region's catalogue with a request, a reply mailbox
    with a reply, and a coordinator token: what cases aim at."""
    today = datetime.now(UTC).date()
    with Session(app.state.engine) as session:  # type: ignore[attr-defined]
        enrol = crud.create_token(session=session, kind=crud.ENROLMENT, days=1, today=today)[0]
        coordinator = crud.create_token(session=session, kind=crud.COORDINATOR, uses=2**31 - 1, today=today)[0]
    group, lookup = Group(), p.b64e(os.urandom(32))
    sealed, expires = p.b64e(os.urandom(100)), str(today + timedelta(days=7))
    signed = p.signing_bytes("join-code", lookup=lookup, mailbox=group.mailbox, ciphertext=sealed, expires_on=expires)
    region = p.Identity.new()
    entry = p.new_entry(status="forming", theme="stress", words="", place="Malmö", language="sv", weekday=2,
                        time="18:00", zone="Europe/Stockholm", needed=3, intake="040-123 45 67")
    catalogue = p.sign_catalogue(region, serial=2, issued=date(2026, 12, 7), entries=[entry])
    with TestClient(app) as client:  # type: ignore[arg-type]
        assert client.post("/v1/mailboxes", json=group.registration(),
                           headers={"Authorization": f"Bearer {enrol}"}).status_code == 201
        assert client.post(f"/v1/mailboxes/{group.mailbox}/messages", json=group.leader_message()).status_code == 201
        assert client.put(f"/v1/join-codes/{lookup}", json={"mailbox": group.mailbox, "ciphertext": sealed,
                          "expires_on": expires, "signature": p.sign(group.leader, signed)}).status_code == 201
        region_id = catalogue["catalogue"]["region"]
        assert client.put(f"/v1/catalogues/{region_id}", json=catalogue,
                          headers={"Authorization": f"Bearer {coordinator}"}).status_code == 200
        box, withdraw = p.new_reply_box(), p.new_withdraw_secret()
        request = p.seal_request(region.public().dh, region=region_id, kind=p.INTEREST, entry=entry.id,
                                 contact="", reply=box, language="sv")
        stored = client.post(f"/v1/catalogues/{region_id}/interest",
                             json={"sealed": request, "withdraw": p.withdraw_hash(withdraw)})
        assert stored.status_code == 201
        reply = p.seal_reply(box.public, box=box.id, body={"invite": "x"})
        assert client.post(f"/v1/replies/{box.id}", json={"sealed": reply},
                           headers={"Authorization": f"Bearer {coordinator}"}).status_code == 201
    return {"mailbox": group.mailbox, "lookup": lookup, "coordinator": coordinator,
            "region": region_id, "catalogue": catalogue["catalogue"], "signature": catalogue["signature"],
            "id": stored.json()["id"], "withdraw": withdraw, "box": box.id, "sealed": request}


def test_no_server_error(database_url: str) -> None:
    # a long poll answers after 0.1 s here, not the up to 25 s a case may ask for (test_long_poll.py waits)
    app = create_app(Settings(database_url=database_url, requests_per_minute=10**9,
                              join_code_lookups_per_minute=10**9, longest_wait=0.1))
    known = _inhabited(app)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    assert {("GET", "/v1/catalogues/{region}"), ("PUT", "/v1/catalogues/{region}"),
            ("POST", "/v1/catalogues/{region}/interest"), ("GET", "/v1/catalogues/{region}/interest"),
            ("DELETE", "/v1/interest/{id}"), ("POST", "/v1/replies/{box}"), ("GET", "/v1/replies/{box}")} <= {
        (operation.method.upper(), operation.path) for operation in operations}
    for operation in operations:

        @given(case=operation.as_strategy(), aimed=st.booleans())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=REPEATABLE,
                  database=None)
        def call(case: schemathesis.Case, aimed: bool) -> None:
            if aimed:
                for name in ("mailbox", "lookup", "region", "id", "box"):
                    if name in (case.path_parameters or {}):
                        case.path_parameters[name] = known[name]  # type: ignore[index]
                if case.path.startswith(("/v1/coordinator", "/v1/enrolments", "/v1/catalogues", "/v1/replies")):
                    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {known['coordinator']}"}
                if case.path.startswith("/v1/interest"):  # the stored request's own secret: it may be withdrawn
                    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {known['withdraw']}"}
                body = case.body if case.path.startswith(("/v1/catalogues", "/v1/replies")) else None
                if isinstance(body, dict) and isinstance(body.get("catalogue"), dict):
                    body["catalogue"] = {**known["catalogue"], **body["catalogue"]}
                    body["signature"] = known["signature"]
                if isinstance(body, dict) and "sealed" in body:
                    body["sealed"] = known["sealed"]
            case.call_and_validate(checks=[not_a_server_error])

        call()
