"""Today's meeting in the real screens (issue 18): from the group screen, the parts with their minutes, the
round's equal share for the people who came, start, pause, pass and next, and the screen kept on only while
the round runs."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from app.services.vault_service import VaultService
from tests.ui.harness import UI, run_app
from tests.ui.test_groups_views import _main, add_group, journal_then_add_group
from tests.ui.test_views import el


async def _to_the_round(ui: UI) -> None:
    """A journal and a group, its guide opened from the group screen, on the round."""
    await journal_then_add_group(ui)
    await add_group(ui, date.today() + timedelta(days=4), label="Onsdag")
    await ui.click(await el(ui, "guidelines-ok"))
    await ui.click(await el(ui, "next-meeting-open"))
    await ui.click(await el(ui, "today-meeting"))
    await ui.click(await el(ui, "part-next"))


async def test_the_host_walks_through_the_meeting_and_runs_the_round(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await journal_then_add_group(ui)
        await add_group(ui, date.today() + timedelta(days=4), label="Onsdag")
        await ui.click(await el(ui, "guidelines-ok"))
        await ui.click(await el(ui, "next-meeting-open"))
        await ui.click(await el(ui, "today-meeting"))
        assert (await el(ui, "part-opening")).selected is True
        texts = " ".join(ui.texts())
        assert "The guidelines · 5 min" in texts and "The round · 36 min" in texts  # a two-hour meeting
        await ui.click(await el(ui, "part-next"))
        assert (await el(ui, "round-size")).value == "People here today: 6"
        assert (await el(ui, "round-share")).value == "Each person: 6 min"
        for _ in range(2):
            await ui.click(await el(ui, "round-fewer"))
        assert (await el(ui, "round-share")).value == "Each person: 9 min"
        await ui.click(await el(ui, "round-start"))
        assert (await el(ui, "round-person")).value == "Person 1 of 4"
        assert (await el(ui, "round-clock")).value in ("9:00", "8:59")
        assert [type(c.control).__name__ for c in ui.calls("enable")] == ["Wakelock"]  # the screen stays on
        await ui.click(await el(ui, "round-pause"))
        assert [type(c.control).__name__ for c in ui.calls("disable")] == ["Wakelock"]
        assert (await el(ui, "round-status")).value == "Paused"
        await ui.click(await el(ui, "round-pass"))
        assert (await el(ui, "round-person")).value == "Person 2 of 4"
        for _ in range(3):
            await ui.click(await el(ui, "round-next"))
        assert (await el(ui, "round-done")).value.startswith("Everyone has had their turn")
        await ui.click(await el(ui, "round-to-theme"))
        assert (await el(ui, "guide-no-theme")).value.startswith("No theme is set")
        await ui.click(await el(ui, "part-closing"))
        assert ui.query(key="part-next") is None
        await ui.click(await el(ui, "part-end"))  # "The meeting is over": back on the group's screen
        assert await el(ui, "today-meeting")
        await ui.click(await el(ui, "today-meeting"))
        assert (await el(ui, "part-opening")).selected is True  # the next meeting starts a fresh walk through
        await ui.click(await el(ui, "back"))
        assert await el(ui, "today-meeting")
    for service in services:
        service.close()


async def test_the_round_counts_down_on_screen_and_a_lock_stops_it(home: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import app.views.states.meeting as meeting_state

    clock = [1000.0]
    monkeypatch.setattr(meeting_state, "TICK", 0.02)
    monkeypatch.setattr(meeting_state, "now", lambda: clock[0])
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await _to_the_round(ui)
        await ui.click(await el(ui, "round-start"))
        clock[0] += 75
        await ui.wait_for(lambda: (c := ui.query(key="round-clock")) is not None and c.value == "4:45")
        clock[0] += 300
        await ui.wait_for(lambda: (c := ui.query(key="round-status")) is not None and c.value.startswith("Time is up"))
        await ui.click(await el(ui, "quick-exit"))
        await ui.wait_for(lambda: ui.query(key="round-clock") is None)
        assert [type(c.control).__name__ for c in ui.calls("disable")] == ["Wakelock"]
    for service in services:
        service.close()


async def test_a_chime_sounds_once_per_share_only_when_the_host_turns_it_on(home: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import app.views.states.meeting as meeting_state

    clock = [1000.0]
    monkeypatch.setattr(meeting_state, "TICK", 0.02)
    monkeypatch.setattr(meeting_state, "now", lambda: clock[0])
    services: list[VaultService] = []

    def played() -> list[str]:
        return [type(c.control).__name__ for c in ui.calls("play")]

    async with run_app(_main(home, services)) as ui:
        await _to_the_round(ui)
        chime = await el(ui, "round-chime")
        assert chime.value is False  # no sound unless chosen
        await ui.click(await el(ui, "round-start"))
        clock[0] += 6 * 60 + 5  # person 1's share is over, in silence
        await ui.wait_for(lambda: (c := ui.query(key="round-status")) is not None and c.value.startswith("Time is up"))
        await ui.settle()
        assert played() == []
        await ui.click(await el(ui, "round-next"))
        await ui.fire(await el(ui, "round-chime"), "change", True, props={"value": True})
        clock[0] += 6 * 60 + 5  # person 2's share is over: one soft chime
        await ui.wait_for(lambda: played() == ["Audio"])
        clock[0] += 30
        for _ in range(5):
            await ui.settle()  # the ticks go on: still one chime for this share
        assert played() == ["Audio"]
        await ui.click(await el(ui, "round-next"))
        clock[0] += 6 * 60 + 5
        await ui.wait_for(lambda: played() == ["Audio", "Audio"])
    for service in services:
        service.close()
