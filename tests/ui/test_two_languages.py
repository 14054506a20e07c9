"""Two sessions of the real app in one process, one in Danish and one in Swedish, at the same time.

In web mode one process serves every browser tab, so the language must belong to the session, never to the
process (docs/adr/0007-app-layout.md). Every expected text is read from the catalogs and every date is made
by Babel here, never typed in: each session must show its own texts, dates and tag names while the other
one acts in between.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

import flet as ft
from babel import dates as babel_dates

from app.config import Profile
from app.i18n import DOMAIN, LOCALES_DIR
from app.services.vault_service import VaultService
from app.views.app import build_main
from tests.conftest import FAST_KDF
from tests.ui.harness import UI, run_app
from tests.ui.test_groups_views import add_group
from tests.ui.test_views import el, onboard, tab


def catalog(code: str) -> Callable[[str], str]:
    """The language's own `_`, straight from its compiled catalog."""
    return gettext.translation(DOMAIN, localedir=LOCALES_DIR, languages=[code]).gettext


def chosen(home: Path, code: str, services: list[VaultService]) -> Callable[[ft.Page], object]:
    """The app for a member who chose `code` in the settings earlier (a preference on the device)."""
    home.mkdir()
    first = VaultService(home, kdf=FAST_KDF)
    first.set_preference("language", code)
    first.close()

    def factory() -> VaultService:
        services.append(VaultService(home, kdf=FAST_KDF))
        return services[-1]

    return build_main(factory, profile=Profile(default_language="en"), tick_seconds=3600)


def shows(ui: UI, text: str) -> bool:
    return ui.query(text=text) is not None


async def write_with_hope(ui: UI, text: str) -> None:
    await ui.click(await el(ui, "new-entry"))
    await ui.type(await el(ui, "text"), text)
    await ui.fire(await el(ui, "tag-hope"), "select", True, props={"selected": True})
    await ui.click(await el(ui, "save"))
    await ui.wait_for(lambda: ui.query(key="entry-text"))


async def test_a_danish_and_a_swedish_session_render_at_once_each_in_its_own_language(tmp_path: Path) -> None:
    da, sv = catalog("da"), catalog("sv")
    assert da("Hope") != sv("Hope") and da("Settings") != sv("Settings")  # the test can tell them apart
    services: list[VaultService] = []
    async with run_app(chosen(tmp_path / "da", "da", services)) as dk, \
            run_app(chosen(tmp_path / "sv", "sv", services)) as se:
        # both started; the Swedish one last
        assert shows(dk, da("Welcome to Kraft")) and not shows(dk, sv("Welcome to Kraft"))
        assert shows(se, sv("Welcome to Kraft"))
        assert dk.page.locale_configuration.current_locale.language_code == "da"

        await onboard(dk)
        await onboard(se)
        await write_with_hope(dk, "En god dag")
        await write_with_hope(se, "En bra dag")
        today = datetime.now().astimezone().date()
        for ui, code, _ in ((dk, "da", da), (se, "sv", sv)):  # the entry: its date and its tag, in its language
            day = babel_dates.format_date(today, format="medium", locale=code)
            assert any(t.startswith(day + " ") for t in ui.texts()), f"{code}: no {day!r}\n{ui.dump()}"
            assert shows(ui, _("Hope")), ui.dump()
        assert not shows(dk, sv("Hope")) and not shows(se, da("Hope"))

        await tab(se, 1)  # search by the tag's name in the session's own language
        await se.type(await el(se, "search"), sv("Hope").lower())
        await tab(dk, 1)
        await dk.type(await el(dk, "search"), da("Hope").lower())
        assert shows(dk, "En god dag") and shows(se, "En bra dag")
        await se.type(await el(se, "search"), da("Hope").lower())  # the other language's name finds nothing
        assert not shows(se, "En bra dag")
        assert shows(dk, "En god dag")

        first = date.today() + timedelta(days=8)
        for ui in (dk, se):
            await tab(ui, 3)
            await ui.click(await el(ui, "add-group"))
        await add_group(dk, first, label="Torsdag")
        await add_group(se, first, label="Torsdag")
        assert shows(dk, da("How the group works")) and shows(se, sv("How the group works"))
        await ui_ok(dk)
        await ui_ok(se)
        for ui, code in ((dk, "da"), (se, "sv")):  # the next meeting, in its zone and the session's format
            when = (f"{babel_dates.format_date(first, format='medium', locale=code)} "
                    f"{babel_dates.format_time(time(18), format='short', locale=code)}")
            assert (await el(ui, "next-when")).value == when

        await tab(dk, 3)  # the Danish one renders again after the Swedish one changed, and the other way
        await tab(se, 3)
        await tab(dk, 3)
        assert shows(dk, da("Settings")) and not shows(dk, sv("Settings"))
        assert shows(se, sv("Settings")) and not shows(se, da("Settings"))
    for svc in services:
        svc.close()


async def ui_ok(ui: UI) -> None:
    await ui.click(await el(ui, "guidelines-ok"))
    await ui.wait_for(lambda: ui.query(key="next-when"))


def test_two_threads_each_speak_the_language_they_use() -> None:
    import threading

    from app import i18n

    ready = threading.Barrier(2, timeout=10)
    seen: dict[str, list[str]] = {}

    def speak(code: str) -> None:
        with i18n.use(code):
            ready.wait()  # both inside their block at once
            seen[code] = [i18n._("Hope"), i18n.current_language(), i18n.format_day(date(2026, 12, 3))]
            ready.wait()
            seen[code].append(i18n._("Settings"))

    threads = [threading.Thread(target=speak, args=(code,)) for code in ("da", "sv")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for code in ("da", "sv"):
        _ = catalog(code)
        day = babel_dates.format_date(date(2026, 12, 3), format="medium", locale=code)
        assert seen[code] == [_("Hope"), code, day, _("Settings")]
    assert i18n._("Hope") == "Hope"  # this thread never chose one: English
