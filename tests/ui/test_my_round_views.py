"""My round and my crisis plan in the real screens (issue 18): from My toolkit, a round noted and drawn over the
course with a read-out for screen readers; the crisis plan saved, reachable from "Need help now?" once
unlocked, and shown locked only after the explicit opt-in, never with the warning signs."""

from __future__ import annotations

from pathlib import Path

import flet as ft
import flet_charts as fch

from app.services.vault_service import VaultService
from tests.conftest import PASSPHRASE
from tests.ui.harness import run_app
from tests.ui.test_groups_views import _main
from tests.ui.test_views import el, onboard, tab


async def test_a_round_is_noted_and_drawn_with_a_read_out(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await onboard(ui)
        await tab(ui, 2)
        await ui.click(await el(ui, "open-my-round"))
        assert (await el(ui, "round-save")).disabled is True  # a score first
        await ui.click(await el(ui, "score-2"))
        await ui.type(await el(ui, "round-words"), "tungt men här")
        await ui.choose(await el(ui, "factor-hope"), "3")
        await ui.click(await el(ui, "round-save"))
        await ui.wait_for(lambda: ui.query(key="round-chart"))
        await ui.click(await el(ui, "score-4"))
        await ui.click(await el(ui, "round-save"))
        await ui.wait_for(lambda: len(ui.find(fch.LineChart).data_series[0].points) == 2)
        spoken = ui.find(ft.Semantics, key="round-chart").label
        assert spoken.endswith(": 2 of 5\n" + spoken.splitlines()[-1]) and spoken.splitlines()[-1].endswith("4 of 5")
    for service in services:
        service.close()


async def _locked_help(ui) -> None:  # type: ignore[no-untyped-def]
    """Quick exit, back to the unlock screen, then "Need help now?" as a locked app shows it."""
    await ui.click(await el(ui, "quick-exit"))
    await ui.click(await el(ui, "neutral-back"))
    await el(ui, "unlock-passphrase")
    await ui.click(await el(ui, "help"))
    await ui.wait_for(lambda: any(str(c.key or "").startswith("call-") for c in ui.find_all(ft.ListTile)))


async def test_the_plan_is_a_tap_from_help_and_locked_only_its_short_version_shows(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await onboard(ui)
        await tab(ui, 2)
        await ui.click(await el(ui, "open-plan"))
        await ui.type(await el(ui, "plan-signs"), "MARKER-sign Jag slutar sova")
        await ui.type(await el(ui, "plan-helps"), "En promenad vid vattnet")
        await ui.type(await el(ui, "plan-people"), "Lisa = 070-123 45 67")
        await ui.click(await el(ui, "plan-save"))
        call = await el(ui, "plan-call-0")
        assert call.url == "tel:070-1234567"
        await ui.click(await el(ui, "help"))
        await ui.click(await el(ui, "help-plan"))  # unlocked: the whole plan a tap from help
        await el(ui, "plan-edit")
        await _locked_help(ui)
        assert ui.query(key="plan-call-0") is None and ui.query(key="help-plan") is None  # not opted in
    for service in services:
        service.close()

    services = []
    async with run_app(_main(home, services)) as ui:
        await ui.type(await el(ui, "unlock-passphrase"), PASSPHRASE)
        await ui.click(await el(ui, "unlock"))
        await tab(ui, 2)
        await ui.click(await el(ui, "open-plan"))
        await ui.fire(await el(ui, "plan-short"), "change", True, props={"value": True})
        await _locked_help(ui)
        assert (await el(ui, "plan-call-0")).url == "tel:070-1234567"
        texts = " ".join(ui.texts())
        assert "En promenad vid vattnet" in texts and "MARKER-sign" not in texts
        order = ui.texts()  # in English the region's country first, then the plan, then the other countries
        plan_at = next(i for i, t in enumerate(order) if "En promenad vid vattnet" in t)
        countries = [i for i, t in enumerate(order) if t in ("Sweden", "Norway", "Denmark")]
        assert countries[0] < plan_at < countries[1], order
    for service in services:
        service.close()
