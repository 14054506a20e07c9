"""Export (JSON, Markdown) and import (jrnl JSON, Kraft JSON): formats, mapping, skipped items, atomicity."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.domain.journal import Entry
from app.errors import KraftError, Msg
from app.services import transfer
from app.services.journal import Journal, NewEntry
from app.services.transfer import (
    export_json,
    export_markdown,
    import_jrnl_json,
    import_kraft_json,
)
from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF, PASSPHRASE

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def records(home: Path) -> list[tuple[object, ...]]:
    """Every row of the record table, ciphertext bytes included."""
    with sqlite3.connect(home / "kraft.db") as conn:
        return conn.execute("SELECT id, kind, fmt, nonce, ciphertext FROM record ORDER BY id").fetchall()


@pytest.fixture
def other_journal(tmp_path: Path) -> Iterator[Journal]:
    """A second, empty journal in its own data directory (for round trips)."""
    home = tmp_path / "other-home"
    home.mkdir()
    svc = VaultService(home, kdf=FAST_KDF)
    pending = svc.prepare_setup(PASSPHRASE)
    yield svc.finish_setup(pending, pending.recovery_code)
    svc.close()


def fill(journal: Journal) -> list[Entry]:
    """Three entries with every field used, written out of order."""
    later = journal.add("Second: walked to the lake.\nFelt strong.", tags=["empowerment", "hope"],
                        theme="activities", created=T0 + timedelta(days=1))
    first = journal.add("First: coffee with my sister. Små ting.", prompt_id="meaning",
                        tags=["meaning"], theme="relationships", created=T0)
    journal.pin(first.id, "meaning")
    free = journal.add("Third, a free entry.", created=T0 + timedelta(days=2))
    return [journal.get(first.id), later, free]


# ---- export ----


def test_export_json_has_every_field_oldest_first(journal: Journal) -> None:
    first, later, free = fill(journal)
    gone = journal.add("deleted before the export", created=T0 + timedelta(days=3))
    journal.delete(gone.id)
    doc = json.loads(export_json(journal, now=T0 + timedelta(days=9)))
    assert doc["format"] == "kraft-journal" and doc["version"] == 1
    assert doc["exported"] == "2025-03-10T09:30:00.000000+00:00"
    assert [e["id"] for e in doc["entries"]] == [first.id, later.id, free.id]
    assert doc["entries"][0] == {
        "id": first.id,
        "created": "2025-03-01T09:30:00.000000+00:00",
        "updated": first.updated.isoformat(timespec="microseconds"),
        "text": "First: coffee with my sister. Små ting.",
        "prompt_id": "meaning",
        "prompt_text": "What gives meaning in your life? (big and small things)",
        "tags": ["meaning"],
        "theme": "relationships",
        "toolkit": "meaning",
    }
    assert doc["entries"][2]["prompt_id"] is None and doc["entries"][2]["tags"] == []
    assert all(set(e) == set(doc["entries"][0]) for e in doc["entries"])


def test_export_markdown_reads_like_a_journal(journal: Journal) -> None:
    fill(journal)
    md = export_markdown(journal, tz=STOCKHOLM, now=T0)
    assert md.startswith("# Journal\n\nExported 2025-03-01T09:30:00.000000+00:00, 3 entries.\n")
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings == ["## 2025-03-01 10:30", "## 2025-03-02 10:30", "## 2025-03-03 10:30"]
    first = md.split("## 2025-03-01 10:30\n", 1)[1].split("## ", 1)[0]
    assert "- Prompt: What gives meaning in your life? (big and small things)\n" in first
    assert "- Tags: Meaning\n" in first
    assert "- Theme: Relationships\n" in first
    assert "- Toolkit: What gives meaning\n" in first
    assert "- Created: 2025-03-01T09:30:00.000000+00:00\n" in first
    assert "- Updated: " in first
    assert "\nFirst: coffee with my sister. Små ting.\n" in first
    assert "- Tags: Empowerment, Hope\n" in md and "- Theme: Activities\n" in md
    assert "Second: walked to the lake.\nFelt strong.\n" in md


def test_export_of_an_empty_journal(journal: Journal) -> None:
    assert json.loads(export_json(journal))["entries"] == []
    assert "0 entries" in export_markdown(journal)


# ---- jrnl import ----


def test_import_jrnl_fixture(journal: Journal) -> None:
    report = import_jrnl_json(journal, (FIXTURES / "jrnl.json").read_bytes(), source="jrnl.json", tz=STOCKHOLM)
    assert report.imported == 4
    assert report.skipped == ["entry 4 (2024-08-01 21:10): the text is empty"]
    entries = sorted(journal.live_entries(), key=lambda e: e.created)
    # Wall-clock times in Stockholm: CET (+1) in March and late October, CEST (+2) in July.
    assert [e.created for e in entries] == [
        datetime(2024, 3, 30, 18, 45, tzinfo=UTC),
        datetime(2024, 7, 1, 6, 0, tzinfo=UTC),
        datetime(2024, 7, 14, 19, 5, tzinfo=UTC),
        datetime(2024, 10, 27, 11, 30, tzinfo=UTC),
    ]
    meeting, walk, coffee, strength = entries
    assert meeting.text == ("Good meeting tonight.\nWe talked about @hope and what gives @Meaning to a day.\n"
                            "I said something I had not said before.")
    assert meeting.tags == ("hope", "meaning")
    assert walk.tags == ("empowerment",)  # @walk and @anna are not Kraft tags: they stay in the text
    assert "@Anna" in walk.text and walk.text.endswith("@empowerment @walk")
    assert coffee.tags == () and coffee.text.endswith("Små ting. @familie")
    assert strength.text == "Noticed a strength today: I asked for help."
    assert all(e.updated == e.created and e.prompt_id is None for e in entries)


def test_import_jrnl_lands_in_one_transaction(journal: Journal, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = journal.add_many

    def spy(items: list[NewEntry]) -> list[Entry]:
        items = list(items)
        calls.append(len(items))
        return real(items)

    monkeypatch.setattr(journal, "add_many", spy)
    import_jrnl_json(journal, (FIXTURES / "jrnl.json").read_text(), tz=STOCKHOLM)
    assert calls == [4]


def test_import_jrnl_skips_bad_items_with_a_reason(journal: Journal) -> None:
    good = {"title": "Fine.", "body": "", "date": "2024-01-02", "time": "10:00", "tags": [], "starred": False}
    doc = {"tags": {}, "entries": [
        good,
        {**good, "title": "bad date", "date": "2024-02-30"},
        {**good, "title": "bad time", "time": "25:00"},
        {**good, "title": "no date", "date": None},
        "not an object",
        {**good, "title": 7},
        {**good, "title": "x" * 100_001},
        {**good, "title": "  ", "body": "\n"},
        {**good, "title": "with seconds", "time": "10:00:30", "uuid": "A1B2", "creator": {"host_name": "h"}},
    ]}
    report = import_jrnl_json(journal, json.dumps(doc), tz=UTC)
    assert report.imported == 2
    assert report.skipped == [
        "entry 2 (2024-02-30 10:00): missing or invalid date or time",
        "entry 3 (2024-01-02 25:00): missing or invalid date or time",
        "entry 4 (None 10:00): missing or invalid date or time",
        "entry 5 (?): not an entry object",
        "entry 6 (2024-01-02 10:00): the title or body is not text",
        "entry 7 (2024-01-02 10:00): the text is too long (100001 characters; at most 100000)",
        "entry 8 (2024-01-02 10:00): the text is empty",
    ]
    assert sorted(e.text for e in journal.live_entries()) == ["Fine.", "with seconds"]
    assert journal.search("seconds")[0].created == datetime(2024, 1, 2, 10, 0, 30, tzinfo=UTC)


def test_import_jrnl_tags_case_symbols_and_metadata_only_tags(journal: Journal) -> None:
    doc = {"entries": [{"title": "Day One style entry", "body": "no tags written inline", "date": "2024-05-05",
                        "time": "07:00", "tags": ["#Hope", "@HOPE", "@garden", "", 3], "starred": False}]}
    import_jrnl_json(journal, json.dumps(doc).encode("utf-8-sig"), tz=UTC)  # a BOM is tolerated
    (entry,) = journal.live_entries()
    assert entry.tags == ("hope",)
    assert entry.text == "Day One style entry\nno tags written inline\n\n@garden"


def test_import_jrnl_twice_skips_what_is_already_there(journal: Journal) -> None:
    data = (FIXTURES / "jrnl.json").read_bytes()
    import_jrnl_json(journal, data, tz=STOCKHOLM)
    again = import_jrnl_json(journal, data, tz=STOCKHOLM)
    assert again.imported == 0 and journal.count() == 4
    assert len(again.skipped) == 5 and sum("already in the journal" in s for s in again.skipped) == 4


@pytest.mark.parametrize(("data", "detail"), [
    (b"\xff\xfe\x00not utf-8", "not UTF-8"),
    ("{not json", "not a jrnl (JSON) file: it stops making sense at line 1, character 2"),  # plain words
    ("", "at line 1, character 1"),
    ("[]", '"entries" list'),
    ('{"tags": {}}', '"entries" list'),
    ('{"entries": {"title": "x"}}', '"entries" list'),
])
def test_import_jrnl_malformed_file_raises_and_writes_nothing(journal: Journal, home: Path,
                                                               data: str | bytes, detail: str) -> None:
    journal.add("already here")
    before = records(home)
    with pytest.raises(KraftError) as err:
        import_jrnl_json(journal, data, source="broken.json")
    assert err.value.msg is Msg.IMPORT_BAD_FILE
    assert str(err.value).startswith("Cannot import broken.json: ") and detail in str(err.value)
    assert records(home) == before and journal.count() == 1


def test_import_jrnl_reads_local_time_by_default(journal: Journal, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        doc = {"entries": [{"title": "x", "body": "", "date": "2024-01-15", "time": "09:00", "tags": []}]}
        import_jrnl_json(journal, json.dumps(doc))
    finally:
        monkeypatch.undo()
        time.tzset()
    assert journal.live_entries()[0].created == datetime(2024, 1, 15, 14, 0, tzinfo=UTC)


# ---- Kraft JSON: the export read back ----


def test_export_import_round_trip(journal: Journal, other_journal: Journal) -> None:
    fill(journal)
    report = import_kraft_json(other_journal, export_json(journal))
    assert report.imported == 3 and report.skipped == []

    def comparable(j: Journal) -> list[dict[str, object]]:
        return [{k: v for k, v in transfer.entry_to_dict(e).items() if k != "id"}
                for e in sorted(j.live_entries(), key=lambda e: e.created)]

    assert comparable(other_journal) == comparable(journal)
    assert {e.id for e in other_journal.live_entries()}.isdisjoint(e.id for e in journal.live_entries())
    assert import_kraft_json(other_journal, export_json(journal)).imported == 0  # nothing twice


def test_import_kraft_json_keeps_unknown_prompts_and_skips_unknown_tags(journal: Journal) -> None:
    base: dict[str, object] = {
        "created": "2025-01-01T10:00:00+00:00", "updated": "2025-01-02T10:00:00+00:00", "tags": [],
        "theme": None, "toolkit": None, "prompt_id": None, "prompt_text": None}
    doc = {"format": "kraft-journal", "version": 1, "entries": [
        {**base, "text": "a leader's own prompt", "prompt_id": "from_a_newer_version", "prompt_text": "Why?"},
        {**base, "text": "bad tag", "tags": ["joy"]},
        {**base, "text": "bad theme", "theme": "politics"},
        {**base, "text": "bad toolkit", "toolkit": "hobbies"},
        {**base, "text": "naive time", "created": "2025-01-01T10:00:00"},
    ]}
    report = import_kraft_json(journal, json.dumps(doc))
    assert report.imported == 1
    assert [s.split(": ", 1)[1] for s in report.skipped] == [
        "unknown tag joy", "unknown theme politics", "unknown toolkit section hobbies",
        "missing or invalid date or time"]
    (entry,) = journal.live_entries()
    assert (entry.prompt_id, entry.prompt_text) == (None, "Why?")
    assert entry.updated == datetime(2025, 1, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("data", ['{"entries": []}', '{"format": "kraft-journal", "version": 2, "entries": []}',
                                  (FIXTURES / "jrnl.json").read_text()])
def test_import_kraft_json_refuses_other_formats(journal: Journal, data: str) -> None:
    with pytest.raises(KraftError) as err:
        import_kraft_json(journal, data, source="x.json")
    assert err.value.msg is Msg.IMPORT_BAD_FILE and 'format "kraft-journal", version 1' in str(err.value)
    assert journal.count() == 0


def test_day_one_import_keeps_the_text_and_says_what_it_left_out(journal: Journal) -> None:
    from app.services.transfer import import_dayone_json

    data = (Path(__file__).parents[1] / "fixtures" / "dayone.json").read_bytes()
    report = import_dayone_json(journal, data, source="Journal.json")
    assert report.imported == 2
    assert report.skipped == ["entry 3 (not a date): missing or invalid date or time",
                              "entry 4 (2026-05-09T10:00:00Z): the text is empty"]
    assert report.left_out == [
        "entry 1 (2026-05-01T16:22:10Z): left out 1 photo or other attachment, the place, the weather"]
    first, second = sorted(journal.live_entries(), key=lambda e: e.created)
    assert first.text == ("# Efter träffen\n\nJag vågade säga något i rundan! Det var 1. gången - och det gick bra."
                          "\n\n#gruppen")
    assert first.tags == ("hope",) and first.created.isoformat() == "2026-05-01T16:22:10+00:00"
    assert first.updated.isoformat() == "2026-05-01T16:40:00+00:00"
    assert second.tags == ("connectedness",) and second.updated == second.created
    again = import_dayone_json(journal, data, source="Journal.json")  # a second import doubles nothing
    assert again.imported == 0 and again.left_out == [] and len(journal.live_entries()) == 2
    with pytest.raises(KraftError) as bad:
        import_dayone_json(journal, b'{"items": []}', source="x.json")
    assert bad.value.msg is Msg.IMPORT_BAD_FILE and "Day One" in str(bad.value)
