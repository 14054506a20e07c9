"""Reminder settings as a preference, the homework nudge, reminders across groups, and the notifier adapter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.errors import KraftError, Msg
from app.reminders import HOMEWORK, MEETING, ReminderSettings
from app.schedule import Schedule
from app.services import notify, reminder_prefs, reminder_service
from app.services.groups import GroupDetails, GroupService
from app.services.journal import Journal
from app.services.vault_service import VaultService
from app.storage import db

TZ = ZoneInfo("Europe/Stockholm")


def _course(first: date = date(2026, 12, 3), interval: int = 2, count: int = 6) -> Schedule:
    return Schedule.weekly(zone="Europe/Stockholm", first=first, at=time(18), interval=interval, count=count)


# ---- settings ----


def test_settings_round_trip_and_defaults(service: VaultService) -> None:
    assert reminder_prefs.load(service) == ReminderSettings()
    chosen = ReminderSettings(before=(timedelta(days=2), timedelta(hours=1)), homework_days_before=None,
                              quiet_start=None, quiet_end=None, show_details=True)
    reminder_prefs.save(service, chosen)
    assert reminder_prefs.load(VaultService(service.home)) == chosen  # a preference: no vault needed


@pytest.mark.parametrize("stored", ["{", "[]", '{"v": 99}', '{"v": 1, "before_min": [7], "homework_days": 2, '
                                    '"quiet": [null, null], "details": false}'])
def test_damaged_stored_settings_fall_back_to_the_defaults(service: VaultService, stored: str) -> None:
    service.set_preference(reminder_prefs.PREFERENCE, stored)
    assert reminder_prefs.load(service) == ReminderSettings()


@pytest.mark.parametrize(("settings", "msg"), [
    (ReminderSettings(before=(timedelta(hours=3),)), Msg.REMINDER_TIMES_INVALID),
    (ReminderSettings(before=(timedelta(hours=2), timedelta(hours=2))), Msg.REMINDER_TIMES_INVALID),
    (ReminderSettings(before=(timedelta(days=7), timedelta(days=2), timedelta(hours=2), timedelta(hours=1))),
     Msg.REMINDER_TIMES_INVALID),
    (ReminderSettings(homework_days_before=5), Msg.REMINDER_HOMEWORK_DAYS_INVALID),
    (ReminderSettings(quiet_start=time(22), quiet_end=None), Msg.QUIET_HOURS_INVALID),
    (ReminderSettings(quiet_start=time(22), quiet_end=time(22)), Msg.QUIET_HOURS_INVALID),
])
def test_settings_that_do_not_work_are_refused(service: VaultService, settings: ReminderSettings,
                                               msg: Msg) -> None:
    with pytest.raises(KraftError) as refused:
        reminder_prefs.save(service, settings)
    assert refused.value.msg is msg
    assert service.get_preference(reminder_prefs.PREFERENCE) is None


# ---- homework ----


def test_homework_keeps_the_other_details_and_old_records_still_load(service: VaultService,
                                                                     journal: Journal) -> None:
    groups = GroupService(service.engine, service.vault)
    group = groups.add("Torsdag", _course(), GroupDetails(theme="Ångest", place="Rum 4"))
    noted = datetime(2026, 11, 22, tzinfo=UTC)
    groups.update_details(group.id, homework_prompt_id="strengths", homework_set=noted)
    assert groups.details(group.id) == GroupDetails(theme="Ångest", place="Rum 4", homework_prompt_id="strengths",
                                                    homework_set=noted)
    assert GroupDetails.from_payload({"theme": "x", "from_a_newer_version": 1}) == GroupDetails(theme="x")
    service.lock()
    with pytest.raises(KraftError) as locked:
        groups.update_details(group.id, homework_text="Hva gir mening?")
    assert locked.value.msg is Msg.GROUP_DETAILS_NEED_VAULT


def test_homework_is_open_until_answered_after_it_was_noted(service: VaultService, journal: Journal) -> None:
    groups = GroupService(service.engine, service.vault)
    group = groups.add("Torsdag", _course())
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    assert not reminder_service.homework_open(groups, journal, group, now=now)  # none noted
    groups.update_details(group.id, homework_prompt_id="strengths", homework_set=now - timedelta(days=1))
    assert reminder_service.homework_open(groups, journal, group, now=now)
    assert not reminder_service.homework_open(groups, None, group, now=now)  # locked: cannot tell
    journal.add("an old answer", prompt_id="strengths", created=now - timedelta(days=10))
    assert reminder_service.homework_open(groups, journal, group, now=now)  # answered before it was set
    answer = journal.add("this time", prompt_id="strengths", created=now)
    assert not reminder_service.homework_open(groups, journal, group, now=now)
    journal.delete(answer.id)
    assert reminder_service.homework_open(groups, journal, group, now=now)  # a deleted answer is no answer
    groups.update_details(group.id, homework_prompt_id="", homework_text="Hva gir mening for deg?")
    journal.add("svar", prompt_text="Hva gir mening for deg?", created=now)
    assert not reminder_service.homework_open(groups, journal, group, now=now)
    assert not reminder_service.homework_open(groups, journal, group, now=datetime(2027, 6, 1, tzinfo=UTC))


# ---- across groups ----


def test_due_and_upcoming_across_groups_are_discreet_by_default(service: VaultService, journal: Journal) -> None:
    groups = GroupService(service.engine, service.vault)
    thursday = groups.add("Torsdagsgruppen", _course(first=date(2026, 12, 3)))
    groups.add("Fredag", _course(first=date(2026, 12, 4)))
    groups.update_details(thursday.id, homework_prompt_id="coping", homework_set=datetime(2026, 11, 20, tzinfo=UTC))
    now = datetime(2026, 12, 3, 17, 0, tzinfo=TZ)
    due = reminder_service.due(groups, ReminderSettings(), now=now, journal=journal)
    assert [(g.label, r.kind) for g, r in due] == [("Torsdagsgruppen", MEETING)]
    coming = reminder_service.upcoming(groups, ReminderSettings(), now=datetime(2026, 12, 1, 12, tzinfo=UTC),
                                       journal=journal, horizon=timedelta(days=4))
    assert [(g.label, r.kind) for g, r in coming] == [
        ("Torsdagsgruppen", HOMEWORK), ("Torsdagsgruppen", MEETING), ("Torsdagsgruppen", MEETING),
        ("Fredag", MEETING), ("Fredag", MEETING)]
    texts = [reminder_service.text(g, r, ReminderSettings()) for g, r in coming]
    assert not any("Torsdag" in t or "Fredag" in t for t in texts)
    detailed = [reminder_service.text(g, r, ReminderSettings(show_details=True)) for g, r in coming]
    assert detailed[0].startswith("Torsdagsgruppen:")


# ---- notifications ----


class Recorder:
    """A notifier that keeps what it was handed, as a platform would."""

    supported = True

    def __init__(self) -> None:
        self.scheduled: list[notify.ScheduledNotification] = []
        self.calls = 0

    def replace_all(self, items: Sequence[notify.ScheduledNotification]) -> None:
        self.calls += 1
        self.scheduled = list(items)

    def cancel_all(self) -> None:
        self.scheduled = []


def test_sync_replaces_the_whole_plan_and_drops_a_cancelled_meeting(home) -> None:  # type: ignore[no-untyped-def]
    engine = db.open_database(home / "kraft.db")
    groups = GroupService(engine)
    group = groups.add("Torsdag", _course(first=date(2026, 12, 3), interval=1))
    recorder = Recorder()
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    first = notify.sync(recorder, groups, ReminderSettings(), now=now)
    assert [n.at.astimezone(TZ).strftime("%d %H:%M") for n in first] == [
        "02 18:00", "03 16:00", "09 18:00", "10 16:00"]
    assert all(n.body == "You have a meeting at 6:00\u202fPM." for n in first)
    assert len({n.id for n in first}) == 4 and all(0 < n.id < 2**31 for n in first)
    again = notify.sync(recorder, groups, ReminderSettings(), now=now)
    assert [n.id for n in again] == [n.id for n in first]  # stable: a platform updates, never doubles
    cancelled = group.schedule.meetings()[0].original_start
    groups.update_schedule(group.id, group.schedule.cancel(cancelled))
    notify.sync(recorder, groups, ReminderSettings(quiet_start=time(15), quiet_end=time(19)), now=now)
    assert recorder.calls == 3
    assert [n.at.astimezone(TZ).strftime("%d %H:%M") for n in recorder.scheduled] == ["09 19:00", "10 14:59"]


def test_the_null_notifier_says_it_is_unsupported_and_does_nothing() -> None:
    null = notify.NullNotifier()
    assert null.supported is False
    assert null.replace_all([notify.ScheduledNotification(1, datetime.now(UTC), "Kraft", "x")]) is None
