"""Issue 17, point 2: a bad input is said at the field it is about, in plain words, and goes once it is put
right; dates and times can be picked as well as typed."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import flet as ft

from app.services.vault_service import VaultService
from tests.conftest import PASSPHRASE
from tests.ui.harness import UI, run_app
from tests.ui.test_groups_views import _main
from tests.ui.test_views import el, onboard, open_app, said_at, tab, write


def _text_field(ui: UI, key: str) -> ft.TextField:
    return ui.find(ft.TextField, key=key)


async def test_an_empty_add_group_form_names_the_missing_name_at_its_field(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(_main(home, services)) as ui:
        await ui.click(await el(ui, "anonymous"))
        await ui.click(await el(ui, "save-group"))
        await ui.wait_for(lambda: _text_field(ui, "group-label").error)
        assert "name" in _text_field(ui, "group-label").error
        assert "2026-12-03" in _text_field(ui, "group-first").error  # every field wrong at once
        assert not _text_field(ui, "group-at").error  # 18:00 is filled in and right
        assert not ui.query(key="error")  # not on top of the page, out of view
        assert services[0].has_vault() is False
        await ui.type(await el(ui, "group-label"), "Torsdag")
        await ui.type(await el(ui, "group-first"), (date.today() + timedelta(days=3)).isoformat())
        await ui.type(await el(ui, "group-at"), "25:99")
        await ui.click(await el(ui, "save-group"))
        await ui.wait_for(lambda: _text_field(ui, "group-at").error)
        assert "18:00" in _text_field(ui, "group-at").error
        assert not _text_field(ui, "group-label").error and not _text_field(ui, "group-first").error
        await ui.type(await el(ui, "group-count"), "ten")
        await ui.type(await el(ui, "group-at"), "18:30")
        await ui.click(await el(ui, "save-group"))
        await ui.wait_for(lambda: _text_field(ui, "group-count").error)
        assert "whole number" in _text_field(ui, "group-count").error
        await ui.type(await el(ui, "group-count"), "")
        await ui.click(await el(ui, "save-group"))
        await ui.wait_for(lambda: ui.query(key="guidelines-ok"))
    for svc in services:
        svc.close()


async def test_the_date_and_time_can_be_picked_beside_the_typed_text(home: Path) -> None:
    services: list[VaultService] = []
    async with run_app(_main(home, services, language="sv")) as ui:
        await ui.click(await el(ui, "anonymous"))
        await ui.click(await el(ui, "group-first-pick"))
        picker = await ui.wait_for(lambda: ui.query(ft.DatePicker))
        assert picker.locale.language_code == "sv"
        chosen = datetime.combine(date.today() + timedelta(days=9), time())
        await ui.fire(picker, "change", None, props={"value": chosen.isoformat()})
        await ui.wait_for(lambda: _text_field(ui, "group-first").value == chosen.date().isoformat())
        await ui.click(await el(ui, "group-at-pick"))
        clock = await ui.wait_for(lambda: ui.query(ft.TimePicker))
        assert clock.hour_format == ft.TimePickerHourFormat.H24
        await ui.fire(clock, "change", None, props={"value": "19:15"})
        await ui.wait_for(lambda: _text_field(ui, "group-at").value == "19:15")
    for svc in services:
        svc.close()


async def test_the_reminder_limit_is_said_beside_the_list(home: Path) -> None:
    async with open_app(home) as (ui, _services):
        await onboard(ui)
        await tab(ui, 3)
        await ui.click(await el(ui, "open-reminders"))
        assert ui.find(ft.Checkbox, key="before-1440").value and ui.find(ft.Checkbox, key="before-120").value
        await ui.fire(await el(ui, "before-10080"), "change", "true", props={"value": True})  # the third
        assert not ui.query(key="reminder-times-error")
        await ui.fire(await el(ui, "before-2880"), "change", "true", props={"value": True})  # the fourth
        said = await el(ui, "reminder-times-error")
        assert "at most 3" in said.value
        assert not ui.query(key="error")
        assert ui.find(ft.Checkbox, key="before-2880").value is False  # the box shows what is saved
        await ui.fire(await el(ui, "before-10080"), "change", "false", props={"value": False})
        await ui.wait_for(lambda: not ui.query(key="reminder-times-error"))


async def test_an_import_error_is_plain_and_goes_after_a_good_import(home: Path) -> None:
    broken = b'{"tags": {}, "entries": [{"date": "2024-01-01" "time": "10:00"}]}'
    good = json.dumps({"tags": {}, "entries": [{"date": "2024-01-01", "time": "10:00", "title": "Hej",
                                                "body": "", "tags": [], "starred": False}]}).encode()
    async with open_app(home) as (ui, _services):
        await onboard(ui)
        await tab(ui, 3)
        await ui.click(await el(ui, "open-transfer"))
        ui.answer("FilePicker.pick_files", [{"id": 1, "name": "jrnl.json", "size": len(broken), "bytes": broken}])
        await ui.click(await el(ui, "import"))
        said = (await el(ui, "import-error")).value  # beside the import button
        assert not ui.query(key="error")
        assert "Expecting" not in said and "(char" not in said and "delimiter" not in said
        assert "not a jrnl (JSON) file" in said and "line 1, character 48" in said
        ui.answer("FilePicker.pick_files", [{"id": 2, "name": "jrnl.json", "size": len(good), "bytes": good}])
        await ui.click(await el(ui, "import"))
        assert (await el(ui, "import-line-0")).value == "Imported 1 entry."
        assert not ui.query(key="import-error") and not ui.query(key="error")


async def test_a_backup_says_where_it_was_saved_and_a_wrong_passphrase_names_the_backup(home: Path) -> None:
    async with open_app(home) as (ui, _services):
        await onboard(ui)
        await write(ui, "Före backupen")
        await tab(ui, 3)
        ui.answer("FilePicker.save_file", "/home/anna/Backups/kraft-backup.kraftbackup")
        await ui.click(await el(ui, "make-backup"))
        await ui.wait_for(lambda: ui.calls("save_file"))
        notice = (await ui.wait_for(lambda: ui.query(key="notice"))).value
        assert "/home/anna/Backups/kraft-backup.kraftbackup" in notice and "Saved" in notice
        data = ui.calls("save_file")[0].args["src_bytes"]
        await ui.click(await el(ui, "open-restore"))
        ui.answer("FilePicker.pick_files", [{"id": 1, "name": "b.kraftbackup", "size": len(data), "bytes": data}])
        await ui.click(await el(ui, "pick-backup"))
        await ui.type(await el(ui, "backup-secret"), PASSPHRASE + "x")
        await ui.click(await el(ui, "check-backup"))
        await ui.wait_for(lambda: _text_field(ui, "backup-secret").error)
        said = _text_field(ui, "backup-secret").error
        assert said.startswith("That passphrase does not open this backup") and "journal" not in said


async def test_a_too_long_entry_is_said_under_the_text(home: Path) -> None:
    from app.domain.journal import MAX_ENTRY_CHARS

    async with open_app(home) as (ui, _services):
        await onboard(ui)
        await ui.click(await el(ui, "new-entry"))
        await ui.type(await el(ui, "text"), "x" * (MAX_ENTRY_CHARS + 1))
        await ui.click(await el(ui, "save"))
        assert "too long" in await said_at(ui, "text")
        assert not ui.query(key="error")
        await ui.type(await el(ui, "text"), "Nu med text")
        await ui.click(await el(ui, "save"))
        await ui.wait_for(lambda: ui.query(text="Nu med text"))


def test_a_picked_day_told_in_utc_is_the_members_day() -> None:
    from datetime import UTC, timezone

    from app.views.widgets.pickers import _picked_day

    assert _picked_day(datetime(2026, 12, 27, 23, 0, tzinfo=UTC)) == "2026-12-28"  # midnight in Stockholm
    assert _picked_day(datetime(2026, 12, 28, 5, 0, tzinfo=UTC)) == "2026-12-28"  # midnight in New York
    assert _picked_day(datetime(2026, 12, 28, tzinfo=timezone(timedelta(hours=1)))) == "2026-12-28"
    assert _picked_day(datetime(2026, 12, 28)) == "2026-12-28" and _picked_day("2026-12-28T00:00:00") == "2026-12-28"
