"""A moved meeting (issue 15): the leader's change reaches the group and says so; a member's "I can't come" is
asked again, on the member's app and in the leader's list, never carried over. Against a real relay process."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from app.domain.schedule import Schedule
from app.services import attend
from app.services.checkin import CANT_COME
from app.services.context import AppContext
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import shared_relay

TODAY = datetime.combine(datetime.now(UTC).date(), time(12), tzinfo=UTC)  # the relay keeps the real day


def _context(home: Path, *, journal: bool) -> AppContext:
    home.mkdir()
    ctx = AppContext.open(home, kdf=FAST_KDF, clock=lambda: TODAY)
    if journal:
        pending = ctx.vault_service.prepare_setup(PASSPHRASE, PASSPHRASE)
        ctx.vault_service.finish_setup(pending, pending.recovery_code)
    return ctx


def _schedule() -> Schedule:
    return Schedule.weekly(zone="Europe/Stockholm", first=TODAY.date() + timedelta(days=2), at=time(18), count=6)


def test_only_the_groups_leader_with_the_journal_open_shares_a_schedule_change(tmp_path: Path) -> None:
    leader = _context(tmp_path / "leader", journal=True)
    member = _context(tmp_path / "member", journal=False)
    try:
        led = leader.leader.create_group("Ledd", _schedule(), now=TODAY)
        own = leader.groups.add("Egen", _schedule())
        by_hand = member.groups.add("Torsdag", _schedule())
        assert leader.leader.shares_schedule(led.id)
        assert not leader.leader.shares_schedule(own.id)
        assert not member.leader.shares_schedule(by_hand.id)
        assert not member.leader.schedule_changed(by_hand.id, now=TODAY)  # a member's own copy: nothing sent
        leader.vault_service.lock()
        locked = leader.refreshed()
        assert not locked.leader.shares_schedule(led.id)  # the keys are in the closed journal: it stays here
    finally:
        leader.close()
        member.close()


def test_a_moved_meeting_asks_the_member_again_and_clears_the_leaders_list(tmp_path: Path) -> None:
    relay = shared_relay()
    leader = _context(tmp_path / "leader", journal=True)
    bo = _context(tmp_path / "bo", journal=False)
    try:
        group = leader.leader.create_group("Ledd", _schedule(), relay=relay.url, enrolment=relay.enrolment_token(),
                                           now=TODAY)
        leader.sync.run(now=TODAY)
        bo.joining.join(bo.joining.read(leader.leader.invite(group.id, today=TODAY.date()).link,
                                        today=TODAY.date()), now=TODAY)
        bo.sync.run(now=TODAY)
        leader.sync.run(now=TODAY)
        leader.leader.admit_all(group.id, now=TODAY)  # the host lets Bo in (protocol v2)
        leader.sync.run(now=TODAY)
        bo.sync.run(now=TODAY)
        second = bo.groups.get(group.id).schedule.meetings()[1]
        said = attend.check_in(bo, bo.groups.get(group.id), second.id, CANT_COME, now=TODAY)
        assert said.told
        bo.sync.run(now=TODAY)
        leader.sync.run(now=TODAY)
        assert leader.leader.cant_come(group.id) == {second.id: [""]}

        mine = leader.groups.get(group.id)
        leader.groups.update_schedule(group.id, mine.schedule.move(second.original_start,
                                                                   second.start + timedelta(days=1)))
        assert leader.leader.schedule_changed(group.id, moved=second.id, now=TODAY)
        assert leader.leader.cant_come(group.id) == {}
        assert leader.sync.run(now=TODAY).waiting == 0  # sent: nothing waits any more

        bo.sync.run(now=TODAY)
        moved = bo.groups.get(group.id)
        assert moved.meeting(second.id).moved
        assert bo.checkins.status(moved, second.id) is None
        assert bo.checkins.asked_again(moved, moved.meeting(second.id))
        attend.check_in(bo, moved, second.id, CANT_COME, now=TODAY)  # "still can't" at the new time
        bo.sync.run(now=TODAY)
        leader.sync.run(now=TODAY)
        assert leader.leader.cant_come(group.id) == {second.id: [""]}
    finally:
        leader.close()
        bo.close()
