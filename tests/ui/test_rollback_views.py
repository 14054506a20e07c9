"""The journal screen tells, calmly, what unlock found against the manifest, and offers a backup
(docs/adr/0011-rollback.md); a normal unlock shows nothing of it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import flet as ft

from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.ui.harness import UI
from tests.ui.test_views import el, open_app


def _journal_with(home: Path, *texts: str) -> list[str]:
    service = VaultService(home, kdf=FAST_KDF)
    journal = service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    ids = [journal.add(text).id for text in texts]
    service.close()
    return ids


async def _unlock(ui: UI) -> None:
    await ui.type(await el(ui, "unlock-passphrase"), PASSPHRASE)
    await ui.click(await el(ui, "unlock"))
    await ui.wait_for(lambda: ui.query(key="new-entry"))


async def test_a_deleted_entry_is_told_on_the_journal_screen_with_the_way_to_a_backup(home: Path) -> None:
    _kept, gone = _journal_with(home, "Kept", "Deleted behind Kraft's back")
    with sqlite3.connect(home / "kraft.db") as conn:
        conn.execute("DELETE FROM record WHERE id = ?", (gone,))
    async with open_app(home) as (ui, _services):
        await _unlock(ui)
        assert (await el(ui, "integrity-title")).value == "Your journal may not be as you left it"
        lines = [c.value for c in ui.find_all(ft.Text, where=lambda c: str(getattr(c.key, "value", c.key) or "")
                                              .startswith("integrity-line-"))]
        assert "1 saved item is missing." in lines
        assert any(line.startswith("Nothing has been changed.") for line in lines)
        assert ui.query(text="Kept")  # the member can go on
        await ui.click(await el(ui, "integrity-restore"))
        await el(ui, "pick-backup")


async def test_a_normal_unlock_shows_no_notice(home: Path) -> None:
    _journal_with(home, "An ordinary day")
    async with open_app(home) as (ui, _services):
        await _unlock(ui)
        await ui.wait_for(lambda: ui.query(text="An ordinary day"))
        assert ui.query(key="integrity") is None
