"""The membership log of protocol v2 (docs/adr/0006-group-protocol-v2.md): one rule per test, one test per refusal."""

from __future__ import annotations

import dataclasses

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

import protocol as p
from protocol.identity import Identity
from protocol.membership import (
    CLOSED,
    EVERY_MEMBER,
    HOSTS_ONLY,
    MAX_MEMBERS,
    OPEN,
    REASONS,
    Entry,
    Member,
    Policy,
    State,
    apply,
    check_vote,
    entry_hash,
    make_entry,
    may,
    sign_vote,
)
from tests.examples import examples

MAILBOX = "mailbox-of-tuesday-group"


def _args(identity, **extra):
    return {"sig": identity.public().sig, "dh": identity.public().dh,
            "device": p.public_b64(X25519PrivateKey.generate()), **extra}


def _create(starter, **policy):
    entry = make_entry(None, starter, "create", {"member": _args(starter), "policy": Policy(**policy).to_dict()},
                       mailbox=MAILBOX)
    return apply(None, entry, mailbox=MAILBOX)


def _step(state, author, op, args):
    return apply(state, make_entry(state, author, op, args, mailbox=MAILBOX), mailbox=MAILBOX)


def _admit_args(newcomer, *, invite="inv-1", uses=1, votes=(), **member_extra):
    return {"member": _args(newcomer, **member_extra), "invite": invite, "uses": uses, "votes": list(votes)}


def _admit(state, host, newcomer, **kwargs):
    return _step(state, host, "admit", _admit_args(newcomer, **kwargs))


def _refused(reason, state, author, op, args, *, entry=None):
    entry = entry or make_entry(state, author, op, args, mailbox=MAILBOX)
    with pytest.raises(p.ProtocolError) as caught:
        apply(state, entry, mailbox=MAILBOX)
    assert caught.value.reason == "refused"
    assert str(caught.value) == reason
    return caught.value


@pytest.fixture
def people():
    return [Identity.new() for _ in range(5)]


@pytest.fixture
def group(people):
    """Starter s with members a, b (HOSTS_ONLY, OPEN)."""
    s, a, b = people[:3]
    state = _create(s)
    state = _admit(state, s, a, invite="i-a")
    return _admit(state, s, b, invite="i-b")


# ---- create and order ----


def test_create_makes_the_author_starter_and_host(people):
    s = people[0]
    entry = make_entry(None, s, "create", {"member": _args(s), "policy": {"hosting": EVERY_MEMBER}}, mailbox=MAILBOX)
    state = apply(None, entry, mailbox=MAILBOX)
    assert (state.n, state.head, state.epoch) == (0, entry_hash(entry), 0)
    assert state.policy == Policy(hosting=EVERY_MEMBER, admission=OPEN, closes_at=2)
    member = state.member(s.id)
    assert (member.id, member.starter, member.host, member.public) == (s.id, True, True, s.public())
    assert state.hosts() == [member] and state.is_host(s.id)
    assert state.gone == frozenset() and dict(state.invites_used) == {}


def test_create_refusals(people):
    s, m = people[:2]
    good = {"member": _args(s), "policy": Policy().to_dict()}
    _refused("bad_id", None, m, "create", good)  # m signs for s's key: the author is not the key's id
    entry = make_entry(None, s, "create", good, mailbox=MAILBOX)
    _refused("forged", None, s, "create", good,
             entry=dataclasses.replace(entry, signature=m.sign("v2/log", mailbox=MAILBOX, n=0, prev="", author=s.id,
                                                               op="create", args=good)))
    with pytest.raises(p.ProtocolError) as caught:
        apply(None, entry, mailbox="another-mailbox")
    assert str(caught.value) == "forged"
    for bad in ({}, {"member": _args(s)}, {"member": {"sig": s.public().sig}, "policy": {}},
                {"member": _args(s), "policy": {"hosting": "anyone"}},
                {"member": _args(s), "policy": {}, "extra": 1}, {"member": _args(s, device="AA"), "policy": {}}):
        _refused("bad_args", None, s, "create", bad)
    _refused("bad_id", None, s, "create", {"member": _args(s, id=m.id), "policy": {}})


def test_create_only_first_and_only_once(group, people):
    s = people[0]
    _refused("order", group, s, "create", {"member": _args(s), "policy": {}})
    first = make_entry(None, s, "create", {"member": _args(s), "policy": {}}, mailbox=MAILBOX)
    _refused("order", None, s, "admit", {}, entry=dataclasses.replace(first, op="admit"))
    _refused("order", None, s, "create", {}, entry=make_entry(group, s, "create", first.args, mailbox=MAILBOX))


def test_entries_apply_in_order_only(group, people):
    s, _a, _b, c = people[:4]
    entry = make_entry(group, s, "admit", _admit_args(c), mailbox=MAILBOX)
    later = apply(group, entry, mailbox=MAILBOX)
    _refused("order", later, s, "admit", {}, entry=entry)  # replayed
    _refused("order", group, s, "admit", {}, entry=dataclasses.replace(entry, n=entry.n + 1))
    _refused("order", group, s, "admit", {}, entry=dataclasses.replace(entry, prev=p.b64e(bytes(32))))
    assert apply(group, entry, mailbox=MAILBOX) == later  # the original still applies: pure


def test_a_changed_entry_is_forged(group, people):
    s, a = people[:2]
    entry = make_entry(group, s, "host", {"member": a.id}, mailbox=MAILBOX)
    _refused("forged", group, s, "host", {}, entry=dataclasses.replace(entry, args={"member": s.id}))
    _refused("forged", group, s, "host", {}, entry=dataclasses.replace(entry, signature="AA"))
    _refused("forged", group, s, "host", {}, entry=dataclasses.replace(entry, author=a.id))  # a did not sign it
    with pytest.raises(p.ProtocolError) as caught:
        apply(group, entry, mailbox="another-mailbox")
    assert str(caught.value) == "forged"


# ---- who may ----


def test_strangers_and_departed_members_are_not_members(group, people):
    s, a, b, _c, stranger = people
    _refused("not_member", group, stranger, "leave", {})
    _refused("not_member", group, stranger, "epoch", {"epoch": 1})
    removed = _step(group, s, "remove", {"member": a.id})
    _refused("not_member", removed, a, "leave", {})
    _refused("not_member", removed, a, "host", {"member": a.id})
    departed = _step(group, b, "leave", {})
    _refused("not_member", departed, b, "leave", {})


def test_a_removed_host_can_change_nothing(people):
    s, a = people[:2]
    state = _step(_admit(_create(s), s, a), s, "host", {"member": a.id})
    state = _step(state, s, "remove", {"member": a.id})
    for op, args in (("epoch", {"epoch": 1}), ("remove", {"member": s.id}), ("admit", _admit_args(people[2])),
                     ("policy", {"hosting": EVERY_MEMBER})):
        _refused("not_member", state, a, op, args)


@pytest.mark.parametrize(("op", "args"), [("admit", None), ("host", "a"), ("unhost", "s"), ("remove", "b"),
                                          ("policy", {"admission": CLOSED}), ("epoch", {"epoch": 1})])
def test_only_hosts_change_the_group(group, people, op, args):
    s, a, b, c = people[:4]
    ids = {"a": a.id, "b": b.id, "s": s.id}
    if args is None:
        args = _admit_args(c)
    elif isinstance(args, str):
        args = {"member": ids[args]}
    _refused("not_host", group, a, op, args)
    assert may(group, a.id, op, args) == "not_host"
    everyone = _step(group, s, "policy", {"hosting": EVERY_MEMBER})
    assert may(everyone, a.id, op, args) is None
    _step(everyone, a, op, args)


def test_may_answers_before_anything_is_signed(group, people):
    s, a, _b, _c, stranger = people
    assert may(group, a.id, "admit", {}) == "not_host"  # before the app builds the arguments
    assert may(group, s.id, "admit", {}) == "bad_args"
    assert may(group, stranger.id, "leave", {}) == "not_member"
    assert may(group, s.id, "leave", {}) == "last_host"
    assert may(group, a.id, "leave", {}) is None
    assert may(group, s.id, "epoch", {"epoch": 3}) == "epoch"
    assert may(group, s.id, "dance", {}) == "bad_args"
    assert may(group, s.id, "create", {}) == "order"


# ---- admit ----


def test_admit_adds_a_member_and_counts_the_invite(group, people):
    s, a, b, c, d = people
    assert set(group.members) == {s.id, a.id, b.id}
    assert group.member(a.id) == Member(id=a.id, sig=a.public().sig, dh=a.public().dh,
                                        device=group.member(a.id).device, starter=False, host=False)
    state = _admit(group, s, c, invite="board", uses=2)
    assert state.invites_used["board"] == 1
    state = _admit(state, s, d, invite="board", uses=2)
    assert state.invites_used["board"] == 2 and state.is_member(d.id) and not state.is_host(d.id)


def test_an_invite_cannot_be_used_more_often_than_it_allows(group, people):
    s, _a, _b, c, d = people
    _refused("invite_used", group, s, "admit", _admit_args(c, invite="i-a"))
    state = _admit(group, s, c, invite="board", uses=2)
    state = _admit(state, s, d, invite="board", uses=2)
    _refused("invite_used", state, s, "admit", _admit_args(Identity.new(), invite="board", uses=2))


@pytest.mark.parametrize("bad", [{"uses": 0}, {"uses": 13}, {"uses": True}, {"uses": "1"}, {"invite": ""},
                                 {"invite": 5}, {"votes": "yes"}, {"votes": [1]}, {"member": "x"},
                                 {"member": {"sig": "AA", "dh": "AA", "device": "AA"}}, {"extra": 1}])
def test_admit_with_bad_arguments(group, people, bad):
    s, c = people[0], people[3]
    _refused("bad_args", group, s, "admit", {**_admit_args(c), **bad})


def test_no_second_join_and_no_rejoin_of_the_removed(group, people):
    s, a, b = people[:3]
    _refused("known_member", group, s, "admit", _admit_args(a, invite="new"))
    removed = _step(group, s, "remove", {"member": b.id})
    _refused("known_member", removed, s, "admit", _admit_args(b, invite="new"))
    departed = _step(group, a, "leave", {})
    _refused("known_member", departed, s, "admit", _admit_args(a, invite="new"))


def test_takeover_of_a_member_id_with_another_key_is_refused(group, people):
    """Issue 15's attack 2 on v2: Mallory (a member) posts a join with Astrid's id and her own keys."""
    s, astrid, _b, mallory = people[:4]
    state = _admit(group, s, mallory, invite="i-m")
    # Astrid's id claimed for Mallory's keys: the id is not the key's
    _refused("bad_id", state, s, "admit", _admit_args(mallory, invite="new", id=astrid.id))
    # Astrid's signing key with Mallory's sealing key: the id is Astrid's, already a member
    args = _admit_args(astrid, invite="new")
    args["member"]["dh"] = mallory.public().dh
    _refused("known_member", state, s, "admit", args)
    # and Mallory herself cannot even ask: she is not a host
    _refused("not_host", state, mallory, "admit", _admit_args(Identity.new(), invite="new"))
    assert state.member(astrid.id).dh == astrid.public().dh


def test_a_group_is_full_at_forty(people):
    s = people[0]
    state = _create(s)
    for i in range(MAX_MEMBERS - 1):
        state = _admit(state, s, Identity.new(), invite=f"i{i}")
    assert len(state.members) == MAX_MEMBERS
    _refused("full", state, s, "admit", _admit_args(Identity.new(), invite="one-more"))


# ---- closed groups: votes ----


def _closed(people):
    """s, a, b, c members of a closed group (4 members: 3 yes votes needed)."""
    s, a, b, c = people[:4]
    state = _create(s)
    for member in (a, b, c):
        state = _admit(state, s, member, invite=f"i-{member.id}")
    return _step(state, s, "policy", {"admission": CLOSED})


def test_a_closed_group_admits_with_a_majority_of_yes_votes(people):
    s, a, b, _c, newcomer = people
    state = _closed(people)
    votes = [sign_vote(v, mailbox=MAILBOX, request=newcomer.id, yes=True) for v in (s, a, b)]
    assert all(check_vote(state, v, mailbox=MAILBOX, request=newcomer.id) for v in votes)
    assert _admit(state, s, newcomer, votes=votes).is_member(newcomer.id)


def test_half_is_not_a_majority(people):
    s, a, _b, _c, newcomer = people
    state = _closed(people)
    _refused("votes", state, s, "admit", _admit_args(newcomer))
    votes = [sign_vote(v, mailbox=MAILBOX, request=newcomer.id, yes=True) for v in (s, a)]
    _refused("votes", state, s, "admit", _admit_args(newcomer, votes=votes))
    _refused("votes", state, s, "admit", _admit_args(newcomer, votes=votes + votes))  # a voter counts once


def test_forged_and_foreign_votes_do_not_count(people):
    s, a, b, c, newcomer = people
    state = _closed(people)
    yes = [sign_vote(v, mailbox=MAILBOX, request=newcomer.id, yes=True) for v in (s, a)]
    forged = {**sign_vote(s, mailbox=MAILBOX, request=newcomer.id, yes=True), "voter": b.id}  # s votes as b
    stranger = sign_vote(Identity.new(), mailbox=MAILBOX, request=newcomer.id, yes=True)
    other_request = sign_vote(b, mailbox=MAILBOX, request=Identity.new().id, yes=True)
    other_mailbox = sign_vote(b, mailbox="another", request=newcomer.id, yes=True)
    no = sign_vote(b, mailbox=MAILBOX, request=newcomer.id, yes=False)
    flipped = {**no, "yes": True}
    for bad in (forged, stranger, other_request, other_mailbox, no, flipped):
        _refused("votes", state, s, "admit", _admit_args(newcomer, votes=[*yes, bad]))
    assert not check_vote(state, forged, mailbox=MAILBOX, request=newcomer.id)
    assert not check_vote(state, stranger, mailbox=MAILBOX, request=newcomer.id)
    assert not check_vote(state, "yes", mailbox=MAILBOX, request=newcomer.id)  # type: ignore[arg-type]
    assert check_vote(state, no, mailbox=MAILBOX, request=newcomer.id)  # valid, but a no
    good = sign_vote(c, mailbox=MAILBOX, request=newcomer.id, yes=True)
    assert _admit(state, s, newcomer, votes=[*yes, forged, good]).is_member(newcomer.id)


def test_votes_of_a_removed_member_do_not_count(people):
    s, a, b, c, newcomer = people
    state = _closed(people)
    votes = [sign_vote(v, mailbox=MAILBOX, request=newcomer.id, yes=True) for v in (s, a, b)]
    state = _step(state, s, "remove", {"member": b.id})  # 3 members left: 2 yes are a majority
    assert _admit(state, s, newcomer, votes=votes).is_member(newcomer.id)
    state = _step(state, s, "remove", {"member": a.id})
    _refused("votes", state, s, "admit", _admit_args(newcomer, votes=votes[1:]))  # a and b voted, both gone
    assert c.id in state.members


# ---- hosts ----


def test_host_and_unhost(group, people):
    s, a = people[:2]
    state = _step(group, s, "host", {"member": a.id})
    assert state.is_host(a.id) and {m.id for m in state.hosts()} == {s.id, a.id}
    state = _step(state, s, "unhost", {"member": s.id})  # the starter steps back
    assert not state.is_host(s.id) and state.member(s.id).starter and not state.member(a.id).starter
    _refused("not_host", state, s, "host", {"member": s.id})
    _refused("last_host", state, a, "unhost", {"member": a.id})
    _refused("not_member", state, a, "host", {"member": Identity.new().id})
    _refused("bad_args", state, a, "host", {"member": 5})
    _refused("bad_args", state, a, "host", {})


def test_the_last_host_cannot_step_back(group, people):
    s = people[0]
    _refused("last_host", group, s, "unhost", {"member": s.id})
    _refused("last_host", group, s, "leave", {})


def test_the_last_host_may_leave_after_naming_another(group, people):
    s, a = people[:2]
    state = _step(_step(group, s, "host", {"member": a.id}), s, "leave", {})
    assert s.id in state.gone and s.id not in state.members and state.hosts() == [state.member(a.id)]


def test_every_member_hosts_needs_no_host_flag(group, people):
    s, a = people[:2]
    state = _step(group, s, "policy", {"hosting": EVERY_MEMBER})
    assert {m.id for m in state.hosts()} == set(state.members)
    state = _step(state, s, "unhost", {"member": s.id})
    assert state.is_host(a.id)
    _refused("last_host", state, a, "policy", {"hosting": HOSTS_ONLY})  # nobody would be host
    state = _step(_step(state, a, "host", {"member": a.id}), a, "policy", {"hosting": HOSTS_ONLY})
    assert [m.id for m in state.hosts()] == [a.id]


# ---- remove and leave ----


def test_remove(group, people):
    s, a, b = people[:3]
    state = _step(group, s, "remove", {"member": a.id})
    assert a.id in state.gone and not state.is_member(a.id) and state.is_member(b.id)
    _refused("bad_args", state, s, "remove", {"member": s.id})  # that is leave
    _refused("not_member", state, s, "remove", {"member": a.id})
    with pytest.raises(p.ProtocolError) as caught:
        state.member(a.id)
    assert caught.value.reason == "not_member"


def test_leave(group, people):
    s, a = people[:2]
    state = _step(group, a, "leave", {})
    assert a.id in state.gone and not state.is_member(a.id)
    _refused("bad_args", group, a, "leave", {"member": s.id})  # one leaves only oneself


def test_the_last_member_may_leave_a_group_where_every_member_hosts(people):
    s = people[0]
    state = _step(_step(_create(s), s, "policy", {"hosting": EVERY_MEMBER}), s, "unhost", {"member": s.id})
    assert dict(_step(state, s, "leave", {}).members) == {}


# ---- policy and epoch ----


def test_policy_changes(group, people):
    s = people[0]
    state = _step(group, s, "policy", {"admission": CLOSED, "closes_at": 4})
    assert state.policy == Policy(hosting=HOSTS_ONLY, admission=CLOSED, closes_at=4)
    for bad in ({"hosting": "all"}, {"admission": "ajar"}, {"closes_at": -1}, {"closes_at": "2"},
                {"closes_at": True}, {"colour": "red"}):
        _refused("bad_args", state, s, "policy", bad)


def test_policy_dicts():
    assert Policy.from_dict({}) == Policy()
    assert Policy.from_dict(Policy(EVERY_MEMBER, CLOSED, 5).to_dict()) == Policy(EVERY_MEMBER, CLOSED, 5)
    for bad in ({"hosting": "x"}, {"admission": None}, {"closes_at": 1.5}, {"x": 1}, "open"):
        with pytest.raises(p.ProtocolError) as caught:
            Policy.from_dict(bad)  # type: ignore[arg-type]
        assert caught.value.reason == "policy"
    with pytest.raises(p.ProtocolError):
        Policy(hosting="x")


def test_epoch_grows_by_one(group, people):
    s = people[0]
    state = _step(group, s, "epoch", {"epoch": 1, "keys": {"opaque": "wrapped"}})
    assert state.epoch == 1
    for epoch in (1, 3, 0):
        _refused("epoch", state, s, "epoch", {"epoch": epoch})
    for bad in ({}, {"epoch": "2"}, {"epoch": True}):
        _refused("bad_args", state, s, "epoch", bad)
    assert _step(state, s, "epoch", {"epoch": 2}).epoch == 2


def test_unknown_op(group, people):
    _refused("bad_args", group, people[0], "promote", {"member": people[1].id})


# ---- entries and snapshots ----


def test_entry_dicts(group, people):
    s = people[0]
    entry = make_entry(group, s, "epoch", {"epoch": 1}, mailbox=MAILBOX)
    assert Entry.from_dict(entry.to_dict()) == entry
    assert set(entry.to_dict()) == {"n", "prev", "author", "op", "args", "signature"}
    assert (entry.n, entry.prev, entry.author) == (group.n + 1, group.head, s.id)
    assert entry_hash(entry) != entry_hash(dataclasses.replace(entry, signature="x"))
    good = entry.to_dict()
    for bad in ({**good, "n": "1"}, {**good, "n": True}, {**good, "n": -1}, {**good, "args": []},
                {k: v for k, v in good.items() if k != "prev"}, {**good, "extra": 1}, {**good, "op": None}, []):
        with pytest.raises(p.ProtocolError) as caught:
            Entry.from_dict(bad)  # type: ignore[arg-type]
        assert caught.value.reason == "malformed"


def test_a_newcomer_continues_from_the_snapshot(group, people):
    s, _a, _b, c, d = people
    state = _step(_admit(group, s, c, invite="i-c"), s, "host", {"member": c.id})
    snapshot = state.snapshot()
    copy = State.from_snapshot(snapshot)
    assert copy == state and copy.snapshot() == snapshot
    assert p.canonical(snapshot)  # JSON-ready
    entry = make_entry(state, c, "admit", _admit_args(d, invite="i-d"), mailbox=MAILBOX)
    assert apply(copy, entry, mailbox=MAILBOX) == apply(state, entry, mailbox=MAILBOX)


def test_damaged_snapshots_are_malformed(group, people):
    good = group.snapshot()
    member = good["members"][0]
    for bad in ({}, {**good, "n": "x"}, {**good, "policy": {"hosting": "x"}}, {**good, "gone": "x"},
                {**good, "members": [{**member, "id": people[4].id}]},
                {**good, "gone": [member["id"]]}, {**good, "invites_used": {"i": "1"}},
                {**good, "members": [member, member]}, {**good, "extra": 1}, None):
        with pytest.raises(p.ProtocolError) as caught:
            State.from_snapshot(bad)  # type: ignore[arg-type]
        assert caught.value.reason == "malformed"


# ---- untrusted input: whatever arrives, the answer is a ProtocolError, never a crash ----

_json = st.recursive(st.none() | st.booleans() | st.integers(-3, 50) | st.text(max_size=30),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                  max_size=4), max_leaves=12)
_json_args = st.dictionaries(st.sampled_from(["member", "invite", "uses", "votes", "epoch", "hosting", "admission",
                                         "closes_at", "policy", "x"]), _json, max_size=5)


@settings(max_examples=examples(300), deadline=None)
@given(op=st.sampled_from(["create", "admit", "host", "unhost", "remove", "leave", "policy", "epoch", "x"]),
       args=_json_args, author_is_host=st.booleans())
def test_random_arguments_are_refused_cleanly(op, args, author_is_host):
    s, a = _FUZZ_PEOPLE
    state = _FUZZ_STATE
    author = s if author_is_host else a
    reason = may(state, author.id, op, args)
    assert reason is None or reason in REASONS
    try:
        after = apply(state, make_entry(state, author, op, args, mailbox=MAILBOX), mailbox=MAILBOX)
    except p.ProtocolError as refusal:
        assert refusal.reason == "refused" and str(refusal) == reason
    else:
        assert reason is None and after.n == state.n + 1


@settings(max_examples=examples(200), deadline=None)
@given(data=st.dictionaries(st.sampled_from(["n", "prev", "author", "op", "args", "signature", "x"]), _json))
def test_random_entries_are_malformed_or_refused(data):
    try:
        entry = Entry.from_dict(data)
    except p.ProtocolError as error:
        assert error.reason == "malformed"
        return
    with pytest.raises(p.ProtocolError):
        apply(_FUZZ_STATE, entry, mailbox=MAILBOX)


_FUZZ_PEOPLE = (Identity.new(), Identity.new())
_FUZZ_STATE = _admit(_create(_FUZZ_PEOPLE[0]), _FUZZ_PEOPLE[0], _FUZZ_PEOPLE[1])
