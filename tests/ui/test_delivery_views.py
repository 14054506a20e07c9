"""Fetch on unlock and on resume, and news while open (issue 15 point 4, docs/adr/0008-delivery.md): the
member's app in the in-process harness, the leader's services and a real relay process. The periodic sync is
an hour away, so only the moment under test can bring the homework."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import flet as ft
import pytest

from app.config import Profile, Relay
from app.domain.prompts import get_prompt
from app.domain.schedule import Schedule
from app.services.context import AppContext
from app.services.links import LinkStore
from app.services.vault_service import VaultService
from app.views.app import build_main
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import Relay as RelayProcess
from tests.relay_process import shared_relay
from tests.ui.harness import UI, run_app
from tests.ui.test_views import el


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[RelayProcess]:
    yield shared_relay()  # emptied; one process per test worker (tests/relay_process.py)


def _group(tmp_path: Path, relay: RelayProcess, *, journal: bool) -> tuple[AppContext, Path, str]:
    """A leader's context (open) and a member's data directory (with a journal or none), in the leader's group."""
    now = datetime.now(UTC)
    (tmp_path / "leader").mkdir()
    member_home = tmp_path / "member"
    member_home.mkdir()
    leader = AppContext.open(tmp_path / "leader", kdf=FAST_KDF)
    member = AppContext.open(member_home, kdf=FAST_KDF)
    for ctx in (leader, member) if journal else (leader,):
        pending = ctx.vault_service.prepare_setup(PASSPHRASE, PASSPHRASE)
        ctx.vault_service.finish_setup(pending, pending.recovery_code)
    leader, member = leader.refreshed(), member.refreshed()
    schedule = Schedule.weekly(zone="Europe/Stockholm", first=date.today() + timedelta(days=3), at=clock(18),
                               count=6)
    made = leader.leader.create_group("Tisdag", schedule, relay=relay.url, enrolment=relay.enrolment_token(),
                                      now=now, version=1)
    leader.sync.run(now=now)
    member.joining.join(member.joining.read(leader.leader.invite(made.id, today=now.date()).link,
                                            today=now.date()), now=now)
    member.sync.run(now=now)
    member.close()
    return leader, member_home, made.id


@pytest.fixture
def group(tmp_path: Path, relay: RelayProcess) -> Iterator[tuple[AppContext, Path, str]]:
    leader, home, group_id = _group(tmp_path, relay, journal=True)
    try:
        yield leader, home, group_id
    finally:
        leader.close()


def _read_up_to(service: VaultService, group_id: str) -> int:
    """How far the member's app has read the group's mailbox (a plaintext position: readable while locked)."""
    link = LinkStore(service.engine).get(group_id)
    assert link is not None
    return link.after


def _main(home: Path, relay: RelayProcess, services: list[VaultService], *, listen: bool):  # type: ignore[no-untyped-def]
    def factory() -> VaultService:
        services.append(VaultService(home, kdf=FAST_KDF))
        return services[-1]

    return build_main(factory, profile=Profile(default_language="en", relay=Relay(url=relay.url)),
                      tick_seconds=3600, sync_seconds=3600, listen=listen)


async def _send_homework(leader: AppContext, group_id: str) -> None:
    def send() -> None:
        leader.leader.send_prompt(group_id, prompt_id="strengths", now=datetime.now(UTC))
        assert leader.sync.run(now=datetime.now(UTC)).sent == 1

    await asyncio.to_thread(send)


async def _homework_shown(ui: UI, group_id: str, *, within: float = 5.0) -> float:
    """Seconds until the homework is on the member's screen (fails after `within`)."""
    text = get_prompt("strengths").text  # type: ignore[union-attr]  (English msgid: the app speaks English)
    started = time.perf_counter()
    await ui.wait_for(lambda: ui.query(key=f"homework-text-{group_id}", where=lambda c: c.value == text),
                      timeout=within)
    return time.perf_counter() - started


async def _unlock(ui: UI) -> None:
    await ui.type(await el(ui, "unlock-passphrase"), PASSPHRASE)
    await ui.click(await el(ui, "unlock"))


async def test_unlocking_fetches_what_came_while_locked(group, relay) -> None:  # type: ignore[no-untyped-def]
    leader, home, group_id = group
    services: list[VaultService] = []
    try:
        async with run_app(_main(home, relay, services, listen=False)) as ui:
            await el(ui, "unlock")
            await asyncio.sleep(0.5)  # the sync on open is done: the homework is not there yet
            await _send_homework(leader, group_id)
            await _unlock(ui)
            await _homework_shown(ui, group_id)
    finally:
        for service in services:
            service.close()


async def test_resuming_fetches(group, relay) -> None:  # type: ignore[no-untyped-def]
    leader, home, group_id = group
    services: list[VaultService] = []
    try:
        async with run_app(_main(home, relay, services, listen=False)) as ui:
            await _unlock(ui)
            await asyncio.sleep(0.5)
            await _send_homework(leader, group_id)
            await asyncio.sleep(1.0)
            assert not ui.query(key=f"homework-text-{group_id}")  # no listener here: nothing came by itself
            await ui.lifecycle(ft.AppLifecycleState.RESUME)
            await _homework_shown(ui, group_id)
    finally:
        for service in services:
            service.close()


async def test_an_open_app_learns_of_news_within_5_s(group, relay) -> None:  # type: ignore[no-untyped-def]
    leader, home, group_id = group
    services: list[VaultService] = []
    try:
        async with run_app(_main(home, relay, services, listen=True)) as ui:
            await _unlock(ui)
            await asyncio.sleep(1.0)  # unlocked: the listener is waiting at the relay
            await _send_homework(leader, group_id)
            seconds = await _homework_shown(ui, group_id)  # no resume, no unlock, no "check for news"
            assert seconds < 5.0
            await ui.lifecycle(ft.AppLifecycleState.HIDE)  # locks, and the listener stops
            await el(ui, "unlock")
            read = _read_up_to(services[0], group_id)
            await _send_homework(leader, group_id)
            await asyncio.sleep(2.0)
            assert _read_up_to(services[0], group_id) == read  # locked: nothing was fetched
    finally:
        for service in services:
            service.close()


async def test_without_a_journal_it_listens_while_shown_and_not_while_hidden(tmp_path, relay) -> None:  # type: ignore[no-untyped-def]
    leader, home, group_id = _group(tmp_path, relay, journal=False)
    services: list[VaultService] = []
    try:
        async with run_app(_main(home, relay, services, listen=True)) as ui:
            await asyncio.sleep(1.0)  # nothing to unlock: the listener waits at the relay at once
            read = _read_up_to(services[0], group_id)
            await _send_homework(leader, group_id)  # kept sealed until a journal exists, but read at once
            started = time.perf_counter()
            while _read_up_to(services[0], group_id) == read:
                assert time.perf_counter() - started < 5.0, "not fetched within 5 s"
                await asyncio.sleep(0.05)
            await ui.lifecycle(ft.AppLifecycleState.HIDE)  # hidden: nothing is polled, journal or not
            await asyncio.sleep(0.5)
            read = _read_up_to(services[0], group_id)
            await _send_homework(leader, group_id)
            await asyncio.sleep(2.0)
            assert _read_up_to(services[0], group_id) == read
            await ui.lifecycle(ft.AppLifecycleState.SHOW)  # back: fetched on resume
            started = time.perf_counter()
            while _read_up_to(services[0], group_id) == read:
                assert time.perf_counter() - started < 5.0, "not fetched on resume"
                await asyncio.sleep(0.05)
    finally:
        for service in services:
            service.close()
        leader.close()
