"""The transfer registry: one list of formats, clear errors for unknown names, every format with its fixture."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.errors import KraftError, Msg
from app.services import transfer
from app.services.journal import Journal
from app.services.transfer import Format
from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF, PASSPHRASE

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NOW = datetime(2026, 1, 2, 17, 22, tzinfo=UTC)

# What a member has typed since the first release: renaming one breaks their scripts.
EXPORT_NAMES = ["markdown", "json"]
IMPORT_NAMES = ["jrnl-json", "dayone-json", "kraft-json"]

# An import format's sample file (in tests/fixtures) and how many entries it holds; a new importer needs one.
IMPORT_FIXTURES = {"jrnl-json": ("jrnl.json", 4), "dayone-json": ("dayone.json", 2)}
# Which importer reads an export back; None for an export that is only for reading or printing.
READ_BACK: dict[str, str | None] = {"json": "kraft-json", "markdown": None}


@pytest.fixture
def other_journal(tmp_path: Path) -> Iterator[Journal]:
    """A second, empty journal in its own data directory (for round trips)."""
    home = tmp_path / "other-home"
    home.mkdir()
    svc = VaultService(home, kdf=FAST_KDF)
    pending = svc.prepare_setup(PASSPHRASE)
    yield svc.finish_setup(pending, pending.recovery_code)
    svc.close()


def test_the_registry_lists_the_names_the_front_ends_have_always_offered() -> None:
    assert [f.name for f in transfer.exporters()] == EXPORT_NAMES
    assert [f.name for f in transfer.importers()] == IMPORT_NAMES
    assert {f.name for f in transfer.FORMATS} == {*EXPORT_NAMES, *IMPORT_NAMES}
    assert len({f.name for f in transfer.FORMATS}) == len(transfer.FORMATS)  # no name twice


def test_every_format_declares_an_extension_a_label_and_a_direction() -> None:
    for fmt in transfer.FORMATS:
        assert fmt.extension and not fmt.extension.startswith(".") and fmt.label.strip(), fmt
        assert fmt.exporter is not None or fmt.importer is not None, fmt


def test_get_finds_a_format_by_name() -> None:
    assert transfer.get("markdown").extension == "md"
    assert transfer.get("kraft-json").importer is transfer.import_kraft_json
    assert transfer.get("json").exporter is transfer.export_json


def test_an_unknown_format_name_is_a_clear_error() -> None:
    with pytest.raises(KraftError) as err:
        transfer.get("csv")
    assert err.value.msg is Msg.UNKNOWN_FORMAT
    assert str(err.value).startswith("Unknown format: csv. Choose from: markdown, json, jrnl-json")


def test_exporting_in_an_unknown_or_import_only_format_is_a_clear_error(journal: Journal) -> None:
    for name in ("csv", "jrnl-json"):
        with pytest.raises(KraftError) as err:
            transfer.export_file(journal, name)
        assert err.value.msg is Msg.UNKNOWN_FORMAT and name in str(err.value)
    assert "Choose from: markdown, json." in str(err.value)


def test_importing_in_an_unknown_or_export_only_format_names_the_file(journal: Journal) -> None:
    for name in ("csv", "markdown"):
        with pytest.raises(KraftError) as err:
            transfer.import_file(journal, name, b"{}", source="notes.txt")
        assert err.value.msg is Msg.IMPORT_BAD_FILE
        assert str(err.value) == f"Cannot import notes.txt: unknown format {name}"
    assert journal.count() == 0


@pytest.mark.parametrize("fmt", transfer.exporters(), ids=lambda f: f.name)
def test_every_export_names_its_file_by_extension_and_holds_every_entry(journal: Journal, fmt: Format) -> None:
    journal.add("Skrev om sjön i dag.")
    journal.add("Andra raden, med å och ø.")
    name, data = transfer.export_file(journal, fmt.name, now=NOW)
    assert name == f"kraft-journal-2026-01-02.{fmt.extension}"
    assert "Skrev om sjön i dag." in data.decode("utf-8") and "Andra raden, med å och ø." in data.decode("utf-8")


@pytest.mark.parametrize("fmt", transfer.exporters(), ids=lambda f: f.name)
def test_every_export_reads_back_or_is_only_for_reading(journal: Journal, other_journal: Journal,
                                                        fmt: Format) -> None:
    assert fmt.name in READ_BACK, f"say which importer reads {fmt.name} back (or None)"
    reader = READ_BACK[fmt.name]
    if reader is None:
        return
    journal.add("Round trip, with tags.", tags=["hope"], theme="activities")
    _name, data = transfer.export_file(journal, fmt.name, now=NOW)
    report = transfer.import_file(other_journal, reader, data, source=f"export.{fmt.extension}")
    assert report.imported == 1 and report.skipped == []
    [entry] = other_journal.live_entries()
    assert (entry.text, entry.tags, entry.theme) == ("Round trip, with tags.", ("hope",), "activities")


@pytest.mark.parametrize("fmt", transfer.importers(), ids=lambda f: f.name)
def test_every_import_format_reads_its_fixture(journal: Journal, other_journal: Journal, fmt: Format) -> None:
    if fmt.name == "kraft-json":  # its fixture is a fresh export, so the format of today is what is read
        other_journal.add("Made for the import.")
        data = transfer.export_json(other_journal, now=NOW).encode("utf-8")
        expected = 1
    else:
        assert fmt.name in IMPORT_FIXTURES, f"{fmt.name} has no sample file in tests/fixtures"
        file, expected = IMPORT_FIXTURES[fmt.name]
        data = (FIXTURES / file).read_bytes()
    report = transfer.import_file(journal, fmt.name, data, source="fixture")
    assert report.imported == expected and journal.count() == expected


def test_a_format_added_to_the_registry_is_exported_and_imported(journal: Journal,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def export_lines(source: Journal, *, now: datetime | None = None) -> str:
        return "".join(f"{e.text}\n" for e in source.live_entries())

    def import_nothing(target: Journal, data: str | bytes, *, source: str = "-") -> transfer.ImportReport:
        return transfer.ImportReport(skipped=[f"{source}: read"])

    fake = Format("lines", "txt", "Lines", exporter=export_lines, importer=import_nothing)
    monkeypatch.setattr(transfer, "FORMATS", (*transfer.FORMATS, fake))
    journal.add("En rad.")
    assert transfer.export_file(journal, "lines", now=NOW) == ("kraft-journal-2026-01-02.txt", b"En rad.\n")
    assert transfer.import_file(journal, "lines", b"", source="x.txt").skipped == ["x.txt: read"]
    assert transfer.exporters()[-1] is fake and transfer.importers()[-1] is fake
