"""Wide screens, visible words and the way back (issue 17, docs/adr/0012-wide-layout.md): a navigation rail over
840 px and the bottom bar below, switched as the window is resized; help and quick exit say a word, not only an
icon."""

from __future__ import annotations

from pathlib import Path

import flet as ft

from app.services.vault_service import VaultService
from app.views import common
from tests.ui.harness import UI, run_app
from tests.ui.test_groups_views import _main
from tests.ui.test_views import el, onboard


def _shown_words(ui: UI, key: str) -> list[str]:
    """The texts drawn inside the control with `key` (what a sighted person reads there)."""
    return [t.value for t in ui.find_all(ft.Text, where=lambda c: _inside(ui, c, key)) if t.value]


def _inside(ui: UI, control: ft.Control, key: str) -> bool:
    node = control
    while node is not None:
        if getattr(node, "key", None) == key:
            return True
        node = getattr(node, "parent", None)
    return False


async def test_a_wide_window_gets_a_rail_and_a_narrow_one_the_bottom_bar(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(_main(home, services), client={"width": 1280.0, "height": 800.0}) as ui:
        await onboard(ui)
        assert ui.query(ft.NavigationRail) is not None and ui.query(ft.NavigationBar) is None
        await ui.fire(ui.find(ft.NavigationRail), "change", 2, props={"selected_index": 2})
        assert ui.find(ft.NavigationRail).selected_index == 2
        await ui.resize(390, 844)
        await ui.wait_for(lambda: ui.query(ft.NavigationBar))
        assert ui.query(ft.NavigationRail) is None
        assert ui.find(ft.NavigationBar).selected_index == 2  # the same screen, the other navigation
        await ui.resize(1280, 800)
        await ui.wait_for(lambda: ui.query(ft.NavigationRail))
        assert ui.query(ft.NavigationBar) is None
    for svc in services:
        svc.close()


async def test_the_body_keeps_a_readable_width_beside_the_rail(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(_main(home, services), client={"width": 1280.0, "height": 800.0}) as ui:
        await onboard(ui)
        body = ui.find(ft.Container, key="body")
        assert body.width == common.MAX_WIDTH and 720 <= common.MAX_WIDTH <= 840
        assert getattr(common, "WIDE_FROM", None) == 840
    for svc in services:
        svc.close()


async def test_help_and_quick_exit_say_a_word_at_phone_width_too(home: Path) -> None:
    services: list[VaultService] = []
    for width in (390.0, 1280.0):
        async with run_app(_main(home, services, language="sv"), client={"width": width}) as ui:
            await el(ui, "help")
            assert "Hjälp" in _shown_words(ui, "help")
            assert "Stäng" in _shown_words(ui, "quick-exit")
            await ui.click(await el(ui, "quick-exit"))  # still the quick exit
            await ui.wait_for(lambda: ui.query(text="Inga anteckningar"))
    for svc in services:
        svc.close()


async def test_keyboard_focus_draws_a_ring_on_every_kind_of_button_in_both_themes(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        for theme in (ui.page.theme, ui.page.dark_theme):
            assert theme is not None
            for kind in ("button_theme", "text_button_theme", "filled_button_theme", "outlined_button_theme",
                         "icon_button_theme"):
                style = getattr(theme, kind).style
                ring = style.side[ft.ControlState.FOCUSED]
                assert ring.width >= 2 and ring.color == ft.Colors.ON_SURFACE, kind  # >= 3:1 on the surface
                assert ft.ControlState.DEFAULT not in style.side, kind  # no ring without the focus
            assert theme.switch_theme.track_outline_width[ft.ControlState.FOCUSED] >= 2
            assert theme.focus_color and theme.focus_color != ft.Colors.ON_SURFACE  # a tint, stronger than 10 %
    for svc in services:
        svc.close()

