"""Homework in front, in the real screens (issue 15): the journal shows it at the top with "Answer it"; a member
without a journal sees that the group sent homework and the way to a journal; a moved meeting is marked on the
home card and a "can't come" for its old time is asked again."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import flet as ft

from app.domain.schedule import Schedule
from app.services.context import AppContext
from app.services.groups import GroupService
from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import shared_relay
from tests.ui.harness import run_app
from tests.ui.test_groups_views import _main, add_group, journal_then_add_group
from tests.ui.test_views import el

STRENGTHS = "Since last time, were there situations where you noticed some strengths?"


async def test_the_journal_shows_the_homework_at_the_top_and_answer_it_opens_the_prompt(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await journal_then_add_group(ui)
        await add_group(ui, date.today() + timedelta(days=4), label="Onsdag")
        await ui.click(await el(ui, "guidelines-ok"))
        await ui.click(await el(ui, "next-meeting-open"))
        group = GroupService(services[0].engine, services[0].vault).list()[0]
        await ui.choose(await el(ui, "homework-choice"), "strengths")
        await ui.click(await el(ui, "save-homework"))
        await ui.wait_for(lambda: ui.query(key="homework-text"))
        await ui.click(await el(ui, "back"))
        await ui.fire(ui.find(ft.NavigationBar), "change", 0, props={"selected_index": 0})
        assert (await el(ui, f"homework-text-{group.id}")).value == STRENGTHS
        assert (await el(ui, f"homework-meeting-{group.id}")).value.startswith("For the meeting on ")
        assert (await el(ui, "journal-empty")).value.startswith("Nothing here yet. Answer the homework above")
        await ui.click(await el(ui, f"answer-homework-{group.id}"))
        assert (await el(ui, "prompt-text")).value == STRENGTHS
        await ui.type(await el(ui, "text"), "I said no and meant it.")
        await ui.click(await el(ui, "save"))
        await ui.wait_for(lambda: ui.query(key="entry-text"))
        entries = services[-1].journal.live_entries()
        assert [e.prompt_id for e in entries] == ["strengths"]  # tagged as the homework's prompt
    for service in services:
        service.close()


async def test_answer_it_never_drops_a_draft_about_something_else(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await journal_then_add_group(ui)
        await add_group(ui, date.today() + timedelta(days=4), label="Onsdag")
        await ui.click(await el(ui, "guidelines-ok"))
        group = GroupService(services[0].engine, services[0].vault).list()[0]
        await ui.click(await el(ui, "next-meeting-open"))
        await ui.choose(await el(ui, "homework-choice"), "strengths")
        await ui.click(await el(ui, "save-homework"))
        await ui.wait_for(lambda: ui.query(key="homework-text"))
        await ui.click(await el(ui, "back"))
        await ui.fire(ui.find(ft.NavigationBar), "change", 0, props={"selected_index": 0})
        await ui.click(await el(ui, "new-entry"))
        await ui.type(await el(ui, "text"), "Half a thought about Sunday.")
        await ui.click(await el(ui, "back"))  # kept as a draft
        await ui.click(await el(ui, f"answer-homework-{group.id}"))
        assert (await el(ui, "text")).value == "Half a thought about Sunday."  # the draft, not lost
        assert (await el(ui, "draft-status")).value.startswith("Your unsaved draft opens first")
        await ui.click(await el(ui, "discard"))
        await ui.click(await el(ui, f"answer-homework-{group.id}"))
        assert (await el(ui, "prompt-text")).value == STRENGTHS
        assert (await el(ui, "text")).value == ""
    for service in services:
        service.close()


async def test_a_member_without_a_journal_sees_homework_was_sent_and_can_make_a_journal(tmp_path: Path) -> None:
    today = datetime.combine(date.today(), time(12), tzinfo=UTC)
    relay = shared_relay()
    leader = AppContext.open(tmp_path / "leader", kdf=FAST_KDF, clock=lambda: today)
    member_home = tmp_path / "member"
    try:
        (tmp_path / "leader").mkdir(exist_ok=True)
        pending = leader.vault_service.prepare_setup(PASSPHRASE, PASSPHRASE)
        leader.vault_service.finish_setup(pending, pending.recovery_code)
        schedule = Schedule.weekly(zone="Europe/Stockholm", first=date.today() + timedelta(days=3), at=time(18),
                                   count=6)
        group = leader.leader.create_group("Tisdag", schedule, relay=relay.url, enrolment=relay.enrolment_token(),
                                           now=today)
        leader.sync.run(now=today)
        member_home.mkdir()
        member = AppContext.open(member_home, kdf=FAST_KDF, clock=lambda: today)
        member.joining.join(member.joining.read(leader.leader.invite(group.id, today=today.date()).link,
                                                today=today.date()), now=today)
        member.sync.run(now=today)
        leader.sync.run(now=today)
        leader.leader.admit_all(group.id, now=today)  # the host lets the member in (protocol v2)
        leader.sync.run(now=today)
        member.sync.run(now=today)
        leader.leader.send_prompt(group.id, prompt_id="strengths", now=today)
        leader.sync.run(now=today)
        assert member.sync.run(now=today).kept == 1
        member.close()

        services: list[VaultService] = []
        async with run_app(_main(member_home, services)) as ui:
            said = (await el(ui, f"homework-needs-journal-{group.id}")).value
            assert said.startswith("Your group sent homework: create a journal to answer it.")
            assert STRENGTHS not in [getattr(c, "value", None) for c in ui.find_all(ft.Text)]  # never its words
            await ui.click(await el(ui, f"homework-create-journal-{group.id}"))
            await ui.type(await el(ui, "passphrase"), PASSPHRASE)
            await ui.type(await el(ui, "repeat"), PASSPHRASE)
            await ui.click(await el(ui, "continue"))
            await ui.wait_for(lambda: ui.query(key="recovery-confirm"))
            code = ui.find(ft.Semantics, where=lambda c: c.identifier == "recovery-code").content.value
            await ui.type(await el(ui, "recovery-confirm"), code)
            await ui.click(await el(ui, "confirm"))
            # the new journal holds the group's keys: the homework is read at once, on this device
            assert (await el(ui, f"homework-text-{group.id}")).value == STRENGTHS
            assert ui.query(key=f"answer-homework-{group.id}")
        for service in services:
            service.close()
    finally:
        leader.close()


async def test_a_locked_journal_says_homework_came_and_unlocking_shows_it(tmp_path: Path) -> None:
    today = datetime.combine(date.today(), time(12), tzinfo=UTC)
    relay = shared_relay()
    (tmp_path / "leader").mkdir()
    member_home = tmp_path / "member"
    member_home.mkdir()
    leader = AppContext.open(tmp_path / "leader", kdf=FAST_KDF, clock=lambda: today)
    member = AppContext.open(member_home, kdf=FAST_KDF, clock=lambda: today)
    try:
        for ctx in (leader, member):
            pending = ctx.vault_service.prepare_setup(PASSPHRASE, PASSPHRASE)
            ctx.vault_service.finish_setup(pending, pending.recovery_code)
        leader, member = leader.refreshed(), member.refreshed()
        schedule = Schedule.weekly(zone="Europe/Stockholm", first=date.today() + timedelta(days=3), at=time(18),
                                   count=6)
        # Version 1: a locked version 2 journal cannot tell kept homework from the group's other messages (its
        # group key is sealed too), so only a version 1 group says "homework came" while locked.
        group = leader.leader.create_group("Tisdag", schedule, relay=relay.url, enrolment=relay.enrolment_token(),
                                           now=today, version=1)
        leader.sync.run(now=today)
        member.joining.join(member.joining.read(leader.leader.invite(group.id, today=today.date()).link,
                                                today=today.date()), now=today)
        member.sync.run(now=today)
        member.vault_service.lock()
        member = member.refreshed()
        leader.leader.send_prompt(group.id, prompt_id="strengths", now=today)
        leader.sync.run(now=today)
        assert member.sync.run(now=today).kept == 1
    finally:
        leader.close()
        member.close()

    services: list[VaultService] = []
    async with run_app(_main(member_home, services)) as ui:
        locked = (await el(ui, f"homework-locked-{group.id}")).value
        assert locked == "Your group sent homework. Unlock to read it."
        assert not ui.query(text=STRENGTHS)
        await ui.type(await el(ui, "unlock-passphrase"), PASSPHRASE)
        await ui.click(await el(ui, "unlock"))
        assert (await el(ui, f"homework-text-{group.id}")).value == STRENGTHS  # read on unlocking, no network
        await ui.click(await el(ui, "next-meeting-open"))
        await el(ui, "homework-text")
        titles = [c.value for c in ui.find_all(ft.Text) if c.value in ("Homework for the next meeting",
                                                                        "Coming meetings")]
        assert titles == ["Homework for the next meeting", "Coming meetings"]  # the homework above the meetings
    for service in services:
        service.close()


async def test_a_moved_meeting_is_marked_and_cant_come_is_asked_again(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await ui.click(await el(ui, "anonymous"))
        await add_group(ui, date.today() + timedelta(days=3), label="Torsdag", every="1", count="4")
        await ui.click(await el(ui, "guidelines-ok"))
        group = GroupService(services[0].engine).list()[0]
        first = group.schedule.meetings()[0]
        await ui.click(await el(ui, f"cantcome-{first.id}"))
        await ui.wait_for(lambda: ui.query(key=f"said-{first.id}"))
        assert not ui.query(key="next-moved")
        await ui.click(await el(ui, "next-meeting-open"))
        await ui.click(await el(ui, f"meeting-{first.id}"))
        await ui.type(await el(ui, "move-at"), "19:30")
        await ui.click(await el(ui, "move-meeting"))
        await ui.wait_for(lambda: ui.query(key="notice"))
        await ui.click(await el(ui, "back"))
        moved = (await el(ui, "next-moved")).value
        assert moved.startswith("Moved: was ") and moved.endswith("6:00\u202fPM")
        assert (await el(ui, f"asked-again-{first.id}")).value == "The meeting moved. Can you come at the new time?"
        assert not ui.query(key=f"said-{first.id}")  # not carried over
        await ui.click(await el(ui, f"cancome-{first.id}"))
        assert (await el(ui, "notice")).value == "Noted: you can come."
        await ui.wait_for(lambda: ui.query(key=f"asked-again-{first.id}") is None)
        assert ui.query(key=f"cantcome-{first.id}")
    for service in services:
        service.close()
