"""The end of a course (issue 18 point 6, docs/adr/0014-meeting-and-themes.md), end to end against a real relay
process: after the last meeting every member answers "Go on as a group?" once (a later answer replaces the
earlier, a forged one is refused), counts only; the reflection is a journal entry; "Would you lead a group one
day?" stays sealed in the journal and is never sent."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

import protocol as p
from app.domain.prompts import COURSE_PROMPT
from app.errors import KraftError, Msg
from app.services.course import CourseService
from app.services.group_layer import choosing, hosting
from protocol.envelopes import encrypt_envelope
from protocol.padding import pad
from tests.services.test_choosing import _group
from tests.services.test_group_layer import circles, four  # noqa: F401
from tests.services.test_relay_flow import NOW, Profile, relay  # noqa: F401


def course(person: Profile) -> CourseService:
    return CourseService(circles(person), lambda: person.service.require_journal(), now=lambda: NOW)


def later(person: Profile, when):  # type: ignore[no-untyped-def]
    """A sync on the day after the course (what was sent then is due only then)."""
    report = person.sync(when)
    assert not report.problems and not report.refused, (person.home.name, report)
    return report


def _over(server, people):  # type: ignore[no-untyped-def]
    """The group of test_choosing (the starter, Astrid, Mallory), and a moment after its last meeting began."""
    group_id, _meeting = _group(server, people)
    last = people[0].groups().get(group_id).schedule.meetings()[-1]
    return group_id, last.start + timedelta(minutes=30)


def test_before_the_last_meeting_there_is_no_course_end_and_no_poll(relay, four):  # noqa: F811
    _starter, astrid, _bo, _mallory = four
    group_id, after = _over(relay, four)
    assert course(astrid).end(group_id, now=NOW) is None
    with pytest.raises(KraftError) as early:
        course(astrid).go_on(group_id, "yes", now=NOW)
    assert early.value.msg is Msg.COURSE_NOT_OVER
    with pytest.raises(KraftError) as wrong:
        course(astrid).go_on(group_id, "ja", now=after)
    assert wrong.value.msg is Msg.CHOICE_INVALID
    with pytest.raises(KraftError) as proposed:
        choosing.propose(circles(astrid), group_id, choosing.COURSE_END, text="kanske", now=after)
    assert proposed.value.msg is Msg.CHOICE_INVALID


def test_go_on_as_a_group_counts_each_member_once(relay, four):  # noqa: F811
    starter, astrid, _bo, mallory = four
    group_id, after = _over(relay, four)
    course(astrid).go_on(group_id, "yes", now=after)
    course(mallory).go_on(group_id, "no", now=after)
    course(mallory).go_on(group_id, "yes", now=after)  # changed her mind: still one vote
    course(starter).go_on(group_id, "no", now=after)
    for person in (astrid, mallory, starter, astrid, mallory):
        later(person, after)
    for person in (starter, astrid, mallory):
        end = course(person).end(group_id, now=after)
        assert end is not None and end.go_on == {"yes": 2, "no": 1}, person.home
    assert course(astrid).end(group_id, now=after).mine == "yes"  # type: ignore[union-attr]
    assert course(starter).end(group_id, now=after).mine == "no"  # type: ignore[union-attr]


def test_an_answer_in_another_members_name_is_refused(relay, four):  # noqa: F811
    starter, _astrid, _bo, mallory = four
    group_id, after = _over(relay, four)
    circle = circles(mallory).load(group_id)
    astrid_id = next(m.id for m in hosting.people(circles(mallory), group_id) if m.name == "Astrid")
    body = {"poll": choosing.COURSE_END, "choice": "no"}
    fields = {"mailbox": circle.link.mailbox, "epoch": circle.epoch, "channel": p.CONTENT, "author": astrid_id,
              "seq": 61, "type": "theme_vote", "body": body}
    forged = p.canonical({"a": astrid_id, "s": 61, "t": "theme_vote", "b": body,
                          "x": circle.identity.sign("v2/message", **fields)})  # Mallory's key, Astrid's name
    envelope = encrypt_envelope(mailbox=circle.link.mailbox, sender=p.MEMBER, epoch=circle.epoch, seq=0,
                                channel=p.CONTENT, key=p.channel_key(circle.group_key(), p.CONTENT),
                                plaintext=pad(forged), signer=circle.post_signer())
    assert httpx.post(f"{relay.url}/v1/mailboxes/{circle.link.mailbox}/messages",
                      json=envelope.to_post()).status_code == 201
    report = starter.sync(after)
    assert report.refused == ["forged"], report
    assert course(starter).end(group_id, now=after).go_on == {"yes": 0, "no": 0}  # type: ignore[union-attr]


def test_the_reflection_is_an_entry_and_would_lead_stays_in_the_journal(relay, four):  # noqa: F811
    _starter, astrid, _bo, _mallory = four
    group_id, after = _over(relay, four)
    journal = astrid.service.require_journal()
    journal.add("MARKER-before Innan kursen", prompt_id=COURSE_PROMPT.id, created=NOW)  # not this course's
    journal.add("MARKER-course Jag tar med mig att jag vågar prata", prompt_id=COURSE_PROMPT.id, created=after)
    end = course(astrid).end(group_id, now=after)
    assert end is not None and end.reflections == 1
    assert course(astrid).lead() == ""
    course(astrid).would_lead("maybe")
    assert course(astrid).lead() == "maybe"
    with pytest.raises(KraftError) as bad:
        course(astrid).would_lead("kanske")
    assert bad.value.msg is Msg.CHOICE_INVALID
    report = later(astrid, after)
    assert report.sent == 0, report  # neither the reflection nor the answer goes anywhere
    raw = b"".join(path.read_bytes() for path in astrid.home.rglob("*") if path.is_file())
    assert b"MARKER-course" not in raw and b"maybe" not in raw
    course(astrid).would_lead("")
    assert course(astrid).lead() == ""
