"""Groups with and without a vault: the next meeting before unlocking, details only encrypted."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from app.domain.schedule import Schedule
from app.errors import KraftError, Msg
from app.services.groups import GroupDetails, GroupService
from app.services.vault_service import VaultService
from app.storage.db import open_database

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def _thursdays(count: int = 10) -> Schedule:
    return Schedule.weekly(zone="Europe/Stockholm", first=date(2026, 11, 5), at=time(18), interval=2, count=count)


def test_an_anonymous_member_sees_the_next_meeting_without_any_vault(home: Path) -> None:
    engine = open_database(home / "kraft.db")
    groups = GroupService(engine)
    group = groups.add("  Torsdag   ", _thursdays())
    assert group.label == "Torsdag"
    nxt = groups.next_meeting(NOW)
    assert nxt is not None and nxt.group.id == group.id
    assert nxt.meeting.start == datetime(2026, 12, 3, 18, tzinfo=nxt.meeting.start.tzinfo)
    assert (nxt.meeting.number, nxt.meeting.total) == (3, 10)
    with pytest.raises(KraftError) as err:
        groups.add("Annan", _thursdays(), GroupDetails(theme="Ångest"))
    assert err.value.msg is Msg.GROUP_DETAILS_NEED_VAULT
    assert [g.label for g in GroupService(open_database(home / "kraft.db")).list()] == ["Torsdag"]


def test_details_are_encrypted_and_hidden_while_locked(service: VaultService, home: Path) -> None:
    service.finish_setup(pending := service.prepare_setup("correct horse battery"), pending.recovery_code)
    groups = GroupService(service.engine, service.vault)
    marker = "TEMAMARKER-ångest-och-oro"
    group = groups.add("Tors", _thursdays(), GroupDetails(theme=marker, place="Kulturhuset, rum 3"))
    assert groups.details(group.id) == GroupDetails(theme=marker, place="Kulturhuset, rum 3")
    service.lock()
    assert groups.details(group.id) is None and groups.next_meeting(NOW) is not None  # locked: times only
    service.close()
    for path in home.iterdir():
        assert marker.encode() not in path.read_bytes() and b"Kulturhuset" not in path.read_bytes()


def test_a_cancelled_meeting_is_skipped_by_next_and_removal_erases_details(service: VaultService) -> None:
    service.finish_setup(pending := service.prepare_setup("correct horse battery"), pending.recovery_code)
    groups = GroupService(service.engine, service.vault)
    group = groups.add("Tors", _thursdays(), GroupDetails(link="https://meet.example/x"))
    upcoming = group.schedule.next_meeting(NOW)
    assert upcoming is not None
    groups.update_schedule(group.id, group.schedule.cancel(upcoming.original_start))
    nxt = groups.next_meeting(NOW)
    assert nxt is not None and nxt.meeting.start.date() == date(2026, 12, 17) and nxt.meeting.total == 9
    service.lock()
    groups.remove(group.id)  # while locked: the sealed details go too
    with service.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM record WHERE kind='group'").scalar() == 0
    with pytest.raises(KraftError) as err:
        groups.get(group.id)
    assert err.value.msg is Msg.GROUP_NOT_FOUND


@pytest.mark.parametrize("label", ["", "   ", "x" * 41])
def test_a_label_must_be_short_and_not_empty(home: Path, label: str) -> None:
    with pytest.raises(KraftError) as err:
        GroupService(open_database(home / "kraft.db")).add(label, _thursdays())
    assert err.value.msg is Msg.GROUP_LABEL_INVALID


def test_a_label_that_is_not_valid_utf8_is_a_message(home: Path) -> None:
    with pytest.raises(KraftError) as err:  # was UnicodeEncodeError from SQLite
        GroupService(open_database(home / "kraft.db")).add("Torsdag \udcff", _thursdays())
    assert err.value.msg is Msg.TEXT_NOT_UNICODE
