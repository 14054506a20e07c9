"""The real screens, driven in-process: onboarding, unlock, editor, list, search, toolkit, settings, locking."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import flet as ft
import pytest

from app.config import Profile
from app.services.vault_service import VaultService
from app.views.app import build_main
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.ui.harness import UI, run_app


@asynccontextmanager
async def open_app(
    home: Path, tick: float = 3600, language: str = "en"
) -> AsyncIterator[tuple[UI, list[VaultService]]]:
    services: list[VaultService] = []

    def factory() -> VaultService:
        services.append(VaultService(home, kdf=FAST_KDF))
        return services[-1]

    async with run_app(build_main(factory, profile=Profile(default_language=language), tick_seconds=tick)) as ui:
        yield ui, services
    for svc in services:
        svc.close()


async def onboard(ui: UI) -> str:
    await ui.click(await el(ui, "start"))
    await ui.type((await el(ui, "passphrase")), PASSPHRASE)
    await ui.type((await el(ui, "repeat")), PASSPHRASE)
    await ui.click(await el(ui, "continue"))
    await ui.wait_for(lambda: ui.query(key="recovery-confirm"))
    code = ui.find(ft.Semantics, where=lambda c: c.identifier == "recovery-code").content.value
    await ui.type((await el(ui, "recovery-confirm")), code)
    await ui.click(await el(ui, "confirm"))
    await ui.wait_for(lambda: ui.query(key="new-entry"))
    return code


async def el(ui: UI, key: str) -> Any:
    """The control with this key, once the screen shows it (renders land just after a handler returns)."""
    return await ui.wait_for(lambda: ui.query(key=key), message=f"no control with key {key!r}")


async def said_at(ui: UI, key: str) -> str:
    """What the text field `key` says is wrong with it (its error line), once the screen shows it."""
    field = await ui.wait_for(lambda: (c := ui.query(key=key)) is not None and c.error and c,
                              message=f"no error at the field {key!r}")
    return str(field.error)


async def tab(ui: UI, index: int) -> None:
    await ui.fire(ui.find(ft.NavigationBar), "change", index, props={"selected_index": index})


async def write(ui: UI, text: str, prompt: str | None = None) -> None:
    if not ui.query(key="new-entry"):
        await tab(ui, 0)
    await ui.click(await el(ui, "new-entry"))
    if prompt:
        await ui.choose((await el(ui, "prompt")), prompt)
    await ui.type((await el(ui, "text")), text)
    await ui.click(await el(ui, "save"))
    await ui.wait_for(lambda: ui.query(key="entry-text"))


async def test_onboarding_confirms_the_recovery_code_then_opens_the_journal(home: Path) -> None:
    async with open_app(home) as (ui, services):
        assert ui.query(text="Welcome to Kraft")
        await ui.click(await el(ui, "start"))
        await ui.type((await el(ui, "passphrase")), "short")
        await ui.type((await el(ui, "repeat")), "short")
        await ui.click(await el(ui, "continue"))
        assert "at least 8" in await said_at(ui, "passphrase")  # at the field, not on top of the screen
        await ui.type((await el(ui, "passphrase")), PASSPHRASE)
        await ui.type((await el(ui, "repeat")), PASSPHRASE)
        await ui.click(await el(ui, "continue"))
        await ui.wait_for(lambda: ui.query(key="recovery-confirm"))
        assert not services[0].has_vault()  # nothing written before the code is confirmed
        await ui.type((await el(ui, "recovery-confirm")), "WRONG-CODE")
        await ui.click(await el(ui, "confirm"))
        assert "not the recovery code" in await said_at(ui, "recovery-confirm")
        code = ui.find(ft.Semantics, where=lambda c: c.identifier == "recovery-code").content.value
        await ui.type((await el(ui, "recovery-confirm")), code.lower())
        await ui.click(await el(ui, "confirm"))
        await ui.wait_for(lambda: ui.query(key="new-entry"))
        assert services[0].has_vault() and services[0].is_unlocked


async def test_wrong_passphrase_message_then_unlock(home: Path) -> None:
    async with open_app(home) as (ui, _):
        await onboard(ui)
        await write(ui, "Jag gick till träffen")
        await ui.click(await el(ui, "quick-exit"))
    async with open_app(home) as (ui, _):
        assert ui.query(key="unlock")
        await ui.type((await el(ui, "unlock-passphrase")), "wrong passphrase")
        await ui.click(await el(ui, "unlock"))
        assert "does not open" in await said_at(ui, "unlock-passphrase")
        await ui.type((await el(ui, "unlock-passphrase")), PASSPHRASE)
        await ui.click(await el(ui, "unlock"))
        await ui.wait_for(lambda: ui.query(text="Jag gick till träffen"))


async def test_editor_saves_an_answer_with_tags_and_lists_it_newest_first(home: Path) -> None:
    async with open_app(home) as (ui, services):
        await onboard(ui)
        await write(ui, "Första")
        await ui.click(await el(ui, "quick-exit"))  # (leaves via quick exit, then back)
        await ui.click(await el(ui, "neutral-back"))
        await ui.type((await el(ui, "unlock-passphrase")), PASSPHRASE)
        await ui.click(await el(ui, "unlock"))
        await ui.wait_for(lambda: ui.query(key="new-entry"))
        await ui.click(await el(ui, "new-entry"))
        await ui.choose((await el(ui, "prompt")), "strengths")
        assert "strengths" in (await el(ui, "prompt-text")).value
        await ui.type((await el(ui, "text")), "Jag var modig")
        await ui.fire((await el(ui, "tag-hope")), "select", True)
        await ui.click(await el(ui, "save"))
        await ui.wait_for(lambda: ui.query(key="entry-text"))
        entry = services[0].require_journal().page().entries[0]
        assert entry.text == "Jag var modig" and entry.prompt_id == "strengths" and entry.tags == ("hope",)
        await ui.click(await el(ui, "back"))
        texts = ui.texts()
        assert texts.index("Jag var modig") < texts.index("Första")


async def test_keys_the_app_has_not_heard_of_yet_survive_a_render(home: Path) -> None:
    """Typing outruns the app: the field holds keys whose change event is still on its way when something else
    re-renders the editor (here a tag; the draft status does it too). Sending the app's older text back to the
    field would wipe those keys (in the browser: 3-8 characters of 195 lost at 10 ms a key)."""
    async with open_app(home) as (ui, services):
        await onboard(ui)
        await ui.click(await el(ui, "new-entry"))
        await ui.type((await el(ui, "text")), "Jag var mod")
        sent_before = len(ui.messages)
        ui.session.apply_patch((await el(ui, "text"))._i, {"value": "Jag var modig"})  # "ig" typed, no event yet
        await ui.fire((await el(ui, "tag-hope")), "select", True)
        assert (await el(ui, "text")).value == "Jag var modig"
        assert not [body for _, body in ui.messages[sent_before:] if "'Jag var mod'" in repr(body)]
        await ui.fire((await el(ui, "text")), "change", "Jag var modig")  # the late event arrives
        await ui.click(await el(ui, "save"))
        await ui.wait_for(lambda: ui.query(key="entry-text"))
        entry = services[0].require_journal().page().entries[0]
        assert entry.text == "Jag var modig" and entry.tags == ("hope",)


async def test_draft_is_autosaved_and_restored_after_the_app_locks(home: Path) -> None:
    async with open_app(home, tick=0.05) as (ui, services):
        await onboard(ui)
        await ui.click(await el(ui, "new-entry"))
        await ui.type((await el(ui, "text")), "halvfärdig tanke")
        await ui.wait_for(lambda: (c := ui.query(key="draft-status")) is not None and c.value == "Draft saved")
        await ui.lifecycle(ft.AppLifecycleState.HIDE)  # the phone goes to the background
        assert ui.query(key="unlock") and not services[0].is_unlocked
        await ui.type((await el(ui, "unlock-passphrase")), PASSPHRASE)
        await ui.click(await el(ui, "unlock"))
        await ui.wait_for(lambda: ui.query(key="new-entry"))
        assert "unsaved draft" in (await el(ui, "notice")).value
        await ui.click(await el(ui, "new-entry"))
        assert (await el(ui, "text")).value == "halvfärdig tanke"
        assert (await el(ui, "draft-status")).value == "Draft restored"


async def test_delete_then_undo_then_delete_for_good(home: Path) -> None:
    async with open_app(home) as (ui, services):
        await onboard(ui)
        await write(ui, "ta bort mig")
        await ui.click(await el(ui, "delete"))
        assert not ui.query(text="ta bort mig") and ui.query(key="undo")
        await ui.click(await el(ui, "undo"))
        assert (await el(ui, "entry-text")).value == "ta bort mig"
        await ui.click(await el(ui, "delete"))
        state_journal = services[0].require_journal()
        assert state_journal.count() == 0


async def test_search_and_toolkit(home: Path) -> None:
    async with open_app(home) as (ui, services):
        await onboard(ui)
        await write(ui, "Promenad vid havet", prompt="coping")
        await ui.choose((await el(ui, "pin")), "coping")
        assert services[0].require_journal().page().entries[0].toolkit == "coping"
        await write(ui, "Kaffe med Åsa")
        await tab(ui, 1)
        await ui.type((await el(ui, "search")), "HAVET")
        assert (await el(ui, "hits")).value == "1 entry found"
        assert ui.query(text="Promenad vid havet") and not ui.query(text="Kaffe med Åsa")
        await ui.type((await el(ui, "search")), "kaffe med asa")  # Å typed as A
        assert (await el(ui, "hits")).value == "1 entry found" and not ui.query(key="no-hits")
        await ui.type((await el(ui, "search")), "kaffe zebra")
        assert (await el(ui, "hits")).value == "0 entries found"
        assert (await el(ui, "no-hits")).value.startswith("Try fewer or shorter words")
        await tab(ui, 2)
        assert ui.query(text="My coping strategies") and ui.query(text="Promenad vid havet")
        assert not ui.query(text="Kaffe med Åsa")


async def test_settings_change_passphrase_and_autolock(home: Path) -> None:
    async with open_app(home) as (ui, services):
        await onboard(ui)
        await tab(ui, 3)
        await ui.choose((await el(ui, "autolock")), "2")
        assert services[0].autolock_minutes() == 2
        await ui.type((await el(ui, "current-passphrase")), "not it at all")
        await ui.type((await el(ui, "new-passphrase")), "new passphrase 42")
        await ui.type((await el(ui, "repeat-passphrase")), "new passphrase 42")
        await ui.click(await el(ui, "change-passphrase"))
        assert "does not open" in await said_at(ui, "current-passphrase")
        await ui.type((await el(ui, "current-passphrase")), PASSPHRASE)
        await ui.click(await el(ui, "change-passphrase"))
        assert (await el(ui, "notice")).value.startswith("Your passphrase is changed.")
        await ui.click(await el(ui, "lock"))
        await ui.type((await el(ui, "unlock-passphrase")), "new passphrase 42")
        await ui.click(await el(ui, "unlock"))
        await ui.wait_for(lambda: ui.query(key="new-entry"))


async def test_quick_exit_on_every_screen_shows_a_neutral_screen(home: Path) -> None:
    async with open_app(home) as (ui, services):
        assert ui.query(key="quick-exit")  # welcome
        await onboard(ui)
        for index in (1, 2, 3, 0):
            await tab(ui, index)
            assert ui.query(key="quick-exit")
        await ui.click(await el(ui, "new-entry"))  # the editor too
        assert ui.query(key="quick-exit")
        await ui.click(await el(ui, "quick-exit"))
        assert not services[0].is_unlocked
        assert ui.query(text="No notes") and not any("Kraft" in t or "journal" in t.lower() for t in ui.texts())


async def test_idle_timeout_locks_and_activity_postpones_it(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr("app.services.idle.monotonic", lambda: clock[0])
    async with open_app(home, tick=0.02) as (ui, services):
        await onboard(ui)
        await tab(ui, 3)
        await ui.choose((await el(ui, "autolock")), "1")
        clock[0] += 50
        await ui.type((await el(ui, "current-passphrase")), "x")  # activity resets the idle timer
        clock[0] += 50
        await ui.settle()
        assert services[0].is_unlocked
        clock[0] += 15
        await ui.wait_for(lambda: ui.query(key="unlock"))
        assert not services[0].is_unlocked


async def test_the_region_language_and_the_language_setting(home: Path) -> None:
    async with open_app(home, language="sv") as (ui, services):
        assert ui.query(text="Välkommen till Kraft")
        assert ui.query(text=re.compile(r"ring Nödnummer \(SOS Alarm\): 112"))
        await onboard(ui)  # keys, not texts: the same flow works in Swedish
        await tab(ui, 3)
        assert ui.query(text="Inställningar")
        assert ui.page.locale_configuration.current_locale.language_code == "sv"
        await ui.choose(await el(ui, "language"), "en")
        await ui.wait_for(lambda: ui.query(text="Settings"))
        assert services[0].get_preference("language") == "en"
        assert ui.page.locale_configuration.current_locale.language_code == "en"  # Flet's widgets follow
        for lang, settings in (("nb", "Innstillinger"), ("da", "Indstillinger"), ("en", "Settings")):
            await ui.choose(await el(ui, "language"), lang)
            await ui.wait_for(lambda settings=settings: ui.query(text=settings))
            assert ui.page.locale_configuration.current_locale.language_code == lang
    async with open_app(home, language="sv") as (ui, _):
        assert ui.query(text="Your journal is locked")  # the member's choice wins over the region's default


async def test_quick_exit_while_unlocking_keeps_the_journal_closed(home: Path) -> None:
    import threading

    async with open_app(home) as (ui, _):
        await onboard(ui)
        await tab(ui, 3)
        await ui.click(await el(ui, "lock"))
    release = threading.Event()

    class SlowService(VaultService):
        def unlock(self, passphrase: str):  # type: ignore[no-untyped-def]
            release.wait(5)  # Argon2id still running when the member taps quick exit
            return super().unlock(passphrase)

    services: list[VaultService] = []

    def factory() -> VaultService:
        services.append(SlowService(home, kdf=FAST_KDF))
        return services[-1]

    async with run_app(build_main(factory, profile=Profile(default_language="en"), tick_seconds=3600)) as ui:
        await ui.type(await el(ui, "unlock-passphrase"), PASSPHRASE)
        await ui.click(await el(ui, "unlock"), wait=False)
        await ui.wait_for(lambda: ui.query(key="busy"))
        await ui.click(await el(ui, "quick-exit"))
        release.set()
        await ui.settle()
        await ui.wait_for(lambda: not ui.query(key="busy"))
        assert ui.query(text="No notes") and not ui.query(key="new-entry")
        assert not services[0].is_unlocked
    for svc in services:
        svc.close()


async def test_an_unreadable_database_is_reported_and_left_untouched(home: Path) -> None:
    garbage = b"not a database at all " * 200
    (home / "kraft.db").write_bytes(garbage)
    async with open_app(home) as (ui, _):
        assert ui.query(text="Kraft cannot open your journal")
        assert "cannot be read" in (await el(ui, "error")).value
        assert ui.query(text=str(home))
    assert (home / "kraft.db").read_bytes() == garbage


async def test_long_field_labels_stand_over_their_fields_and_still_name_them(home: Path) -> None:
    """At 200 % text a label inside its field has one line and broke inside its words, over the field (issue 17
    point 3): these fields have theirs over them as a Text that wraps, and keep their own, drawn invisible, as
    their name for a screen reader."""
    async with open_app(home) as (ui, _services):
        await ui.click(await el(ui, "start"))  # choosing the first passphrase, then changing it in Settings
        await labels_over(ui, (("passphrase", "Passphrase"), ("repeat", "Repeat passphrase")))
        await ui.click(await el(ui, "back"))
        await onboard(ui)
        await tab(ui, 3)
        await labels_over(ui, (("current-passphrase", "Current passphrase"), ("new-passphrase", "New passphrase"),
                               ("repeat-passphrase", "Repeat new passphrase")))


async def labels_over(ui: UI, fields: tuple[tuple[str, str], ...]) -> None:
    """Each field of `fields` (key, label) has its label over it as a Text, and its own drawn invisible."""
    for key, label in fields:
        field = await el(ui, key)
        assert field.label == label and field.label_style.color == ft.Colors.TRANSPARENT, key
        column = field.parent  # the TextInput component, then the column that holds it
        while not isinstance(column, ft.Column):
            column = column.parent
        over = column.controls[0]
        assert isinstance(over, ft.Text) and over.value == label, key
