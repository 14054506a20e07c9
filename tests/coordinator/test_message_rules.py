"""The relay's message rules against a model (ADR 0004), on SQLite and PostgreSQL: Hypothesis plays random
sequences of properly signed posts (leader and member, replayed seqs, reused nonces, old and new epochs) and
every answer, the leader's last seq and what members fetch must be what the rules say.

    leader: seq above the last, epoch not below the mailbox's, nonce new      -> 201, else 409
    member: epoch the mailbox's (else 409), its member key (else 403), seq 0, nonce new (else 409)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import protocol as p
from tests.coordinator.conftest import Api
from tests.coordinator.test_relay_api import _registered
from tests.examples import examples

NONCES = [p.b64e(os.urandom(12)) for _ in range(4)]  # few, so they repeat


@dataclass
class Model:
    epoch: int = 0
    last_seq: int = 0
    nonces: set[str] = field(default_factory=set)
    accepted: list[tuple[str, int, int, str]] = field(default_factory=list)  # sender, epoch, seq, nonce


step = st.one_of(
    st.tuples(st.just("leader"), st.integers(0, 6), st.integers(-1, 1), st.sampled_from(NONCES)),
    st.tuples(st.just("member"), st.just(0), st.integers(-1, 1), st.sampled_from(NONCES)),
    st.tuples(st.just("stale member key"), st.just(0), st.just(0), st.sampled_from(NONCES)),
    st.tuples(st.just("new epoch"), st.just(0), st.just(1), st.just("")),
)


@pytest.fixture
def unlimited(make_api: Callable[..., Api]) -> Api:
    """One relay for all of Hypothesis's examples (each registers its own mailbox): no rate limit to hit."""
    return make_api(requests_per_minute=10**9)


@settings(max_examples=examples(25), deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=10))
def test_answers_follow_the_rules(unlimited: Api, steps: list[tuple[str, int, int, str]]) -> None:
    api = unlimited
    group = _registered(api)
    members = {0: group.members}
    model = Model()
    url = f"/v1/mailboxes/{group.mailbox}/messages"
    for kind, seq, epoch_offset, nonce in steps:
        epoch = max(0, model.epoch + epoch_offset)
        if kind == "new epoch":
            model.epoch += 1
            members[model.epoch] = Ed25519PrivateKey.generate()
            key = p.public_b64(members[model.epoch])
            signed = p.signing_bytes("member-key", mailbox=group.mailbox, epoch=model.epoch, member_key=key)
            answer = api.client.put(f"/v1/mailboxes/{group.mailbox}/member-key",
                                    json={"epoch": model.epoch, "member_key": key,
                                          "signature": p.sign(group.leader, signed)})
            assert answer.status_code == 200, answer.text
            continue
        sender = p.LEADER if kind == "leader" else p.MEMBER
        if sender == p.LEADER:
            signer = group.leader
        elif kind == "stale member key":
            signer = members[max(0, model.epoch - 1)]
        else:
            signer = members.get(epoch, members[model.epoch])  # a future epoch has no key yet: the current one
        if kind == "stale member key":
            epoch = model.epoch
        fields = {"sender": sender, "epoch": epoch, "seq": seq, "nonce": nonce,
                  "ciphertext": p.b64e(os.urandom(40))}
        post = {**fields, "signature": p.sign(signer, p.signing_bytes("message", mailbox=group.mailbox, **fields))}
        if sender == p.LEADER:
            ok = seq > model.last_seq and epoch >= model.epoch and nonce not in model.nonces
            expected = 201 if ok else 409
        elif epoch != model.epoch:
            expected = 409
        elif kind == "stale member key" and model.epoch > 0:
            expected = 403
        else:
            expected = 409 if nonce in model.nonces else 201
        answer = api.client.post(url, json=post)
        assert answer.status_code == expected, (kind, fields, model, answer.text)
        if expected == 201:
            model.nonces.add(nonce)
            model.last_seq = seq if sender == p.LEADER else model.last_seq
            model.accepted.append((sender, epoch, seq, nonce))

    state = api.client.get(f"/v1/mailboxes/{group.mailbox}").json()
    assert (state["epoch"], state["last_seq"]) == (model.epoch, model.last_seq)
    fetched = api.client.get(url, params={"limit": 100}).json()["messages"]
    assert [(m["sender"], m["epoch"], m["seq"], m["nonce"]) for m in fetched] == model.accepted
    positions = [m["position"] for m in fetched]
    assert positions == sorted(set(positions))
