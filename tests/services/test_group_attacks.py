"""Issue 15's three attacks on the group layer, end to end against a real relay process (SQLite and
PostgreSQL): a member takes over another member's place, a second identity from the same invite survives
removal, and the relay tells message types apart by their size.

Written before the fix, against the version 1 services (ADR 0004), where each attack succeeded (they ran
as `xfail(strict=True)` until the services spoke version 2). Now every new group speaks version 2 (ADR 0006)
and a host lets each person in; the assertions are the same outcomes a member would notice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

import protocol as p
from app.errors import KraftError
from app.services.links import LinkStore
from tests.services.test_relay_flow import NOW, Profile, _schedule, people, relay  # noqa: F401

AFTER_REMOVAL = "MARKER-after-removal What did you try this week"


def _homework(person: Profile, group_id: str) -> str:
    """The homework this person's app holds for the group ("" when it holds none)."""
    details = person.groups().details(group_id)
    return details.homework_text if details is not None else ""


def _start(leader: Profile, server: object) -> str:
    group = leader.leader().create_group("Tisdag", _schedule(), relay=server.url,  # type: ignore[attr-defined]
                                         enrolment=server.enrolment_token(), now=NOW)  # type: ignore[attr-defined]
    leader.sync()
    return group.id


def _join(person: Profile, leader: Profile, group_id: str, *, name: str = "", link: str = "",
          admit: bool = True) -> None:
    """The person asks with an invite; the host compares the check code and lets them in."""
    link = link or leader.leader().invite(group_id, today=NOW.date()).link
    person.joining().join(person.joining().read(link, today=NOW.date()), name=name, now=NOW)
    person.sync()
    if admit:
        leader.sync()
        code = person.joining().check_code(group_id)
        request = next(r for r in leader.leader().requests(group_id) if r.check_code == code)
        leader.leader().admit(group_id, request.id, now=NOW)
        leader.sync()
        person.sync()


def _mailbox_messages(server: object, mailbox: str) -> list[dict[str, object]]:
    answer = httpx.get(f"{server.url}/v1/mailboxes/{mailbox}/messages", params={"after": 0})  # type: ignore[attr-defined]
    answer.raise_for_status()
    return list(answer.json()["messages"])


def _post(server: object, envelope: p.Envelope) -> None:
    answer = httpx.post(f"{server.url}/v1/mailboxes/{envelope.mailbox}/messages", json=envelope.to_post())  # type: ignore[attr-defined]
    answer.raise_for_status()


def _take_over(server: object, mallory: Profile, group_id: str, victim_name: str) -> None:
    """What a member with a modified app can try in version 2: the requests to join are sealed to the hosts,
    so Mallory cannot read the victim's; she asks again under the victim's member id (the victim's public
    signing key, from the membership state every member holds) with her own keys, and signs it herself."""
    links = LinkStore(mallory.service.engine, mallory.vault)
    link, secrets = links.get(group_id), links.secrets(group_id)
    assert link is not None
    state = p.State.from_snapshot(link.state)
    victim = next(m for mid, m in state.members.items() if secrets.names.get(mid) == victim_name)
    own = p.Identity.from_secret(secrets.identity)
    device = p.public_b64(X25519PrivateKey.from_private_bytes(p.b64d(link.schedule_secret)))
    key = p.b64d(secrets.group_keys[state.epoch])
    forged = p.seal_to(mailbox=link.mailbox, epoch=state.epoch, recipient_dh=secrets.invite["door"], kind="request",
                       body={"member": {"sig": victim.sig, "dh": own.public().dh, "device": device},
                             "name": victim_name, "invite": secrets.invite["invite"]},
                       author=own, seq=1000, signer=p.post_signer(key))
    _post(server, forged)


@pytest.fixture
def mallory(tmp_path: Path) -> Iterator[Profile]:
    person = Profile.make(tmp_path / "mallory", journal=True)
    yield person
    person.service.close()


def test_a_member_cannot_take_over_another_members_place(relay, people, mallory):  # noqa: F811
    leader, astrid, _bo = people
    group_id = _start(leader, relay)
    _join(astrid, leader, group_id, name="Astrid")
    _join(mallory, leader, group_id, name="Mallory")
    leader.sync()

    astrid.sync()
    mallory.sync()  # Mallory learns the names
    _take_over(relay, mallory, group_id, "Astrid")
    assert "forged" in leader.sync().refused
    assert leader.leader().requests(group_id) == []
    mallory_id = LinkStore(mallory.service.engine, mallory.vault).secrets(group_id).member_id
    leader.leader().remove_member(group_id, mallory_id, now=NOW)
    leader.leader().send_prompt(group_id, text=AFTER_REMOVAL, now=NOW)
    leader.sync()
    astrid.sync()
    mallory.sync()

    assert _homework(astrid, group_id) == AFTER_REMOVAL, "the real Astrid must still be in the group"
    assert _homework(mallory, group_id) != AFTER_REMOVAL, "the removed member must read nothing new"


def test_a_second_identity_from_the_same_invite_does_not_survive_removal(relay, people, tmp_path):  # noqa: F811
    leader, _astrid, _bo = people
    group_id = _start(leader, relay)
    link = leader.leader().invite(group_id, today=NOW.date()).link  # given to Mallory, for one person
    first = Profile.make(tmp_path / "m1", journal=True)
    second = Profile.make(tmp_path / "m2", journal=True)  # Mallory again: a second data folder, no name
    _join(first, leader, group_id, name="Mallory", link=link)
    _join(second, leader, group_id, link=link, admit=False)
    leader.sync()
    [unnamed] = leader.leader().requests(group_id)
    with pytest.raises(KraftError) as used:
        leader.leader().admit(group_id, unnamed.id, now=NOW)  # the invite let one person in already
    assert used.value.params["reason"] == "invite_used"

    mallory = next(m for m in leader.leader().members(group_id) if m.name == "Mallory")
    leader.leader().remove_member(group_id, mallory.id, now=NOW)  # the host removes the person they know
    leader.leader().send_prompt(group_id, text=AFTER_REMOVAL, now=NOW)
    leader.sync()
    for device in (first, second):
        device.sync()
    readers = [d.home.name for d in (first, second) if _homework(d, group_id) == AFTER_REMOVAL]
    for device in (first, second):
        device.service.close()
    assert readers == [], f"Mallory still reads the group's homework on {readers}"


def _ciphertext_sizes(server: object, mailbox: str) -> list[int]:
    return [len(p.b64d(str(m["ciphertext"]))) for m in _mailbox_messages(server, mailbox)]


def test_every_message_type_has_the_same_size_at_the_relay(relay, people):  # noqa: F811
    leader, astrid, bo = people
    group_id = _start(leader, relay)
    link = LinkStore(leader.service.engine, leader.vault).get(group_id)
    assert link is not None
    mailbox = link.mailbox
    _join(astrid, leader, group_id, name="Åsa Öberg-Ärlig")  # a join, with a name in Swedish letters
    meeting = astrid.groups().get(group_id).schedule.meetings()[1]
    astrid.joining().tell_cant_come(group_id, meeting.id, now=NOW)  # "I can't come"
    astrid.sync()
    leader.sync()
    leader.leader().send_prompt(group_id, text="När såg du en styrka sedan sist?", now=NOW)  # homework
    groups = leader.groups()
    schedule = groups.get(group_id).schedule
    for moved in schedule.meetings()[2:5]:  # a schedule change with three exceptions
        schedule = schedule.move(moved.original_start, moved.start + timedelta(hours=1))
    groups.update_schedule(group_id, schedule)
    leader.leader().publish_schedule(group_id, now=NOW)
    leader.sync()
    sizes = _ciphertext_sizes(relay, mailbox)
    # the log's first entry, the request, the admit, the welcome, Åsa's name, "can't come", homework, schedule
    assert len(sizes) == 8
    welcome = sizes.pop(3)
    assert len(set(sizes)) == 1, f"sizes tell the types apart: {sizes}"
    assert welcome > sizes[0]  # the welcome (the whole state) is large, as every epoch change

    _join(bo, leader, group_id)
    leader.sync()
    leader.leader().remove_member(group_id, next(m.id for m in leader.leader().members(group_id) if not m.name),
                                  now=NOW)  # an epoch for two remaining members
    leader.sync()
    # the second epoch change, with only the host left
    leader.leader().remove_member(group_id, leader.leader().members(group_id)[0].id, now=NOW)
    leader.sync()
    epochs = [size for size in _ciphertext_sizes(relay, mailbox)[8:] if size > sizes[0]]
    assert len(epochs) == 3 and len(set(epochs)) == 1, f"an epoch change tells how many members remain: {epochs}"
