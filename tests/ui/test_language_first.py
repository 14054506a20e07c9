"""Issue 17: the language before anything else, and the member's words.

A Danish browser gets the welcome in Danish; the language can be chosen on the welcome and by a member without
a journal, applies at once and is kept; time zones are named in the member's language; the crisis lines list
the member's own country first; the guidelines, once shown, survive a reload until "I understand".
Every expected text is read from the catalogs, never typed in here.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from babel.dates import get_timezone_location

from app.config import Profile
from app.i18n import DOMAIN, LOCALES_DIR
from app.services.vault_service import VaultService
from app.views.app import build_main
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.ui.harness import UI, run_app
from tests.ui.test_groups_views import add_group, journal_then_add_group
from tests.ui.test_views import el


def catalog(code: str) -> Callable[[str], str]:
    return gettext.translation(DOMAIN, localedir=LOCALES_DIR, languages=[code]).gettext


def browser(*codes: str) -> dict[str, Any]:
    """What the web client answers to `get_device_info`: navigator.languages as locales."""
    return {"get_device_info": {"browser_name": "chrome", "locales": [
        {"language_code": c.split("-")[0], "country_code": c.split("-")[1] if "-" in c else None} for c in codes]}}


@pytest.fixture(autouse=True)
def quiet_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine that says no language (a headless server, C locale): the browser's is what counts."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)


def app(home: Path, services: list[VaultService], profile: Profile | None = None) -> Callable[..., Any]:
    def factory() -> VaultService:
        services.append(VaultService(home, kdf=FAST_KDF))
        return services[-1]

    return build_main(factory, profile=profile or Profile(), tick_seconds=3600)


def shows(ui: UI, text: str) -> bool:
    return ui.query(text=text) is not None


async def test_a_danish_browser_gets_the_welcome_in_danish(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(app(home, services), answers=browser("da-DK", "en-US")) as ui:
        assert shows(ui, catalog("da")("Welcome to Kraft")), ui.texts()
        assert (await el(ui, "welcome-language")).value == "da"
    for svc in services:
        svc.close()


async def test_a_browser_in_a_language_kraft_lacks_gets_the_next_one_it_asks_for(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(app(home, services), answers=browser("de-DE", "nb-NO")) as ui:
        assert shows(ui, catalog("nb")("Welcome to Kraft"))
    for svc in services:
        svc.close()


async def test_the_language_chosen_on_the_welcome_applies_at_once_and_is_kept(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(app(home, services), answers=browser("da-DK")) as ui:
        await ui.choose(await el(ui, "welcome-language"), "sv")
        await ui.wait_for(lambda: shows(ui, catalog("sv")("Welcome to Kraft")))
        assert shows(ui, catalog("sv")("Just the meeting times"))
    async with run_app(app(home, services), answers=browser("da-DK")) as ui:  # reloaded: the choice wins
        assert shows(ui, catalog("sv")("Welcome to Kraft"))
    for svc in services:
        svc.close()


async def test_a_member_without_a_journal_changes_the_language_on_the_home_screen(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(app(home, services), answers=browser("en-GB")) as ui:
        await ui.click(await el(ui, "anonymous"))
        await add_group(ui, date.today() + timedelta(days=3))
        await ui.click(await el(ui, "guidelines-ok"))
        await ui.choose(await el(ui, "home-language"), "da")
        await ui.wait_for(lambda: shows(ui, catalog("da")("My groups")))
        assert services[-1].has_vault() is False
    async with run_app(app(home, services), answers=browser("en-GB")) as ui:
        assert shows(ui, catalog("da")("My groups"))
    for svc in services:
        svc.close()


async def test_time_zones_are_named_in_the_members_language_the_nordic_ones_first(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(app(home, services), answers=browser("sv-SE")) as ui:
        await ui.click(await el(ui, "anonymous"))
        picker = await el(ui, "group-zone")
        names = [o.text for o in picker.options]
        assert names[:4] == ["Sverige", "Norge", "Danmark", "Finland"]  # under "Tidszon": the countries
        assert names[4:] == [catalog("sv")("Another time zone")]
        assert not any("/" in (name or "") for name in names)
        assert ui.query(key="group-zone-other") is None
        await ui.choose(picker, "other")
        await add_group(ui, date.today() + timedelta(days=3))  # no zone from the long list yet: refused
        other = await el(ui, "group-zone-other")  # the refusal is said at the list where the zone is chosen
        assert other.error_text == catalog("sv")("Choose the time zone where the group meets from the list.")
        assert not ui.query(key="guidelines-ok")
        london = get_timezone_location("Europe/London", locale="sv")
        assert london in [o.text for o in other.options]
        await ui.choose(other, "Europe/London")
        await ui.click(await el(ui, "save-group"))
        await ui.click(await el(ui, "guidelines-ok"))
        await ui.click(await el(ui, "next-meeting-open"))
        texts = " ".join(ui.texts())
        assert "Europe/" not in texts
        assert london in texts
    for svc in services:
        svc.close()


def help_countries(ui: UI) -> list[str]:
    return [c.key.split("-")[1] for c, _depth in ui._walk() if isinstance(c.key, str) and c.key.startswith("call-")]


@pytest.mark.parametrize(("default", "first"), [("sv", "SE"), ("nb", "NO"), ("da", "DK")])
async def test_english_lists_the_regions_own_country_first(home: Path, default: str, first: str) -> None:
    services: list[VaultService] = []
    async with run_app(app(home, services, Profile(default_language=default)), answers=browser("en-US")) as ui:
        assert shows(ui, "Welcome to Kraft")
        await ui.click(await el(ui, "help"))
        await el(ui, f"call-{first}-112" if first != "NO" else "call-NO-113")
        assert help_countries(ui)[0] == first
    for svc in services:
        svc.close()


async def test_english_lists_the_country_of_the_members_group_first(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(app(home, services, Profile(default_language="sv")), answers=browser("en-US")) as ui:
        await ui.click(await el(ui, "anonymous"))
        await ui.choose(await el(ui, "group-zone"), "Europe/Oslo")
        await add_group(ui, date.today() + timedelta(days=3))
        await ui.click(await el(ui, "guidelines-ok"))
        await ui.click(await el(ui, "help"))
        await el(ui, "call-NO-113")
        assert help_countries(ui)[0] == "NO"
    for svc in services:
        svc.close()


async def test_a_reload_before_i_understand_shows_the_guidelines_again(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(app(home, services), answers=browser("en-GB")) as ui:
        await ui.click(await el(ui, "anonymous"))
        await add_group(ui, date.today() + timedelta(days=3))
        await el(ui, "guidelines-ok")
    async with run_app(app(home, services), answers=browser("en-GB")) as ui:  # the tab reloaded
        assert shows(ui, "How the group works"), ui.texts()
        await ui.click(await el(ui, "guidelines-ok"))
        await el(ui, "next-meeting")
    async with run_app(app(home, services), answers=browser("en-GB")) as ui:  # understood: not again
        await el(ui, "next-meeting")
        assert not shows(ui, "How the group works")
    for svc in services:
        svc.close()


async def test_with_a_journal_the_guidelines_not_yet_understood_follow_the_unlock(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(app(home, services), answers=browser("en-GB")) as ui:
        await journal_then_add_group(ui)
        await add_group(ui, date.today() + timedelta(days=3))
        await el(ui, "guidelines-ok")
    async with run_app(app(home, services), answers=browser("en-GB")) as ui:  # reloaded: locked
        await ui.type(await el(ui, "unlock-passphrase"), PASSPHRASE)
        await ui.click(await el(ui, "unlock"))
        await ui.wait_for(lambda: shows(ui, "How the group works"))
        await ui.click(await el(ui, "guidelines-ok"))
        await el(ui, "new-entry")
    for svc in services:
        svc.close()
