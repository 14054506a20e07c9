"""Roles in a version 2 group on the real group screen (issue 15 points 2 and 3, docs/adr/0006-group-protocol-v2.md):
the starter names a host and steps back; the policy switches; the last host is refused, in plain words at the
control; a member answers "May X join?", writes to the starter and leaves (after a confirm dialog). A real
relay process carries every message; each result is read back from the other person's own data."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import flet as ft
import pytest

import protocol as p
from app.domain.schedule import Schedule
from app.services.context import AppContext
from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import Relay, shared_relay
from tests.ui.harness import UI, run_app
from tests.ui.test_groups_views import _main
from tests.ui.test_views import el

TODAY = datetime.combine(date.today(), time(12), tzinfo=UTC)  # the relay keeps the real day


def open_ctx(home: Path) -> AppContext:
    ctx = AppContext.open(home, kdf=FAST_KDF, clock=lambda: TODAY)
    if ctx.vault_service.has_vault():
        ctx.vault_service.unlock(PASSPHRASE)
        ctx = ctx.refreshed()
    return ctx


def new_person(home: Path) -> AppContext:
    home.mkdir()
    ctx = AppContext.open(home, kdf=FAST_KDF, clock=lambda: TODAY)
    pending = ctx.vault_service.prepare_setup(PASSPHRASE, PASSPHRASE)
    ctx.vault_service.finish_setup(pending, pending.recovery_code)
    return ctx.refreshed()


def sync(home: Path) -> None:
    ctx = open_ctx(home)
    try:
        report = ctx.sync.run(now=TODAY)
        assert not report.problems and not report.refused, report
    finally:
        ctx.close()


def ask(home: Path, starter: Path, group_id: str, name: str) -> None:
    """`name` asks to join with an invite from the starter."""
    host, person = open_ctx(starter), new_person(home)
    try:
        link = host.leader.invite(group_id, today=TODAY.date()).link
        person.joining.join(person.joining.read(link, today=TODAY.date()), name=name, now=TODAY)
        person.sync.run(now=TODAY)
    finally:
        host.close()
        person.close()


@dataclass
class Group:
    relay: Relay
    id: str
    starter: Path
    astrid: Path

    def member_id(self, name: str, *, seen_by: Path | None = None) -> str:
        ctx = open_ctx(seen_by or self.starter)
        try:
            return next(m.id for m in ctx.joining.people(self.id) if m.name == name)
        finally:
            ctx.close()


@pytest.fixture
def group(tmp_path: Path) -> Iterator[Group]:
    """The starter's group with Astrid let in (hosts only, open), through a real relay."""
    relay = shared_relay()
    starter = new_person(tmp_path / "starter")
    try:
        schedule = Schedule.weekly(zone="Europe/Stockholm", first=date.today() + timedelta(days=3), at=time(18),
                                   count=6)
        made = starter.leader.create_group("Tisdag", schedule, relay=relay.url, enrolment=relay.enrolment_token(),
                                           now=TODAY)
        starter.sync.run(now=TODAY)
    finally:
        starter.close()
    found = Group(relay, made.id, tmp_path / "starter", tmp_path / "astrid")
    ask(found.astrid, found.starter, found.id, "Astrid")
    host = open_ctx(found.starter)
    try:
        host.sync.run(now=TODAY)
        host.leader.admit_all(found.id, now=TODAY)
        host.sync.run(now=TODAY)
    finally:
        host.close()
    sync(found.astrid)
    yield found


async def open_group(ui: UI, group_id: str) -> None:
    """Unlock, then the group screen from the next-meeting card (the group's are the only meetings)."""
    await ui.type(await el(ui, "unlock-passphrase"), PASSPHRASE)
    await ui.click(await el(ui, "unlock"))
    await ui.click(await el(ui, "next-meeting-open"))  # the group's only meetings: its screen
    await el(ui, "export-ics")


async def notice(ui: UI, starts: str) -> str:
    shown = await ui.wait_for(lambda: ui.query(key="notice", where=lambda c: str(c.value).startswith(starts)),
                              timeout=20, message=f"no notice starting {starts!r}")
    return str(shown.value)


async def test_the_starter_names_a_host_then_steps_back(group: Group) -> None:
    astrid = group.member_id("Astrid")
    services: list[VaultService] = []
    async with run_app(_main(group.starter, services)) as ui:
        await open_group(ui, group.id)
        assert ui.query(key="unhost-" + astrid) is None
        await ui.click(await el(ui, f"make-host-{astrid}"))
        await notice(ui, "Astrid is a host now")
        await el(ui, f"unhost-{astrid}")  # and it can be taken back
        await ui.click(await el(ui, "step-back"))
        await ui.click(await el(ui, "step-back-keep"))  # changed their mind: nothing happens
        assert ui.query(key="step-back-confirm") is None and ui.query(key="send-homework")
        await ui.click(await el(ui, "step-back"))
        await ui.click(await el(ui, "step-back-confirm"))
        await notice(ui, "You stepped back.")
        await ui.wait_for(lambda: ui.query(key="send-homework") is None)  # no host controls any more
        assert ui.query(key=f"hosts-{group.id}") is None and ui.query(key="leave-group")
    for service in services:
        service.close()
    sync(group.astrid)
    ctx = open_ctx(group.astrid)
    try:
        roles = {m.name: (m.starter, m.host) for m in ctx.joining.people(group.id)}
        assert roles == {"": (True, False), "Astrid": (False, True)}  # the starter named no name
        assert ctx.leader.is_leader(group.id)
        ctx.leader.send_prompt(group.id, prompt_id="strengths", now=TODAY)  # the new host sends homework
    finally:
        ctx.close()


async def test_the_last_host_is_told_why_they_cannot_step_back_or_leave(group: Group) -> None:
    services: list[VaultService] = []
    async with run_app(_main(group.starter, services)) as ui:
        await open_group(ui, group.id)
        await ui.click(await el(ui, "step-back"))
        await ui.click(await el(ui, "step-back-confirm"))
        said = (await el(ui, "step-back-problem")).value
        assert said == "You are the group's last host. Name another host first, or let every member host."
        await ui.click(await el(ui, "leave-group"))
        [dialog] = ui.open_dialogs()
        assert isinstance(dialog, ft.AlertDialog)
        await ui.click(await el(ui, "leave-confirm"))
        assert (await el(ui, "leave-problem")).value == said
        assert ui.query(key="send-homework") and ui.query(key="left-group") is None  # still the host, still in
    for service in services:
        service.close()
    ctx = open_ctx(group.starter)
    try:
        assert not ctx.joining.has_left(group.id) and ctx.leader.is_leader(group.id)
    finally:
        ctx.close()


async def test_a_host_lets_every_member_host_and_closes_the_group(group: Group) -> None:
    services: list[VaultService] = []
    async with run_app(_main(group.starter, services)) as ui:
        await open_group(ui, group.id)
        await ui.fire(await el(ui, "policy-every-member"), "change", props={"value": True})
        await notice(ui, "Every member may host now.")
        await ui.wait_for(lambda: ui.query(key="step-back") is None)  # everyone hosts: nobody steps back
        assert (await el(ui, "admission")).value == "Open: a host lets a newcomer in."
        await ui.fire(await el(ui, "policy-closed"), "change", props={"value": True})
        await notice(ui, "The group is closed")
        await ui.wait_for(lambda: ui.query(key="admission", text="Closed: a newcomer comes in when the members "
                                                                  "agree."))
    for service in services:
        service.close()
    sync(group.astrid)
    ctx = open_ctx(group.astrid)
    try:
        policy = ctx.joining.policy(group.id)
        assert (policy.hosting, policy.admission) == (p.EVERY_MEMBER, p.CLOSED)
        assert ctx.leader.is_leader(group.id)  # Astrid's app hosts too now
    finally:
        ctx.close()


async def test_a_member_answers_may_a_newcomer_join(group: Group, tmp_path: Path) -> None:
    host = open_ctx(group.starter)
    try:
        host.leader.set_policy(group.id, admission=p.CLOSED, now=TODAY)
        host.sync.run(now=TODAY)
    finally:
        host.close()
    ask(tmp_path / "cleo", group.starter, group.id, "Cleo")
    sync(group.starter)  # the starter's app asks the members
    sync(group.astrid)
    services: list[VaultService] = []
    async with run_app(_main(group.astrid, services)) as ui:
        await open_group(ui, group.id)
        [poll] = ui.find_all(where=lambda c: str(c.key or "").startswith("poll-"))
        request = str(poll.key).removeprefix("poll-")
        assert ui.query(text="May Cleo join the group?")
        assert ui.query(key="step-back") is None and ui.query(key="policy-closed") is None  # not a host
        await ui.click(await el(ui, f"vote-yes-{request}"))
        await notice(ui, "Your answer is on its way")
        await el(ui, f"voted-{request}")
        assert ui.query(key=f"vote-no-{request}") is None
    for service in services:
        service.close()
    sync(group.starter)
    host = open_ctx(group.starter)
    try:
        [waiting] = host.leader.requests(group.id)
        assert (waiting.name, waiting.yes, waiting.needed) == ("Cleo", 1, 2)  # Astrid's signed yes counts
    finally:
        host.close()


async def test_a_member_writes_to_the_starter_and_only_the_starter_reads_it(group: Group) -> None:
    services: list[VaultService] = []
    async with run_app(_main(group.astrid, services)) as ui:
        await open_group(ui, group.id)
        await ui.click(await el(ui, "contact-send"))
        assert (await el(ui, "contact-problem")).value == "Write a few words to the starter first."
        await ui.type(await el(ui, "contact-text"), "Can we talk before Tuesday?")
        await ui.click(await el(ui, "contact-send"))
        await notice(ui, "Your message is on its way. Only the starter can read it.")
        await ui.wait_for(lambda: ui.query(key="contact-problem") is None)
        assert (await el(ui, "contact-text")).value == ""
    for service in services:
        service.close()
    sync(group.starter)
    services = []
    async with run_app(_main(group.starter, services)) as ui:
        await open_group(ui, group.id)
        assert (await el(ui, "contact-0")).value == "Astrid: Can we talk before Tuesday?"
        assert ui.query(key="contact-send") is None  # the starter does not write to themself
    for service in services:
        service.close()


async def test_a_member_leaves_after_confirming_and_the_others_are_told(group: Group) -> None:
    services: list[VaultService] = []
    async with run_app(_main(group.astrid, services)) as ui:
        await open_group(ui, group.id)
        await ui.click(await el(ui, "leave-group"))
        [dialog] = ui.open_dialogs()
        await ui.click(await el(ui, "leave-stay"))
        await ui.wait_for(lambda: not ui.open_dialogs())
        await ui.dismiss(dialog)  # what the client sends once the dialog has closed
        ctx = open_ctx(group.astrid)
        try:
            assert not ctx.joining.has_left(group.id)  # staying changed nothing
        finally:
            ctx.close()
        await ui.click(await el(ui, "leave-group"))
        await ui.click(await el(ui, "leave-confirm"))
        await notice(ui, "You left Tisdag. The others are told.")
        await el(ui, "left-group")
        assert ui.query(key="leave-group") is None and ui.query(key="contact-send") is None
    for service in services:
        service.close()
    sync(group.starter)
    host = open_ctx(group.starter)
    try:
        assert [m.name for m in host.joining.people(group.id)] == [""]  # only the starter is in it now
    finally:
        host.close()


async def test_the_leader_of_a_version_1_group_moves_it_to_the_new_version(tmp_path: Path) -> None:
    """The leader's button for the upgrade (issue 15 point 6): without a code it says what is missing and
    changes nothing; with one the group moves, the member comes over, and the host controls take its place."""
    relay = shared_relay()
    starter_home, astrid_home = tmp_path / "starter", tmp_path / "astrid"
    starter = new_person(starter_home)
    try:
        schedule = Schedule.weekly(zone="Europe/Stockholm", first=date.today() + timedelta(days=3), at=time(18),
                                   count=6)
        made = starter.leader.create_group("Tisdag", schedule, relay=relay.url, enrolment=relay.enrolment_token(),
                                           now=TODAY, version=1)
        starter.sync.run(now=TODAY)
        link = starter.leader.invite(made.id, today=TODAY.date()).link
    finally:
        starter.close()
    astrid_home.mkdir()
    astrid = AppContext.open(astrid_home, kdf=FAST_KDF, clock=lambda: TODAY)  # no journal
    try:
        astrid.joining.join(astrid.joining.read(link, today=TODAY.date()), name="Astrid", now=TODAY)
        astrid.sync.run(now=TODAY)
    finally:
        astrid.close()
    sync(starter_home)

    services: list[VaultService] = []
    async with run_app(_main(starter_home, services)) as ui:
        await open_group(ui, made.id)
        assert ui.query(key=f"hosts-{made.id}") is None
        await ui.click(await el(ui, "upgrade"))
        said = await el(ui, "upgrade-problem")
        assert "enrolment code" in str(said.value)
        await ui.type(await el(ui, "upgrade-code"), relay.enrolment_token())
        await ui.click(await el(ui, "upgrade"))
        await notice(ui, "The group moves to the new version.")
        await ui.wait_for(lambda: ui.query(key=f"upgrade-{made.id}") is None)
    for service in services:
        service.close()
    sync(astrid_home)  # Astrid's app answers the invitation with her proof
    sync(starter_home)  # the starter's app lets her in, in her old place
    ctx = open_ctx(starter_home)
    try:
        assert ctx.leader.is_v2(made.id)
        assert sorted(m.name for m in ctx.leader.people(made.id)) == ["", "Astrid"]
    finally:
        ctx.close()
