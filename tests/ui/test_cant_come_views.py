"""The leader sees who can't come under Members (issue 17, docs/adr/0012-wide-layout.md): the coming meetings'
"can't come" first under the heading, the next meeting first; past meetings are not listed. Against a real
relay process: the member's "I can't come" reaches the leader the way it does in use."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import flet as ft

from app.config import Profile, Relay
from app.domain.schedule import Schedule
from app.services import attend
from app.services.checkin import CANT_COME
from app.services.context import AppContext
from app.services.vault_service import VaultService
from app.views.app import build_main
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import shared_relay
from tests.ui.harness import UI, run_app
from tests.ui.test_views import el

NOW = datetime.combine(datetime.now(UTC).date(), time(12), tzinfo=UTC)  # the relay keeps the real day


def _context(home: Path, *, journal: bool) -> AppContext:
    home.mkdir()
    ctx = AppContext.open(home, kdf=FAST_KDF, clock=lambda: NOW)
    if journal:
        pending = ctx.vault_service.prepare_setup(PASSPHRASE, PASSPHRASE)
        ctx.vault_service.finish_setup(pending, pending.recovery_code)
    return ctx


def _led_group_where_bo_cant_come(tmp_path: Path, relay_url: str, token: str) -> tuple[str, str]:
    """A group led from tmp_path/leader; Bo joined, was let in and can't come to the next meeting."""
    leader = _context(tmp_path / "leader", journal=True)
    bo = _context(tmp_path / "bo", journal=False)
    try:
        schedule = Schedule.weekly(zone="Europe/Stockholm", first=NOW.date() + timedelta(days=2), at=time(18),
                                   count=6)
        group = leader.leader.create_group("Tisdag", schedule, relay=relay_url, enrolment=token, now=NOW)
        leader.sync.run(now=NOW)
        bo.joining.join(bo.joining.read(leader.leader.invite(group.id, today=NOW.date()).link, today=NOW.date()),
                        name="Bo", now=NOW)
        bo.sync.run(now=NOW)
        leader.sync.run(now=NOW)
        leader.leader.admit_all(group.id, now=NOW)
        leader.sync.run(now=NOW)
        bo.sync.run(now=NOW)
        first = bo.groups.get(group.id).schedule.meetings()[0]
        assert attend.check_in(bo, bo.groups.get(group.id), first.id, CANT_COME, now=NOW).told
        bo.sync.run(now=NOW)
        leader.sync.run(now=NOW)
        assert leader.leader.cant_come(group.id) == {first.id: ["Bo"]}
        return group.id, first.id
    finally:
        leader.close()
        bo.close()


def _order(ui: UI) -> list[str]:
    """The keys and texts of the group screen, top to bottom, as far as this test needs them."""
    out = []
    for control in ui.find_all((ft.Text, ft.ListTile)):
        out.append(str(control.key or "") if control.key else str(getattr(control, "value", "") or ""))
    return out


async def test_the_leader_sees_who_cant_come_right_under_members(tmp_path: Path) -> None:
    relay = shared_relay()
    group_id, meeting_id = _led_group_where_bo_cant_come(tmp_path, relay.url, relay.enrolment_token())
    services: list[VaultService] = []

    def factory() -> VaultService:
        services.append(VaultService(tmp_path / "leader", kdf=FAST_KDF))
        return services[-1]

    main = build_main(factory, profile=Profile(default_language="en", relay=Relay(url=relay.url)),
                      tick_seconds=3600, listen=False)
    try:
        async with run_app(main) as ui:
            await ui.type(await el(ui, "unlock-passphrase"), PASSPHRASE)
            await ui.click(await el(ui, "unlock"))
            await el(ui, "new-entry")
            await ui.fire(ui.find(ft.NavigationBar), "change", 3, props={"selected_index": 3})
            await ui.click(await el(ui, f"group-{group_id}"))
            line = await el(ui, f"absent-{meeting_id}")
            assert "Bo" in line.value and "Can't come" in line.value
            order = _order(ui)
            members = order.index("Members")
            assert order[members + 1] == f"absent-{meeting_id}", order[members:members + 4]  # under the heading
    finally:
        for service in services:
            service.close()
