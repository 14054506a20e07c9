"""Groups in the UI: an anonymous member's next meeting, guidelines, help now, the next meeting when locked."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import flet as ft
import pytest

from app.config import Profile
from app.services.vault_service import VaultService
from app.views.app import build_main
from tests.conftest import FAST_KDF
from tests.ui.harness import UI, run_app
from tests.ui.test_views import el, onboard, said_at

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _main(home: Path, services: list[VaultService], language: str = "en"):  # type: ignore[no-untyped-def]
    def factory() -> VaultService:
        services.append(VaultService(home, kdf=FAST_KDF))
        return services[-1]

    return build_main(factory, profile=Profile(default_language=language), tick_seconds=3600)


class FrozenClock:
    """`datetime.now` of the views' modules (every module under app/views that reads it), held at `moment`
    (move it by assigning `moment`)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
        import importlib
        import pkgutil

        import app.views

        self.moment = moment
        clock = self

        class Clock(datetime):
            @classmethod
            def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
                return clock.moment.astimezone(tz) if tz else clock.moment

        for info in pkgutil.walk_packages(app.views.__path__, "app.views."):
            module = importlib.import_module(info.name)
            if getattr(module, "datetime", None) is datetime:
                monkeypatch.setattr(module, "datetime", Clock)


async def journal_then_add_group(ui: UI) -> None:
    """Create a journal, then open "Add a group" from Settings."""
    await onboard(ui)
    await ui.fire(ui.find(ft.NavigationBar), "change", 3, props={"selected_index": 3})
    await ui.click(await el(ui, "add-group"))


async def add_group(ui: UI, first: date, label: str = "Torsdag", every: str = "2", count: str = "10") -> None:
    await ui.type(await el(ui, "group-label"), label)
    await ui.type(await el(ui, "group-first"), first.isoformat())
    await ui.type(await el(ui, "group-at"), "18:00")
    await ui.choose(await el(ui, "group-every"), every)
    await ui.type(await el(ui, "group-count"), count)
    await ui.click(await el(ui, "save-group"))


async def test_an_anonymous_member_adds_a_group_and_sees_the_next_meeting(home: Path) -> None:
    first = date.today() + timedelta(days=3)
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await ui.click(await el(ui, "anonymous"))
        await ui.type(await el(ui, "group-label"), "x")
        await ui.type(await el(ui, "group-first"), "3 december")
        await ui.click(await el(ui, "save-group"))
        assert "2026-12-03" in await said_at(ui, "group-first")  # a clear message at the field, nothing stored
        assert services[0].has_vault() is False
        await add_group(ui, first)
        assert ui.query(text="How the group works") and ui.query(text="If you can't come, tell the others.")
        await ui.click(await el(ui, "guidelines-ok"))
        assert (await el(ui, "next-number")).value == "Meeting 1 of 10"
        assert (await el(ui, "next-countdown")).value in ("in 3 days", "in 2 days")
    services[0].close()
    async with run_app(_main(home, services)) as ui:  # opened again: straight to the meeting, no passphrase
        assert (await el(ui, "next-number")).value == "Meeting 1 of 10"
        assert not services[-1].has_vault()


async def test_need_help_now_is_one_tap_away_and_comes_back(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(_main(home, services, language="sv")) as ui:
        await ui.click(await el(ui, "help"))
        assert ui.query(text="Behöver du hjälp nu?") or ui.query(text="Need help now?")
        assert ui.query(text="90101") and ui.query(text="113") and ui.query(text="70 201 201")
        tile = ui.find(ft.ListTile, key="call-SE-90101")
        assert tile.url == "tel:90101"
        await ui.click(await el(ui, "back"))
        assert ui.query(text="Välkommen till Kraft")
    for svc in services:
        svc.close()


async def test_the_unlock_screen_shows_the_next_meeting(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await journal_then_add_group(ui)
        await add_group(ui, date.today() + timedelta(days=8), count="")
        await ui.click(await el(ui, "guidelines-ok"))
        assert ui.query(key="new-entry") and ui.query(key="next-meeting")
        await ui.click(await el(ui, "quick-exit"))
        await ui.click(await el(ui, "neutral-back"))
        assert ui.query(key="unlock") and ui.query(key="next-when")
        assert not ui.query(key="next-number")  # an open-ended group has no "of M"
    for svc in services:
        svc.close()


async def test_a_due_reminder_shows_as_a_discreet_banner(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    FrozenClock(monkeypatch, datetime(2026, 3, 19, 16, 30, tzinfo=STOCKHOLM))  # 90 min before an 18:00 meeting
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await ui.click(await el(ui, "anonymous"))
        await add_group(ui, date(2026, 3, 5), label="Torsdagsgruppen", every="2", count="6")
        await ui.click(await el(ui, "guidelines-ok"))
        banner = await el(ui, "reminder-text")
        assert banner.value == "You have a meeting at 6:00\u202fPM."  # discreet: no group name
        assert (await el(ui, "next-number")).value == "Meeting 2 of 6"
        await ui.click(await el(ui, "reminder-dismiss"))
        await ui.wait_for(lambda: ui.query(key="reminder-text") is None)
    for svc in services:
        svc.close()


async def test_a_meeting_is_moved_cancelled_and_restored_from_the_group_screen(home: Path) -> None:
    from app.services.groups import GroupService

    first = date.today() + timedelta(days=2)
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await ui.click(await el(ui, "anonymous"))
        await add_group(ui, first, label="Torsdag", every="1", count="4")
        await ui.click(await el(ui, "guidelines-ok"))
        group = GroupService(services[0].engine).list()[0]
        await ui.click(await el(ui, f"group-{group.id}"))
        assert ui.query(text="Every week at 6:00\u202fPM") and ui.query(text="A course of 4 meetings")
        second = group.schedule.meetings()[1]
        await ui.click(await el(ui, f"meeting-{second.id}"))
        reach = (await el(ui, "meeting-change-reach")).value
        assert reach == "This changes only your own copy of the schedule, on this device."
        await ui.type(await el(ui, "move-at"), "19.75")
        await ui.click(await el(ui, "move-meeting"))
        assert "18:00" in await said_at(ui, "move-at")  # bad time: a clear message at it, nothing changed
        assert GroupService(services[0].engine).get(group.id).schedule == group.schedule
        await ui.type(await el(ui, "move-at"), "19.30")
        await ui.click(await el(ui, "move-meeting"))
        assert "Moved the meeting" in (await el(ui, "notice")).value
        moved = GroupService(services[0].engine).get(group.id).meeting(second.id)
        assert moved.moved and moved.start == datetime.combine(second.start.date(), time(19, 30), STOCKHOLM)
        third = group.schedule.meetings()[2]
        await ui.click(await el(ui, f"meeting-{third.id}"))
        await ui.click(await el(ui, "cancel-meeting"))
        meetings = GroupService(services[0].engine).get(group.id).schedule.meetings()
        assert [m.cancelled for m in meetings] == [False, False, True, False]
        assert [m.total for m in meetings] == [3] * 4  # "of 3": the cancelled one does not happen
        await ui.click(await el(ui, f"meeting-{third.id}"))
        assert not ui.query(key="move-meeting")  # a cancelled meeting is restored, not moved
        await ui.click(await el(ui, "restore-meeting"))
        await ui.click(await el(ui, f"meeting-{second.id}"))
        await ui.click(await el(ui, "restore-meeting"))
        assert GroupService(services[0].engine).get(group.id).schedule == group.schedule
    for svc in services:
        svc.close()


async def test_a_group_is_removed_only_after_confirming(home: Path) -> None:
    from app.services.groups import GroupService

    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await ui.click(await el(ui, "anonymous"))
        await add_group(ui, date.today() + timedelta(days=2))
        await ui.click(await el(ui, "guidelines-ok"))
        group = GroupService(services[0].engine).list()[0]
        await ui.click(await el(ui, "next-meeting-open"))  # the next-meeting card opens its group
        await ui.click(await el(ui, "remove-group"))
        await ui.click(await el(ui, "remove-group-keep"))
        assert GroupService(services[0].engine).list() == [group]
        await ui.click(await el(ui, "remove-group"))
        await ui.click(await el(ui, "remove-group-confirm"))
        assert GroupService(services[0].engine).list() == []
        assert ui.query(key="anonymous")  # nothing left: back to the welcome screen
    for svc in services:
        svc.close()


async def test_with_the_journal_open_theme_place_and_link_are_kept_encrypted(home: Path) -> None:
    from app.services.groups import GroupService

    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await ui.click(await el(ui, "anonymous"))
        assert not ui.query(key="group-place")  # no journal: no field for what only a journal may keep
        await ui.click(await el(ui, "back"))
        await journal_then_add_group(ui)
        zone = await el(ui, "group-zone")
        assert zone.value == "Europe/Stockholm" and len(zone.options) == 5  # the Nordic four, then "Another"
        await ui.choose(zone, "Europe/Oslo")
        await ui.type(await el(ui, "group-theme"), "Tema-MARKER")
        await ui.type(await el(ui, "group-place"), "Storgata 1")
        await ui.type(await el(ui, "group-link"), "https://meet.example/abc")
        await add_group(ui, date.today() + timedelta(days=5), label="Tirsdag")
        await ui.click(await el(ui, "guidelines-ok"))
        group = services[0].vault and GroupService(services[0].engine, services[0].vault).list()[0]
        assert group.schedule.zone == "Europe/Oslo"
        await ui.fire(ui.find(ft.NavigationBar), "change", 3, props={"selected_index": 3})
        await ui.click(await el(ui, f"group-{group.id}"))
        assert (await el(ui, "group-place-text")).value == "Place: Storgata 1"
        assert ui.find(ft.TextButton, key="group-link-open").url == "https://meet.example/abc"
        ui.answer("FilePicker.save_file", None)
        await ui.click(await el(ui, "export-ics"))
        await ui.wait_for(lambda: ui.calls("save_file"))
        call = ui.calls("save_file")[0]
        assert call.args["file_name"] == "kraft-tirsdag.ics"
        assert b"Europe/Oslo" in call.args["src_bytes"] and b"Tema-MARKER" not in call.args["src_bytes"]
    for svc in services:
        svc.close()
    raw = b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())
    assert b"Storgata" not in raw and b"Tema-MARKER" not in raw


async def test_check_in_from_the_card_and_the_attendance_history(home: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services.checkin import CheckInService
    from app.services.groups import GroupService

    clock = FrozenClock(monkeypatch, datetime(2026, 3, 19, 17, 30, tzinfo=STOCKHOLM))  # before the 2nd meeting
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await ui.click(await el(ui, "anonymous"))
        await add_group(ui, date(2026, 3, 5), label="Torsdag", every="2", count="6")
        await ui.click(await el(ui, "guidelines-ok"))
        group = GroupService(services[0].engine).list()[0]
        second, third = (m.id for m in group.schedule.meetings()[1:3])
        await ui.click(await el(ui, f"cantcome-{second}"))
        assert "tell the others" in (await el(ui, "notice")).value
        assert (await el(ui, f"said-{second}")).value == "You said you can't come."
        await ui.click(await el(ui, f"undo-checkin-{second}"))
        await el(ui, f"cantcome-{second}")
        clock.moment = clock.moment.replace(hour=18, minute=10)  # the meeting has begun
        await ui.click(await el(ui, "next-meeting-open"))  # moving between screens re-renders with the clock
        await ui.click(await el(ui, "back"))
        await ui.click(await el(ui, f"checkin-{second}"))
        assert (await el(ui, f"said-{second}")).value == "You checked in."
        await ui.click(await el(ui, "next-meeting-open"))
        assert (await el(ui, "attendance-summary")).value == "You were at 1 of 2 meetings."
        first = group.schedule.meetings()[0].id
        await ui.click(await el(ui, f"checkin-{first}"))  # the first one, after the fact
        assert (await el(ui, "attendance-summary")).value == "You were at all 2 meetings."
        await ui.click(await el(ui, f"meeting-{third}"))
        await ui.click(await el(ui, f"cantcome-{third}"))
        await ui.click(await el(ui, "back"))
        await ui.wait_for(lambda: ui.query(text="Meeting 3 of 6 · you can't come"))
        checkins = CheckInService(services[0].engine)
        assert {k: v.status for k, v in checkins.statuses(group).items()} == {
            first: "attended", second: "attended", third: "cant_come"}
    for svc in services:
        svc.close()


async def test_a_locked_journal_hides_check_ins_until_it_is_opened(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await journal_then_add_group(ui)
        await add_group(ui, date.today() + timedelta(days=3))
        await ui.click(await el(ui, "guidelines-ok"))
        assert ui.find_all(ft.OutlinedButton, where=lambda c: (c.key or "").startswith("cantcome-"))
        await ui.click(await el(ui, "quick-exit"))
        await ui.click(await el(ui, "neutral-back"))
        await el(ui, "next-when")
        assert not ui.find_all(ft.OutlinedButton, where=lambda c: (c.key or "").startswith("cantcome-"))
    for svc in services:
        svc.close()


async def test_reminder_settings_change_the_banner_and_are_kept(home: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import time as clock

    from app.domain.reminders import ReminderSettings
    from app.services import reminder_prefs

    FrozenClock(monkeypatch, datetime(2026, 3, 19, 16, 30, tzinfo=STOCKHOLM))  # 90 min before an 18:00 meeting
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await ui.click(await el(ui, "anonymous"))
        await add_group(ui, date(2026, 3, 5), label="Torsdagsgruppen", every="2", count="6")
        await ui.click(await el(ui, "guidelines-ok"))
        assert (await el(ui, "reminder-text")).value == "You have a meeting at 6:00\u202fPM."
        await ui.click(await el(ui, "open-reminders"))
        await ui.fire(await el(ui, "show-details"), "change", "true", props={"value": True})
        for minutes in (10080, 2880):  # a week and two days before: with 24 h and 2 h, one too many
            await ui.fire(await el(ui, f"before-{minutes}"), "change", "true", props={"value": True})
        assert "at most 3" in (await el(ui, "reminder-times-error")).value  # beside the list
        await ui.fire(await el(ui, "before-120"), "change", "false", props={"value": False})  # no 2 h reminder
        await ui.choose(await el(ui, "homework-days"), "3")
        await ui.type(await el(ui, "quiet-start"), "23.00")
        await ui.type(await el(ui, "quiet-end"), "7")
        await ui.click(await el(ui, "save-quiet"))
        assert "22:00" in await said_at(ui, "quiet-end")
        await ui.type(await el(ui, "quiet-end"), "07:00")
        await ui.click(await el(ui, "save-quiet"))
        await ui.click(await el(ui, "back"))
        await ui.wait_for(lambda: ui.query(key="next-meeting"))
        # the 24 h reminder is still the one due; the member asked for the group's name in it
        assert (await el(ui, "reminder-text")).value == "Torsdagsgruppen: meeting at 6:00\u202fPM."
    saved = reminder_prefs.load(VaultService(home))
    assert saved == ReminderSettings(before=(timedelta(days=7), timedelta(hours=24)), homework_days_before=3,
                                     quiet_start=clock(23), quiet_end=clock(7), show_details=True)
    for svc in services:
        svc.close()


async def test_homework_is_noted_answered_and_the_place_shown_only_while_open(home: Path) -> None:
    from datetime import UTC

    from app.services import reminder_service
    from app.services.groups import GroupService

    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await journal_then_add_group(ui)
        await ui.type(await el(ui, "group-place"), "Folkets hus")
        await ui.fire(await el(ui, "group-show-place"), "change", "true", props={"value": True})
        await add_group(ui, date.today() + timedelta(days=4), label="Onsdag")
        await ui.click(await el(ui, "guidelines-ok"))
        assert (await el(ui, "next-place")).value == "Folkets hus"
        await ui.click(await el(ui, "next-meeting-open"))
        await ui.choose(await el(ui, "homework-choice"), "own")
        await ui.click(await el(ui, "save-homework"))
        assert "own words" in await said_at(ui, "homework-own")  # under the empty words
        await ui.type(await el(ui, "homework-own"), "Hva gir mening for deg?")
        await ui.click(await el(ui, "save-homework"))
        assert (await el(ui, "homework-text")).value == "Hva gir mening for deg?"
        groups = GroupService(services[0].engine, services[0].vault)
        group = groups.list()[0]
        now = datetime.now(UTC)
        assert reminder_service.homework_open(groups, services[0].journal, group, now=now)
        await ui.click(await el(ui, "answer-homework"))
        assert (await el(ui, "prompt-text")).value == "Hva gir mening for deg?"
        await ui.type(await el(ui, "text"), "Turene med hunden.")
        await ui.click(await el(ui, "save"))
        await ui.wait_for(lambda: ui.query(key="entry-text"))
        assert not reminder_service.homework_open(groups, services[0].journal, group, now=now)
        await ui.click(await el(ui, "quick-exit"))
        await ui.click(await el(ui, "neutral-back"))
        await el(ui, "next-when")
        assert not ui.query(key="next-place")  # the place is sealed: not on the locked screen
    for svc in services:
        svc.close()


async def test_a_built_app_hands_the_reminder_plan_to_the_notification_extension(home: Path) -> None:
    from app.views.notifications import LocalNotifier

    services: list[VaultService] = []

    def factory() -> VaultService:
        services.append(VaultService(home, kdf=FAST_KDF))
        return services[-1]

    main = build_main(factory, profile=Profile(default_language="en"), tick_seconds=3600,
                      notifier_factory=LocalNotifier)
    async with run_app(main) as ui:
        for method, answer in (("request_permissions", True), ("cancel_pending", None), ("schedule", None),
                               ("initialize", None)):
            ui.answer(f"LocalNotifications.{method}", answer)
        await ui.click(await el(ui, "anonymous"))
        await add_group(ui, date.today() + timedelta(days=5), label="Torsdagsgruppen", every="1", count="4")
        await ui.click(await el(ui, "guidelines-ok"))
        await ui.wait_for(lambda: len(ui.calls("schedule")) >= 2)
        scheduled = ui.calls("schedule")
        assert len(ui.calls("request_permissions")) == 1  # asked once, not at every sync
        bodies = {call.args["body"] for call in scheduled}
        assert bodies == {"You have a meeting at 6:00\u202fPM."}  # discreet on a lock screen
        assert len({call.args["id"] for call in scheduled}) == len(scheduled)
        assert all(call.args["when"]["utc_offset_seconds"] is not None for call in scheduled)  # an exact instant
        before = len(ui.calls("cancel_pending"))
        await ui.click(await el(ui, "next-meeting-open"))
        await ui.click(await el(ui, "remove-group"))
        await ui.click(await el(ui, "remove-group-confirm"))
        await ui.wait_for(lambda: len(ui.calls("cancel_pending")) > before)  # replace-all: nothing left
    for svc in services:
        svc.close()
