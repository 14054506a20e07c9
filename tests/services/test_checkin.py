"""Check-ins: "I was there" and "I can't come", sealed with a vault, plaintext (to the day) without one."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.domain.schedule import Schedule
from app.errors import KraftError, Msg
from app.services.checkin import ATTENDED, CANT_COME, CheckInService
from app.services.groups import GroupService
from app.services.journal import Journal
from app.services.vault_service import VaultService
from tests.conftest import PASSPHRASE

TZ = ZoneInfo("Europe/Stockholm")
# every second Thursday 18:00 from 5 Nov 2026: 5 Nov, 19 Nov, 3 Dec, 17 Dec, ...
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def _group(service: VaultService, label: str = "Torsdag"):  # type: ignore[no-untyped-def]
    schedule = Schedule.weekly(zone="Europe/Stockholm", first=date(2026, 11, 5), at=time(18), interval=2, count=8)
    return GroupService(service.engine, service.vault).add(label, schedule)


def _ids(group) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.id for m in group.schedule.meetings()]


def _plaintext_rows(home: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(home / "kraft.db") as conn:
        return conn.execute("SELECT * FROM checkin").fetchall()


def test_anonymous_check_ins_are_kept_to_the_day_and_form_a_history(service: VaultService, home: Path) -> None:
    group = _group(service)
    first, second, third, fourth = _ids(group)[:4]
    checkins = CheckInService(service.engine, service.vault)
    checkins.check_in(group, first, ATTENDED, now=NOW)
    checkins.check_in(group, fourth, CANT_COME, now=NOW)
    assert sorted(_plaintext_rows(home)) == sorted([(group.id, first, ATTENDED, "2026-11-22", first),
                                                    (group.id, fourth, CANT_COME, "2026-11-22", fourth)])
    history = checkins.history(group, now=NOW)
    assert [(r.meeting.id, r.status) for r in history.rows] == [(second, None), (first, ATTENDED), (fourth, CANT_COME)]
    assert (history.attended, history.held) == (1, 2)
    # said "can't come", went after all: once it has begun, "I was there" replaces it
    checkins.check_in(group, third, CANT_COME, now=NOW)
    later = datetime(2026, 12, 3, 18, 30, tzinfo=TZ)
    checkins.check_in(group, third, ATTENDED, now=later)
    assert checkins.status(group, third) == ATTENDED
    assert checkins.clear(group, third) and checkins.status(group, third) is None
    assert not checkins.clear(group, third)


@pytest.mark.parametrize(("which", "status", "msg"), [
    (3, ATTENDED, Msg.CHECKIN_NOT_YET), (0, CANT_COME, Msg.CHECKIN_TOO_LATE), (0, "maybe", Msg.CHECKIN_STATUS_UNKNOWN),
])
def test_what_cannot_be_said_about_a_meeting(service: VaultService, which: int, status: str, msg: Msg) -> None:
    group = _group(service)
    with pytest.raises(KraftError) as refused:
        CheckInService(service.engine).check_in(group, _ids(group)[which], status, now=NOW)
    assert refused.value.msg is msg


def test_unknown_and_cancelled_meetings_are_refused(service: VaultService) -> None:
    group = _group(service)
    first = group.schedule.meetings()[0]
    groups = GroupService(service.engine)
    group = groups.update_schedule(group.id, group.schedule.cancel(first.original_start))
    checkins = CheckInService(service.engine)
    for meeting_id, msg in ((first.id, Msg.CHECKIN_CANCELLED), ("20261106T170000Z", Msg.MEETING_NOT_FOUND)):
        with pytest.raises(KraftError) as refused:
            checkins.check_in(group, meeting_id, ATTENDED, now=NOW)
        assert refused.value.msg is msg
    assert _plaintext_rows(service.home) == []


@pytest.mark.parametrize("sealed", [False, True], ids=["anonymous", "sealed"])
def test_a_moved_meeting_asks_again_instead_of_carrying_cant_come_over(service: VaultService, sealed: bool) -> None:
    if sealed:
        service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    vault = service.vault if sealed else None
    group = _group(service)
    third, fourth = group.schedule.meetings()[2:4]
    checkins = CheckInService(service.engine, vault)
    checkins.check_in(group, third.id, CANT_COME, now=NOW)
    checkins.check_in(group, fourth.id, CANT_COME, now=NOW)
    groups = GroupService(service.engine, vault)
    moved = groups.update_schedule(group.id, group.schedule.move(third.original_start,
                                                                 datetime(2026, 12, 4, 19, tzinfo=TZ)))
    moved_third = moved.meeting(third.id)

    assert checkins.status(moved, third.id) is None  # not carried over to Friday 19:00
    assert checkins.asked_again(moved, moved_third) and not checkins.asked_again(moved, moved.meeting(fourth.id))
    assert checkins.status(moved, fourth.id) == CANT_COME  # the meeting that did not move keeps its answer
    coming = [r.meeting.id for r in checkins.history(moved, now=NOW).rows if r.status == CANT_COME]
    assert coming == [fourth.id]
    assert checkins.said(moved, third.id) == CANT_COME  # still there to take back (and tell the leader)

    checkins.check_in(moved, third.id, CANT_COME, now=NOW)  # answered for the new time
    assert checkins.status(moved, third.id) == CANT_COME and not checkins.asked_again(moved, moved_third)
    restored = groups.update_schedule(group.id, moved.schedule.restore(third.original_start))
    assert checkins.asked_again(restored, restored.meeting(third.id))  # back at Thursday: ask once more


def test_i_was_there_stays_when_a_meeting_that_began_is_moved_after(service: VaultService) -> None:
    group = _group(service)
    first = group.schedule.meetings()[0]
    checkins = CheckInService(service.engine)
    checkins.check_in(group, first.id, ATTENDED, now=NOW)
    moved = GroupService(service.engine).update_schedule(
        group.id, group.schedule.move(first.original_start, first.start + timedelta(hours=1)))
    assert checkins.status(moved, first.id) == ATTENDED and not checkins.asked_again(moved, moved.meeting(first.id))


def test_with_a_vault_check_ins_are_sealed_and_need_it_unlocked(service: VaultService, journal: Journal,
                                                                 home: Path) -> None:
    group = _group(service, label="Onsdag")
    first = _ids(group)[0]
    checkins = CheckInService(service.engine, service.vault)
    checkins.check_in(group, first, ATTENDED, now=NOW)
    assert _plaintext_rows(home) == []
    with sqlite3.connect(home / "kraft.db") as conn:
        kinds = conn.execute("SELECT id, kind FROM record WHERE kind = 'checkins'").fetchall()
    assert kinds == [(f"{group.id}.checkins", "checkins")]
    service.lock()
    with pytest.raises(KraftError) as locked:
        checkins.check_in(group, _ids(group)[1], ATTENDED, now=NOW)
    assert locked.value.msg is Msg.CHECKIN_NEEDS_UNLOCK
    with pytest.raises(KraftError):
        checkins.history(group, now=NOW)
    service.unlock(PASSPHRASE)
    assert checkins.status(group, first) == ATTENDED


def test_removing_a_group_while_locked_forgets_its_check_ins(service: VaultService, journal: Journal,
                                                             home: Path) -> None:
    group = _group(service)
    CheckInService(service.engine, service.vault).check_in(group, _ids(group)[0], ATTENDED, now=NOW)
    service.lock()
    GroupService(service.engine, service.vault).remove(group.id)
    with sqlite3.connect(home / "kraft.db") as conn:
        assert conn.execute("SELECT count(*) FROM record WHERE kind = 'checkins'").fetchone() == (0,)


def test_an_anonymous_members_check_ins_move_into_the_journal_they_create(service: VaultService,
                                                                         home: Path) -> None:
    group = _group(service)
    first, second = _ids(group)[:2]
    checkins = CheckInService(service.engine, service.vault)
    checkins.check_in(group, first, ATTENDED, now=NOW)
    checkins.check_in(group, second, ATTENDED, now=NOW)
    assert len(_plaintext_rows(home)) == 2
    service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    assert _plaintext_rows(home) == []
    assert checkins.history(group, now=NOW).attended == 2
    service.close()
    raw = b"".join(p.read_bytes() for p in home.iterdir() if p.is_file())
    assert first.encode() not in raw and b"attended" not in raw


def test_the_history_counts_only_meetings_that_happen(service: VaultService) -> None:
    group = _group(service)
    meetings = group.schedule.meetings()
    group = GroupService(service.engine).update_schedule(group.id, group.schedule.cancel(meetings[1].original_start))
    history = CheckInService(service.engine).history(group, now=NOW + timedelta(days=30))
    assert [r.meeting.id for r in history.rows] == [meetings[3].id, meetings[2].id, meetings[0].id]
    assert history.held == 3
