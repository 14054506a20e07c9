"""Backups in the app: made from Settings, checked and restored, also from the "cannot open" screen."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import flet as ft

from tests.bad_headers import CASES, KdfCalls, count_kdf, rewrite
from tests.conftest import PASSPHRASE
from tests.ui.harness import UI
from tests.ui.test_views import el, onboard, open_app, said_at, tab, write

__all__ = ["count_kdf"]  # the fixture, used by name


def _picked(data: bytes, name: str = "kraft-backup.kraftbackup") -> list[dict[str, Any]]:
    return [{"id": 1, "name": name, "size": len(data), "bytes": data}]


async def _fill_restore_form(ui: UI, data: bytes, secret: str) -> None:
    ui.answer("FilePicker.pick_files", _picked(data))
    await ui.click(await el(ui, "pick-backup"))
    await ui.wait_for(lambda: ui.query(text="kraft-backup.kraftbackup"))
    await ui.type(await el(ui, "backup-secret"), secret)


async def test_make_check_and_restore_a_backup_from_settings(home: Path) -> None:
    async with open_app(home) as (ui, _services):
        await onboard(ui)
        await write(ui, "Skrevet før backupen")
        await tab(ui, 3)
        ui.answer("FilePicker.save_file", None)
        await ui.click(await el(ui, "make-backup"))
        await ui.wait_for(lambda: ui.calls("save_file"))
        data = ui.calls("save_file")[0].args["src_bytes"]
        assert ui.calls("save_file")[0].args["file_name"].endswith(".kraftbackup")
        assert b"Skrevet" not in data
        assert "It holds 1 journal entry and 0 groups." in (await el(ui, "notice")).value
        await write(ui, "Skrevet etter backupen")

        await tab(ui, 3)
        await ui.click(await el(ui, "open-restore"))
        await _fill_restore_form(ui, data, "wrong passphrase")
        await ui.click(await el(ui, "check-backup"))
        assert "does not open this backup" in await said_at(ui, "backup-secret")
        await ui.type(await el(ui, "backup-secret"), PASSPHRASE)
        await ui.click(await el(ui, "check-backup"))
        await ui.wait_for(lambda: ui.query(key="notice"))
        assert (await el(ui, "notice")).value.startswith("The backup opens.")
        assert ui.find(ft.FilledButton, key="restore-backup").disabled  # replacing needs the box ticked
        await ui.fire(await el(ui, "confirm-replace"), "change", "true", props={"value": True})
        await ui.click(await el(ui, "restore-backup"))
        await ui.wait_for(lambda: ui.query(key="unlock"))
        assert "backup is restored" in (await el(ui, "notice")).value
        await ui.type(await el(ui, "unlock-passphrase"), PASSPHRASE)
        await ui.click(await el(ui, "unlock"))
        await ui.wait_for(lambda: ui.query(text="Skrevet før backupen"))
        assert not ui.query(text="Skrevet etter backupen")
        assert ui.query(key="integrity") is None  # a restore the member asked for is no rollback (ADR 0011)
    assert len(list(home.glob("before-restore-*-kraft.db"))) == 1  # the replaced journal, kept aside


async def test_the_cannot_open_screen_offers_a_restore(home: Path, tmp_path: Path) -> None:
    from app.services.backup import make_backup
    from app.services.vault_service import VaultService
    from tests.conftest import FAST_KDF

    other = tmp_path / "other"
    other.mkdir()
    service = VaultService(other, kdf=FAST_KDF)
    journal = service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    journal.add("From the old phone")
    _name, data, _report = make_backup(service)
    service.close()
    broken = b"truncated " * 100
    (home / "kraft.db").write_bytes(broken)
    async with open_app(home) as (ui, _services):
        await ui.click(await el(ui, "open-restore"))
        await _fill_restore_form(ui, data, PASSPHRASE)
        await ui.fire(await el(ui, "confirm-replace"), "change", "true", props={"value": True})
        await ui.click(await el(ui, "restore-backup"))
        await ui.type(await el(ui, "unlock-passphrase"), PASSPHRASE)
        await ui.click(await el(ui, "unlock"))
        await ui.wait_for(lambda: ui.query(text="From the old phone"))
    kept = list(home.glob("before-restore-*-kraft.db"))
    assert len(kept) == 1 and kept[0].read_bytes() == broken


async def test_export_needs_the_warning_ticked_and_import_reports_what_happened(home: Path) -> None:
    dayone = (Path(__file__).parents[1] / "fixtures" / "dayone.json").read_bytes()
    async with open_app(home) as (ui, _services):
        await onboard(ui)
        await write(ui, "Exportera-MARKER")
        await tab(ui, 3)
        await ui.click(await el(ui, "open-transfer"))
        assert "NOT encrypted" in (await el(ui, "export-warning")).value
        assert ui.find(ft.FilledButton, key="export").disabled
        await ui.fire(await el(ui, "export-understood"), "change", "true", props={"value": True})
        ui.answer("FilePicker.save_file", None)
        await ui.click(await el(ui, "export"))
        await ui.wait_for(lambda: ui.calls("save_file"))
        call = ui.calls("save_file")[0]
        assert call.args["file_name"].endswith(".md") and b"Exportera-MARKER" in call.args["src_bytes"]
        await ui.choose(await el(ui, "import-format"), "dayone-json")
        ui.answer("FilePicker.pick_files", [{"id": 1, "name": "Journal.json", "size": len(dayone), "bytes": dayone}])
        await ui.click(await el(ui, "import"))
        assert (await el(ui, "import-line-0")).value == "Imported 2 entries."
        assert any("left out 1 photo" in t for t in ui.texts())
        await ui.click(await el(ui, "back"))
        await tab(ui, 0)
        await ui.wait_for(lambda: ui.query(text="Morgonpromenad innan jobbet."))


async def test_a_damaged_write_ahead_log_shows_the_problem_and_the_way_to_a_backup(home: Path) -> None:
    from tests.reliability.test_crash import _killed_with_a_wal

    _acknowledged, wal = _killed_with_a_wal(home, 30)
    data = bytearray(wal.read_bytes())
    data[32 + 24 + 100] ^= 0xFF
    wal.write_bytes(bytes(data))
    async with open_app(home) as (ui, _services):
        await el(ui, "open-restore")
        assert any("kraft.db-wal" in t and "changed nothing" in t for t in ui.texts())
    assert wal.read_bytes() == bytes(data)  # still there, untouched, for a restore or for help


async def test_a_backup_with_a_bad_header_is_refused_before_the_journal_is_locked(
        home: Path, count_kdf: KdfCalls) -> None:
    async with open_app(home) as (ui, services):
        await onboard(ui)
        await write(ui, "Still open")
        await tab(ui, 3)
        ui.answer("FilePicker.save_file", None)
        await ui.click(await el(ui, "make-backup"))
        await ui.wait_for(lambda: ui.calls("save_file"))
        made = ui.calls("save_file")[0].args["src_bytes"]
        huge = next(c for c in CASES if c.name == "memory 4 GiB")
        await ui.click(await el(ui, "open-restore"))
        await _fill_restore_form(ui, rewrite(made, huge.mutate), PASSPHRASE)
        await ui.fire(await el(ui, "confirm-replace"), "change", "true", props={"value": True})
        count_kdf.count = 0
        await ui.click(await el(ui, "restore-backup"))
        said = (await el(ui, "pick-backup-error")).value  # by the file's name, not on top
        assert "This backup cannot be opened" in said and "at most 1048576" in said
        assert count_kdf.count == 0
        assert services[-1].is_unlocked  # nothing was locked or closed for a file that cannot be restored
    assert not list(home.glob("before-restore-*"))


async def test_a_screen_drawn_while_restoring_opens_no_database(home: Path, tmp_path: Path, monkeypatch) -> None:
    """The bug: in English, a screen drawn while the restore ran in its thread asked for the groups (for the
    crisis line's country); that opened the database again, and the app, still holding that connection
    to the file the restore moved aside, started on the welcome screen instead of the restored journal."""
    import threading
    from datetime import date, time, timedelta

    from app.domain.schedule import Schedule
    from app.services import backup as backup_module
    from app.services.backup import make_backup
    from app.services.groups import GroupService
    from app.services.vault_service import VaultService
    from tests.conftest import FAST_KDF

    other = tmp_path / "old-phone"
    other.mkdir()
    service = VaultService(other, kdf=FAST_KDF)
    service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    GroupService(service.engine, service.vault).add("Onsdag", Schedule.weekly(
        zone="Europe/Oslo", first=date.today() + timedelta(days=1), at=time(18), count=8))
    _name, data, _report = make_backup(service)
    service.close()

    drawn = threading.Event()
    real = backup_module.restore_backup

    def slow_restore(*args: Any, **kwargs: Any) -> Any:
        drawn.wait(5)  # the screen is drawn (and asks for the groups) while the restore has not yet begun
        return real(*args, **kwargs)

    monkeypatch.setattr(backup_module, "restore_backup", slow_restore)
    async with open_app(home, tick=0.05) as (ui, _services):  # the timer runs meanwhile too
        await ui.click(await el(ui, "open-restore"))
        await _fill_restore_form(ui, data, PASSPHRASE)
        clicking = asyncio.create_task(ui.click(await el(ui, "restore-backup")))  # it returns when restored
        await ui.wait_for(lambda: "Restoring the backup…" in ui.texts())  # drawn while the thread waits
        await ui.click(await el(ui, "help"), wait=False)  # a member taps Help meanwhile: it asks the groups
        await ui.wait_for(lambda: ui.query(key="call-SE-112"))  # the Help screen is drawn
        await asyncio.sleep(0.3)  # a few ticks: none may write, nor say the journal is busy
        drawn.set()
        await clicking
        await el(ui, "unlock")
        assert any("Meeting 1 of 8" in text for text in ui.texts()), ui.dump()
        assert not any("busy" in text for text in ui.texts()), ui.dump()
