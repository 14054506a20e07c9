"""Reminder settings as a preference, the homework nudge, reminders across groups, and the notifier adapter."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.domain.reminders import HOMEWORK, MEETING, ReminderSettings
from app.domain.schedule import Schedule
from app.errors import KraftError, Msg
from app.services import notify, reminder_prefs, reminder_service
from app.services.groups import GROUP, MAX_HOMEWORK, GroupDetails, GroupService
from app.services.journal import Journal
from app.services.vault_service import VaultService
from app.storage import db
from app.storage.records import pack

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


def test_settings_are_stored_versioned_in_their_normal_form(service: VaultService) -> None:
    chosen = ReminderSettings(before=(timedelta(minutes=30), timedelta(days=7)), quiet_start=time(23, 0, 30),
                              quiet_end=time(6, 30))
    saved = reminder_prefs.save(service, chosen)
    assert saved == ReminderSettings(before=(timedelta(days=7), timedelta(minutes=30)), quiet_start=time(23),
                                     quiet_end=time(6, 30))
    assert json.loads(service.get_preference(reminder_prefs.PREFERENCE) or "") == {
        "v": 1, "before_min": [10080, 30], "homework_days": 2, "quiet": ["23:00", "06:30"], "details": False}
    assert reminder_prefs.load(service) == saved


def test_settings_stored_by_an_earlier_release_still_load(service: VaultService) -> None:
    service.set_preference(reminder_prefs.PREFERENCE, '{"before_min": [2880, 60], "details": true, '
                                                      '"homework_days": null, "quiet": ["21:30", "07:00"], "v": 1}')
    assert reminder_prefs.load(service) == ReminderSettings(
        before=(timedelta(days=2), timedelta(hours=1)), homework_days_before=None, quiet_start=time(21, 30),
        quiet_end=time(7), show_details=True)


_GOOD = {"v": 1, "before_min": [1440], "homework_days": 2, "quiet": [None, None], "details": False}


@pytest.mark.parametrize("stored", [
    "{", "[]", "null", '{"v": 99}', '{"v": "1"}',
    json.dumps(_GOOD | {"before_min": [7]}),  # not one of the choices
    json.dumps(_GOOD | {"before_min": [0]}), json.dumps(_GOOD | {"before_min": "1440"}),
    json.dumps(_GOOD | {"before_min": [True]}), json.dumps(_GOOD | {"before_min": [1440.5]}),
    json.dumps(_GOOD | {"homework_days": 9}), json.dumps(_GOOD | {"homework_days": "2"}),
    json.dumps(_GOOD | {"quiet": ["25:00", "07:00"]}), json.dumps(_GOOD | {"quiet": [22, 7]}),
    json.dumps(_GOOD | {"quiet": ["22:00"]}), json.dumps(_GOOD | {"quiet": None}),
    json.dumps(_GOOD | {"quiet": ["22:00", None]}),
    json.dumps(_GOOD | {"details": "no"}), json.dumps({k: v for k, v in _GOOD.items() if k != "details"}),
])
def test_damaged_stored_settings_fall_back_to_the_defaults(service: VaultService, stored: str,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    service.set_preference(reminder_prefs.PREFERENCE, stored)
    with caplog.at_level(logging.WARNING, logger="app.services.reminder_prefs"):
        assert reminder_prefs.load(service) == ReminderSettings()
    assert "using the defaults" in caplog.text


def test_the_good_sample_itself_loads(service: VaultService) -> None:  # so the damaged cases above are damaged
    service.set_preference(reminder_prefs.PREFERENCE, json.dumps(_GOOD))
    assert reminder_prefs.load(service) == ReminderSettings(before=(timedelta(hours=24),), quiet_start=None,
                                                            quiet_end=None)


@pytest.mark.parametrize(("settings", "msg"), [
    (ReminderSettings(before=(timedelta(hours=3),)), Msg.REMINDER_TIMES_INVALID),
    (ReminderSettings(before=(timedelta(0),)), Msg.REMINDER_TIMES_INVALID),
    (ReminderSettings(before=(timedelta(hours=-2),)), Msg.REMINDER_TIMES_INVALID),
    (ReminderSettings(before=(timedelta(hours=2), timedelta(hours=2))), Msg.REMINDER_TIMES_INVALID),
    (ReminderSettings(before=(timedelta(days=7), timedelta(days=2), timedelta(hours=2), timedelta(hours=1))),
     Msg.REMINDER_TIMES_INVALID),
    (ReminderSettings(homework_days_before=5), Msg.REMINDER_HOMEWORK_DAYS_INVALID),
    (ReminderSettings(homework_days_before=0), Msg.REMINDER_HOMEWORK_DAYS_INVALID),
    (ReminderSettings(quiet_start=time(22), quiet_end=None), Msg.QUIET_HOURS_INVALID),
    (ReminderSettings(quiet_start=None, quiet_end=time(8)), Msg.QUIET_HOURS_INVALID),
    (ReminderSettings(quiet_start=time(22), quiet_end=time(22, 0, 30)), Msg.QUIET_HOURS_INVALID),
    (ReminderSettings(quiet_start=time(22), quiet_end=time(22)), Msg.QUIET_HOURS_INVALID),
])
def test_settings_that_do_not_work_are_refused(service: VaultService, settings: ReminderSettings,
                                               msg: Msg) -> None:
    with pytest.raises(KraftError) as refused:
        reminder_prefs.save(service, settings)
    assert refused.value.msg is msg
    assert str(refused.value)  # a sentence, with its parameters filled in
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


def test_set_and_clear_homework_keep_theme_place_and_link(service: VaultService, journal: Journal) -> None:
    groups = GroupService(service.engine, service.vault)
    given = GroupDetails(theme="Ångest", place="Rum 4", link="https://meet.example/x", show_place=True)
    group = groups.add("Torsdag", _course(), given)
    noted = datetime(2026, 11, 22, 20, tzinfo=TZ)
    groups.set_homework(group.id, "strengths", now=noted)
    assert groups.details(group.id) == GroupDetails(theme="Ångest", place="Rum 4", link="https://meet.example/x",
                                                    show_place=True, homework_prompt_id="strengths",
                                                    homework_set=noted.astimezone(UTC))
    assert groups.details(group.id).homework_set.tzinfo is not None  # type: ignore[union-attr]
    groups.update_details(group.id, place="Rum 5")  # and the other way round: the homework stays
    changed = groups.set_homework(group.id, text="  Hva gir\nmening for deg? ", now=noted)
    assert (changed.homework_prompt_id, changed.homework_text, changed.place) == (
        "", "Hva gir mening for deg?", "Rum 5")
    assert groups.clear_homework(group.id) == GroupDetails(theme="Ångest", place="Rum 5",
                                                          link="https://meet.example/x", show_place=True)
    assert groups.details(group.id) == replace(given, place="Rum 5")


@pytest.mark.parametrize(("prompt_id", "text", "msg"), [
    (None, None, Msg.HOMEWORK_MISSING), ("", "   ", Msg.HOMEWORK_MISSING),
    ("strengths", "and words", Msg.HOMEWORK_MISSING), ("no-such-prompt", None, Msg.UNKNOWN_PROMPT),
    (None, "x" * (MAX_HOMEWORK + 1), Msg.HOMEWORK_TOO_LONG),
])
def test_homework_that_does_not_work_is_refused(service: VaultService, journal: Journal, prompt_id: str | None,
                                                text: str | None, msg: Msg) -> None:
    groups = GroupService(service.engine, service.vault)
    group = groups.add("Torsdag", _course(), GroupDetails(theme="Ångest"))
    with pytest.raises(KraftError) as refused:
        groups.set_homework(group.id, prompt_id, text, now=datetime(2026, 11, 22, tzinfo=UTC))
    assert refused.value.msg is msg and str(refused.value)
    assert groups.details(group.id) == GroupDetails(theme="Ångest")
    assert groups.set_homework(group.id, text="x" * MAX_HOMEWORK, now=datetime(2026, 11, 22, tzinfo=UTC))
    with pytest.raises(ValueError):
        groups.set_homework(group.id, "strengths", now=datetime(2026, 11, 22))


def test_homework_needs_a_journal_and_an_open_one(service: VaultService, home: Path) -> None:
    anonymous = GroupService(db.open_database(home / "kraft.db"))
    group = anonymous.add("Torsdag", _course())
    for action in (lambda: anonymous.set_homework(group.id, "strengths", now=datetime.now(UTC)),
                   lambda: anonymous.clear_homework(group.id),
                   lambda: GroupService(service.engine, service.vault).set_homework(
                       group.id, "strengths", now=datetime.now(UTC))):  # a vault object, but no journal made
        with pytest.raises(KraftError) as refused:
            action()
        assert refused.value.msg is Msg.HOMEWORK_NEEDS_JOURNAL
    service.finish_setup(pending := service.prepare_setup("correct horse battery"), pending.recovery_code)
    service.lock()
    with pytest.raises(KraftError) as locked:
        GroupService(service.engine, service.vault).clear_homework(group.id)
    assert locked.value.msg is Msg.VAULT_LOCKED
    with pytest.raises(KraftError) as unknown:
        anonymous.clear_homework("no-such-group")
    assert unknown.value.msg is Msg.GROUP_NOT_FOUND


def test_a_details_record_from_before_homework_still_loads(service: VaultService, journal: Journal) -> None:
    groups = GroupService(service.engine, service.vault)
    group = groups.add("Torsdag", _course())
    service.vault.put(GROUP, pack({"theme": "Ångest", "place": "Rum 4", "link": ""}), group.id)  # as written then
    old = groups.details(group.id)
    assert old == GroupDetails(theme="Ångest", place="Rum 4") and not old.has_homework
    service.vault.put(GROUP, pack({"theme": "Ångest", "homework_text": "Hvad giver mening?", "epoch": 3}), group.id)
    assert groups.details(group.id) == GroupDetails(theme="Ångest", homework_text="Hvad giver mening?")
    groups.set_homework(group.id, "hopes", now=datetime(2026, 11, 22, tzinfo=UTC))
    assert groups.details(group.id).theme == "Ångest"  # type: ignore[union-attr]


def test_homework_is_for_the_next_meeting_only(service: VaultService, journal: Journal) -> None:
    groups = GroupService(service.engine, service.vault)
    group = groups.add("Torsdag", _course(first=date(2026, 12, 3), interval=1))  # Thursdays 18:00-20:00
    noted = datetime(2026, 11, 26, 20, 30, tzinfo=TZ)
    groups.set_homework(group.id, "hopes", now=noted)
    assert reminder_service.homework_open(groups, journal, group, now=datetime(2026, 12, 3, 17, 59, tzinfo=TZ))
    # the meeting it was for has begun: no longer open, though the next Thursday is ahead and it is unanswered
    assert not reminder_service.homework_open(groups, journal, group, now=datetime(2026, 12, 3, 18, tzinfo=TZ))
    assert not reminder_service.homework_open(groups, journal, group, now=datetime(2026, 12, 5, tzinfo=TZ))
    # noted during a meeting (when the group is given it): it is for the following one
    groups.set_homework(group.id, "hopes", now=datetime(2026, 12, 3, 19, tzinfo=TZ))
    assert reminder_service.homework_open(groups, journal, group, now=datetime(2026, 12, 5, tzinfo=TZ))
    # that one is cancelled: the homework is for the meeting that really happens next
    cancelled = group.meeting("20261210T170000Z")
    group = groups.update_schedule(group.id, group.schedule.cancel(cancelled.original_start))
    assert reminder_service.homework_open(groups, journal, group, now=datetime(2026, 12, 12, tzinfo=TZ))
    assert not reminder_service.homework_open(groups, journal, group, now=datetime(2026, 12, 17, 18, tzinfo=TZ))


def test_homework_in_the_groups_own_words_is_answered_by_the_same_words(service: VaultService,
                                                                         journal: Journal) -> None:
    groups = GroupService(service.engine, service.vault)
    group = groups.add("Torsdag", _course())
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    groups.set_homework(group.id, text="Hva gir mening for deg?", now=now - timedelta(hours=1))
    journal.add("svar", prompt_id="meaning", created=now)  # a library prompt with a similar question: no
    journal.add("svar", prompt_text="Hva gir mening?", created=now)
    assert reminder_service.homework_open(groups, journal, group, now=now)
    journal.add("svar", prompt_text="Hva gir  mening for deg?\n", created=now)  # the same words
    assert not reminder_service.homework_open(groups, journal, group, now=now)


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


def test_due_across_groups_names_a_group_only_when_asked(service: VaultService, journal: Journal) -> None:
    groups = GroupService(service.engine, service.vault)
    thursday = groups.add("Torsdagsgruppen", _course(first=date(2026, 12, 3), interval=1))
    groups.add("Fredagsgruppen", _course(first=date(2026, 12, 4), interval=1))
    groups.set_homework(thursday.id, "coping", now=datetime(2026, 11, 27, tzinfo=UTC))
    now = datetime(2026, 12, 3, 19, 0, tzinfo=TZ)  # after Thursday's start, 23 h before Friday's
    day_before = ReminderSettings(before=(timedelta(hours=24),))
    assert [(g.label, r.kind) for g, r in reminder_service.due(groups, day_before, now=now, journal=journal)] == [
        ("Fredagsgruppen", MEETING)]
    settings = ReminderSettings(before=(timedelta(days=7), timedelta(hours=24)))
    tuesday = datetime(2026, 12, 1, 19, tzinfo=TZ)  # the homework nudge's evening, a week's reminder before it
    due = reminder_service.due(groups, settings, now=tuesday, journal=journal)
    assert [(g.label, r.kind) for g, r in due] == [("Fredagsgruppen", MEETING), ("Torsdagsgruppen", HOMEWORK)]
    assert [reminder_service.text(g, r, settings) for g, r in due] == [
        "You have a meeting at 6:00\u202fPM.", "There is something to think about before your next meeting."]
    assert [reminder_service.text(g, r, replace(settings, show_details=True)) for g, r in due] == [
        "Fredagsgruppen: meeting at 6:00\u202fPM.", "Torsdagsgruppen: the homework is waiting for your answer."]
    locked = reminder_service.due(groups, settings, now=tuesday, journal=None)  # locked: the nudge is unknown
    assert [(g.label, r.kind) for g, r in locked] == [("Torsdagsgruppen", MEETING), ("Fredagsgruppen", MEETING)]
    off = reminder_service.due(groups, replace(settings, homework_days_before=None), now=tuesday, journal=journal)
    assert HOMEWORK not in [r.kind for _, r in off]


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


def test_sync_replaces_the_whole_plan_and_drops_a_cancelled_meeting(home: Path) -> None:
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
    null: notify.Notifier = notify.NullNotifier()
    assert null.supported is False
    null.replace_all([notify.ScheduledNotification(1, datetime.now(UTC), "Kraft", "x")])
    null.cancel_all()
    assert vars(null) == {}  # kept nothing


def test_sync_plans_homework_only_with_the_journal_and_details_only_when_asked(service: VaultService,
                                                                              journal: Journal) -> None:
    groups = GroupService(service.engine, service.vault)
    group = groups.add("Torsdag", _course(first=date(2026, 12, 3)))
    groups.set_homework(group.id, "strengths", now=datetime(2026, 11, 27, tzinfo=UTC))
    recorder = Recorder()
    now = datetime(2026, 11, 28, tzinfo=UTC)
    locked = notify.sync(recorder, groups, ReminderSettings(), now=now, horizon=timedelta(days=7))
    assert [n.body for n in locked] == ["You have a meeting at 6:00\u202fPM."] * 2
    opened = notify.sync(recorder, groups, ReminderSettings(), now=now, journal=journal, horizon=timedelta(days=7))
    assert recorder.scheduled == opened and len(opened) == 3
    assert opened[0].at == datetime(2026, 12, 1, 18, tzinfo=TZ) and "Torsdag" not in opened[0].body
    assert {n.title for n in opened} == {"Kraft"}
    detailed = notify.sync(recorder, groups, ReminderSettings(show_details=True), now=now, journal=journal,
                           horizon=timedelta(days=7))
    assert [n.body.startswith("Torsdag:") for n in detailed] == [True, True, True]
    wider = notify.sync(recorder, groups, ReminderSettings(), now=now, horizon=timedelta(days=21))
    assert len(wider) == 4  # the meeting two weeks later too
    journal.add("I noticed I could ask for help.", prompt_id="strengths", created=now + timedelta(hours=1))
    answered = notify.sync(recorder, groups, ReminderSettings(), now=now + timedelta(hours=2), journal=journal,
                           horizon=timedelta(days=7))
    assert [n.body for n in answered] == ["You have a meeting at 6:00\u202fPM."] * 2


def test_two_groups_at_the_same_hour_get_two_notifications(home: Path) -> None:
    groups = GroupService(db.open_database(home / "kraft.db"))
    groups.add("A", _course())
    groups.add("B", _course())
    items = notify.sync(Recorder(), groups, ReminderSettings(), now=datetime(2026, 12, 1, tzinfo=UTC),
                        horizon=timedelta(days=3))
    assert len(items) == 4 and len({n.id for n in items}) == 4


def test_sync_with_the_null_notifier_plans_nothing(home: Path) -> None:
    groups = GroupService(db.open_database(home / "kraft.db"))
    groups.add("A", _course())
    assert notify.sync(notify.NullNotifier(), groups, ReminderSettings(), now=datetime(2026, 12, 1, tzinfo=UTC)) == []
