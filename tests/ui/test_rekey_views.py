"""Settings > "Change and re-key": the new code confirmed as at setup, a progress bar to 100 %, then the new
passphrase and code open the journal and the old passphrase does not."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import flet as ft

from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.ui.harness import UI
from tests.ui.test_views import el, onboard, open_app, said_at, tab, write

NEW = "new passphrase 42"


async def new_passphrase(ui: UI, new: str) -> None:
    """Settings' passphrase fields: the current one, then `new` twice (for a change or a re-key)."""
    await ui.type(await el(ui, "current-passphrase"), PASSPHRASE)
    await ui.type(await el(ui, "new-passphrase"), new)
    await ui.type(await el(ui, "repeat-passphrase"), new)


async def test_settings_change_and_rekey(home: Path) -> None:
    async with open_app(home) as (ui, services):
        await onboard(ui)
        await write(ui, "Promenad vid havet")
        await tab(ui, 3)
        assert ui.query(text=re.compile("old copies"))  # what a plain change leaves open
        await new_passphrase(ui, NEW)
        await ui.click(await el(ui, "rekey-passphrase"))
        await el(ui, "rekey-code-confirm")
        code = ui.find(ft.Semantics, where=lambda c: c.identifier == "rekey-code").content.value
        await ui.type(await el(ui, "rekey-code-confirm"), "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
        await ui.click(await el(ui, "rekey-confirm"))
        assert "not the recovery code" in await said_at(ui, "rekey-code-confirm")
        await ui.type(await el(ui, "rekey-code-confirm"), code)
        await ui.click(await el(ui, "rekey-confirm"))
        await ui.wait_for(lambda: ui.query(key="rekey-done"))
        assert ui.find(ft.ProgressBar).value == 1.0
        assert "new key" in (await el(ui, "notice")).value
        await ui.click(await el(ui, "rekey-done"))
        await ui.click(await el(ui, "lock"))
        await ui.type(await el(ui, "unlock-passphrase"), PASSPHRASE)
        await ui.click(await el(ui, "unlock"))
        assert "does not open" in await said_at(ui, "unlock-passphrase")
        await ui.type(await el(ui, "unlock-passphrase"), NEW)
        await ui.click(await el(ui, "unlock"))
        await ui.wait_for(lambda: ui.query(text="Promenad vid havet"))
        services[-1].lock()
    again = VaultService(home, kdf=FAST_KDF)
    try:
        assert again.recover(code, "third passphrase").count() == 1  # the code shown on the screen opens it
    finally:
        again.close()


async def test_leaving_the_code_screen_drops_the_rekey(home: Path) -> None:
    async with open_app(home) as (ui, _services):
        await onboard(ui)
        await tab(ui, 3)
        slots = sqlite3.connect(home / "kraft.db").execute("SELECT * FROM key_slot ORDER BY kind").fetchall()
        await new_passphrase(ui, NEW)
        await ui.click(await el(ui, "rekey-passphrase"))
        await el(ui, "rekey-code-confirm")
        await ui.click(await el(ui, "back"))
        await el(ui, "rekey-passphrase")
        assert sqlite3.connect(home / "kraft.db").execute("SELECT * FROM key_slot ORDER BY kind").fetchall() == slots
        await ui.click(await el(ui, "lock"))
        await ui.type(await el(ui, "unlock-passphrase"), PASSPHRASE)  # nothing changed
        await ui.click(await el(ui, "unlock"))
        await ui.wait_for(lambda: ui.query(key="new-entry"))
