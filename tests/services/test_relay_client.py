"""The app's relay client against a real relay process (tests/relay_process.py): a 409 carries the relay's
reason (`RelayRefused`, still a `RelayError`), key rotation, and long-poll fetches with a timeout above the
wait (issue 15, ADR 0006)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol as p
from app.errors import KraftError
from app.services.relay_client import RelayClient, RelayError, RelayRefused
from tests.relay_process import Relay, shared_relay


class Group:
    def __init__(self) -> None:
        self.key = p.new_group_key()
        self.leader = Ed25519PrivateKey.generate()
        self.mailbox = p.mailbox_id(p.new_group_id(), self.key)

    def register(self, client: RelayClient, token: str) -> None:
        body = {"mailbox": self.mailbox, "leader_key": p.public_b64(self.leader),
                "member_key": p.public_b64(p.member_signer(self.key))}
        client.request("POST", "/v1/mailboxes", {**body, "signature": p.sign(self.leader, p.signing_bytes(
            "register", **body))}, token=token)

    def post(self, sender: str, seq: int = 0, epoch: int = 0) -> dict[str, Any]:
        signer = self.leader if sender == p.LEADER else p.member_signer(self.key)
        return p.seal_message(mailbox=self.mailbox, sender=sender, epoch=epoch, seq=seq, group_key=self.key,
                              channel=p.CONTENT, kind="cant_come", body={}, signer=signer).to_post()


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[Relay]:
    yield shared_relay()  # emptied; one process per test worker (tests/relay_process.py)


@pytest.fixture
def group(relay: Relay) -> Group:
    made = Group()
    with RelayClient(relay.url) as client:
        made.register(client, relay.enrolment_token())
    return made


def _refused(client: RelayClient, path: str, body: dict[str, Any]) -> RelayRefused:
    with pytest.raises(RelayRefused) as refused:
        client.request("POST", path, body)
    return refused.value


def test_a_409_says_why(relay: Relay, group: Group) -> None:
    path = f"/v1/mailboxes/{group.mailbox}/messages"
    with RelayClient(relay.url) as client:
        member = group.post(p.MEMBER)
        client.request("POST", path, member)
        again = _refused(client, path, member)
        assert (again.status, again.reason) == (409, "repeated_nonce") and "already here" in again.detail
        assert isinstance(again, RelayError) and not again.retry  # what existing callers catch and ask
        told = again.to_kraft(relay.url)
        assert isinstance(told, KraftError) and "already here" in str(told)
        client.request("POST", path, group.post(p.LEADER, seq=5))
        stale = _refused(client, path, group.post(p.LEADER, seq=4))
        assert stale.reason == "stale_seq"
        with pytest.raises(RelayError) as forged:  # not a 409: no reason, and not a RelayRefused
            client.request("POST", path, {**group.post(p.MEMBER), "signature": p.sign(Ed25519PrivateKey.generate(),
                                                                                       b"x")})
        assert forged.value.status == 403 and forged.value.reason == "" and not isinstance(forged.value, RelayRefused)


def test_rotating_to_v2(relay: Relay, group: Group) -> None:
    new_key, steward = p.new_group_key(), Ed25519PrivateKey.generate()
    fields = {"epoch": 1, "member_key": p.public_b64(p.member_signer(new_key)), "leader_key": p.public_b64(steward),
              "version": 2}
    body = {**fields, "signature": p.sign(group.leader, p.signing_bytes("keys", mailbox=group.mailbox, **fields))}
    with RelayClient(relay.url) as client:
        state = client.rotate_keys(group.mailbox, body)
        assert (state["epoch"], state["version"], state["leader_key"]) == (1, 2, fields["leader_key"])
        group.key, group.leader = new_key, steward
        refused = _refused(client, f"/v1/mailboxes/{group.mailbox}/messages", group.post(p.LEADER, seq=1, epoch=1))
        assert refused.reason == "version"
        again = {**fields, "member_key": p.public_b64(Ed25519PrivateKey.generate())}  # epoch 1 once more
        with pytest.raises(RelayRefused) as old:
            client.rotate_keys(group.mailbox, {**again, "signature": p.sign(steward, p.signing_bytes(
                "keys", mailbox=group.mailbox, **again))})
        assert old.value.reason == "not_newer"


def test_a_long_poll_fetch_sees_a_post_at_once(relay: Relay, group: Group) -> None:
    seen: dict[str, Any] = {}

    def wait() -> None:
        with RelayClient(relay.url) as waiting:
            seen["page"] = waiting.fetch(group.mailbox, 0, wait=20)
            seen["at"] = time.monotonic()

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    time.sleep(1.0)
    assert waiter.is_alive()
    with RelayClient(relay.url) as client:
        client.request("POST", f"/v1/mailboxes/{group.mailbox}/messages", group.post(p.MEMBER))
        posted = time.monotonic()
    waiter.join(10)
    assert len(seen["page"]["messages"]) == 1 and seen["at"] - posted < 1.0


def test_a_long_poll_longer_than_the_usual_timeout_is_not_cut_off(relay: Relay, group: Group) -> None:
    with RelayClient(relay.url) as client:
        started = time.monotonic()
        page = client.fetch(group.mailbox, 0, wait=12)  # above the client's usual 10 s read timeout
        assert page == {"messages": [], "more": False} and time.monotonic() - started >= 12
        assert client.messages(group.mailbox, 0) == page  # the old call answers at once, as before
        with pytest.raises(ValueError, match="wait"):
            client.fetch(group.mailbox, 0, wait=26)
