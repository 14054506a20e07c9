"""A model-based property test of `membership.apply` (docs/adr/0006-group-protocol-v2.md, issue 15 point 8).

A small reference model, written independently of `protocol.membership` (plain sets and a dict), predicts for
each random op by a random author — members, hosts, removed and departed people, strangers, forged
signatures, wrong `prev` or `n` — whether it is allowed and, if not, why. `apply` must accept exactly those
and refuse the rest with the predicted reason; three replicas fed the same entries reach identical
snapshots; the invariants hold after every step.
"""

from __future__ import annotations

import dataclasses

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import event, given, settings
from hypothesis import strategies as st

import protocol as p
from protocol.identity import Identity
from protocol.membership import (
    CLOSED,
    EVERY_MEMBER,
    HOSTS_ONLY,
    OPEN,
    State,
    apply,
    make_entry,
    may,
    replay,
    sign_vote,
)
from tests.examples import examples

MAILBOX = "model-mailbox"
PEOPLE = [Identity.new() for _ in range(6)]  # everyone who may ever be admitted
STRANGER = Identity.new()  # never admitted: posts anyway, votes anyway
EVERYONE = [*PEOPLE, STRANGER]
FORGER = Identity.new()  # signs entries and votes in someone else's name
DEVICES = [p.public_b64(X25519PrivateKey.generate()) for _ in EVERYONE]
OPS = ("admit",) * 5 + ("remove",) * 3 + ("host", "unhost", "leave") * 2 + ("policy", "epoch", "create", "promote")
POLICIES = ({"hosting": EVERY_MEMBER}, {"hosting": HOSTS_ONLY}, {"admission": CLOSED}, {"admission": OPEN},
            {"closes_at": 4}, {"hosting": EVERY_MEMBER, "admission": CLOSED}, {"hosting": "anyone"}, {})
CORRUPTIONS = ("none",) * 8 + ("forged", "prev", "n")


class Model:
    """What the rules of ADR 0006 allow, on plain sets: members, host flags, gone, policy, epoch, invites."""

    def __init__(self, starter: str, policy: dict) -> None:
        self.members = {starter}
        self.hosts = {starter}  # host flags
        self.starter = starter
        self.gone: set[str] = set()
        self.hosting = policy.get("hosting", HOSTS_ONLY)
        self.admission = policy.get("admission", OPEN)
        self.closes_at = policy.get("closes_at", 2)
        self.epoch = 0
        self.used: dict[str, int] = {}

    def hosts_left(self, members: set[str], hosts: set[str], hosting: str) -> bool:
        return hosting == EVERY_MEMBER or bool(hosts & members)

    def judge(self, author: str, op: str, step: dict) -> str | None:
        """The refusal reason, or None; applies the change when allowed."""
        if op == "create" or step["corruption"] in ("prev", "n"):
            return "order"
        if author not in self.members:
            return "not_member"
        if step["corruption"] == "forged":
            return "forged"
        if op not in ("admit", "host", "unhost", "remove", "leave", "policy", "epoch"):
            return "bad_args"
        members, hosts, gone = set(self.members), set(self.hosts), set(self.gone)
        hosting, admission, closes_at, epoch = self.hosting, self.admission, self.closes_at, self.epoch
        if op == "leave":
            if step["args"]:
                return "bad_args"
            members.discard(author)
            hosts.discard(author)
            gone.add(author)
        elif not (author in self.hosts or self.hosting == EVERY_MEMBER):
            return "not_host"
        elif op == "admit":
            newcomer = step["newcomer"]
            if step["uses"] == 0:
                return "bad_args"
            if step["claimed_id"] not in (None, newcomer):
                return "bad_id"
            if newcomer in members or newcomer in gone:
                return "known_member"
            if self.used.get(step["invite"], 0) >= step["uses"]:
                return "invite_used"
            if admission == CLOSED and 2 * len(step["valid_yes"] & members) <= len(members):
                return "votes"
            members.add(newcomer)
            self.used[step["invite"]] = self.used.get(step["invite"], 0) + 1
        elif op in ("host", "unhost", "remove"):
            target = step["target"]
            if op == "remove" and target == author:
                return "bad_args"
            if target not in members:
                return "not_member"
            if op == "host":
                hosts.add(target)
            elif op == "unhost":
                hosts.discard(target)
            else:
                members.discard(target)
                hosts.discard(target)
                gone.add(target)
        elif op == "policy":
            change = step["policy"]
            if change.get("hosting", HOSTS_ONLY) not in (HOSTS_ONLY, EVERY_MEMBER):
                return "bad_args"
            hosting = change.get("hosting", hosting)
            admission = change.get("admission", admission)
            closes_at = change.get("closes_at", closes_at)
        elif op == "epoch":
            if step["epoch"] != self.epoch + 1:
                return "epoch"
            epoch = step["epoch"]
        if hosting == HOSTS_ONLY and not hosts & members:
            return "last_host"
        self.members, self.hosts, self.gone = members, hosts, gone
        self.hosting, self.admission, self.closes_at, self.epoch = hosting, admission, closes_at, epoch
        return None


step_strategy = st.fixed_dictionaries({
    # who acts, who is named, who asks to join: a kind and a pick, resolved against the model's sets
    "author": st.tuples(st.sampled_from(("host", "host", "host", "member", "member", "gone", "anyone")),
                        st.integers(0, 99)),
    "op": st.sampled_from(OPS),
    "target": st.tuples(st.sampled_from(("member", "member", "host", "self", "gone", "anyone")), st.integers(0, 99)),
    "newcomer": st.tuples(st.sampled_from(("new", "new", "gone", "anyone")), st.integers(0, 99)),
    "claim_other": st.sampled_from((False,) * 5 + (True,)),
    "invite": st.sampled_from(("i1", "i2", "board")),
    "uses": st.sampled_from((1, 1, 2, 12, 0)),
    "yes_votes": st.sampled_from(("half", "half", "majority", "all", "none")),  # of the members, from an offset
    "voter_offset": st.integers(0, 99),
    "outside_vote": st.sampled_from((None, None, "stranger", "gone")),
    "forged_vote": st.booleans(),  # one more yes, forged in the name of a member who did not vote
    "leave_args": st.sampled_from(({},) * 5 + ({"member": "someone"},)),
    "policy": st.sampled_from(POLICIES),
    "epoch_delta": st.sampled_from((1, 1, 1, 0, 2)),
    "corruption": st.sampled_from(CORRUPTIONS),
})

BY_ID = {person.id: i for i, person in enumerate(EVERYONE)}


def _pick(model: Model, kind: str, pick: int, author: int | None = None) -> int:
    """An index into EVERYONE: a current host, member, someone gone, a newcomer, or anyone at all."""
    pools = {
        "host": sorted(model.members if model.hosting == EVERY_MEMBER else model.hosts & model.members),
        "member": sorted(model.members),
        "gone": sorted(model.gone),
        "new": sorted(person.id for person in PEOPLE if person.id not in model.members | model.gone),
        "self": [EVERYONE[author].id] if author is not None else [],
    }.get(kind, [])
    if not pools:
        return pick % len(EVERYONE)
    return BY_ID[pools[pick % len(pools)]]


def _member_args(index: int) -> dict:
    person = EVERYONE[index]
    return {**person.public().to_dict(), "device": DEVICES[index]}


def _build(model: Model, step: dict) -> tuple[int, str, dict, dict]:
    """(author index, op, args, what the model needs to know) for one drawn step."""
    author = _pick(model, *step["author"])
    op, info = step["op"], {"corruption": step["corruption"]}
    args: dict = {}
    target = _pick(model, *step["target"], author=author)
    if op == "admit":
        newcomer_index = _pick(model, *step["newcomer"]) % len(PEOPLE)  # the stranger never asks
        newcomer = PEOPLE[newcomer_index]
        members = sorted(model.members)
        count = {"half": len(members) // 2, "majority": len(members) // 2 + 1, "all": len(members),
                 "none": 0}[step["yes_votes"]] if members else 0
        voters = [BY_ID[members[(step["voter_offset"] + i) % len(members)]] for i in range(count)]
        if step["outside_vote"] == "stranger":
            voters.append(len(EVERYONE) - 1)
        elif step["outside_vote"] == "gone" and model.gone:
            voters.append(BY_ID[sorted(model.gone)[0]])
        votes = [sign_vote(EVERYONE[voter], mailbox=MAILBOX, request=newcomer.id, yes=True) for voter in voters]
        valid_yes = {EVERYONE[voter].id for voter in voters}
        if step["forged_vote"] and count < len(members):  # the forger votes in a member's name who did not
            named = members[(step["voter_offset"] + count) % len(members)]  # count < len: members not empty
            votes.insert(0, {**sign_vote(FORGER, mailbox=MAILBOX, request=newcomer.id, yes=True), "voter": named})
        member = _member_args(newcomer_index)
        claimed = None
        if step["claim_other"]:
            claimed = EVERYONE[target].id
            member["id"] = claimed
        args = {"member": member, "invite": step["invite"], "uses": step["uses"], "votes": votes}
        info.update(newcomer=newcomer.id, claimed_id=claimed, invite=step["invite"], uses=step["uses"],
                    valid_yes=valid_yes)
    elif op in ("host", "unhost", "remove"):
        args = {"member": EVERYONE[target].id}
        info["target"] = args["member"]
    elif op == "leave":
        args = dict(step["leave_args"])
        info["args"] = args
    elif op == "policy":
        args = dict(step["policy"])
        info["policy"] = args
    elif op == "epoch":
        args = {"epoch": model.epoch + step["epoch_delta"], "keys": "opaque"}
        info["epoch"] = args["epoch"]
    elif op == "create":
        args = {"member": _member_args(author), "policy": {}}
    return author, op, args, info


def _entry(state: State, author: Identity, step: dict, op: str, args: dict):
    if step["corruption"] == "forged":
        return dataclasses.replace(make_entry(state, FORGER, op, args, mailbox=MAILBOX), author=author.id)
    entry = make_entry(state, author, op, args, mailbox=MAILBOX)
    if step["corruption"] == "prev":  # signed, but not after the head
        unsigned = dataclasses.replace(entry, prev=p.b64e(bytes(32)))
        return dataclasses.replace(unsigned, signature=author.sign("v2/log", **unsigned.signed_fields(MAILBOX)))
    if step["corruption"] == "n":
        unsigned = dataclasses.replace(entry, n=entry.n + 1)
        return dataclasses.replace(unsigned, signature=author.sign("v2/log", **unsigned.signed_fields(MAILBOX)))
    return entry


def _check_invariants(before: State, after: State) -> None:
    assert not set(after.members) & after.gone
    assert after.gone >= before.gone  # nobody comes back
    assert after.policy.hosting != HOSTS_ONLY or any(m.host for m in after.members.values())
    assert after.epoch in (before.epoch, before.epoch + 1)
    assert after.n == before.n + 1
    assert len(after.members) <= p.MAX_MEMBERS
    assert all(m.id == p.member_id(m.sig) for m in after.members.values())


def _agrees(model: Model, state: State) -> None:
    assert set(state.members) == model.members
    assert {m.id for m in state.members.values() if m.host} == model.hosts & model.members
    assert set(state.gone) == model.gone
    assert (state.policy.hosting, state.policy.admission, state.policy.closes_at) == (
        model.hosting, model.admission, model.closes_at)
    assert state.epoch == model.epoch
    assert dict(state.invites_used) == model.used
    assert {m.id for m in state.members.values() if m.starter} == model.members & {model.starter}


@settings(max_examples=examples(200), deadline=None)
@given(starter=st.integers(0, len(PEOPLE) - 1), policy=st.sampled_from(POLICIES[:-2]),
       steps=st.lists(step_strategy, min_size=10, max_size=40))
def test_apply_accepts_exactly_what_the_model_allows(starter, policy, steps):
    create = make_entry(None, PEOPLE[starter], "create", {"member": _member_args(starter), "policy": policy},
                        mailbox=MAILBOX)
    state = apply(None, create, mailbox=MAILBOX)
    model = Model(PEOPLE[starter].id, policy)
    replicas = [apply(None, create, mailbox=MAILBOX) for _ in range(2)]
    accepted = [create]
    for step in steps:
        index, op, args, info = _build(model, step)
        author = EVERYONE[index].id
        entry = _entry(state, EVERYONE[index], step, op, args)
        expected = model.judge(author, op, info)
        if step["corruption"] == "none" and not (op == "admit" and step["forged_vote"]):
            assert may(state, author, op, args) == expected
        try:
            after = apply(state, entry, mailbox=MAILBOX)
        except p.ProtocolError as refusal:
            assert refusal.reason == "refused"
            assert str(refusal) == expected, (op, step)
            event(f"refused: {expected}")
            for replica in replicas:  # every replica refuses it too
                try:
                    apply(replica, entry, mailbox=MAILBOX)
                except p.ProtocolError as again:
                    assert str(again) == expected
                else:
                    raise AssertionError("a replica accepted what another refused") from None
            continue
        assert expected is None, (op, step, expected)
        event(f"accepted: {op}")
        _check_invariants(state, after)
        state = after
        replicas = [apply(replica, entry, mailbox=MAILBOX) for replica in replicas]
        accepted.append(entry)
        _agrees(model, state)
        assert all(replica.snapshot() == state.snapshot() for replica in replicas)
    assert replay(accepted, mailbox=MAILBOX).snapshot() == state.snapshot()
    restored = State.from_snapshot(state.snapshot())
    assert restored == state and restored.snapshot() == state.snapshot()
