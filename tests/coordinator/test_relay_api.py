"""Every endpoint of the relay and its error paths, on SQLite and PostgreSQL (ADR 0004)."""

from __future__ import annotations

import os
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import DateTime, Time
from sqlmodel import Session

import protocol as p
from coordinator import crud
from coordinator.models import JoinCode, SQLModel
from tests.coordinator.conftest import Api


class Group:
    """A leader's keys and the signed requests the app would send."""

    def __init__(self) -> None:
        self.key = p.new_group_key()
        self.leader = Ed25519PrivateKey.generate()
        self.mailbox = p.mailbox_id(p.new_group_id(), self.key)
        self.members = p.member_signer(self.key)
        self.seq = 0

    def registration(self, leader: Ed25519PrivateKey | None = None) -> dict[str, str]:
        signer = leader or self.leader
        body = {"mailbox": self.mailbox, "leader_key": p.public_b64(self.leader),
                "member_key": p.public_b64(self.members)}
        return {**body, "signature": p.sign(signer, p.signing_bytes("register", **body))}

    def leader_message(self, *, seq: int | None = None, epoch: int = 0) -> dict[str, object]:
        if seq is None:
            self.seq += 1
            seq = self.seq
        return p.seal_message(mailbox=self.mailbox, sender=p.LEADER, epoch=epoch, seq=seq, group_key=self.key,
                              channel=p.CONTENT, kind="prompt", body={"text": "x"}, signer=self.leader).to_post()

    def member_message(self, *, epoch: int = 0, signer: Ed25519PrivateKey | None = None) -> dict[str, object]:
        return p.seal_message(mailbox=self.mailbox, sender=p.MEMBER, epoch=epoch, seq=0, group_key=self.key,
                              channel=p.CONTENT, kind="cant_come", body={}, signer=signer or self.members).to_post()

    def signed(self, post: dict[str, object], **changes: object) -> dict[str, object]:
        """`post` with some fields changed and signed again by its rightful sender (the relay cannot tell)."""
        body = {**post, **changes}
        fields = {k: body[k] for k in ("sender", "epoch", "seq", "nonce", "ciphertext")}
        signer = self.leader if body["sender"] == p.LEADER else self.members
        return {**body, "signature": p.sign(signer, p.signing_bytes("message", mailbox=self.mailbox, **fields))}


def _registered(api: Api) -> Group:
    group = Group()
    answer = api.client.post("/v1/mailboxes", json=group.registration(),
                             headers={"Authorization": f"Bearer {api.token()}"})
    assert answer.status_code == 201, answer.text
    return group


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_health_schema_and_join_page(api: Api) -> None:
    assert api.client.get("/v1/health").json() == {"ok": True}
    schema = api.client.get("/openapi.json").json()
    assert {"/v1/mailboxes", "/v1/mailboxes/{mailbox}/messages", "/v1/join-codes/{lookup}"} <= set(schema["paths"])
    assert "/join" not in schema["paths"]
    page = api.client.get("/join")
    assert page.status_code == 200 and "Kraft" in page.text and "<script" not in page.text
    assert page.headers["referrer-policy"] == "no-referrer"


def test_enrolment_needs_a_coordinator_token(api: Api) -> None:
    assert api.client.post("/v1/enrolments", json={}).status_code == 401
    assert api.client.post("/v1/enrolments", json={}, headers=_bearer(api.token())).status_code == 401  # enrolment
    made = api.client.post("/v1/enrolments", json={"uses": 2, "days": 3},
                           headers=_bearer(api.token(crud.COORDINATOR)))
    assert made.status_code == 201 and made.json()["expires_on"] == str(api.today + timedelta(days=3))
    assert api.client.post("/v1/enrolments", json={"uses": 0}, headers=_bearer(api.token(crud.COORDINATOR))
                           ).status_code == 422
    group = Group()
    assert api.client.post("/v1/mailboxes", json=group.registration(),
                           headers=_bearer(made.json()["token"])).status_code == 201


def test_registration(api: Api) -> None:
    group = Group()
    assert api.client.post("/v1/mailboxes", json=group.registration()).status_code == 401
    assert api.client.post("/v1/mailboxes", json=group.registration(), headers=_bearer("nonsense")).status_code == 401
    forged = group.registration(leader=Ed25519PrivateKey.generate())
    assert api.client.post("/v1/mailboxes", json=forged, headers=_bearer(api.token())).status_code == 403
    token = api.token()
    assert api.client.post("/v1/mailboxes", json=group.registration(), headers=_bearer(token)).status_code == 201
    again = api.client.post("/v1/mailboxes", json=group.registration(), headers=_bearer(token))
    assert again.status_code == 200  # a retry after a lost answer: the spent token does not matter
    other = Group()
    other.mailbox = group.mailbox  # someone else claims the same mailbox
    assert api.client.post("/v1/mailboxes", json=other.registration(), headers=_bearer(api.token())).status_code == 409
    assert api.client.post("/v1/mailboxes", json=Group().registration(), headers=_bearer(token)).status_code == 401
    state = api.client.get(f"/v1/mailboxes/{group.mailbox}").json()
    assert state == {"mailbox": group.mailbox, "leader_key": p.public_b64(group.leader),
                     "member_key": p.public_b64(group.members), "epoch": 0, "last_seq": 0, "version": 1}
    assert api.client.get(f"/v1/mailboxes/{Group().mailbox}").status_code == 404


def test_messages_are_checked_and_fetched_in_order(api: Api) -> None:
    group = _registered(api)
    url = f"/v1/mailboxes/{group.mailbox}/messages"
    first = api.client.post(url, json=group.leader_message())
    assert first.status_code == 201
    assert api.client.post(url, json=group.leader_message(seq=1)).status_code == 409  # replayed seq
    forged = {**group.leader_message(), "signature": p.sign(Ed25519PrivateKey.generate(), b"x")}
    assert api.client.post(url, json=forged).status_code == 403
    outsider = group.member_message(signer=Ed25519PrivateKey.generate())
    assert api.client.post(url, json=outsider).status_code == 403
    member = group.member_message()
    assert api.client.post(url, json=member).status_code == 201
    assert api.client.post(url, json=member).status_code == 409  # the same message again
    assert api.client.post(url, json={**group.member_message(), "seq": 3}).status_code == 422
    assert api.client.post(url, json={**member, "nonce": "!!"}).status_code == 422
    assert api.client.post(url, json={**member, "extra": 1}).status_code == 422
    third = api.client.post(url, json=group.leader_message())
    page = api.client.get(url, params={"after": 0, "limit": 2}).json()
    assert [m["sender"] for m in page["messages"]] == ["leader", "member"] and page["more"] is True
    rest = api.client.get(url, params={"after": page["messages"][-1]["position"]}).json()
    assert [m["position"] for m in rest["messages"]] == [third.json()["position"]] and rest["more"] is False
    assert api.client.get(url, params={"limit": 0}).status_code == 422
    beyond = api.client.get(url, params={"after": 2**62})  # past any 32-bit position: a 500 on PostgreSQL once
    assert beyond.status_code == 200 and beyond.json() == {"messages": [], "more": False}
    assert api.client.get(f"/v1/mailboxes/{Group().mailbox}/messages").status_code == 404


def test_a_repeated_nonce_is_refused_and_changes_nothing(api: Api) -> None:
    group = _registered(api)
    url = f"/v1/mailboxes/{group.mailbox}/messages"
    member = group.member_message()
    assert api.client.post(url, json=member).status_code == 201
    again = group.signed(group.member_message(), nonce=member["nonce"])  # another message, the same nonce
    refused = api.client.post(url, json=again)
    assert refused.status_code == 409 and "nonce" in refused.json()["detail"]
    leader = group.leader_message()  # seq 1, but a nonce already used: refused, and seq 1 stays free
    assert api.client.post(url, json=group.signed(leader, nonce=member["nonce"])).status_code == 409
    assert api.client.get(f"/v1/mailboxes/{group.mailbox}").json()["last_seq"] == 0
    assert api.client.post(url, json=leader).status_code == 201


def test_malformed_json_gets_a_readable_422(api: Api) -> None:
    group = _registered(api)
    json_headers = {"Content-Type": "application/json"}
    for path in ("/v1/mailboxes", f"/v1/mailboxes/{group.mailbox}/messages", "/v1/enrolments"):
        answer = api.client.post(path, content=b'{"sender": "leader",', headers=json_headers)
        assert answer.status_code == 422, path
        assert answer.json()["detail"].startswith("The body is not valid JSON at character 20"), answer.text
    answer = api.client.post(f"/v1/mailboxes/{group.mailbox}/messages", content=b"[1, 2]", headers=json_headers)
    assert answer.status_code == 422 and "JSON object" in answer.json()["detail"]
    answer = api.client.post(f"/v1/mailboxes/{group.mailbox}/messages", json={**group.member_message(), "epoch": "x"})
    assert answer.status_code == 422 and answer.json()["detail"].startswith("epoch: ")
    answer = api.client.post(f"/v1/mailboxes/{group.mailbox}/messages", content=b"{}",
                             headers={**json_headers, "Content-Length": "a lot"})
    assert answer.status_code == 400 and "Content-Length" in answer.json()["detail"]
    label = api.client.post("/v1/enrolments", json={"label": "Malmö\x00"}, headers=_bearer(api.token(crud.COORDINATOR)))
    assert label.status_code == 422 and "control characters" in label.json()["detail"]  # PostgreSQL refuses NUL


def test_a_failure_inside_the_relay_is_a_503_to_retry_never_a_500(api: Api) -> None:
    group = _registered(api)
    SQLModel.metadata.drop_all(api.app.state.engine)  # the database is gone from under the running relay
    with TestClient(api.app, raise_server_exceptions=False) as client:
        answer = client.get(f"/v1/mailboxes/{group.mailbox}")
    assert answer.status_code == 503 and answer.headers["retry-after"] == "30"
    assert answer.json() == {"detail": "The relay could not answer just now; try again later."}


def test_a_new_epoch_shuts_out_the_old_member_key(api: Api) -> None:
    group = _registered(api)
    new_key = p.new_group_key()
    new_members = p.public_b64(p.member_signer(new_key))
    url = f"/v1/mailboxes/{group.mailbox}/member-key"
    signed = p.signing_bytes("member-key", mailbox=group.mailbox, epoch=1, member_key=new_members)
    assert api.client.put(url, json={"epoch": 1, "member_key": new_members,
                                     "signature": p.sign(Ed25519PrivateKey.generate(), signed)}).status_code == 403
    body = {"epoch": 1, "member_key": new_members, "signature": p.sign(group.leader, signed)}
    assert api.client.put(url, json=body).status_code == 200
    assert api.client.put(url, json=body).status_code == 409  # not newer
    messages = f"/v1/mailboxes/{group.mailbox}/messages"
    assert api.client.post(messages, json=group.member_message()).status_code == 409  # the old epoch
    assert api.client.post(messages, json=group.leader_message(epoch=0)).status_code == 409
    assert api.client.post(messages, json=group.leader_message(epoch=1)).status_code == 201


def test_bodies_over_the_limit_are_refused(api: Api) -> None:
    group = _registered(api)
    huge = {**group.leader_message(), "ciphertext": "A" * 200_000}
    assert api.client.post(f"/v1/mailboxes/{group.mailbox}/messages", json=huge).status_code == 413
    streamed = api.client.post(f"/v1/mailboxes/{group.mailbox}/messages",
                               content=iter([b"{" + b" " * 60_000, b" " * 60_000 + b"}"]),
                               headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    url = f"/v1/mailboxes/{group.mailbox}/messages"
    largest = group.signed(group.leader_message(), ciphertext=p.b64e(os.urandom(p.MAX_MESSAGE_BYTES)))
    assert api.client.post(url, json=largest).status_code == 201  # 48 KiB is allowed, and fits the body limit
    larger = group.signed(group.leader_message(), ciphertext=p.b64e(os.urandom(p.MAX_MESSAGE_BYTES + 1)))
    answer = api.client.post(url, json=larger)
    assert answer.status_code == 422 and answer.json()["detail"].startswith("ciphertext: ")


def _join_code(group: Group, lookup: str, days: int, api: Api) -> dict[str, str]:
    expires = str(api.today + timedelta(days=days))
    sealed = p.b64e(os.urandom(80))
    signed = p.signing_bytes("join-code", lookup=lookup, mailbox=group.mailbox, ciphertext=sealed, expires_on=expires)
    return {"mailbox": group.mailbox, "ciphertext": sealed, "expires_on": expires,
            "signature": p.sign(group.leader, signed)}


def test_join_codes_expire(api: Api) -> None:
    group = _registered(api)
    lookup = p.b64e(os.urandom(32))
    url = f"/v1/join-codes/{lookup}"
    assert api.client.get(url).status_code == 404
    assert api.client.put(url, json=_join_code(group, lookup, 31, api)).status_code == 422
    assert api.client.put(url, json=_join_code(group, lookup, -1, api)).status_code == 422
    forged = {**_join_code(group, lookup, 7, api), "signature": p.sign(Ed25519PrivateKey.generate(), b"x")}
    assert api.client.put(url, json=forged).status_code == 403
    body = _join_code(group, lookup, 7, api)
    assert api.client.put(url, json=body).status_code == 201
    assert api.client.get(url).json() == {k: body[k] for k in ("mailbox", "ciphertext", "expires_on")}
    other = _registered(api)
    assert api.client.put(url, json=_join_code(other, lookup, 7, api)).status_code == 409
    api.today += timedelta(days=7)
    assert api.client.get(url).status_code == 200  # still there on its last day
    api.today += timedelta(days=1)
    assert api.client.get(url).status_code == 404
    with Session(api.app.state.engine) as session:
        assert session.get(JoinCode, lookup) is None  # deleted once found expired
    for days in (0, 30):  # today and 30 days on are the edges of what may be asked for
        assert api.client.put(url, json=_join_code(group, lookup, days, api)).status_code == 201


def test_rate_limits(make_api) -> None:  # type: ignore[no-untyped-def]
    api = make_api(join_code_lookups_per_minute=3, requests_per_minute=50)
    url = f"/v1/join-codes/{p.b64e(os.urandom(32))}"
    answers = [api.client.get(url).status_code for _ in range(5)]
    assert answers == [404, 404, 404, 429, 429]
    limited = api.client.get(url)
    assert int(limited.headers["retry-after"]) >= 1 and "Too many" in limited.json()["detail"]
    assert api.client.get("/v1/health").status_code == 200  # other routes have their own budget
    assert [api.client.get("/v1/health").status_code for _ in range(60)][-1] == 429


def test_nothing_finer_than_a_day_is_stored() -> None:
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            assert not isinstance(column.type, (DateTime, Time)), f"{table.name}.{column.name}"
        assert not {"ip", "address", "user_agent", "created_at", "timestamp"} & set(table.columns.keys())
