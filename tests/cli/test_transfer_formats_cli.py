"""`kraft journal export|import --format` offers exactly the registry's formats (app/services/transfer/)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from app.cli.main import build_parser
from app.services import transfer
from app.services.journal import Journal
from app.services.transfer import Format, ImportReport
from tests.cli.conftest import Kraft


def _export_lines(journal: Journal, *, now: datetime | None = None) -> str:
    return "".join(f"line: {e.text}\n" for e in journal.live_entries())


def _import_nothing(journal: Journal, data: str | bytes, *, source: str = "-") -> ImportReport:
    return ImportReport(skipped=[f"{source}: looked at {len(data)} bytes"])


FAKE = Format("lines", "txt", "Lines (test)", exporter=_export_lines, importer=_import_nothing)


def _choices(command: str) -> list[str]:
    """The --format choices of `kraft journal COMMAND`, as argparse holds them."""
    parser = build_parser("journal")  # only the command run is built in full (app/cli/commands.py)
    commands = next(a for a in parser._actions if a.dest == "command").choices
    journal = next(a for a in commands["journal"]._actions if a.dest == "journal_command").choices
    return list(next(a for a in journal[command]._actions if a.dest == "format").choices)


def test_the_format_choices_are_the_registry_names() -> None:
    assert _choices("export") == sorted(f.name for f in transfer.exporters())  # listed sorted, as always
    assert _choices("import") == [f.name for f in transfer.importers()]
    assert set(_choices("export")) == {"json", "markdown"}
    assert _choices("import") == ["jrnl-json", "dayone-json", "kraft-json"]


def test_a_format_added_to_the_registry_is_a_choice_and_runs(kraft: Kraft, vault: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transfer, "FORMATS", (*transfer.FORMATS, FAKE))
    assert "lines" in _choices("export") and "lines" in _choices("import")
    assert kraft("journal", "add", "Rad-MARKER").code == 0
    result = kraft("journal", "export", "--format", "lines")
    assert result.code == 0 and result.out == "line: Rad-MARKER\n"
    (tmp_path / "notes.txt").write_bytes(b"abc")
    result = kraft("journal", "import", "--format", "lines", "--json", str(tmp_path / "notes.txt"))
    assert result.code == 0 and f"{tmp_path / 'notes.txt'}: looked at 3 bytes" in result.out


def test_a_format_not_in_the_registry_is_a_usage_error(kraft: Kraft, vault: Path) -> None:
    result = kraft("journal", "export", "--format", "lines")
    assert result.code == 2 and "invalid choice: 'lines'" in result.err
