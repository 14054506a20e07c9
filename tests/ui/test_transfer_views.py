"""The export and import screen offers exactly the registry's formats (app/services/transfer/)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import flet as ft
import pytest

from app.services import transfer
from app.services.journal import Journal
from app.services.transfer import Format, ImportReport
from tests.ui.test_views import el, onboard, open_app, tab, write


def _export_lines(journal: Journal, *, now: datetime | None = None) -> str:
    return "".join(f"line: {e.text}\n" for e in journal.live_entries())


def _import_nothing(journal: Journal, data: str | bytes, *, source: str = "-") -> ImportReport:
    return ImportReport(skipped=[f"{source}: looked at"])


FAKE = Format("lines", "txt", "Lines (test)", exporter=_export_lines, importer=_import_nothing)


def _options(dropdown: ft.DropdownM2) -> list[tuple[str | None, str | None]]:
    return [(o.key, o.text) for o in dropdown.options or []]


async def test_the_screen_offers_the_registry_formats(home: Path) -> None:
    async with open_app(home) as (ui, _services):
        await onboard(ui)
        await tab(ui, 3)
        await ui.click(await el(ui, "open-transfer"))
        assert _options(await el(ui, "export-format")) == [
            ("markdown", "Markdown (to read or print)"), ("json", "JSON (to move to another app)")]
        assert _options(await el(ui, "import-format")) == [
            ("jrnl-json", "jrnl (JSON)"), ("dayone-json", "Day One (Journal.json)"), ("kraft-json", "Kraft (JSON)")]
        assert (await el(ui, "export-format")).value == "markdown"
        assert (await el(ui, "import-format")).value == "jrnl-json"


async def test_a_format_added_to_the_registry_is_offered_and_used(home: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transfer, "FORMATS", (*transfer.FORMATS, FAKE))
    async with open_app(home) as (ui, _services):
        await onboard(ui)
        await write(ui, "Rad-MARKER")
        await tab(ui, 3)
        await ui.click(await el(ui, "open-transfer"))
        assert ("lines", "Lines (test)") in _options(await el(ui, "export-format"))
        assert ("lines", "Lines (test)") in _options(await el(ui, "import-format"))
        await ui.choose(await el(ui, "export-format"), "lines")
        await ui.fire(await el(ui, "export-understood"), "change", "true", props={"value": True})
        ui.answer("FilePicker.save_file", None)
        await ui.click(await el(ui, "export"))
        await ui.wait_for(lambda: ui.calls("save_file"))
        call = ui.calls("save_file")[0]
        assert call.args["file_name"].endswith(".txt") and call.args["src_bytes"] == b"line: Rad-MARKER\n"
        await ui.choose(await el(ui, "import-format"), "lines")
        ui.answer("FilePicker.pick_files", [{"id": 1, "name": "notes.txt", "size": 1, "bytes": b"x"}])
        await ui.click(await el(ui, "import"))
        await ui.wait_for(lambda: any("notes.txt: looked at" in t for t in ui.texts()))
