"""Back returns where one came from (issue 17, docs/adr/0012-wide-layout.md): the router keeps the way, cuts it
back when a screen on it is shown again, skips forms once left, and forgets it at a tab, home and the lock."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import flet as ft

from app.config import Profile
from app.services.context import AppContext
from app.services.vault_service import VaultService
from app.views.routes import Route, Router
from app.views.states.model import AppModel
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.ui.harness import run_app
from tests.ui.test_groups_views import _main, add_group
from tests.ui.test_views import el, onboard


def _unlocked() -> Router:
    return Router(unlocked=lambda: True)


def test_back_goes_one_step_at_a_time_and_a_screen_shown_again_cuts_the_way() -> None:
    router = _unlocked()
    router.navigate(Route.SEARCH)
    router.navigate(Route.ENTRY, id="e1")
    router.navigate(Route.HISTORY, id="e1", prompt="strengths")
    router.navigate(Route.ENTRY, id="e1")  # A -> B -> A: not A -> B -> A -> B
    assert router.history == ((Route.SEARCH, {}),)
    router.back(Route.JOURNAL)
    assert router.route is Route.SEARCH and router.history == ()
    router.back(Route.JOURNAL)  # nothing remembered: the screen's own way back
    assert router.route is Route.JOURNAL


def test_a_form_once_left_is_not_returned_to() -> None:
    router = _unlocked()
    router.navigate(Route.JOURNAL)
    router.navigate(Route.EDITOR, id="new")
    router.navigate(Route.ENTRY, id="e1")  # saved: the editor is behind
    router.back(Route.JOURNAL)
    assert router.route is Route.JOURNAL


def test_the_lock_forgets_the_way_and_back_skips_what_a_locked_app_may_not_show(tmp_path: Path) -> None:
    service = VaultService(tmp_path, kdf=FAST_KDF)
    try:
        pending = service.prepare_setup(PASSPHRASE, PASSPHRASE)
        service.finish_setup(pending, pending.recovery_code)
        service.lock()
        model = AppModel.build(AppContext(vault_service=service, profile=Profile()))
        router, session = model.router, model.session
        session.start()
        router.navigate(Route.HELP)
        assert router.route is Route.HELP
        router.history = ((Route.ENTRY, {"id": "e1"}),)  # as if left there before a lock that did not clear it
        router.back()
        assert router.route is session.home_screen()  # the entry needs the open journal: not shown
        router.history = ((Route.ENTRY, {"id": "e1"}),)
        router.show(Route.UNLOCK)
        assert router.history == ()
    finally:
        service.close()


async def test_back_from_a_group_returns_to_the_journal_it_was_opened_from(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await onboard(ui)
        await ui.fire(ui.find(ft.NavigationBar), "change", 3, props={"selected_index": 3})
        await ui.click(await el(ui, "add-group"))
        await add_group(ui, date.today() + timedelta(days=3))
        await ui.click(await el(ui, "guidelines-ok"))
        await ui.click(await el(ui, "next-meeting-open"))  # journal -> the group
        await el(ui, "export-ics")
        await ui.click(await el(ui, "back"))
        await el(ui, "new-entry")  # back on the journal, not on Settings
        assert ui.find(ft.NavigationBar).selected_index == 0
    for svc in services:
        svc.close()


async def test_back_from_an_entry_opened_in_search_returns_to_search(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await onboard(ui)
        await ui.click(await el(ui, "new-entry"))
        await ui.type(await el(ui, "text"), "A walk by the sea helped")
        await ui.click(await el(ui, "save"))
        await el(ui, "entry-text")
        await ui.click(await el(ui, "back"))
        await el(ui, "new-entry")  # from the new entry, Back is the list (the editor is not returned to)
        await ui.fire(ui.find(ft.NavigationBar), "change", 1, props={"selected_index": 1})
        await ui.type(await el(ui, "search"), "sea")
        await ui.click(await ui.wait_for(lambda: ui.query(ft.ListTile, where=lambda c: str(c.key or "")
                                                          .startswith("entry-"))))
        await el(ui, "entry-text")
        await ui.click(await el(ui, "back"))
        await el(ui, "search")
        assert ui.find(ft.NavigationBar).selected_index == 1
    for svc in services:
        svc.close()
