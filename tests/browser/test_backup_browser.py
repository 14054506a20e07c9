"""A backup restored on a new device in Chromium: the welcome screen's way in, the file chooser, unlock."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.domain.schedule import Schedule
from app.services.backup import create_backup
from app.services.groups import GroupService
from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF, PASSPHRASE


@pytest.mark.browser
def test_restore_a_backup_on_a_new_device(served_app, web, tmp_path: Path) -> None:
    from datetime import date, time, timedelta

    old = tmp_path / "old-phone"
    old.mkdir()
    service = VaultService(old, kdf=FAST_KDF)
    journal = service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    journal.add("Skrevet på den gamle telefonen")
    GroupService(service.engine, service.vault).add("Onsdag", Schedule.weekly(
        zone="Europe/Oslo", first=date.today() + timedelta(days=1), at=time(18), count=8))
    backup = tmp_path / "kraft-backup.kraftbackup"
    create_backup(service, backup)
    service.close()

    home = tmp_path / "new-phone"
    server = served_app("app", env={"KRAFT_HOME": str(home), "LANG": "en_GB.UTF-8"})
    web.open(server.url)
    web.wait_for_text("Welcome to Kraft")
    web.click_button("I have a backup to restore")
    web.wait_for_button("Choose the backup file")
    with web.page.expect_file_chooser() as chooser:
        web.click_button("Choose the backup file")
    chooser.value.set_files(str(backup))
    web.wait_for_text("kraft-backup.kraftbackup")
    web.type_into("Passphrase", PASSPHRASE)
    web.screenshot("en-30-restore")
    web.click_button("Only check it")
    web.wait_for_text(re.compile("The backup opens"), exact=False)
    web.screenshot("en-31-backup-checked")
    web.click_button("Restore this backup")
    web.wait_for_text(re.compile("The backup is restored"), exact=False)
    web.wait_for_text(re.compile("Meeting 1 of 8"), exact=False)  # the group came back too, shown locked
    web.screenshot("en-32-restored-locked")
    web.type_into("Passphrase", PASSPHRASE)
    web.click_button("Unlock")
    web.wait_for_text(re.compile("den gamle telefonen"), exact=False)
