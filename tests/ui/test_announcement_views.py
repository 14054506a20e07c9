"""Issue 19 point 3 in the UI, against a real relay process: the coordinator announces the follow-up due with a
group from the coordinator's view, to that group alone; its member, who turned the region's announcements on,
sees it on the home screen (a lecture for everyone beside it), and a member of no such group does not."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from app.services.links import LinkStore
from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF
from tests.services.test_catalogue import _announcement
from tests.ui.harness import run_app
from tests.ui.test_attendance_views import _group_with_a_member
from tests.ui.test_interest_views import Region, _close, _coordinator_opens, _main, region  # noqa: F401
from tests.ui.test_views import el, said_at


def _mailbox(home: Path) -> str:
    service = VaultService(home, kdf=FAST_KDF)
    try:
        return LinkStore(service.engine).all()[0].mailbox
    finally:
        service.close()


async def test_a_follow_up_announced_to_one_group_shows_on_its_members_home(region: Region, tmp_path: Path,  # noqa: F811
                                                                           ) -> None:
    (tmp_path / "group").mkdir()
    member_home, _group_id = _group_with_a_member(tmp_path / "group", region.relay)
    mailbox = _mailbox(member_home)
    lecture = region.publisher().announce(_announcement(date.today(), day=(date.today() + timedelta(days=30))
                                                        .isoformat()), today=date.today())

    services: list[VaultService] = []
    async with run_app(_main(region.home, region.profile(), services)) as ui:
        await _coordinator_opens(ui, region)
        await ui.click(await el(ui, f"coord-follow-up-{mailbox}"))
        day = await el(ui, "coord-follow-up-day")
        assert day.value >= date.today().isoformat()  # the day the follow-up is due, to start from
        await ui.type(day, "2020-01-01")
        await ui.click(ui.find(key="coord-follow-up-send"))
        assert "that day has passed" in await said_at(ui, "coord-follow-up-day")
        await ui.type(ui.find(key="coord-follow-up-day"), (date.today() + timedelta(days=10)).isoformat())
        await ui.type(ui.find(key="coord-follow-up-place"), "Folkets hus, rum 2")
        await ui.click(ui.find(key="coord-follow-up-send"))
        assert "Announced to the group" in (await el(ui, "notice")).value
    _close(services)
    [follow] = [a for a in region.publisher().current().announcements if a.kind == "follow_up"]  # type: ignore[union-attr]
    assert follow.mailbox == mailbox and follow.place == "Folkets hus, rum 2"

    services = []
    async with run_app(_main(member_home, region.profile(), services)) as ui:  # no journal: the home screen
        await el(ui, "add-group")
        assert ui.query(key=f"announcement-{follow.id}") is None  # off until the member turns them on
        await ui.fire(await el(ui, "announcements-on"), "change", props={"value": True})
        await el(ui, f"announcement-{follow.id}")
        await el(ui, f"announcement-{lecture.id}")
        assert ui.query(key="announcements-calendar") is not None
    _close(services)

    stranger = tmp_path / "stranger"  # in no group of the region: the lecture only
    stranger.mkdir()
    services = []
    async with run_app(_main(stranger, region.profile(), services)) as ui:
        await ui.click(await el(ui, "anonymous"))
        await ui.type(await el(ui, "group-label"), "Tisdag")
        await ui.type(await el(ui, "group-first"), "2030-01-08")
        await ui.click(await el(ui, "save-group"))
        await ui.click(await el(ui, "guidelines-ok"))
        await ui.fire(await el(ui, "announcements-on"), "change", props={"value": True})
        await el(ui, f"announcement-{lecture.id}")
        assert ui.query(key=f"announcement-{follow.id}") is None
    _close(services)


