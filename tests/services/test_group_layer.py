"""The group layer, version 2 (issue 15, docs/adr/0006-group-protocol-v2.md), end to end: people with data
directories of their own, against a real relay process on SQLite and PostgreSQL. Nothing is mocked.

Each attack is what a modified app could send; each is written so that it would succeed without the check
it exercises (the identity signature, the membership rules, the epoch).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

import protocol as p
from app.errors import KraftError, Msg
from app.services.group_layer import asking, hosting, starting, taking_part
from app.services.group_layer.circle import Circles
from app.services.links import LinkStore
from app.services.relay_sync import SyncReport
from protocol.envelopes import encrypt_envelope
from protocol.padding import pad
from tests.conftest import PASSPHRASE
from tests.services.test_relay_flow import NOW, Profile, _schedule, relay  # noqa: F401

AFTER = "MARKER-after When did you notice a strength since last time"
FIRST = "MARKER-first What helps you on a hard day"


def circles(person: Profile) -> Circles:
    return Circles(person.service.engine, person.vault)


def homework(person: Profile, group_id: str) -> str:
    details = person.groups().details(group_id)
    return details.homework_text if details is not None else ""


def sync(person: Profile) -> SyncReport:
    report = person.sync()
    assert not report.problems, report
    return report


def start(starter: Profile, server: object, **policy: bool) -> str:
    group = starting.create_group(circles(starter), "Tisdag", _schedule(), theme="balans", relay=server.url,  # type: ignore[attr-defined]
                                  enrolment=server.enrolment_token(), policy=starting.policy_for(**policy),  # type: ignore[attr-defined]
                                  now=NOW)
    assert sync(starter).sent == 2  # the mailbox, then the log's first entry
    return group.id


def ask(person: Profile, host: Profile, group_id: str, *, name: str = "", uses: int = 1,
        link: str = "") -> str:
    """The person asks with an invite from `host`; returns the check code their phone shows."""
    link = link or starting.invite(circles(host), group_id, uses=uses, today=NOW.date()).link
    preview = person.joining().read(link, today=NOW.date())
    asked = asking.ask(circles(person), preview, name=name, now=NOW)
    assert sync(person).sent == 1
    return asked.check_code


def admit_everyone(host: Profile, group_id: str, people: list[Profile]) -> None:
    sync(host)
    for request in hosting.requests(circles(host), group_id):
        hosting.admit(circles(host), group_id, request.id, now=NOW)
    sync(host)
    for person in people:
        sync(person)


@pytest.fixture
def four(tmp_path: Path):  # type: ignore[no-untyped-def]
    made = [Profile.make(tmp_path / name, journal=name != "bo") for name in ("starter", "astrid", "bo", "mallory")]
    yield made
    for person in made:
        person.service.close()


def test_the_starter_admits_names_a_host_and_leaves_and_the_group_goes_on(relay, four):  # noqa: F811
    starter, astrid, bo, _mallory = four
    group_id = start(starter, relay)
    codes = {"Astrid": ask(astrid, starter, group_id, name="Astrid"), "": ask(bo, starter, group_id)}
    sync(starter)
    waiting = hosting.requests(circles(starter), group_id)
    assert {r.name: r.check_code for r in waiting} == codes  # the same code on both phones
    assert all(len(code) == 6 and code.isdigit() for code in codes.values())
    with pytest.raises(KraftError) as early:
        hosting.people(circles(astrid), group_id)
    assert early.value.msg is Msg.NOT_ADMITTED_YET  # no group key before a host admits

    admit_everyone(starter, group_id, [astrid, bo])
    astrid_id = next(m.id for m in hosting.people(circles(starter), group_id) if m.name == "Astrid")
    assert sorted(m.name for m in hosting.people(circles(astrid), group_id)) == ["", "", "Astrid"]

    hosting.set_host(circles(starter), group_id, astrid_id, now=NOW)
    hosting.step_back(circles(starter), group_id, now=NOW)
    sync(starter)
    taking_part.leave(circles(starter), group_id, now=NOW)
    sync(starter)
    report = sync(astrid)  # Astrid's app, the first host, starts the epoch the starter is not in
    assert not report.refused, report
    sync(astrid)
    state = LinkStore(astrid.service.engine, astrid.vault).get(group_id).state  # type: ignore[union-attr]
    assert state["epoch"] == 2 and len(state["members"]) == 2

    groups = astrid.groups()
    moved = groups.get(group_id).schedule.meetings()[1]
    groups.update_schedule(group_id, groups.get(group_id).schedule.move(moved.original_start,
                                                                       moved.start + timedelta(days=1)))
    hosting.publish_schedule(circles(astrid), group_id, now=NOW)
    hosting.send_homework(circles(astrid), group_id, text=AFTER, now=NOW)
    sync(astrid)

    report = sync(bo)
    assert not report.refused, report
    assert bo.groups().get(group_id).meeting(moved.id).start == moved.start + timedelta(days=1)
    pending = bo.service.prepare_setup(PASSPHRASE, PASSPHRASE)  # Bo makes a journal: the homework opens
    bo.service.finish_setup(pending, pending.recovery_code)
    sync(bo)
    assert homework(bo, group_id) == AFTER
    sync(starter)
    assert homework(starter, group_id) != AFTER, "whoever left reads nothing sent after"


def test_the_last_host_of_a_hosts_only_group_cannot_leave_or_step_back(relay, four):  # noqa: F811
    starter, astrid, _bo, _mallory = four
    group_id = start(starter, relay)
    ask(astrid, starter, group_id, name="Astrid")
    admit_everyone(starter, group_id, [astrid])
    for attempt in (lambda: taking_part.leave(circles(starter), group_id, now=NOW),
                    lambda: hosting.step_back(circles(starter), group_id, now=NOW)):
        with pytest.raises(KraftError) as caught:
            attempt()
        assert caught.value.msg is Msg.LAST_HOST
    with pytest.raises(KraftError) as member:
        hosting.send_homework(circles(astrid), group_id, text=AFTER, now=NOW)
    assert member.value.msg is Msg.NOT_HOST


def test_a_removed_member_reads_nothing_new_and_cannot_come_back(relay, four):  # noqa: F811
    starter, astrid, _bo, mallory = four
    group_id = start(starter, relay)
    ask(astrid, starter, group_id, name="Astrid")
    link = starting.invite(circles(starter), group_id, today=NOW.date()).link
    ask(mallory, starter, group_id, name="Mallory", link=link)
    admit_everyone(starter, group_id, [astrid, mallory])
    hosting.send_homework(circles(starter), group_id, text=FIRST, now=NOW)
    sync(starter)
    sync(mallory)
    assert homework(mallory, group_id) == FIRST

    mallory_id = next(m.id for m in hosting.people(circles(starter), group_id) if m.name == "Mallory")
    hosting.remove(circles(starter), group_id, mallory_id, now=NOW)
    hosting.send_homework(circles(starter), group_id, text=AFTER, now=NOW)
    sync(starter)
    sync(astrid)
    sync(mallory)
    assert homework(astrid, group_id) == AFTER
    assert homework(mallory, group_id) == FIRST
    assert taking_part.has_left(circles(mallory), group_id)

    # Mallory's app asks again with the invite it had: the same identity is known, and refused.
    circle = circles(mallory).load(group_id)
    public, invite = circle.identity.public(), circle.secrets.invite
    again = p.seal_to(mailbox=circle.link.mailbox, epoch=1, recipient_dh=invite["door"], kind="request",
                      body={"member": {"sig": public.sig, "dh": public.dh, "device": public.dh}, "name": "M",
                            "invite": invite["invite"]},
                      author=circle.identity, seq=99, signer=p.post_signer_from_seed(p.b64d(invite["post"])))
    url = f"{relay.url}/v1/mailboxes/{circle.link.mailbox}/messages"  # type: ignore[attr-defined]
    posted = httpx.post(url, json=again.to_post())
    assert posted.status_code in (403, 409)  # signed for an old epoch: the relay refuses it outright


def test_a_used_invite_admits_nobody_else(relay, four):  # noqa: F811
    starter, astrid, bo, _mallory = four
    group_id = start(starter, relay)
    link = starting.invite(circles(starter), group_id, today=NOW.date()).link  # for one person
    ask(astrid, starter, group_id, name="Astrid", link=link)
    ask(bo, starter, group_id, link=link)  # a second identity with the same invite
    sync(starter)
    first, second = sorted(hosting.requests(circles(starter), group_id), key=lambda r: r.name, reverse=True)
    hosting.admit(circles(starter), group_id, first.id, now=NOW)
    with pytest.raises(KraftError) as caught:
        hosting.admit(circles(starter), group_id, second.id, now=NOW)
    assert caught.value.msg is Msg.CHANGE_REFUSED and caught.value.params["reason"] == "invite_used"


def test_a_member_cannot_post_as_another_member(relay, four):  # noqa: F811
    starter, astrid, _bo, mallory = four
    group_id = start(starter, relay)
    ask(astrid, starter, group_id, name="Astrid")
    ask(mallory, starter, group_id, name="Mallory")
    admit_everyone(starter, group_id, [astrid, mallory])
    sync(astrid)
    sync(mallory)
    hosting.set_host(circles(starter), group_id,
                     next(m.id for m in hosting.people(circles(starter), group_id) if m.name == "Astrid"), now=NOW)
    sync(starter)
    sync(mallory)

    # Mallory holds the group key, and writes homework claiming to be Astrid (a host), signed with her own key.
    circle = circles(mallory).load(group_id)
    astrid_id = next(m.id for m in hosting.people(circles(mallory), group_id) if m.name == "Astrid")
    body = {"meeting": "", "prompt_id": "", "text": "MARKER-forged"}
    fields = {"mailbox": circle.link.mailbox, "epoch": circle.epoch, "channel": p.CONTENT, "author": astrid_id,
              "seq": 50, "type": "homework", "body": body}
    forged = p.canonical({"a": astrid_id, "s": 50, "t": "homework", "b": body,
                          "x": circle.identity.sign("v2/message", **fields)})
    envelope = encrypt_envelope(mailbox=circle.link.mailbox, sender=p.MEMBER, epoch=circle.epoch, seq=0,
                                channel=p.CONTENT, key=p.channel_key(circle.group_key(), p.CONTENT),
                                plaintext=pad(forged), signer=circle.post_signer())
    assert httpx.post(f"{relay.url}/v1/mailboxes/{circle.link.mailbox}/messages",  # type: ignore[attr-defined]
                      json=envelope.to_post()).status_code == 201  # the relay cannot tell
    report = sync(starter)
    assert "forged" in report.refused
    assert homework(starter, group_id) != "MARKER-forged"
    # and a plain member's homework, signed by herself, is refused as not a host's
    taking_part.tell_name(circles(mallory), group_id, "Mallory", now=NOW)
    sync(mallory)
    assert not sync(starter).refused


def test_a_closed_group_admits_a_newcomer_only_after_the_members_yes(relay, four):  # noqa: F811
    starter, astrid, bo, mallory = four
    group_id = start(starter, relay)
    ask(astrid, starter, group_id, name="Astrid")
    ask(bo, starter, group_id, name="Bo")
    admit_everyone(starter, group_id, [astrid, bo])
    hosting.set_policy(circles(starter), group_id, admission=p.CLOSED, now=NOW)
    sync(starter)
    ask(mallory, starter, group_id, name="Nykomling")
    sync(starter)  # the request arrives; the host's app asks the members
    newcomer = hosting.requests(circles(starter), group_id)[0]
    assert (newcomer.yes, newcomer.needed) == (0, 2)
    with pytest.raises(KraftError) as early:
        hosting.admit(circles(starter), group_id, newcomer.id, now=NOW)
    assert early.value.msg is Msg.VOTES_MISSING

    sync(astrid)
    [poll] = taking_part.polls(circles(astrid), group_id)
    assert poll.name == "Nykomling"
    taking_part.vote(circles(astrid), group_id, poll.request, yes=True, now=NOW)
    sync(astrid)
    sync(starter)
    assert hosting.requests(circles(starter), group_id)[0].yes == 1
    with pytest.raises(KraftError):
        hosting.admit(circles(starter), group_id, newcomer.id, now=NOW)  # 1 of 3 is not a majority

    taking_part.vote(circles(starter), group_id, poll.request, yes=True, now=NOW)
    sync(starter)
    sync(starter)
    hosting.admit(circles(starter), group_id, newcomer.id, now=NOW)
    sync(starter)
    sync(mallory)
    assert [m.name for m in hosting.people(circles(mallory), group_id) if m.me] == ["Nykomling"]


def test_every_message_has_one_size_at_the_relay(relay, four):  # noqa: F811
    starter, astrid, bo, _mallory = four
    group_id = start(starter, relay)
    ask(astrid, starter, group_id, name="Åsa Öberg-Ärlig med ett långt namn")
    ask(bo, starter, group_id)
    admit_everyone(starter, group_id, [astrid, bo])
    meeting = astrid.groups().get(group_id).schedule.meetings()[1]
    taking_part.cant_come(circles(astrid), group_id, meeting.id, now=NOW)
    sync(astrid)
    hosting.send_homework(circles(starter), group_id, text="När såg du en styrka sedan sist? " * 5, now=NOW)
    groups = starter.groups()
    schedule = groups.get(group_id).schedule
    for moved in schedule.meetings()[2:5]:
        schedule = schedule.move(moved.original_start, moved.start + timedelta(hours=1))
    groups.update_schedule(group_id, schedule)
    hosting.publish_schedule(circles(starter), group_id, now=NOW)
    bo_id = next(m.id for m in hosting.people(circles(starter), group_id) if m.name == "" and not m.me)
    hosting.remove(circles(starter), group_id, bo_id, now=NOW)
    sync(starter)
    mailbox = LinkStore(starter.service.engine, starter.vault).get(group_id).mailbox  # type: ignore[union-attr]
    answer = httpx.get(f"{relay.url}/v1/mailboxes/{mailbox}/messages", params={"after": 0})  # type: ignore[attr-defined]
    sizes = [len(p.b64d(m["ciphertext"])) for m in answer.json()["messages"]]
    small, large = min(sizes), max(sizes)
    assert set(sizes) == {small, large}, sizes  # requests, logs, names, "can't come", homework, schedule: one size
    assert sizes.count(large) == 3, sizes  # two welcomes and one epoch change


def test_a_locked_journal_waiting_to_be_let_in_shows_no_code_and_does_not_fail(relay, four):  # noqa: F811
    starter, astrid, _bo, _mallory = four
    group_id = start(starter, relay)
    code = ask(astrid, starter, group_id, name="Astrid")
    astrid.service.lock()  # the group screen works locked: the code is sealed, so it is not shown
    assert astrid.joining().waiting_to_be_let_in(group_id)
    assert astrid.joining().check_code(group_id) == ""
    astrid.service.unlock(PASSPHRASE)
    assert astrid.joining().check_code(group_id) == code


def test_homework_sent_after_a_restore_reaches_the_member(relay, four, tmp_path):  # noqa: F811
    """The leader backs up, sends homework A, restores the backup (its sequence is now stale), sends B:
    B must reach the member, not be dropped as 'already there' or refused for an old sequence.

    The restore marks the link "restored, read first": the sync reads the mailbox before it sends and seals B
    again above the leader's highest sequence number there (docs/adr/0006-group-protocol-v2.md, "Restore")."""
    from app.services.backup import create_backup, restore_backup
    from app.services.vault_service import VaultService
    from tests.conftest import FAST_KDF

    starter, astrid = four[0], four[1]
    group_id = start(starter, relay)
    ask(astrid, starter, group_id)
    admit_everyone(starter, group_id, [astrid])
    dest = tmp_path / "starter.kraftbackup"
    create_backup(starter.service, dest)
    hosting.send_homework(circles(starter), group_id, text=FIRST, now=NOW)
    sync(starter)
    sync(astrid)
    assert homework(astrid, group_id) == FIRST
    starter.service.close()
    restore_backup(starter.home, dest, PASSPHRASE, replace=True, now=NOW)
    starter.service = VaultService(starter.home, kdf=FAST_KDF)
    starter.service.unlock(PASSPHRASE)
    hosting.send_homework(circles(starter), group_id, text=AFTER, now=NOW + timedelta(minutes=1))
    assert starter.sync(NOW + timedelta(minutes=1)).sent == 1  # the relay takes B (v2 seqs are sealed)
    sync(astrid)
    assert homework(astrid, group_id) == AFTER


def test_switching_who_hosts_rotates_the_keys_under_the_old_steward_key(relay, four):  # noqa: F811
    """Both ways: the new epoch's relay keys are signed with the hosts' secret in force before the switch (the
    relay knows only that one), so the policy entry and what follows are accepted, and the others follow."""
    starter, astrid, _bo, _mallory = four
    group_id = start(starter, relay)
    ask(astrid, starter, group_id, name="Astrid")
    admit_everyone(starter, group_id, [astrid])
    for hosting_policy, astrid_hosts in ((p.EVERY_MEMBER, True), (p.HOSTS_ONLY, False)):
        hosting.set_policy(circles(starter), group_id, hosting=hosting_policy, now=NOW)
        report = sync(starter)
        assert not report.refused, report
        hosting.set_policy(circles(starter), group_id, admission=p.CLOSED if astrid_hosts else p.OPEN, now=NOW)
        sync(starter)
        sync(astrid)
        seen = circles(astrid).load(group_id)
        assert seen.state.policy.hosting == hosting_policy and seen.is_host() is astrid_hosts
        assert seen.state.policy.admission == (p.CLOSED if astrid_hosts else p.OPEN)
    hosting.send_homework(circles(starter), group_id, text=AFTER, now=NOW)
    sync(starter)
    sync(astrid)
    assert homework(astrid, group_id) == AFTER


@pytest.mark.parametrize("msg", [Msg.DATABASE_BUSY, Msg.STORAGE_FAILED])
def test_homework_that_could_not_be_saved_for_a_moment_is_kept_not_dropped(relay, four, monkeypatch,  # noqa: F811
                                                                           msg):
    """As in test_relay_flow for version 1: storage trouble on this device keeps the message for the next sync."""
    from app.services.groups import GroupService

    starter, astrid, _bo, _mallory = four
    group_id = start(starter, relay)
    ask(astrid, starter, group_id, name="Astrid")
    admit_everyone(starter, group_id, [astrid])
    hosting.send_homework(circles(starter), group_id, text=AFTER, now=NOW)
    sync(starter)
    real = GroupService.set_homework
    calls: list[str] = []

    def flaky(self: GroupService, group: str, *args: object, **kwargs: object) -> None:
        calls.append(group)
        if len(calls) <= 2:  # on receiving, and again on applying what was kept at the end of that sync
            raise KraftError(msg, detail="disk I/O error")
        real(self, group, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(GroupService, "set_homework", flaky)
    report = sync(astrid)
    assert len(calls) == 2 and not report.refused and report.kept and not report.applied, report
    assert homework(astrid, group_id) == ""
    report = sync(astrid)
    assert not report.refused, report
    assert homework(astrid, group_id) == AFTER
    assert not LinkStore(astrid.service.engine, astrid.vault).get(group_id).pending
