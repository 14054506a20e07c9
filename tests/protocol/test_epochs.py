"""The keys of a new epoch, wrapped per member (docs/adr/0006-group-protocol-v2.md)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

import protocol as p
from protocol.epochs import open_epoch_keys, open_schedule_key, wrap_epoch_keys
from protocol.identity import Identity, new_host_secret
from protocol.membership import EVERY_MEMBER, Member, Policy, State

MAILBOX = "epoch-mailbox"


def _state(hosting="hosts_only"):
    people = [Identity.new() for _ in range(3)]
    devices = [X25519PrivateKey.generate() for _ in people]
    members = {person.id: Member(id=person.id, sig=person.public().sig, dh=person.public().dh,
                                 device=p.public_b64(device), starter=i == 0, host=i == 0)
               for i, (person, device) in enumerate(zip(people, devices, strict=True))}
    return people, devices, State(n=4, head="h", epoch=1, policy=Policy(hosting=hosting), members=members)


def test_each_member_opens_their_keys_and_only_hosts_get_the_hosts_secret():
    people, devices, state = _state()
    key, hosts = p.new_group_key(), new_host_secret()
    keys = wrap_epoch_keys(state, mailbox=MAILBOX, epoch=2, group_key=key, host_secret=hosts)
    assert set(keys) == set(state.members)
    assert open_epoch_keys(keys, people[0].id, people[0].dh, mailbox=MAILBOX, epoch=2) == (key, hosts)
    for person, device in zip(people[1:], devices[1:], strict=True):
        assert open_epoch_keys(keys, person.id, person.dh, mailbox=MAILBOX, epoch=2) == (key, None)
        assert open_schedule_key(keys, person.id, device, mailbox=MAILBOX, epoch=2) == p.channel_key(key, p.SCHEDULE)


def test_every_member_gets_the_hosts_secret_when_every_member_hosts():
    people, _devices, state = _state(EVERY_MEMBER)
    key, hosts = p.new_group_key(), new_host_secret()
    keys = wrap_epoch_keys(state, mailbox=MAILBOX, epoch=2, group_key=key, host_secret=hosts)
    assert all(open_epoch_keys(keys, m.id, m.dh, mailbox=MAILBOX, epoch=2) == (key, hosts) for m in people)


def test_wraps_cannot_be_moved_or_opened_by_others():
    people, devices, state = _state()
    keys = wrap_epoch_keys(state, mailbox=MAILBOX, epoch=2, group_key=p.new_group_key(), host_secret=new_host_secret())
    a, b = people[1], people[2]
    moved = {**keys, b.id: keys[a.id]}  # a's wrap under b's id: b cannot open it, a cannot use it as b's
    attempts = [lambda: open_epoch_keys(keys, a.id, b.dh, mailbox=MAILBOX, epoch=2),
                lambda: open_epoch_keys(moved, b.id, a.dh, mailbox=MAILBOX, epoch=2),
                lambda: open_epoch_keys(keys, a.id, a.dh, mailbox=MAILBOX, epoch=3),
                lambda: open_epoch_keys(keys, a.id, a.dh, mailbox="other", epoch=2),
                lambda: open_epoch_keys(keys, Identity.new().id, a.dh, mailbox=MAILBOX, epoch=2),
                lambda: open_epoch_keys("junk", a.id, a.dh, mailbox=MAILBOX, epoch=2),
                lambda: open_schedule_key(keys, a.id, a.dh, mailbox=MAILBOX, epoch=2),  # the device key opens it
                lambda: open_schedule_key(keys, a.id, devices[2], mailbox=MAILBOX, epoch=2)]
    for attempt in attempts:
        with pytest.raises(p.ProtocolError) as caught:
            attempt()
        assert caught.value.reason == "unreadable"


def test_keys_must_have_32_bytes():
    _people, _devices, state = _state()
    with pytest.raises(p.ProtocolError):
        wrap_epoch_keys(state, mailbox=MAILBOX, epoch=2, group_key=b"short", host_secret=new_host_secret())
