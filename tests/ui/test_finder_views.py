"""Find a group in the UI (issue 19 point 1, docs/adr/0016-region-catalogue.md): the region's signed catalogue
from the copy on the device with no relay reachable; filtering by theme and town as one types; nothing at all
from a copy someone else signed; no way in without a region key in the profile."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import flet as ft

import protocol as p
from app.config import Organisation, Profile, Relay
from app.i18n import _
from app.services.vault_service import VaultService
from app.storage.catalogue_cache import write_cached
from app.views.app import build_main
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import free_port
from tests.ui.harness import UI, run_app
from tests.ui.test_views import el, onboard

DAY = date(2026, 12, 3)


def _entries() -> list[p.CatalogueEntry]:
    common = {"language": "sv", "zone": "Europe/Stockholm", "words": ""}
    return [
        p.new_entry(status="forming", theme="exhaustion", place="Malmö", weekday=2, time="18:00", needed=3,
                    intake="040-123 45 67", **common),
        p.new_entry(status="forming", theme="living_with_pain", place="Lund", weekday=4, time="17:30", needed=1,
                    intake="smarta@example.org", **common),
        p.new_entry(status="running", theme="", place="", weekday=1, time="19:00", needed=0,
                    intake="https://example.org/samtal", **{**common, "words": "Att leva med tinnitus"}),
    ]


def _profile(region: p.Identity | None) -> Profile:
    """A region's profile: its key pinned (when given) and a relay that nobody answers at."""
    key = p.region_key_text(region.public()) if region is not None else ""
    return Profile(default_language="en", organisation=Organisation(region_key=key),
                   relay=Relay(url=f"http://127.0.0.1:{free_port()}"))


def _device_copy(home: Path, signer: p.Identity, region: p.Identity, entries: list[p.CatalogueEntry]) -> None:
    """The catalogue as this device kept it, signed by `signer`, in the file of `region`'s id."""
    signed = p.sign_catalogue(signer, serial=2, issued=DAY, entries=entries)
    write_cached(home, p.region_id(region.public().sig), signed)


def _main(home: Path, profile: Profile):  # type: ignore[no-untyped-def]
    return build_main(lambda: VaultService(home, kdf=FAST_KDF), profile=profile, tick_seconds=3600, listen=False)


def _cards(ui: UI) -> list[str]:
    return [str(c.key) for c in ui.find_all(ft.Card) if str(c.key).startswith("find-entry-")]


async def _shows(ui: UI, ids: list[str]) -> None:
    want = sorted(f"find-entry-{i}" for i in ids)
    await ui.wait_for(lambda: sorted(_cards(ui)) == want, message=f"cards {_cards(ui)}, not {want}")


async def test_the_copy_on_the_device_shows_offline_and_filters_as_one_types(home: Path) -> None:
    region = p.Identity.new()
    malmo, lund, online = entries = _entries()
    _device_copy(home, region, region, entries)
    async with run_app(_main(home, _profile(region))) as ui:
        await ui.click(await el(ui, "open-find"))
        await _shows(ui, [malmo.id, lund.id, online.id])
        copy = await el(ui, "find-copy")  # calm, in words: the relay cannot be reached, this is the copy
        assert copy.value == _("This is the copy on this device: the relay cannot be reached just now.")
        assert ui.query(key="error") is None  # being offline is no red error
        assert ui.query(key="find-problem") is None
        assert "Dec 3, 2026" in ui.find(key="find-issued").value
        assert ui.query(text=_("Forming: {n} more people needed before it starts").format(n=3)) is not None
        assert ui.query(ft.Semantics, label=_("Intake: {how}").format(how="040-123 45 67")) is not None

        await ui.type(await el(ui, "find-theme"), "stress")
        await _shows(ui, [malmo.id])
        await ui.type(ui.find(key="find-theme"), "")
        await ui.type(ui.find(key="find-town"), "malmo")
        await _shows(ui, [malmo.id])
        assert ui.find(key=f"find-entry-{malmo.id}").content.content.controls[1].value.startswith("Malmö · ")
        await ui.type(ui.find(key="find-town"), "online")
        await _shows(ui, [online.id])

        await ui.type(ui.find(key="find-theme"), "xyzzy plugh")
        await _shows(ui, [])
        assert (await el(ui, "find-none")).value == _(
            "No group matches. Try fewer words, or leave out the town: online groups show then too.")


async def test_a_copy_signed_by_another_key_shows_nothing_but_the_problem(home: Path) -> None:
    region, stranger = p.Identity.new(), p.Identity.new()
    _device_copy(home, stranger, region, _entries())  # the region's file, someone else's signature
    async with run_app(_main(home, _profile(region))) as ui:
        await ui.click(await el(ui, "open-find"))
        problem = await el(ui, "find-problem")
        assert problem.value.startswith(_("The list of groups could not be fetched"))
        assert _cards(ui) == []
        for key in ("find-copy", "find-theme", "find-town", "find-issued", "find-none"):
            assert ui.query(key=key) is None, key
        assert ui.query(key="find-refresh") is not None  # it can be tried again


async def test_refresh_keeps_the_copy_and_the_words_until_a_lock(home: Path) -> None:
    region = p.Identity.new()
    entries = _entries()
    _device_copy(home, region, region, entries)
    async with run_app(_main(home, _profile(region))) as ui:
        await ui.click(await el(ui, "open-find"))
        await _shows(ui, [e.id for e in entries])
        await ui.type(ui.find(key="find-theme"), "pain")
        await _shows(ui, [entries[1].id])
        await ui.click(ui.find(key="find-refresh"))
        await _shows(ui, [entries[1].id])  # the words stay, the copy stays
        assert ui.query(key="find-copy") is not None
        await ui.click(ui.find(key="back"))
        await el(ui, "welcome-language")
        await ui.click(ui.find(key="open-find"))
        assert (await el(ui, "find-theme")).value == "pain"  # kept while the app is open
        await _shows(ui, [entries[1].id])
        await ui.click(ui.find(key="quick-exit"))  # a lock forgets what was searched for
        await ui.click(await el(ui, "neutral-back"))
        await ui.click(await el(ui, "open-find"))
        await _shows(ui, [e.id for e in entries])
        assert ui.find(key="find-theme").value == ""


async def test_without_a_region_key_there_is_no_find_a_group(home: Path) -> None:
    async with run_app(_main(home, _profile(None))) as ui:
        await el(ui, "open-join")  # the welcome screen is shown
        assert ui.query(key="open-find") is None
        assert ui.query(text=_("Find a group")) is None
    region = p.Identity.new()
    async with run_app(_main(home, _profile(region))) as ui:  # the same welcome with the key: the button is there
        assert (await el(ui, "open-find")).content == _("Find a group")


async def test_the_home_screen_without_a_journal_has_find_a_group_beside_adding_one(home: Path) -> None:
    region = p.Identity.new()
    _device_copy(home, region, region, _entries())
    async with run_app(_main(home, _profile(region))) as ui:
        await ui.click(await el(ui, "anonymous"))
        await ui.type(await el(ui, "group-label"), "Tisdag")
        await ui.type(await el(ui, "group-first"), "2030-01-08")
        await ui.click(await el(ui, "save-group"))
        await ui.click(await el(ui, "guidelines-ok"))
        await el(ui, "add-group")
        await ui.click(await el(ui, "open-find"))
        await el(ui, "find-copy")
    async with run_app(_main(home, _profile(None))) as ui:
        await el(ui, "add-group")
        assert ui.query(key="open-find") is None


async def test_a_member_with_a_journal_finds_a_group_from_my_groups(home: Path) -> None:
    region = p.Identity.new()
    entries = _entries()
    _device_copy(home, region, region, entries)
    async with run_app(_main(home, _profile(region))) as ui:
        await onboard(ui)
        await ui.fire(ui.find(ft.NavigationBar), "change", 3, props={"selected_index": 3})
        await el(ui, "add-group")
        await ui.click(await el(ui, "open-find"))
        await _shows(ui, [e.id for e in entries])
    async with run_app(_main(home, _profile(None))) as ui:  # no region key: nothing to find
        await ui.type(await el(ui, "unlock-passphrase"), PASSPHRASE)
        await ui.click(await el(ui, "unlock"))
        await ui.fire(ui.find(ft.NavigationBar), "change", 3, props={"selected_index": 3})
        await el(ui, "add-group")
        assert ui.query(key="open-find") is None
