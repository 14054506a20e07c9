"""Long poll (issue 15): `GET /v1/mailboxes/{m}/messages?after=P&wait=S` waits until a message arrives or S
seconds pass, against real relay processes (tests/relay_process.py). Waiting holds neither a database
connection nor a worker thread: more waiters than the relay has worker threads (40) or pooled connections
(15) still let a POST through at once. A waiter on one relay process sees a post made through another on the
same database (SQLite file or PostgreSQL) within a second: the relay re-checks the database every 0.5 s."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol as p
from tests.coordinator.conftest import postgres_url
from tests.coordinator.test_relay_api import Group
from tests.relay_process import Relay, start_relay

MANY = 50  # waiters at once: more than the worker threads (40) and the pooled SQLite connections (5 + 10)


def _registered(relay: Relay, client: httpx.Client) -> Group:
    group = Group()
    answer = client.post("/v1/mailboxes", json=group.registration(),
                         headers={"Authorization": f"Bearer {relay.enrolment_token()}"})
    assert answer.status_code == 201, answer.text
    return group


class Waiter(threading.Thread):
    """One member's app long-polling the mailbox on a connection of its own; `returned` is when it got its
    answer (time.monotonic())."""

    def __init__(self, url: str, mailbox: str, after: int, wait: int) -> None:
        super().__init__(daemon=True)
        self.url, self.mailbox, self.after, self.wait = url, mailbox, after, wait
        self.started_at = self.returned = 0.0
        self.answer: dict[str, Any] = {}
        self.status = 0

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=self.wait + 10) as client:
            self.started_at = time.monotonic()
            answer = client.get(f"/v1/mailboxes/{self.mailbox}/messages",
                                params={"after": self.after, "wait": self.wait})
            self.returned = time.monotonic()
            self.status, self.answer = answer.status_code, answer.json()


def _post(client: httpx.Client, group: Group) -> tuple[float, int]:
    """A member's post; when it was answered, and its position."""
    answer = client.post(f"/v1/mailboxes/{group.mailbox}/messages", json=group.member_message())
    assert answer.status_code == 201, answer.text
    return time.monotonic(), int(answer.json()["position"])


def _waiting(waiters: list[Waiter]) -> None:
    """Until each waiter has sent its request, and a little longer for the relay to have read them."""
    deadline = time.monotonic() + 20
    while any(w.started_at == 0.0 for w in waiters) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)
    assert all(w.is_alive() for w in waiters), "a waiter returned before anything was posted"


def test_a_waiting_fetch_returns_within_a_second_of_a_post(relay: Relay) -> None:
    with httpx.Client(base_url=relay.url) as client:
        group = _registered(relay, client)
        waiter = Waiter(relay.url, group.mailbox, after=0, wait=20)
        waiter.start()
        _waiting([waiter])
        posted, position = _post(client, group)
        waiter.join(10)
    assert waiter.status == 200
    assert [m["position"] for m in waiter.answer["messages"]] == [position]
    assert waiter.returned - posted < 1.0, waiter.returned - posted
    assert waiter.returned - waiter.started_at < 15  # it did not sit out its 20 s


def test_a_fetch_with_nothing_new_returns_empty_after_its_wait(relay: Relay) -> None:
    with httpx.Client(base_url=relay.url, timeout=30) as client:
        group = _registered(relay, client)
        _post(client, group)
        started = time.monotonic()
        answer = client.get(f"/v1/mailboxes/{group.mailbox}/messages", params={"after": 1, "wait": 2})
        took = time.monotonic() - started
        assert answer.status_code == 200 and answer.json() == {"messages": [], "more": False}
        assert 2.0 <= took < 4.0, took
        started = time.monotonic()  # something already there: at once, as without wait
        answer = client.get(f"/v1/mailboxes/{group.mailbox}/messages", params={"after": 0, "wait": 20})
        assert len(answer.json()["messages"]) == 1 and time.monotonic() - started < 2.0
        for wait in (26, -1, "soon"):
            refused = client.get(f"/v1/mailboxes/{group.mailbox}/messages", params={"wait": wait})
            assert refused.status_code == 422 and refused.json()["detail"].startswith("query.wait: "), refused.text
        assert client.get(f"/v1/mailboxes/{Group().mailbox}/messages", params={"wait": 5}).status_code == 404


def test_many_waiters_do_not_block_a_post(tmp_path: Path) -> None:
    # one address is every member here: the per-client limit (300 a minute) is not what this measures
    with start_relay(tmp_path / "relay", None, "--requests-per-minute", "100000") as relay, \
            httpx.Client(base_url=relay.url) as client:
        group = _registered(relay, client)
        waiters = [Waiter(relay.url, group.mailbox, after=0, wait=20) for _ in range(MANY)]
        for waiter in waiters:
            waiter.start()
        _waiting(waiters)
        asked = time.monotonic()
        posted, position = _post(client, group)
        assert posted - asked < 1.0, posted - asked  # the POST is not queued behind the waiters
        other = Group()  # nor is another group's registration, or a plain read
        assert client.post("/v1/mailboxes", json=other.registration(),
                           headers={"Authorization": f"Bearer {relay.enrolment_token()}"}).status_code == 201
        assert client.get(f"/v1/mailboxes/{group.mailbox}").status_code == 200
        for waiter in waiters:
            waiter.join(10)
    assert [w.status for w in waiters] == [200] * MANY
    assert all([m["position"] for m in w.answer["messages"]] == [position] for w in waiters)
    late = max(w.returned for w in waiters) - posted
    assert late < 1.0, late


@pytest.fixture(params=["sqlite", "postgresql"])
def two_relays(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Relay, Relay]]:
    """Two relay processes on one database, as two workers behind a proxy would be."""
    url = None if request.param == "sqlite" else postgres_url()
    if url:
        from sqlmodel import SQLModel

        from coordinator.db import make_engine

        engine = make_engine(url)
        SQLModel.metadata.drop_all(engine)
        engine.dispose()
    with start_relay(tmp_path / "one", url) as one, start_relay(tmp_path / "two", url or one.database_url) as two:
        yield one, two


def test_a_post_through_another_worker_wakes_a_waiter_within_a_second(two_relays: tuple[Relay, Relay]) -> None:
    one, two = two_relays
    with httpx.Client(base_url=one.url) as first, httpx.Client(base_url=two.url) as second:
        group = _registered(one, first)
        waiter = Waiter(one.url, group.mailbox, after=0, wait=20)
        waiter.start()
        _waiting([waiter])
        posted, position = _post(second, group)
        waiter.join(10)
    assert [m["position"] for m in waiter.answer["messages"]] == [position]
    assert waiter.returned - posted < 1.0, waiter.returned - posted


def test_a_leader_post_wakes_waiters_too(relay: Relay) -> None:
    with httpx.Client(base_url=relay.url) as client:
        group = _registered(relay, client)
        waiter = Waiter(relay.url, group.mailbox, after=0, wait=20)
        waiter.start()
        _waiting([waiter])
        forged = {**group.leader_message(), "signature": p.sign(Ed25519PrivateKey.generate(), b"x")}
        assert client.post(f"/v1/mailboxes/{group.mailbox}/messages", json=forged).status_code == 403
        posted = time.monotonic()
        assert client.post(f"/v1/mailboxes/{group.mailbox}/messages", json=group.leader_message()).status_code == 201
        waiter.join(10)
    assert [m["sender"] for m in waiter.answer["messages"]] == ["leader"]  # not the refused one
    assert waiter.returned - posted < 1.0
