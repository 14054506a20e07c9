"""The group chooses its themes (issue 18, docs/adr/0014-meeting-and-themes.md), end to end against a real
relay process: proposals and votes reach every member, a vote counts once per member, a forged vote or a
member's "theme_set" is refused, and the set theme never reaches a notification's words."""

from __future__ import annotations

import httpx
import pytest

import protocol as p
from app.errors import KraftError, Msg
from app.services.group_layer import choosing, hosting
from protocol.envelopes import encrypt_envelope
from protocol.padding import pad
from tests.services.test_group_layer import admit_everyone, ask, circles, four, start, sync  # noqa: F401
from tests.services.test_relay_flow import NOW, relay  # noqa: F401


def _group(server, people):  # type: ignore[no-untyped-def]
    starter, astrid, _bo, mallory = people
    group_id = start(starter, server)
    for person, name in ((astrid, "Astrid"), (mallory, "Mallory")):
        ask(person, starter, group_id, name=name)
    admit_everyone(starter, group_id, [astrid, mallory])
    for person in (starter, astrid, mallory):
        sync(person)
    meeting = starter.groups().get(group_id).schedule.meetings()[1].id
    return group_id, meeting


def _counts(person, group_id, meeting):  # type: ignore[no-untyped-def]
    return {(c.theme or c.text): c.votes for c in choosing.results(circles(person), group_id, meeting)}


def test_members_propose_and_vote_and_each_member_counts_once(relay, four):  # noqa: F811
    starter, astrid, _bo, mallory = four
    group_id, meeting = _group(relay, four)
    pain = choosing.propose(circles(astrid), group_id, meeting, theme="living_with_pain", now=NOW)
    own = choosing.propose(circles(mallory), group_id, meeting, text="Att våga säga nej", now=NOW)
    sync(astrid), sync(mallory)
    for person in (starter, astrid, mallory):
        sync(person)
    choosing.vote(circles(astrid), group_id, meeting, pain, now=NOW)
    choosing.vote(circles(mallory), group_id, meeting, own, now=NOW)
    choosing.vote(circles(mallory), group_id, meeting, pain, now=NOW)  # changed her mind: one vote still
    sync(astrid), sync(mallory)
    report = sync(starter)
    assert not report.refused, report
    assert _counts(starter, group_id, meeting) == {"living_with_pain": 2, "Att våga säga nej": 0}
    sync(astrid)
    assert _counts(astrid, group_id, meeting) == {"living_with_pain": 2, "Att våga säga nej": 0}
    mine = {c.theme or c.text: c.mine for c in choosing.results(circles(astrid), group_id, meeting)}
    assert mine == {"living_with_pain": True, "Att våga säga nej": False}


def test_a_member_takes_back_her_vote_and_every_count_follows(relay, four):  # noqa: F811
    starter, astrid, _bo, mallory = four
    group_id, meeting = _group(relay, four)
    pain = choosing.propose(circles(astrid), group_id, meeting, theme="living_with_pain", now=NOW)
    sync(astrid), sync(mallory)
    choosing.vote(circles(astrid), group_id, meeting, pain, now=NOW)
    choosing.vote(circles(mallory), group_id, meeting, pain, now=NOW)
    sync(astrid), sync(mallory)
    choosing.withdraw(circles(mallory), group_id, meeting, now=NOW)
    assert [(c.votes, c.mine) for c in choosing.results(circles(mallory), group_id, meeting)] == [(1, False)]
    sync(mallory)
    report = sync(starter)
    assert not report.refused, report
    assert _counts(starter, group_id, meeting) == {"living_with_pain": 1}  # Astrid's still counts
    sync(astrid)
    assert [(c.votes, c.mine) for c in choosing.results(circles(astrid), group_id, meeting)] == [(1, True)]
    choosing.withdraw(circles(mallory), group_id, meeting, now=NOW)  # twice: nothing more to take back
    sync(mallory)
    assert not sync(starter).refused and _counts(starter, group_id, meeting) == {"living_with_pain": 1}


def test_a_vote_in_another_members_name_is_refused(relay, four):  # noqa: F811
    starter, astrid, _bo, mallory = four
    group_id, meeting = _group(relay, four)
    pain = choosing.propose(circles(astrid), group_id, meeting, theme="living_with_pain", now=NOW)
    sync(astrid)
    sync(mallory)
    circle = circles(mallory).load(group_id)
    astrid_id = next(m.id for m in hosting.people(circles(mallory), group_id) if m.name == "Astrid")
    starter_id = next(m.id for m in hosting.people(circles(mallory), group_id) if m.name not in ("Astrid", "Mallory"))
    for voter in (astrid_id, starter_id):  # Mallory's own key signs it: the identity check must refuse it
        body = {"poll": meeting, "choice": pain}
        fields = {"mailbox": circle.link.mailbox, "epoch": circle.epoch, "channel": p.CONTENT, "author": voter,
                  "seq": 60, "type": "theme_vote", "body": body}
        forged = p.canonical({"a": voter, "s": 60, "t": "theme_vote", "b": body,
                              "x": circle.identity.sign("v2/message", **fields)})
        envelope = encrypt_envelope(mailbox=circle.link.mailbox, sender=p.MEMBER, epoch=circle.epoch, seq=0,
                                    channel=p.CONTENT, key=p.channel_key(circle.group_key(), p.CONTENT),
                                    plaintext=pad(forged), signer=circle.post_signer())
        assert httpx.post(f"{relay.url}/v1/mailboxes/{circle.link.mailbox}/messages",
                          json=envelope.to_post()).status_code == 201  # the relay cannot tell
    report = sync(starter)
    assert report.refused.count("forged") == 2, report
    assert _counts(starter, group_id, meeting) == {"living_with_pain": 0}


def test_only_a_host_sets_the_theme_and_a_member_offers_to_introduce_it(relay, four):  # noqa: F811
    starter, astrid, _bo, mallory = four
    group_id, meeting = _group(relay, four)
    with pytest.raises(KraftError) as err:
        choosing.set_theme(circles(mallory), group_id, meeting, theme="hopes", now=NOW)
    assert err.value.msg is Msg.NOT_HOST
    # a modified app sends it anyway: every other app refuses it
    circle = circles(mallory).load(group_id)
    envelope = circles(mallory).seal(circle, p.CONTENT, "theme_set", {"meeting": meeting, "theme": "hopes", "by": ""})
    circles(mallory).write(circle, [envelope], now=NOW)
    sync(mallory)
    report = sync(astrid)
    assert report.refused == ["not_host"], report
    assert choosing.meeting_theme(circles(astrid).load(group_id).secrets, meeting) is None

    choosing.introduce(circles(astrid), group_id, meeting, now=NOW)
    sync(astrid)
    sync(starter)
    astrid_id = next(m.id for m in hosting.people(circles(starter), group_id) if m.name == "Astrid")
    choosing.set_theme(circles(starter), group_id, meeting, theme="living_with_pain", by=astrid_id, now=NOW)
    sync(starter)
    sync(mallory)
    got = choosing.meeting_theme(circles(mallory).load(group_id).secrets, meeting)
    assert got is not None and (got.theme, got.by, got.offers) == ("living_with_pain", astrid_id, (astrid_id,))


@pytest.mark.parametrize(("theme", "text", "msg"), [("", "", Msg.THEME_CHOICE_MISSING),
                                                    ("hopes", "och mer", Msg.THEME_CHOICE_MISSING),
                                                    ("no_such", "", Msg.THEME_UNKNOWN),
                                                    ("", "x" * 81, Msg.THEME_TEXT_INVALID)])
def test_a_proposal_that_cannot_be_is_refused_in_words(theme: str, text: str, msg: Msg) -> None:
    with pytest.raises(KraftError) as err:
        choosing.choice_of(theme, text)
    assert err.value.msg is msg
