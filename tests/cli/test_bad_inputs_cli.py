"""Bad inputs to `kraft journal ...` get a message, never a traceback, and imports stay all-or-nothing.

One test per kind found in issue 17 (point 11): dates at the edge of the calendar, text that is not valid
Unicode, a list where a theme belongs, deep nesting, `--limit 0`, a KRAFT_HOME that is a file.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.services.vault_service import VaultService
from tests.cli.conftest import Kraft, Result
from tests.conftest import FAST_KDF, PASSPHRASE


@pytest.fixture
def stockholm(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A zone other than UTC: converting 9999-12-31 into it is where OverflowError came from."""
    monkeypatch.setenv("TZ", "Europe/Stockholm")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _kraft_doc(*entries: dict[str, Any]) -> str:
    return json.dumps({"format": "kraft-journal", "version": 1, "entries": list(entries)})


def _entry(**fields: Any) -> dict[str, Any]:
    return {"text": "an entry", "created": "2024-03-01T10:00:00+00:00", **fields}


def _import(kraft: Kraft, tmp_path: Path, document: str, fmt: str = "kraft-json") -> Result:
    file = tmp_path / "import.json"
    file.write_text(document, encoding="utf-8", errors="surrogatepass")
    return kraft("journal", "import", "--format", fmt, str(file))


def _count(home: Path) -> int:
    service = VaultService(home, kdf=FAST_KDF)
    try:
        return len(service.unlock(PASSPHRASE).live_entries())
    finally:
        service.close()


@pytest.mark.parametrize("created", ["9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59-05:00",
                                     "0001-01-01T00:00:00+00:00", "0001-01-01T00:00:00+05:00",
                                     "1899-12-31T23:59:59+00:00", "2200-01-01T00:00:00+00:00"])
def test_a_date_at_the_edge_of_the_calendar_is_refused_naming_the_entry(
        vault: Path, kraft: Kraft, tmp_path: Path, stockholm: None, created: str) -> None:
    imported = _import(kraft, tmp_path, _kraft_doc(_entry(text="fine"), _entry(text="edge", created=created)))
    assert imported.code == 0, imported.err
    assert "Imported 1 entry." in imported.out
    assert f"entry 2 ({created}): the date is not between 1900 and 2199" in imported.out
    for command in (["journal", "list"], ["journal", "search", "fine"], ["journal", "export", "--format",
                                                                           "markdown"]):
        assert kraft(*command).code == 0


@pytest.mark.parametrize("fmt, document", [
    ("jrnl-json", json.dumps({"entries": [{"title": "t", "body": "b", "date": "9999-12-31", "time": "23:59"}]})),
    ("dayone-json", json.dumps({"entries": [{"text": "t", "creationDate": "9999-12-31T23:59:59Z"}]})),
    ("kraft-json", _kraft_doc(_entry(updated="9999-12-31T23:59:59+00:00"))),
])
def test_every_format_refuses_an_edge_date(vault: Path, kraft: Kraft, tmp_path: Path, stockholm: None,
                                           fmt: str, document: str) -> None:
    imported = _import(kraft, tmp_path, document, fmt)
    assert imported.code == 0 and "Imported 0 entries." in imported.out, imported
    assert "the date is not between 1900 and 2199" in imported.out
    assert _count(vault) == 0


@pytest.mark.parametrize("field, value", [("theme", ["calm"]), ("toolkit", {"a": 1}), ("prompt_id", ["x"]),
                                          ("prompt_text", {"a": 1}), ("tags", "hope"), ("created", ["2024"])])
def test_a_value_of_the_wrong_kind_skips_the_item_with_a_reason(vault: Path, kraft: Kraft, tmp_path: Path,
                                                                 field: str, value: Any) -> None:
    imported = _import(kraft, tmp_path, _kraft_doc(_entry(text="good"), _entry(text="odd", **{field: value})))
    assert imported.code == 0, imported.err
    assert "entry 2 (" in imported.out and "Skipped 1 item:" in imported.out
    assert _count(vault) == 1


@pytest.mark.parametrize("fmt", ["kraft-json", "jrnl-json", "dayone-json"])
def test_deep_nesting_is_a_bad_file_and_nothing_is_saved(vault: Path, kraft: Kraft, tmp_path: Path,
                                                         fmt: str) -> None:
    deep = '{"format": "kraft-journal", "version": 1, "entries": ' + "[" * 10_000 + "]" * 10_000 + "}"
    imported = _import(kraft, tmp_path, deep, fmt)
    assert imported.code == 2 and imported.err.startswith("kraft: Cannot import"), imported
    assert "nested too deeply" in imported.err
    assert _count(vault) == 0


def test_a_lone_surrogate_in_an_imported_text_skips_that_item(vault: Path, kraft: Kraft, tmp_path: Path) -> None:
    imported = _import(kraft, tmp_path, _kraft_doc(_entry(text="good"), _entry(text="bad \udc80 text")))
    assert imported.code == 0, imported.err
    assert "entry 2 (2024-03-01T10:00:00+00:00): the text is not valid Unicode" in imported.out
    assert _count(vault) == 1


@pytest.mark.parametrize("argv", [["journal", "add", "bad \udcff text"], ["journal", "search", "\udcff"],
                                  ["journal", "add", "ok", "--theme", "\udcff"],
                                  ["group", "add", "--label", "\udcff", "--start", "2030-01-01T18:00",
                                   "--every", "1", "--count", "3"]])
def test_an_argument_that_is_not_utf8_is_a_usage_error(vault: Path, kraft: Kraft, argv: list[str]) -> None:
    ran = kraft(*argv)  # Python hands invalid UTF-8 in argv over as lone surrogates (surrogateescape)
    assert ran.code == 2 and "is not valid UTF-8" in ran.err, ran
    assert _count(vault) == 0


def test_a_passphrase_that_is_not_utf8_is_a_clear_error(vault: Path, kraft: Kraft,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KRAFT_PASSPHRASE", "correct \udcff")
    ran = kraft("journal", "list")
    assert ran.code == 2 and "passphrase is not valid UTF-8" in ran.err, ran


def test_stdin_that_is_not_utf8_is_a_clear_error(vault: Path, kraft: Kraft, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"caf\xe9 au lait\n"), encoding="utf-8"))
    from app.cli.main import main  # the fixture would replace stdin with a StringIO

    assert main(["journal", "add", "-"]) == 2
    assert _count(vault) == 0


@pytest.mark.parametrize("limit", ["0", "-1", "x"])
def test_list_limit_must_be_a_positive_number(vault: Path, kraft: Kraft, limit: str) -> None:
    kraft("journal", "add", "one")
    kraft("journal", "add", "two")
    ran = kraft("journal", "list", "--limit", limit)
    assert ran.code == 2 and "--limit" in ran.err and ran.out == "", ran


def test_list_offset_must_not_be_negative(vault: Path, kraft: Kraft) -> None:
    ran = kraft("journal", "list", "--offset", "-1")
    assert ran.code == 2 and "--offset" in ran.err, ran


def test_kraft_home_that_is_a_file_is_a_clear_error(tmp_path: Path, kraft: Kraft,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "not-a-folder"
    file.write_text("x")
    monkeypatch.setenv("KRAFT_HOME", str(file))
    for argv in (["homework"], ["journal", "list"], ["group", "list"], ["journal", "add", "x"]):
        ran = kraft(*argv)
        assert ran.code == 1 and "KRAFT_HOME" in ran.err and "Errno" not in ran.err, ran
    assert file.read_text() == "x"


@pytest.mark.parametrize("argv", [["homework"], ["journal", "list"], ["journal", "search", "x"],
                                  ["journal", "show", "abcd"], ["group", "list"], ["checkin", "--history"]])
def test_read_only_commands_do_not_create_a_missing_home(tmp_path: Path, kraft: Kraft,
                                                        monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    missing = tmp_path / "nowhere" / "kraft"
    monkeypatch.setenv("KRAFT_HOME", str(missing))
    monkeypatch.setenv("KRAFT_PASSPHRASE", PASSPHRASE)
    ran = kraft(*argv)
    assert "Traceback" not in ran.err
    assert not missing.exists() and not missing.parent.exists(), ran


def test_an_import_over_the_entry_limit_is_refused_saying_the_limit(vault: Path, kraft: Kraft,
                                                                    tmp_path: Path) -> None:
    many = [_entry(text=f"entry {n}") for n in range(20_001)]
    imported = _import(kraft, tmp_path, _kraft_doc(*many))
    assert imported.code == 2 and "has 20001 entries; Kraft imports at most 20000 at a time" in imported.err
    assert _count(vault) == 0


def test_a_huge_import_file_is_refused_before_it_is_read(vault: Path, kraft: Kraft, tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as out:
        out.truncate(4 * 1024**3)  # 4 GiB, sparse: reading it would take the memory of any phone
    started = time.perf_counter()
    imported = kraft("journal", "import", "--format", "kraft-json", str(huge))
    assert time.perf_counter() - started < 5
    assert imported.code == 2 and "the file is 4096 MB; Kraft imports at most 32 MB" in imported.err, imported


def test_a_huge_import_on_stdin_is_refused(vault: Path, kraft: Kraft) -> None:
    imported = kraft("journal", "import", "--format", "jrnl-json", "-", stdin=" " * (33 * 1024**2) + "{}")
    assert imported.code == 2 and "Kraft imports at most 32 MB" in imported.err, imported.err[:200]


@pytest.mark.parametrize("argv", [["--first", "9999-12-31"], ["--first", "0001-01-01", "--zone", "Pacific/Kiritimati"],
                                  ["--first", "2030-01-07", "--until", "9999-12-31"]])
def test_a_group_at_the_edge_of_the_calendar_is_refused(home: Path, kraft: Kraft, stockholm: None,
                                                        argv: list[str]) -> None:
    ran = kraft("group", "add", "--at", "18:00", *argv, "Group")
    assert ran.code == 2 and "between 1900 and 2199" in ran.err, ran
    assert kraft("group", "list").out.strip() == "No groups."


@pytest.mark.parametrize("to", ["0001-01-01 00:00", "9999-12-31 23:59", "1899-12-31 12:00"])
def test_a_meeting_moved_off_the_calendar_is_refused_and_the_group_still_works(
        home: Path, kraft: Kraft, stockholm: None, to: str) -> None:
    group = kraft("group", "add", "--first", "2030-01-07", "--at", "18:00", "--count", "3", "Group").out.strip()
    moved = kraft("group", "move", group, "20300114T170000Z", "--to", to)
    assert moved.code == 2 and "between 1900 and 2199" in moved.err, moved
    for argv in (["group", "show", group], ["group", "export-ics", group], ["checkin", group, "--history"]):
        assert kraft(*argv).code == 0


@pytest.mark.parametrize("minutes", ["9" * 30, "-" + "9" * 30])
def test_a_meeting_length_too_big_for_a_clock_is_refused(home: Path, kraft: Kraft, minutes: str) -> None:
    ran = kraft("group", "add", "--first", "2030-01-07", "--at", "18:00", "--duration", minutes, "Group")
    assert ran.code == 2 and "between 15 minutes and 8 hours" in ran.err, ran  # was OverflowError
