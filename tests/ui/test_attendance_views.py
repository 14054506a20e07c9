"""Issue 5 in the UI: a member's opt-in (off by default, the exact payload shown), and the coordinator's view
with its chart and the funders' CSV, against a real relay process."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import flet as ft
import flet_charts as fch
import pytest

from app.config import Profile, Relay
from app.domain.schedule import Schedule
from app.services.attendance import AttendanceService
from app.services.coordinator_view import CoordinatorView
from app.services.joining import JoinService
from app.services.leader import LeaderService
from app.services.relay_sync import SyncService
from app.services.vault_service import VaultService
from app.views.app import build_main
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import Relay as RelayProcess
from tests.relay_process import shared_relay
from tests.ui.harness import run_app
from tests.ui.test_views import el, said_at


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[RelayProcess]:
    yield shared_relay()  # emptied; one process per test worker (tests/relay_process.py)


def _main(home: Path, relay_url: str, services: list[VaultService]):  # type: ignore[no-untyped-def]
    def factory() -> VaultService:
        services.append(VaultService(home, kdf=FAST_KDF))
        return services[-1]

    return build_main(factory, profile=Profile(default_language="en", relay=Relay(url=relay_url)), tick_seconds=3600)


def _group_with_a_member(tmp_path: Path, relay: RelayProcess) -> tuple[Path, str]:
    """A led group (meeting 1 began 3 days ago) and an anonymous member's home that joined it."""
    leader_home, member_home = tmp_path / "leader", tmp_path / "member"
    leader_home.mkdir()
    member_home.mkdir()
    now = datetime.now(UTC)
    leader = VaultService(leader_home, kdf=FAST_KDF)
    leader.finish_setup(pending := leader.prepare_setup(PASSPHRASE), pending.recovery_code)
    schedule = Schedule.weekly(zone="Europe/Stockholm", first=date.today() - timedelta(days=3), at=time(9),
                               interval=1, count=6)
    group = LeaderService(leader.engine, leader.vault).create_group(
        "Torsdag", schedule, relay=relay.url, enrolment=relay.enrolment_token(region="Syd", label="Lund torsdag"),
        now=now)
    SyncService(leader.engine, leader.vault).run(now=now)
    link = LeaderService(leader.engine, leader.vault).invite(group.id, today=date.today()).link
    LeaderService(leader.engine, leader.vault).send_head_count(group.id, schedule.meetings()[0].id, 7, now=now)
    SyncService(leader.engine, leader.vault).run(now=now)
    member = VaultService(member_home, kdf=FAST_KDF)
    joining = JoinService(member.engine, None)
    joining.join(joining.read(link, today=date.today()), now=now)
    SyncService(member.engine, None).run(now=now)
    SyncService(leader.engine, leader.vault).run(now=now)
    LeaderService(leader.engine, leader.vault).admit_all(group.id, now=now)  # the host lets the member in
    SyncService(leader.engine, leader.vault).run(now=now)
    SyncService(member.engine, None).run(now=now)
    leader.close()
    member.close()
    return member_home, group.id


async def test_a_member_sees_what_would_be_sent_and_opts_in(tmp_path: Path, relay: RelayProcess) -> None:
    member_home, group_id = _group_with_a_member(tmp_path, relay)
    services: list[VaultService] = []
    async with run_app(_main(member_home, relay.url, services)) as ui:
        await ui.click(await el(ui, f"group-{group_id}"))
        switch = await el(ui, "attendance-switch")
        assert switch.value is False  # off by default
        await ui.click(await el(ui, "attendance-preview-toggle"))
        payload = json.loads((await el(ui, "attendance-preview")).value)
        assert set(payload) == {"epoch", "nonce", "reports", "signature"}
        assert [r["meeting"] for r in payload["reports"]] == [f"{(date.today() - timedelta(days=3)):%Y%m%d}T080000Z"]
        await ui.fire(await el(ui, "attendance-switch"), "change", props={"value": True})
        await ui.wait_for(lambda: ui.query(key="notice"))
        assert "anonymously" in (await el(ui, "notice")).value
        assert AttendanceService(services[0].engine, None).opted_in(group_id)
    services[0].close()


async def test_the_coordinator_sees_counts_as_a_chart_and_exports_the_csv(
        tmp_path: Path, relay: RelayProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    _group_with_a_member(tmp_path, relay)
    home = tmp_path / "coordinator"
    home.mkdir()
    services: list[VaultService] = []
    async with run_app(_main(home, relay.url, services)) as ui:
        await ui.click(await el(ui, "open-coordinator"))
        await ui.type(await el(ui, "coord-token"), "not-a-token")
        await ui.click(await el(ui, "coord-open"))
        assert "unknown" in await said_at(ui, "coord-token")  # the refused token, said at its field
        await ui.type(await el(ui, "coord-token"), relay.coordinator_token())
        gate = threading.Event()
        real = CoordinatorView.overview

        def slow_overview(view: CoordinatorView, **kwargs: Any) -> Any:
            gate.wait(5)  # the relay takes its time (1.3-1.6 s were measured on a real one)
            return real(view, **kwargs)

        monkeypatch.setattr(CoordinatorView, "overview", slow_overview)
        await ui.click(await el(ui, "coord-open"), wait=False)
        beside = await el(ui, "coord-open-busy")  # the ring and the line beside the button, while it waits
        assert beside.controls[1].value == "Fetching the counts…" and isinstance(beside.controls[0], ft.ProgressRing)
        assert ui.find(ft.FilledButton, key="coord-open").disabled
        gate.set()
        totals = await el(ui, "coord-totals")
        assert totals.value == "1 group running, 1 meeting held, 7 attendances."
        chart = ui.find(fch.BarChart)
        assert [[rod.to_y for rod in g.rods] for g in chart.groups] == [[0, 7]]
        assert ui.query(text="Lund torsdag · Syd")
        ui.answer("FilePicker.save_file", None)
        await ui.click(await el(ui, "coord-export"))
        await ui.wait_for(lambda: ui.calls("save_file"))
        data = ui.calls("save_file")[0].args["src_bytes"].decode()
        assert data.splitlines()[0].startswith("region,") and "Syd" in data
        await ui.lifecycle(ft.AppLifecycleState.HIDE)  # leaving the app forgets the token
        await ui.wait_for(lambda: ui.query(key="coord-totals") is None)
    services[0].close()
