"""`kraft group ...` in-process: anonymous use, sealed details, meeting changes, ICS export, bad input."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from app import paths
from app.cli import clock
from app.services import groups as groups_module
from tests.cli.conftest import Kraft, key_slots, records

STOCKHOLM = ZoneInfo("Europe/Stockholm")
FIRST = date.today() + timedelta(days=7)  # every meeting of a fresh course is still to come


def ids_of(first: date, n: int, *, weeks: int = 1) -> list[str]:
    """The stable meeting ids (UTC) of a course at 18:00 Stockholm time, every `weeks` weeks."""
    starts = [datetime.combine(first + timedelta(weeks=weeks * i), time(18), tzinfo=STOCKHOLM) for i in range(n)]
    return [s.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for s in starts]


def add_group(kraft: Kraft, label: str = "Tuesdays", *args: str, first: date = FIRST) -> str:
    result = kraft("group", "add", label, "--first", first.isoformat(), "--at", "18:00", *args)
    assert result.code == 0, result.err
    group_id = result.out.strip()
    assert len(group_id) == 32
    return group_id


def groups_table(home: Path) -> list[tuple[object, ...]]:
    path = home / paths.DB_FILENAME
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT id, label, schedule FROM meeting_group ORDER BY id").fetchall()


def as_json(kraft: Kraft, *args: str) -> dict:
    result = kraft("group", *args, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


# ---- anonymous members: no passphrase, no vault ----


def test_anonymous_add_next_and_list_need_no_passphrase(kraft: Kraft, home: Path) -> None:
    assert "KRAFT_PASSPHRASE" not in os.environ
    group_id = add_group(kraft, "Tuesdays", "--count", "3")
    ids = ids_of(FIRST, 3)

    upcoming = kraft("group", "next")
    assert upcoming.code == 0, upcoming.err
    assert "Tuesdays" in upcoming.out and "Meeting 1 of 3" in upcoming.out and ids[0] in upcoming.out
    assert "6:00" in upcoming.out and "5:00" not in upcoming.out  # in the group's zone, whatever the machine's

    listed = kraft("group", "list")
    assert listed.code == 0
    assert group_id[:12] in listed.out and "Tuesdays" in listed.out and "Meeting 1 of 3" in listed.out

    shown = kraft("group", "show", group_id[:6])
    assert shown.code == 0, shown.err
    assert [line.split()[0] for line in shown.out.splitlines() if line[:1].isdigit()] == ids
    assert "Every week, 3 meetings" in shown.out and "Europe/Stockholm" in shown.out
    assert key_slots(home) == {}  # nothing asked for, no vault made


def test_next_with_no_upcoming_meeting(kraft: Kraft) -> None:
    result = kraft("group", "next")
    assert (result.code, result.out) == (0, "No upcoming meetings.\n")
    assert as_json(kraft, "next") == {"next": None}
    add_group(kraft, "Old course", "--count", "1", first=date.today() - timedelta(days=30))
    result = kraft("group", "next")
    assert (result.code, result.out) == (0, "No upcoming meetings.\n")


def test_next_is_the_soonest_across_groups(kraft: Kraft) -> None:
    later = add_group(kraft, "Later", "--count", "2", first=FIRST + timedelta(days=2))
    sooner = add_group(kraft, "Sooner", "--every", "2")
    data = as_json(kraft, "next")["next"]
    assert data["group_id"] == sooner and data["label"] == "Sooner"
    assert data["meeting"]["id"] == ids_of(FIRST, 1)[0]
    assert data["meeting"]["total"] is None  # an open schedule has no "of M"
    kraft("group", "remove", sooner)
    assert as_json(kraft, "next")["next"]["group_id"] == later


# ---- details in the vault ----


def test_details_without_a_vault_are_refused_and_nothing_is_saved(kraft: Kraft, home: Path) -> None:
    result = kraft("group", "add", "Tuesdays", "--first", FIRST.isoformat(), "--at", "18:00", "--theme", "Grief")
    assert result.code == 2
    assert "kept only in an encrypted journal" in result.err and "Traceback" not in result.err
    assert groups_table(home) == []


def test_details_are_sealed_and_shown_with_the_passphrase(kraft: Kraft, vault: Path) -> None:
    group_id = add_group(kraft, "Tuesdays", "--theme", "Grief", "--place", "Room 4", "--link",
                         "https://meet.example/abc")
    assert "Grief" not in str(groups_table(vault)) and "Room 4" not in str(groups_table(vault))
    assert group_id in [row[0] for row in records(vault)]

    plain = kraft("group", "show", group_id)
    assert plain.code == 0 and "Grief" not in plain.out and "Room 4" not in plain.out

    shown = kraft("group", "show", group_id, "--details")
    assert shown.code == 0, shown.err
    assert "Theme: Grief" in shown.out and "Place: Room 4" in shown.out
    assert "Link: https://meet.example/abc" in shown.out

    data = as_json(kraft, "show", group_id, "--details")
    assert data["details"] == {"theme": "Grief", "place": "Room 4", "link": "https://meet.example/abc"}
    assert as_json(kraft, "show", group_id)["details"] is None

    removed = kraft("group", "remove", group_id[:8])
    assert removed.code == 0, removed.err
    assert groups_table(vault) == [] and group_id not in [row[0] for row in records(vault)]


def test_details_need_the_passphrase(kraft: Kraft, vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KRAFT_PASSPHRASE")
    result = kraft("group", "add", "Tuesdays", "--first", FIRST.isoformat(), "--at", "18:00", "--place", "Here")
    assert result.code == 2 and "No passphrase given" in result.err
    assert groups_table(vault) == []
    group_id = add_group(kraft, "Anonymous schedule")  # without details: still no passphrase
    assert kraft("group", "show", group_id, "--details").code == 2
    wrong = kraft("group", "show", group_id, "--details", "--passphrase-stdin", stdin="not the passphrase\n")
    assert wrong.code == 1 and "does not open" in wrong.err


# ---- changing meetings ----


def test_cancel_then_next_skips_that_meeting(kraft: Kraft, home: Path) -> None:
    group_id = add_group(kraft, "Tuesdays", "--count", "4")
    ids = ids_of(FIRST, 4)
    result = kraft("group", "cancel", group_id, ids[0])
    assert result.code == 0, result.err
    assert "Cancelled the meeting" in result.out
    upcoming = as_json(kraft, "next")["next"]["meeting"]
    assert upcoming["id"] == ids[1]
    assert (upcoming["number"], upcoming["total"]) == (1, 3)  # a cancelled meeting keeps its slot, uncounted
    meetings = as_json(kraft, "show", group_id)["meetings"]
    assert [m["cancelled"] for m in meetings] == [True, False, False, False]
    assert "cancelled" in kraft("group", "show", group_id).out


def test_skip_extends_the_course(kraft: Kraft) -> None:
    group_id = add_group(kraft, "Tuesdays", "--count", "3")
    ids = ids_of(FIRST, 4)
    assert kraft("group", "skip", group_id, ids[1].lower()).code == 0
    meetings = as_json(kraft, "show", group_id)["meetings"]
    assert [m["id"] for m in meetings] == [ids[0], ids[2], ids[3]]
    assert [m["number"] for m in meetings] == [1, 2, 3] and meetings[-1]["total"] == 3


def test_move_changes_next(kraft: Kraft) -> None:
    group_id = add_group(kraft, "Tuesdays", "--count", "3")
    ids = ids_of(FIRST, 3)
    new_day = FIRST + timedelta(days=1)
    result = kraft("group", "move", group_id, ids[0], "--to", f"{new_day.isoformat()} 19:30")
    assert result.code == 0, result.err
    upcoming = as_json(kraft, "next")["next"]["meeting"]
    assert upcoming["id"] == ids[0] and upcoming["moved"] is True
    moved_to = datetime.fromisoformat(upcoming["start"])
    assert moved_to == datetime.combine(new_day, time(19, 30), tzinfo=STOCKHOLM)
    assert moved_to.utcoffset() == moved_to.astimezone(STOCKHOLM).utcoffset()  # in the group's zone
    assert "moved from" in kraft("group", "show", group_id).out


# ---- calendar export ----


def test_export_ics_has_the_label_and_a_timezone(kraft: Kraft, vault: Path, tmp_path: Path) -> None:
    group_id = add_group(kraft, "Tuesdays", "--count", "3", "--theme", "Grief", "--place", "Room 4")
    result = kraft("group", "export-ics", group_id)
    assert result.code == 0, result.err
    calendar = icalendar.Calendar.from_ical(result.out)
    events = [c for c in calendar.walk("VEVENT")]
    assert [str(e["SUMMARY"]) for e in events] == ["Tuesdays"]
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    assert events[0].decoded("DTSTART") == datetime.combine(FIRST, time(18), tzinfo=STOCKHOLM)
    assert {str(a["DESCRIPTION"]) for a in calendar.walk("VALARM")} == {"Meeting soon"}
    assert "Grief" not in result.out and "Room 4" not in result.out

    target = tmp_path / "tuesdays.ics"
    written = kraft("group", "export-ics", group_id[:5], "-o", str(target))
    assert written.code == 0 and str(target) in written.err and written.out == ""
    assert icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")[0]["SUMMARY"] == "Tuesdays"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_export_ics_alarms_follow_the_members_reminder_settings(kraft: Kraft, home: Path) -> None:
    from app.domain.reminders import ReminderSettings
    from app.services import reminder_prefs
    from app.services.vault_service import VaultService

    group_id = add_group(kraft, "Tuesdays", "--count", "3")
    service = VaultService(home)
    reminder_prefs.save(service, ReminderSettings(before=(timedelta(days=2), timedelta(minutes=30))))
    service.close()
    calendar = icalendar.Calendar.from_ical(kraft("group", "export-ics", group_id).out)
    triggers = sorted(a.decoded("TRIGGER") for a in calendar.walk("VALARM"))
    assert triggers == [-timedelta(days=2), -timedelta(minutes=30)]


# ---- bad input: exit 2, clear message, nothing written ----


BAD_ADD = [
    (["--first", "2026-13-01", "--at", "18:00"], "not a date"),
    (["--first", "tomorrow", "--at", "18:00"], "not a date"),
    (["--first", "{first}", "--at", "25:00"], "not a time"),
    (["--first", "{first}", "--at", "18:00", "--zone", "Mars/Olympus"], "not a time zone"),
    (["--first", "{first}", "--at", "18:00", "--every", "4"], "invalid choice: 4"),
    (["--first", "{first}", "--at", "18:00", "--count", "3", "--until", "{first}"], "not allowed with"),
    (["--first", "{first}", "--at", "18:00", "--count", "0"], "count must be between"),
    (["--first", "{first}", "--at", "18:00", "--duration", "5"], "between 15 minutes and 8 hours"),
    (["--first", "{first}", "--at", "18:00", "--until", "2000-01-01"], "before the first meeting"),
]


@pytest.mark.parametrize(("args", "message"), BAD_ADD)
def test_bad_add_changes_nothing(kraft: Kraft, home: Path, args: list[str], message: str) -> None:
    add_group(kraft, "Existing", "--count", "2")
    before = groups_table(home)
    result = kraft("group", "add", "New", *[a.format(first=FIRST.isoformat()) for a in args])
    assert result.code == 2
    assert message in result.err and "Traceback" not in result.err
    assert groups_table(home) == before


def test_an_empty_label_is_refused(kraft: Kraft, home: Path) -> None:
    result = kraft("group", "add", "  ", "--first", FIRST.isoformat(), "--at", "18:00")
    assert result.code == 2 and "short name" in result.err
    assert groups_table(home) == []


@pytest.mark.parametrize(("command", "message"), [
    (["cancel", "{group}", "20000101T170000Z"], "no meeting with id 20000101T170000Z"),
    (["cancel", "{group}", "{meeting}Q"], "no meeting with id"),
    (["skip", "{group}", "not-an-id"], "no meeting with id not-an-id"),
    (["move", "{group}", "20000101T170000Z", "--to", "{day} 18:00"], "no meeting with id"),
    (["move", "{group}", "{meeting}", "--to", "{day}"], "not a date and time"),
    (["move", "{group}", "{meeting}", "--to", "{day} 24:10"], "not a date and time"),
    (["cancel", "ffffffffff", "{meeting}"], "No group with id ffffffffff"),
    (["cancel", "{short}", "{meeting}"], "No group with id"),  # fewer than 4 characters
    (["remove", "0000000000000000"], "No group with id"),
    (["show", "deadbeef"], "No group with id"),
    (["export-ics", "deadbeef"], "No group with id"),
])
def test_bad_changes_change_nothing(kraft: Kraft, home: Path, command: list[str], message: str) -> None:
    group_id = add_group(kraft, "Tuesdays", "--count", "3")
    before = groups_table(home)
    fill = {"group": group_id, "short": group_id[:3], "meeting": ids_of(FIRST, 1)[0],
            "day": FIRST.isoformat()}
    result = kraft("group", *[part.format(**fill) for part in command])
    assert result.code == 2, result.out
    assert message in result.err and "Traceback" not in result.err
    assert result.out == ""
    assert groups_table(home) == before


def test_a_prefix_shared_by_two_groups_is_ambiguous(kraft: Kraft, home: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    numbers = count()
    monkeypatch.setattr(groups_module, "new_record_id", lambda: f"abcd{next(numbers):x}" + "0" * 27)
    first, second = add_group(kraft, "One"), add_group(kraft, "Two")
    result = kraft("group", "remove", "abcd")
    assert result.code == 2 and "More than one group starts with abcd" in result.err
    assert len(groups_table(home)) == 2
    assert kraft("group", "remove", second[:5].upper()).code == 0
    assert [row[0] for row in groups_table(home)] == [first]


# ---- JSON shapes ----


def test_json_shapes(kraft: Kraft) -> None:
    assert as_json(kraft, "list") == {"groups": []}
    group_id = add_group(kraft, "Tuesdays", "--count", "2", "--every", "2", "--duration", "90")
    ids = ids_of(FIRST, 2, weeks=2)
    meeting_keys = {"id", "start", "end", "original_start", "number", "total", "cancelled", "moved"}
    group_keys = {"id", "label", "zone", "first_start", "duration_min", "interval", "count", "until", "next"}

    listed = as_json(kraft, "list")["groups"]
    assert len(listed) == 1 and set(listed[0]) == group_keys
    assert listed[0] | {"next": None} == {
        "id": group_id, "label": "Tuesdays", "zone": "Europe/Stockholm",
        "first_start": f"{FIRST.isoformat()}T18:00:00{listed[0]['first_start'][-6:]}", "duration_min": 90,
        "interval": 2, "count": 2, "until": None, "next": None}
    assert set(listed[0]["next"]) == meeting_keys and listed[0]["next"]["id"] == ids[0]

    shown = as_json(kraft, "show", group_id)
    assert set(shown) == group_keys | {"meetings", "details"}
    assert [m["id"] for m in shown["meetings"]] == ids
    first = shown["meetings"][0]
    assert (first["number"], first["total"], first["cancelled"], first["moved"]) == (1, 2, False, False)
    start, end = datetime.fromisoformat(first["start"]), datetime.fromisoformat(first["end"])
    assert end - start == timedelta(minutes=90) and first["original_start"] == first["start"]

    upcoming = as_json(kraft, "next")
    assert set(upcoming) == {"next"} and set(upcoming["next"]) == {"group_id", "label", "meeting"}
    assert upcoming["next"]["meeting"] == first


def test_swedish_output(kraft: Kraft, monkeypatch: pytest.MonkeyPatch) -> None:
    add_group(kraft, "Tisdagar", "--count", "3")
    monkeypatch.setenv("LANGUAGE", "sv")
    result = kraft("group", "next")
    assert result.code == 0 and "Träff 1 av 3" in result.out
    monkeypatch.setattr(clock, "now", lambda: datetime.now(UTC) + timedelta(days=400))
    assert kraft("group", "next").out == "Inga kommande träffar.\n"
