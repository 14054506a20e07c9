"""Homework in front (issue 15, point 5): each group's current homework, with its meeting, in the member's
language while the journal is open, and only "the group sent homework" without a journal or locked. The
relay cases run against a real relay process (tests/relay_process.py): the leader's v1 "prompt" message is
what a member's app receives."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from app.domain.schedule import Schedule
from app.errors import KraftError, Msg
from app.services import homework
from app.services.context import AppContext
from app.services.homework import JournalAccess
from app.services.journal import NewEntry
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import shared_relay

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)  # a Tuesday; the group meets on Thursdays at 18:00


def _schedule(first: date = date(2026, 11, 26)) -> Schedule:
    return Schedule.weekly(zone="Europe/Stockholm", first=first, at=time(18), count=8)


def _context(home: Path, *, journal: bool, language: str = "en", now: datetime = NOW) -> AppContext:
    home.mkdir(exist_ok=True)
    ctx = AppContext.open(home, kdf=FAST_KDF, language=language, clock=lambda: now)
    if journal:
        pending = ctx.vault_service.prepare_setup(PASSPHRASE, PASSPHRASE)
        ctx.vault_service.finish_setup(pending, pending.recovery_code)
    return ctx


@pytest.fixture
def member(tmp_path: Path) -> Iterator[AppContext]:
    ctx = _context(tmp_path / "member", journal=True, language="sv")
    yield ctx
    ctx.close()


def test_a_library_prompt_is_shown_in_the_members_language_with_the_meeting_it_is_for(member: AppContext) -> None:
    group = member.groups.add("Torsdag", _schedule())
    homework.note_homework(member, group, "strengths", now=NOW)

    [item] = homework.current_homework(member)

    assert (item.group_id, item.group_name, item.journal) == (group.id, "Torsdag", JournalAccess.OPEN)
    assert item.text == "Har det sedan sist funnits situationer där du fick syn på några styrkor?"
    assert item.prompt_id == "strengths" and not item.answered
    assert item.meeting is not None and item.meeting.start == datetime(2026, 12, 3, 18,
                                                                       tzinfo=group.schedule.tz)


def test_answering_opens_the_prompt_tagged_as_the_homework_and_counts_as_answered(member: AppContext) -> None:
    group = member.groups.add("Torsdag", _schedule())
    homework.note_homework(member, group, homework.OWN, "  Vad  gav dig kraft i veckan? ", now=NOW)

    answer = homework.open_answer(member, group.id)
    assert (answer.prompt_id, answer.prompt_text) == (None, "Vad gav dig kraft i veckan?")
    member.journal.add_many([NewEntry("Promenaden.", prompt_text=answer.prompt_text, created=NOW + timedelta(hours=1))])

    [item] = homework.current_homework(member)
    assert item.text == "Vad gav dig kraft i veckan?" and item.prompt_id is None and item.answered


def test_homework_whose_meeting_is_over_is_not_current(member: AppContext) -> None:
    group = member.groups.add("Torsdag", _schedule())
    homework.note_homework(member, group, "hopes", now=NOW)

    after = datetime(2026, 12, 3, 20, 1, tzinfo=UTC)  # the 18:00 Stockholm meeting (17:00 UTC) ended at 19:00
    assert homework.current_homework(member, now=after) == []
    assert len(homework.current_homework(member, now=datetime(2026, 12, 3, 17, 30, tzinfo=UTC))) == 1


def test_no_homework_and_no_journal_are_clear_errors_when_answering(member: AppContext, tmp_path: Path) -> None:
    group = member.groups.add("Torsdag", _schedule())
    with pytest.raises(KraftError) as none:
        homework.open_answer(member, group.id)
    assert none.value.msg is Msg.NO_CURRENT_HOMEWORK
    anonymous = _context(tmp_path / "anonymous", journal=False)
    try:
        other = anonymous.groups.add("Tisdag", _schedule())
        assert homework.current_homework(anonymous) == []
        with pytest.raises(KraftError) as no_journal:
            homework.open_answer(anonymous, other.id)
        assert no_journal.value.msg is Msg.HOMEWORK_NEEDS_JOURNAL
    finally:
        anonymous.close()



def test_homework_sent_through_the_relay_shows_without_its_words_until_the_journal_opens(tmp_path: Path) -> None:
    today = datetime.combine(datetime.now(UTC).date(), time(12), tzinfo=UTC)  # the relay keeps the real day
    relay = shared_relay()
    leader = _context(tmp_path / "leader", journal=True, now=today)
    astrid = _context(tmp_path / "astrid", journal=True, now=today)
    bo = _context(tmp_path / "bo", journal=False, now=today)
    try:
        group = leader.leader.create_group("Ledd", _schedule(today.date() + timedelta(days=2)), relay=relay.url,
                                           enrolment=relay.enrolment_token(), now=today)
        leader.sync.run(now=today)
        link = leader.leader.invite(group.id, today=today.date(), uses=2).link
        for person in (astrid, bo):
            person.joining.join(person.joining.read(link, today=today.date()), now=today)
            person.sync.run(now=today)
        leader.sync.run(now=today)
        leader.leader.admit_all(group.id, now=today)  # the host lets them in (protocol v2)
        leader.sync.run(now=today)
        for person in (astrid, bo):
            person.sync.run(now=today)
        astrid.vault_service.lock()
        astrid = astrid.refreshed()
        leader.leader.send_prompt(group.id, prompt_id="coping", now=today)
        leader.sync.run(now=today)
        for person in (astrid, bo):
            person.sync.run(now=today)

        [anonymous] = homework.current_homework(bo)
        assert (anonymous.journal, anonymous.text, anonymous.readable) == (JournalAccess.NONE, None, False)
        assert anonymous.meeting is not None and anonymous.meeting.start.date() == today.date() + timedelta(days=2)
        # A locked journal in a version 2 group cannot tell kept homework from the group's other messages (the
        # group key is sealed in it too): it says nothing until unlocked. Bo, without a journal, can tell.
        assert homework.current_homework(astrid) == []
        with pytest.raises(KraftError) as still_locked:
            homework.open_answer(astrid, group.id)
        assert still_locked.value.msg is Msg.VAULT_LOCKED

        astrid.vault_service.unlock(PASSPHRASE)
        astrid = astrid.refreshed()
        astrid.sync.run(now=today)
        [opened] = homework.current_homework(astrid)
        assert opened.journal is JournalAccess.OPEN and opened.prompt_id == "coping"
        assert opened.text == "What are your preferred ways of coping? Which coping strategies do you have?"
        assert homework.current_homework(leader) == []  # the leader sent it; it is the members' to answer

        assert homework.open_kept(bo) == 0  # no journal: it stays kept
        pending = bo.vault_service.prepare_setup(PASSPHRASE, PASSPHRASE)
        bo.vault_service.finish_setup(pending, pending.recovery_code)
        bo = bo.refreshed()
        assert homework.open_kept(bo) == 1  # the new journal holds the group's keys: read it, no network
        [created] = homework.current_homework(bo)
        assert created.journal is JournalAccess.OPEN and created.prompt_id == "coping"
    finally:
        for person in (leader, astrid, bo):
            person.close()
