"""The protocol's pure parts: encodings, envelopes, wraps, invites and join codes."""

from __future__ import annotations

from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

import protocol as p

TODAY = date(2026, 11, 22)


def test_b64_round_trip_and_rejects_padding_and_junk():
    assert p.b64d(p.b64e(b"\x00\xffabc")) == b"\x00\xffabc"
    with pytest.raises(p.ProtocolError):
        p.b64d("YWJj=")
    with pytest.raises(p.ProtocolError):
        p.b64d("ab$c")
    with pytest.raises(p.ProtocolError):
        p.b64d(p.b64e(b"abc"), length=4)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=20))
def test_canonical_is_independent_of_key_order(value):
    if isinstance(value, dict):
        reordered = dict(reversed(list(value.items())))
        assert p.canonical(reordered) == p.canonical(value)
    assert p.canonical(value) == p.canonical(value)


def test_canonical_refuses_floats():
    with pytest.raises(p.ProtocolError):
        p.canonical({"a": 1.5})


def _group():
    key = p.new_group_key()
    gid = p.new_group_id()
    return gid, key, p.mailbox_id(gid, key)


def test_envelope_round_trip_and_channel_separation():
    _gid, key, mailbox = _group()
    leader = Ed25519PrivateKey.generate()
    env = p.seal_message(mailbox=mailbox, sender=p.LEADER, epoch=0, seq=1, group_key=key,
                         channel=p.CONTENT, kind="prompt", body={"text": "Notice a strength"}, signer=leader)
    assert p.verify(p.public_b64(leader), env.signature, env.signed_part())
    assert "Notice" not in env.ciphertext
    keys = {c: p.channel_key(key, c) for c in (p.SCHEDULE, p.CONTENT)}
    assert p.open_message(env, channel_keys=keys) == (p.CONTENT, "prompt", {"text": "Notice a strength"})
    with pytest.raises(p.ProtocolError) as caught:
        p.open_message(env, channel_keys={p.SCHEDULE: keys[p.SCHEDULE]})
    assert caught.value.reason == "unreadable"


def test_envelope_moved_to_another_seq_or_mailbox_does_not_open_or_verify():
    _gid, key, mailbox = _group()
    leader = Ed25519PrivateKey.generate()
    env = p.seal_message(mailbox=mailbox, sender=p.LEADER, epoch=0, seq=3, group_key=key,
                         channel=p.SCHEDULE, kind="schedule", body={}, signer=leader)
    keys = {p.SCHEDULE: p.channel_key(key, p.SCHEDULE)}
    for changed in ({"seq": 4}, {"mailbox": "x" * 22}, {"epoch": 1}, {"sender": p.MEMBER}):
        moved = p.Envelope(**{**env.__dict__, **changed})
        assert not p.verify(p.public_b64(leader), moved.signature, moved.signed_part())
        with pytest.raises(p.ProtocolError):
            p.open_message(moved, channel_keys=keys)


def test_member_signer_is_per_epoch_and_deterministic():
    key = p.new_group_key()
    assert p.public_b64(p.member_signer(key)) == p.public_b64(p.member_signer(key))
    assert p.public_b64(p.member_signer(key)) != p.public_b64(p.member_signer(p.new_group_key()))


def test_wrap_opens_only_for_its_recipient_and_context():
    alice, bob = X25519PrivateKey.generate(), X25519PrivateKey.generate()
    secret = p.new_group_key()
    wrapped = p.wrap_for(p.public_b64(alice), secret, context={"epoch": 1})
    assert p.unwrap(alice, wrapped, context={"epoch": 1}) == secret
    with pytest.raises(p.ProtocolError):
        p.unwrap(bob, wrapped, context={"epoch": 1})
    with pytest.raises(p.ProtocolError):
        p.unwrap(alice, wrapped, context={"epoch": 2})


def _invite(leader, **changes):
    gid, key, mailbox = _group()
    body = {"v": 1, "relay": "http://127.0.0.1:1", "group": gid, "mailbox": mailbox, "epoch": 0,
            "key": p.b64e(key), "leader": p.public_b64(leader), "label": "Tuesday group",
            "schedule": {"start": "x"}, "theme": "", "guidelines": "", "expires_on": "2026-11-29"}
    return {**body, **changes}


def test_invite_round_trip_link_and_paste():
    leader = Ed25519PrivateKey.generate()
    invite = _invite(leader)
    token = p.sign_invite(invite, leader)
    link = p.invite_link(token, "http://127.0.0.1:1/")
    assert link.startswith("http://127.0.0.1:1/join#")
    assert p.read_invite(p.token_from_text(f"  {link}\n"), today=TODAY) == invite
    assert p.read_invite(p.token_from_text(p.invite_link(token, "")), today=TODAY) == invite


def test_invite_damaged_forged_expired():
    leader, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    token = p.sign_invite(_invite(leader), leader)
    for bad in (token[:-6], token[:10] + "!" + token[11:], "", "hello"):
        with pytest.raises(p.ProtocolError) as caught:
            p.read_invite(bad, today=TODAY)
        assert caught.value.reason == "damaged"
    forged = p.sign_invite(_invite(leader), other)  # signed by someone else than the key it names
    with pytest.raises(p.ProtocolError) as caught:
        p.read_invite(forged, today=TODAY)
    assert caught.value.reason == "forged"
    with pytest.raises(p.ProtocolError) as caught:
        p.read_invite(token, today=date(2026, 11, 30))
    assert caught.value.reason == "expired"


def test_join_code_normalisation_and_stretch():
    code = p.new_join_code()
    assert len(code) == 11 and code[5] == "-"
    assert p.normalize_join_code(code.lower().replace("-", " ")) == code.replace("-", "")
    assert p.normalize_join_code("abcde-fghjo") == "ABCDEFGHJ0"
    for bad in ("ABCD", "ABCDE-FGHJKX", "ABCDE-FGHJU"):
        with pytest.raises(p.ProtocolError):
            p.normalize_join_code(bad)
    lookup, key = p.stretch_join_code(code)
    assert p.stretch_join_code(code.lower()) == (lookup, key)
    sealed = p.seal_join_invite(key, "TOKEN")
    assert p.open_join_invite(key, sealed) == "TOKEN"
    with pytest.raises(p.ProtocolError):
        p.open_join_invite(p.stretch_join_code(p.new_join_code())[1], sealed)
