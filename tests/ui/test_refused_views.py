"""A message the relay refused is shown, never dropped (issue 15 point 4): the group screen says it was not
delivered, and does not count it as waiting to be sent. A real relay process; nothing is mocked."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from app.domain.schedule import Schedule
from app.services.context import AppContext
from app.services.group_layer.circle import Circles
from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import shared_relay
from tests.ui.harness import run_app
from tests.ui.test_groups_views import _main
from tests.ui.test_views import el


def member_id(ctx: AppContext) -> str:
    group_id = ctx.groups.list()[0].id
    return Circles(ctx.engine, ctx.vault).load(group_id).me


async def test_the_group_screen_says_a_refused_message_was_not_delivered(tmp_path: Path) -> None:
    today = datetime.combine(date.today(), time(12), tzinfo=UTC)
    relay = shared_relay()
    (tmp_path / "leader").mkdir()
    member_home = tmp_path / "member"
    member_home.mkdir()
    (tmp_path / "other").mkdir()
    leader = AppContext.open(tmp_path / "leader", kdf=FAST_KDF, clock=lambda: today)
    member = AppContext.open(member_home, kdf=FAST_KDF, clock=lambda: today)
    other = AppContext.open(tmp_path / "other", kdf=FAST_KDF, clock=lambda: today)
    try:
        pending = leader.vault_service.prepare_setup(PASSPHRASE, PASSPHRASE)
        leader.vault_service.finish_setup(pending, pending.recovery_code)
        schedule = Schedule.weekly(zone="Europe/Stockholm", first=date.today() + timedelta(days=3), at=time(18),
                                   count=6)
        group = leader.leader.create_group("Tisdag", schedule, relay=relay.url, enrolment=relay.enrolment_token(),
                                           now=today)
        leader.sync.run(now=today)
        for person in (member, other):
            person.joining.join(person.joining.read(leader.leader.invite(group.id, today=today.date()).link,
                                                    today=today.date()), now=today)
            person.sync.run(now=today)
        leader.sync.run(now=today)
        leader.leader.admit_all(group.id, now=today)
        leader.sync.run(now=today)
        member.sync.run(now=today)
        other.sync.run(now=today)
        other_id = next(m.id for m in leader.leader.people(group.id) if not m.me and m.id != member_id(member))
        leader.leader.remove_member(group.id, other_id, now=today)  # a new epoch
        rotated = leader.sync.run(now=today)
        assert not rotated.problems, rotated
        meeting = member.groups.get(group.id).schedule.meetings()[1]
        assert member.joining.tell_cant_come(group.id, meeting.id, now=today)  # sealed in the old epoch
        assert member.sync.run(now=today).problems  # the relay refused it (old_epoch)
        member.close()

        services: list[VaultService] = []
        async with run_app(_main(member_home, services)) as ui:
            await ui.click(await el(ui, "next-meeting-open"))
            said = (await el(ui, "sync-refused")).value
            assert said == "1 message was not delivered: the relay refused it."
            assert not ui.query(key="sync-waiting")  # refused is not "waits to be sent"
        for service in services:
            service.close()
    finally:
        leader.close()
        other.close()
