"""v2 messages (docs/adr/0006-group-protocol-v2.md): the author's signature inside, one size on the wire."""

from __future__ import annotations

import dataclasses

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

import protocol as p
from protocol.identity import Identity, door_key, new_host_secret, post_signer
from protocol.padding import LARGE, SMALL
from protocol.sealing import Inner, open_from, open_v2, seal_to, seal_v2

EPOCH = 3


def _group():
    key = p.new_group_key()
    mailbox = p.mailbox_id(p.new_group_id(), key)
    keys = {c: p.channel_key(key, c) for c in (p.SCHEDULE, p.CONTENT)}
    return mailbox, key, keys


def _seal(mailbox, key, author, *, kind="homework", body=None, channel=p.CONTENT, seq=1, size=None):
    return seal_v2(mailbox=mailbox, epoch=EPOCH, group_key=key, channel=channel, kind=kind,
                   body={"text": "Notice one strength"} if body is None else body, author=author, seq=seq,
                   signer=post_signer(key), size=size)


def test_round_trip_and_verification():
    mailbox, key, keys = _group()
    astrid = Identity.new()
    env = _seal(mailbox, key, astrid, seq=7)
    assert env.sender == p.MEMBER and env.seq == 0 and env.epoch == EPOCH and env.mailbox == mailbox
    assert p.verify(p.public_b64(post_signer(key)), env.signature, env.signed_part())
    assert "Notice" not in env.ciphertext and astrid.id not in env.ciphertext
    inner = open_v2(env, channel_keys=keys)
    assert inner == Inner(channel=p.CONTENT, author=astrid.id, seq=7, kind="homework",
                          body={"text": "Notice one strength"}, signature=inner.signature)
    assert inner.verified_by(astrid.public(), mailbox=mailbox, epoch=EPOCH) is inner


def test_a_member_cannot_post_as_another():
    """Mallory signs with her own key but names Astrid as the author: every app refuses it."""
    mailbox, key, keys = _group()
    astrid, mallory = Identity.new(), Identity.new()
    inner = open_v2(_seal(mailbox, key, mallory), channel_keys=keys)
    as_astrid = dataclasses.replace(inner, author=astrid.id)
    for candidate, public in ((as_astrid, astrid.public()), (as_astrid, mallory.public()),
                              (inner, astrid.public())):
        with pytest.raises(p.ProtocolError) as caught:
            candidate.verified_by(public, mailbox=mailbox, epoch=EPOCH)
        assert caught.value.reason == "forged"


@pytest.mark.parametrize("change", [{"seq": 2}, {"kind": "schedule"}, {"body": {"text": "other"}},
                                    {"channel": p.SCHEDULE}])
def test_the_signature_covers_every_field(change):
    mailbox, key, keys = _group()
    astrid = Identity.new()
    inner = dataclasses.replace(open_v2(_seal(mailbox, key, astrid), channel_keys=keys), **change)
    with pytest.raises(p.ProtocolError) as caught:
        inner.verified_by(astrid.public(), mailbox=mailbox, epoch=EPOCH)
    assert caught.value.reason == "forged"


def test_the_signature_binds_mailbox_and_epoch():
    mailbox, key, keys = _group()
    astrid = Identity.new()
    inner = open_v2(_seal(mailbox, key, astrid), channel_keys=keys)
    for where in ({"mailbox": "another", "epoch": EPOCH}, {"mailbox": mailbox, "epoch": EPOCH + 1}):
        with pytest.raises(p.ProtocolError) as caught:
            inner.verified_by(astrid.public(), **where)
        assert caught.value.reason == "forged"


def test_wrong_channel_key_is_unreadable():
    mailbox, key, keys = _group()
    env = _seal(mailbox, key, Identity.new())
    for channel_keys in ({p.SCHEDULE: keys[p.SCHEDULE]}, {}, {p.CONTENT: p.channel_key(p.new_group_key(),
                                                                                       p.CONTENT)}):
        with pytest.raises(p.ProtocolError) as caught:
            open_v2(env, channel_keys=channel_keys)
        assert caught.value.reason == "unreadable"


def test_the_relay_cannot_move_a_message():
    mailbox, key, keys = _group()
    env = _seal(mailbox, key, Identity.new())
    for moved in (dataclasses.replace(env, epoch=EPOCH + 1), dataclasses.replace(env, mailbox="other"),
                  dataclasses.replace(env, seq=1), dataclasses.replace(env, sender=p.LEADER)):
        with pytest.raises(p.ProtocolError) as caught:
            open_v2(moved, channel_keys=keys)
        assert caught.value.reason == "unreadable"


def test_v1_and_v2_tell_each_other_apart():
    """The app tries v2 first, then falls back to v1: each refuses the other's plaintext as "malformed"."""
    mailbox, key, keys = _group()
    for sender, seq in ((p.MEMBER, 0), (p.LEADER, 5)):
        v1 = p.seal_message(mailbox=mailbox, sender=sender, epoch=EPOCH, seq=seq, group_key=key,
                            channel=p.CONTENT, kind="prompt", body={"text": "hi"}, signer=p.member_signer(key))
        with pytest.raises(p.ProtocolError) as caught:
            open_v2(v1, channel_keys=keys)
        assert caught.value.reason == "malformed"
        assert p.open_message(v1, channel_keys=keys) == (p.CONTENT, "prompt", {"text": "hi"})
    v2 = _seal(mailbox, key, Identity.new())
    with pytest.raises(p.ProtocolError) as caught:
        p.open_message(v2, channel_keys=keys)
    assert caught.value.reason == "malformed"


@pytest.mark.parametrize("plaintext", [b"{}", b'{"a":"x","s":1,"t":"k","b":{}}',
                                       b'{"a":"x","s":"1","t":"k","b":{},"x":"s"}',
                                       b'{"a":"x","s":true,"t":"k","b":{},"x":"s"}',
                                       b'{"a":"x","s":1,"t":"k","b":[],"x":"s"}',
                                       b'{"a":"x","s":1,"t":"k","b":{},"x":"s","y":1}',
                                       b"[1]", b"\xff\xfe", b"not json"])
def test_a_padded_plaintext_that_is_not_a_v2_message_is_malformed(plaintext):
    from protocol.envelopes import encrypt_envelope
    from protocol.padding import pad

    mailbox, key, keys = _group()
    env = encrypt_envelope(mailbox=mailbox, sender=p.MEMBER, epoch=EPOCH, seq=0, channel=p.CONTENT,
                           key=keys[p.CONTENT], plaintext=pad(plaintext), signer=post_signer(key))
    with pytest.raises(p.ProtocolError) as caught:
        open_v2(env, channel_keys=keys)
    assert caught.value.reason == "malformed"


def test_damaged_envelope_fields_are_malformed():
    mailbox, key, keys = _group()
    env = _seal(mailbox, key, Identity.new())
    for damaged in (dataclasses.replace(env, nonce="$$"), dataclasses.replace(env, ciphertext="a b")):
        with pytest.raises(p.ProtocolError) as caught:
            open_v2(damaged, channel_keys=keys)
        assert caught.value.reason == "malformed"
        with pytest.raises(p.ProtocolError) as caught:
            open_from(damaged, X25519PrivateKey.generate())
        assert caught.value.reason in ("malformed", "unreadable")


def _sealed(mailbox, key, author, recipient, *, kind="join", body=None, size=None):
    return seal_to(mailbox=mailbox, epoch=EPOCH, recipient_dh=p.public_b64(recipient), kind=kind,
                   body={"name": "Astrid"} if body is None else body, author=author, seq=1,
                   signer=post_signer(key), size=size)


def test_sealed_to_one_key_round_trip():
    mailbox, key, keys = _group()
    door, newcomer = door_key(new_host_secret()), Identity.new()
    env = _sealed(mailbox, key, newcomer, door)
    assert env.sender == p.MEMBER and env.seq == 0
    assert p.verify(p.public_b64(post_signer(key)), env.signature, env.signed_part())
    inner = open_from(env, door)
    assert (inner.channel, inner.author, inner.kind, inner.body) == ("sealed", newcomer.id, "join",
                                                                    {"name": "Astrid"})
    assert inner.verified_by(newcomer.public(), mailbox=mailbox, epoch=EPOCH) is inner
    with pytest.raises(p.ProtocolError) as caught:
        open_v2(env, channel_keys=keys)  # members cannot read a join request
    assert caught.value.reason == "unreadable"


def test_sealed_is_unreadable_for_anyone_else_and_cannot_be_moved():
    mailbox, key, _keys = _group()
    door, newcomer = door_key(new_host_secret()), Identity.new()
    env = _sealed(mailbox, key, newcomer, door)
    with pytest.raises(p.ProtocolError) as caught:
        open_from(env, X25519PrivateKey.generate())
    assert caught.value.reason == "unreadable"
    for moved in (dataclasses.replace(env, epoch=EPOCH + 1), dataclasses.replace(env, mailbox="other"),
                  dataclasses.replace(env, nonce=p.b64e(bytes(12))), dataclasses.replace(env, ciphertext="AAAA")):
        with pytest.raises(p.ProtocolError) as caught:
            open_from(moved, door)
        assert caught.value.reason == "unreadable"


def test_a_channel_message_is_not_opened_as_sealed():
    mailbox, key, _keys = _group()
    env = _seal(mailbox, key, Identity.new())
    with pytest.raises(p.ProtocolError) as caught:
        open_from(env, door_key(new_host_secret()))
    assert caught.value.reason == "unreadable"


def test_sealed_signature_names_the_sealed_channel():
    """A sealed message cannot be replayed into a channel as if it had been posted there."""
    mailbox, key, _keys = _group()
    door, newcomer = door_key(new_host_secret()), Identity.new()
    inner = open_from(_sealed(mailbox, key, newcomer, door), door)
    with pytest.raises(p.ProtocolError):
        dataclasses.replace(inner, channel=p.CONTENT).verified_by(newcomer.public(), mailbox=mailbox, epoch=EPOCH)


def test_too_large_is_refused():
    mailbox, key, _keys = _group()
    with pytest.raises(p.ProtocolError) as caught:
        _seal(mailbox, key, Identity.new(), body={"text": "x" * LARGE})
    assert caught.value.reason == "too_large"
    text = "x" * (LARGE - 156 - 20)  # 156 bytes around the text: fits a channel message, not a sealed one
    assert _length(_seal(mailbox, key, Identity.new(), kind="join", body={"text": text})) == LARGE + 16
    with pytest.raises(p.ProtocolError) as caught:
        _sealed(mailbox, key, Identity.new(), X25519PrivateKey.generate(), body={"text": text})
    assert caught.value.reason == "too_large"


def _length(env):
    return len(p.b64d(env.ciphertext))


def test_small_and_large_sealed_and_channel_messages_have_the_same_sizes():
    mailbox, key, _keys = _group()
    me, door = Identity.new(), X25519PrivateKey.generate()
    assert _length(_seal(mailbox, key, me)) == _length(_sealed(mailbox, key, me, door)) == SMALL + 16
    assert _length(_seal(mailbox, key, me, size=LARGE)) == _length(_sealed(mailbox, key, me, door, size=LARGE))
    assert _length(_seal(mailbox, key, me, size=LARGE)) == LARGE + 16


# ---- sizes: the relay must not tell one kind of message from another ----


def _members_state(count, *, hosting="hosts_only"):
    from protocol.membership import Policy, apply, make_entry

    starter = Identity.new()
    device = lambda: p.public_b64(X25519PrivateKey.generate())  # noqa: E731
    member_args = lambda person: {**person.public().to_dict(), "device": device()}  # noqa: E731
    mailbox = "m" * 22
    state = apply(None, make_entry(None, starter, "create", {"member": member_args(starter),
                                                              "policy": Policy(hosting=hosting).to_dict()},
                                   mailbox=mailbox), mailbox=mailbox)
    for i in range(count - 1):
        args = {"member": member_args(Identity.new()), "invite": f"invite-{i:02d}-" + "x" * 12, "uses": 1, "votes": []}
        state = apply(state, make_entry(state, starter, "admit", args, mailbox=mailbox), mailbox=mailbox)
    return starter, state


def test_every_small_message_has_the_same_ciphertext_length():
    """Homework, a schedule change, a join request, "I can't come", a vote, a log entry and a welcome."""
    from protocol.membership import make_entry, sign_vote

    mailbox, key, _keys = _group()
    host, member, newcomer = Identity.new(), Identity.new(), Identity.new()
    door = door_key(new_host_secret())
    name = "Åsa-Märta Øvergård Bjørnstjerne-Lindqvist"[:40]
    assert len(name) == 40
    question = ("Vad har du gjort bra för dig själv den här veckan, och vad hindrade dig? " * 5)[:300]
    assert len(question) == 300
    exceptions = [{"date": f"2026-12-{d}", "moved_to": f"2026-12-{d + 1}T18:30", "place": "Folkets hus, sal 3",
                   "note": "Julledigt: vi ses dagen efter"} for d in (22, 29, 15)]
    _starter, two = _members_state(2)
    admit = make_entry(two, _starter, "admit", {"member": {**newcomer.public().to_dict(),
                                                           "device": p.public_b64(X25519PrivateKey.generate())},
                                                "invite": "i" * 22, "uses": 1, "votes": []}, mailbox=mailbox)
    sealed_join = seal_to(mailbox=mailbox, epoch=EPOCH, recipient_dh=p.public_b64(door), kind="join",
                          body={**newcomer.public().to_dict(), "device": p.public_b64(X25519PrivateKey.generate()),
                                "name": name, "invite": "i" * 22}, author=newcomer, seq=1, signer=post_signer(key))
    welcome = seal_to(mailbox=mailbox, epoch=EPOCH, recipient_dh=newcomer.public().dh, kind="welcome",
                      body={"key": p.b64e(key), "hosts": p.b64e(new_host_secret()), "snapshot": two.snapshot(),
                            "admit": p.entry_hash(admit)}, author=host, seq=12, signer=post_signer(key))
    messages = {
        "homework": _seal(mailbox, key, host, kind="homework", seq=41,
                          body={"id": p.b64e(bytes(16)), "text": question, "meeting": "2026-12-08"}),
        "schedule": _seal(mailbox, key, host, kind="schedule", channel=p.SCHEDULE, seq=42,
                          body={"weekday": 2, "time": "18:30", "place": "Folkets hus, sal 3",
                                "exceptions": exceptions}),
        "join": sealed_join,
        "cant_come": _seal(mailbox, key, member, kind="cant_come", seq=3, body={"meeting": "2026-12-08"}),
        "vote": _seal(mailbox, key, member, kind="vote", seq=4,
                      body=sign_vote(member, mailbox=mailbox, request=newcomer.id, yes=True)),
        "log": _seal(mailbox, key, host, kind="log", channel=p.SCHEDULE, seq=43, body=admit.to_dict()),
        "welcome": welcome,
    }
    lengths = {kind: _length(env) for kind, env in messages.items()}
    assert set(lengths.values()) == {SMALL + 16}, lengths
    assert {len(env.nonce) for env in messages.values()} == {16}
    assert {(env.sender, env.seq, env.epoch) for env in messages.values()} == {(p.MEMBER, 0, EPOCH)}


@pytest.mark.parametrize("hosting", ["hosts_only", "every_member"])
def test_an_epoch_change_has_one_size_whatever_the_member_count(hosting):
    from protocol.epochs import wrap_epoch_keys
    from protocol.membership import make_entry

    mailbox, key, _keys = _group()
    lengths = set()
    for count in (2, 40):
        host, state = _members_state(count, hosting=hosting)
        new_key, new_hosts = p.new_group_key(), new_host_secret()
        args = {"epoch": state.epoch + 1,
                "keys": wrap_epoch_keys(state, mailbox=mailbox, epoch=state.epoch + 1, group_key=new_key,
                                        host_secret=new_hosts),
                "post": p.public_b64(post_signer(new_key)), "steward": p.public_b64(p.steward_signer(new_hosts))}
        entry = make_entry(state, host, "epoch", args, mailbox=mailbox)
        env = _seal(mailbox, key, host, kind="log", channel=p.SCHEDULE, body=entry.to_dict(), size=LARGE)
        lengths.add(_length(env))
    assert lengths == {LARGE + 16}


def test_a_welcome_forced_large_has_one_size_whatever_the_member_count():
    """A welcome carries the snapshot, which outgrows SMALL from three members: sealed with size=LARGE its
    size says nothing about the member count."""
    mailbox, key, _keys = _group()
    newcomer, lengths = Identity.new(), set()
    for count in (2, 3, 40):
        host, state = _members_state(count, hosting="every_member")
        body = {"key": p.b64e(key), "hosts": p.b64e(new_host_secret()), "snapshot": state.snapshot()}
        welcome = seal_to(mailbox=mailbox, epoch=EPOCH, recipient_dh=newcomer.public().dh, kind="welcome",
                          body=body, author=host, seq=2, signer=post_signer(key), size=LARGE)
        assert open_from(welcome, newcomer.dh).body == body
        lengths.add(_length(welcome))
    assert lengths == {LARGE + 16}
