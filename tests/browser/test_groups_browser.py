"""Groups in Chromium: the locked screen with a journal and a group, the group screen, a meeting change and
the calendar download, with screenshots."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from app.domain.schedule import Schedule
from app.services.groups import GroupDetails, GroupService
from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF, PASSPHRASE


def _journal_with_a_group(home: Path) -> str:
    service = VaultService(home, kdf=FAST_KDF)
    service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    # every second week from 12 days ago: one meeting behind, the next in 2 days
    schedule = Schedule.weekly(zone="Europe/Stockholm", first=date.today() - timedelta(days=12), at=time(18),
                               interval=2, count=10)
    group = GroupService(service.engine, service.vault).add(
        "Torsdag", schedule, GroupDetails(theme="Vardagsstrategi", place="Folkets hus, rum 4"))
    service.close()
    return group.id


@pytest.mark.browser
def test_locked_screen_group_screen_meeting_change_and_calendar(served_app, web, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    group_id = _journal_with_a_group(home)
    server = served_app("app", env={"KRAFT_HOME": str(home), "LANG": "en_GB.UTF-8"})
    web.open(server.url)

    web.wait_for_text(re.compile("Meeting 2 of 10"), exact=False)  # before unlocking
    assert web.text(re.compile("Folkets hus|Vardagsstrategi"), exact=False).count() == 0  # sealed: not shown
    web.screenshot("en-20-locked-with-group")

    web.type_into("Passphrase", PASSPHRASE)
    web.click_button("Unlock")
    web.wait_for_text(re.compile("Nothing here yet"), exact=False)
    web.click_button("I can't come")
    web.wait_for_text(re.compile("tell the others"), exact=False)
    web.screenshot("en-25-cant-come")
    web.page.get_by_role("tab", name="Settings").click()
    web.text(re.compile("Torsdag"), exact=False).first.click()
    web.wait_for_text("Place: Folkets hus, rum 4")
    web.wait_for_text("Every second week at 6:00\u202fPM")
    web.click_button("I was there")
    web.wait_for_text("You were at the meeting.")
    web.screenshot("en-21-group")
    web.page.mouse.wheel(0, 500)
    web.screenshot("en-21b-group-scrolled")
    web.page.mouse.wheel(0, 400)
    web.screenshot("en-21c-group-scrolled-more")

    with web.page.expect_download() as download_info:
        web.click_button("Add to my calendar (.ics)")
    download = download_info.value
    assert download.suggested_filename == "kraft-torsdag.ics"
    calendar = Calendar.from_ical(Path(download.path()).read_bytes())
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["summary"]) == "Torsdag" and b"Folkets" not in calendar.to_ical()

    web.text(re.compile("Meeting 3 of 10"), exact=False).first.click()
    web.wait_for_button("Move the meeting")
    web.screenshot("en-22-change-meeting")
    web.click_button("Cancel this meeting")
    web.wait_for_text(re.compile("Cancelled the meeting"), exact=False)
    web.wait_for_text("A course of 9 meetings")
    web.wait_for_text("1 meeting cancelled")
    web.screenshot("en-23-group-after-cancel")
    web.label("Back").first.click()
    web.click_button("Add a group")
    web.wait_for_label("Place")
    web.screenshot("en-24-add-group-with-journal")
    web.label("Back").first.click()
    web.click_button("Reminders")
    web.wait_for_text("Quiet hours")
    web.page.get_by_role("checkbox", name="2 hours before").click()
    web.screenshot("en-26-reminders")
    service = VaultService(home, kdf=FAST_KDF)
    try:
        meetings = GroupService(service.engine).get(group_id).schedule.meetings()
        assert [m.cancelled for m in meetings[:4]] == [False, False, True, False]
        from app.services import reminder_prefs

        assert timedelta(hours=2) not in reminder_prefs.load(service).before
    finally:
        service.close()
