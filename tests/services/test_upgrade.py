"""Issue 15 point 6: a version 1 group is upgraded to version 2 without reopening the takeover
(docs/adr/0006-group-protocol-v2.md, "Upgrading a version 1 group"). Each device has its own data directory;
the services speak HTTP to a real relay process, on SQLite and on PostgreSQL (`relay` fixture).

Each v1 member proves, with the X25519 secret of the "group" key it registered at join, that it is the
member it was; the starter's app admits only such proofs, one per registered member.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

import protocol as p
from app.services.journal import Journal
from app.services.links import LinkStore, Secrets
from app.services.relay_client import RelayClient
from tests.conftest import PASSPHRASE
from tests.services.test_relay_flow import (  # noqa: F401  (relay, people: fixtures)
    NAME_MARKER,
    NOW,
    PROMPT_MARKER,
    SECOND_MARKER,
    Profile,
    _homework,
    _start,
    people,
    relay,
)


def _links(person: Profile) -> LinkStore:
    return LinkStore(person.service.engine, person.vault)


def _secrets(person: Profile, group_id: str) -> Secrets:
    return _links(person).secrets(group_id)


def _join_v1(leader: Profile, group_id: str, *members: tuple[Profile, str]) -> None:
    link = leader.leader().invite(group_id, today=NOW.date()).link
    for person, name in members:
        person.joining().join(person.joining().read(link, today=NOW.date()), name=name, now=NOW)
        assert person.sync().sent == 1
    leader.sync()
    assert sorted(m.name for m in leader.leader().members(group_id)) == sorted(n for _p, n in members)


def _post(server: object, envelope: p.Envelope) -> None:
    with RelayClient(server.url) as client:  # type: ignore[attr-defined]
        client.request("POST", f"/v1/mailboxes/{envelope.mailbox}/messages", envelope.to_post())


def _names(person: Profile, group_id: str) -> dict[str, str]:
    """Member id -> name, as this device's v2 group sees its members."""
    return {m.id: m.name for m in person.leader().people(group_id)} if person.leader().is_leader(group_id) else \
        {m.id: m.name for m in _people_of(person, group_id)}


def _people_of(person: Profile, group_id: str):  # type: ignore[no-untyped-def]
    from app.services.group_layer import hosting
    return hosting.people(person.leader().circles, group_id)


def test_a_member_cannot_upgrade_in_another_members_place(relay, people, tmp_path: Path) -> None:  # noqa: F811
    leader, astrid, _bo = people
    mallory = Profile.make(tmp_path / "mallory", journal=True)
    try:
        group_id = _start(leader, relay)
        _join_v1(leader, group_id, (astrid, NAME_MARKER), (mallory, "Mallory"))
        v1_mailbox = _links(leader).get(group_id).mailbox
        astrid_v1 = _secrets(astrid, group_id).member_id  # Mallory read it in Astrid's join (content key)
        mallory_v1 = _secrets(mallory, group_id)
        on_file = _secrets(leader, group_id).members[astrid_v1]["group"]

        # Before the upgrade: a v1 join that reuses Astrid's id with Mallory's keys no longer overwrites her.
        key = p.b64d(mallory_v1.group_keys[0])
        overwrite = p.seal_message(mailbox=v1_mailbox, sender=p.MEMBER, epoch=0, seq=0, group_key=key,
                                   channel=p.CONTENT, kind="join",
                                   body={"member": astrid_v1, "name": NAME_MARKER,
                                         "group": p.public_b64(X25519PrivateKey.from_private_bytes(
                                             p.b64d(mallory_v1.group_secret))),
                                         "schedule": p.public_b64(X25519PrivateKey.generate())},
                                   signer=p.member_signer(key))
        _post(relay, overwrite)
        assert leader.sync().refused == ["known_member"]
        assert _secrets(leader, group_id).members[astrid_v1]["group"] == on_file

        leader.leader().upgrade(group_id, enrolment=relay.enrolment_token(), now=NOW)
        assert leader.sync().sent == 3  # the new mailbox's first entry, the invitations, "moved"
        mallory.sync()  # Mallory's app answers for Mallory, as it should; she learns the new door from it
        invite = _secrets(mallory, group_id).invite
        new_mailbox = _links(mallory).get(group_id).mailbox
        assert new_mailbox != v1_mailbox

        def request(proof: str | None) -> p.Envelope:
            me, device = p.Identity.new(), X25519PrivateKey.generate()
            body = {"member": {**me.public().to_dict(), "device": p.public_b64(device)}, "name": NAME_MARKER,
                    "invite": invite["invite"]}
            if proof is not None:
                body["upgrade"] = {"from": astrid_v1, "proof": proof}
            return p.seal_to(mailbox=new_mailbox, epoch=0, recipient_dh=invite["door"], kind="request", body=body,
                             author=me, seq=1, signer=p.post_signer_from_seed(p.b64d(invite["post"])))

        def proven(v1_secret: str) -> p.Envelope:
            me, device = p.Identity.new(), p.public_b64(X25519PrivateKey.generate())
            proof = p.continuity_proof(X25519PrivateKey.from_private_bytes(p.b64d(v1_secret)), invite["starter"],
                                       me.public(), old_mailbox=v1_mailbox, mailbox=new_mailbox, member=astrid_v1,
                                       device=device)
            return p.seal_to(mailbox=new_mailbox, epoch=0, recipient_dh=invite["door"], kind="request",
                             body={"member": {**me.public().to_dict(), "device": device}, "name": NAME_MARKER,
                                   "invite": invite["invite"], "upgrade": {"from": astrid_v1, "proof": proof}},
                             author=me, seq=1, signer=p.post_signer_from_seed(p.b64d(invite["post"])))

        _post(relay, proven(mallory_v1.group_secret))  # 1. proven with Mallory's own v1 secret, in Astrid's name
        _post(relay, request(p.b64e(bytes(32))))  # 2. a made-up proof
        _post(relay, request(None))  # 3. the upgrade ticket without a proof, to be let in by check code
        report = leader.sync()
        assert sorted(report.refused) == ["upgrade_proof"] * 3, report
        assert leader.leader().requests(group_id) == []
        assert sorted(_names(leader, group_id).values()) == ["", "Mallory"]
        assert leader.leader().circles.load(group_id).state.policy.closes_at == 0  # open while Astrid is to come

        astrid.sync()  # Astrid answers after Mallory tried: her place is still hers
        leader.sync()
        astrid.sync()
        astrid_v2 = _secrets(astrid, group_id).member_id
        names = _names(leader, group_id)
        assert names[astrid_v2] == NAME_MARKER and sorted(names.values()) == sorted(["", "Mallory", NAME_MARKER])
        assert _names(astrid, group_id) == names

        # Her place is carried over once: a second valid proof (a second device of hers) is refused too.
        astrid_secret = _secrets(astrid, group_id).upgrade["v1"]["group_secret"]
        _post(relay, proven(astrid_secret))
        assert leader.sync().refused == ["upgraded_already"]
        assert len(_names(leader, group_id)) == 3
    finally:
        mallory.service.close()


def test_a_two_member_group_is_upgraded_and_keeps_its_state(relay, people) -> None:  # noqa: F811
    leader, astrid, bo = people  # Bo has no journal
    group_id = _start(leader, relay)
    _join_v1(leader, group_id, (astrid, NAME_MARKER), (bo, ""))
    leader.leader().send_prompt(group_id, text=PROMPT_MARKER, now=NOW)
    groups = leader.groups()
    first_move = groups.get(group_id).schedule.meetings()[1]
    moved_to = first_move.start + timedelta(days=1)
    groups.update_schedule(group_id, groups.get(group_id).schedule.move(first_move.original_start, moved_to))
    leader.leader().publish_schedule(group_id, now=NOW)
    leader.sync()
    assert _homework(astrid.sync() and astrid, group_id) == PROMPT_MARKER
    bo.sync()
    entry = Journal(astrid.vault).add("MARKER-journal my own words")
    astrid.service.lock()  # locked through the upgrade: she comes over when she opens her journal

    leader.leader().upgrade(group_id, enrolment=relay.enrolment_token(), now=NOW)
    assert leader.leader().is_v2(group_id)
    assert leader.sync().sent == 3
    report = bo.sync()
    assert not report.refused, report
    assert _links(bo).get(group_id).version == 2
    report = astrid.sync()
    assert report.kept == 1 and _links(astrid).get(group_id).version == 1, report  # waits for her journal
    astrid.service.unlock(PASSPHRASE)
    report = astrid.sync()
    assert not report.refused and _links(astrid).get(group_id).version == 2, report
    report = leader.sync()
    assert not report.refused, report
    assert [m.name for m in leader.leader().people(group_id)].count("") == 2  # the starter and Bo
    assert leader.leader().circles.load(group_id).state.policy.closes_at == 2  # all came over: closes as usual
    bo.sync()
    astrid.sync()
    leader.sync()

    leader.leader().send_prompt(group_id, text=SECOND_MARKER, now=NOW)
    second_move = groups.get(group_id).schedule.meetings()[4]
    moved_again = second_move.start + timedelta(hours=2)
    groups.update_schedule(group_id, groups.get(group_id).schedule.move(second_move.original_start, moved_again))
    leader.leader().publish_schedule(group_id, now=NOW)
    assert leader.sync().sent == 2
    for person in (astrid, bo):
        report = person.sync()
        assert not report.refused, report
        group = person.groups().get(group_id)
        assert group.meeting(first_move.id).start == moved_to  # the v1 change is kept
        assert group.meeting(second_move.id).start == moved_again  # the v2 change arrived
    assert _homework(astrid, group_id) == SECOND_MARKER
    # Bo has no journal: both homeworks wait for one, the v1 one carried over the move to the new mailbox.
    kept = [("v1" in item) for item in _links(bo).get(group_id).pending]
    assert kept[0] and kept.count(True) == 1 and len(kept) > 1, kept  # v1's first, then v2's (names, homework)
    pending = bo.service.prepare_setup(PASSPHRASE, PASSPHRASE)
    bo.service.finish_setup(pending, pending.recovery_code)
    report = bo.sync()
    assert report.applied >= 2 and not report.refused, report  # the v1 homework and the v2 one at least
    assert _homework(bo, group_id) == SECOND_MARKER and not _links(bo).get(group_id).pending
    journal = Journal(astrid.vault)
    journal.load()
    assert journal.get(entry.id).text == "MARKER-journal my own words"
    assert set(_names(leader, group_id)) == set(_names(astrid, group_id)) == set(_names(bo, group_id))

    # The v1 mailbox is left: its last message is the leader's "moved", and nobody posts there again.
    with RelayClient(relay.url) as client:
        v1 = _secrets(leader, group_id).upgrade["from"]
        assert client.mailbox(v1)["last_seq"] == 4  # prompt, schedule, invitations, moved
        last = client.messages(v1, 0)["messages"][-1]
        assert (last["sender"], last["seq"]) == (p.LEADER, 4)  # "moved" is the last: no app posted there since
