"""Issue 4 in Chromium: a leader shows the invite and a join code, a member joins with the code on another
device, and the leader sees them: two web apps and a real relay process, with screenshots."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from app.domain.schedule import Schedule
from app.services.leader import LeaderService
from app.services.relay_sync import SyncService
from app.services.vault_service import VaultService
from tests.browser.support import FletWeb
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import start_relay


def _leader_with_a_group(home: Path, relay_url: str, enrolment: str) -> None:
    service = VaultService(home, kdf=FAST_KDF)
    service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    schedule = Schedule.weekly(zone="Europe/Stockholm", first=date.today() + timedelta(days=2), at=time(18),
                               interval=1, count=8)
    LeaderService(service.engine, service.vault).create_group(
        "Tisdagsgruppen", schedule, theme="Balans i vardagen", relay=relay_url, enrolment=enrolment,
        now=datetime.now(UTC))
    assert SyncService(service.engine, service.vault).run(now=datetime.now(UTC)).sent == 2  # mailbox, first log entry
    service.close()


@pytest.mark.browser
def test_a_member_joins_with_the_code_the_leader_shows(served_app, web, browser_context, tmp_path: Path) -> None:
    relay = start_relay(tmp_path / "relay")
    try:
        config = tmp_path / "region.toml"
        config.write_text(f'default_language = "en"\n[relay]\nurl = "{relay.url}"\n', encoding="utf-8")
        leader_home, member_home = tmp_path / "leader", tmp_path / "member"
        leader_home.mkdir()
        member_home.mkdir()
        _leader_with_a_group(leader_home, relay.url, relay.enrolment_token())
        env = {"KRAFT_CONFIG": str(config), "LANG": "en_GB.UTF-8"}
        leader_app = served_app("app", env={**env, "KRAFT_HOME": str(leader_home)})
        member_app = served_app("app", env={**env, "KRAFT_HOME": str(member_home)})

        web.open(leader_app.url)
        web.type_into("Passphrase", PASSPHRASE)
        web.click_button("Unlock")
        group_row = web.text(re.compile("Tisdagsgruppen"), exact=False).first
        web.open_tab("Settings", group_row)
        group_row.click()
        web.click_button("Show the invite")
        web.wait_for_label("QR code of the invite link")
        web.screenshot("en-30-leader-invite")
        web.click_button("Make a join code")
        code_text = web.wait_for_text(re.compile(r"^[0-9A-Z]{5}-[0-9A-Z]{5}$"))
        code = code_text.first.inner_text().strip()
        web.page.mouse.wheel(0, 400)
        web.screenshot("en-31-join-code")

        member = FletWeb(browser_context.new_page())
        member.open(member_app.url)
        member.click_button("I have an invite from my group")
        member.type_into("Invite link or join code", code.lower())
        member.click_button("Check the invite")
        member.wait_for_button("I accept the guidelines, join")
        member.wait_for_text("Theme: Balans i vardagen")
        member.screenshot("en-32-invite-preview")
        member.click_button("I accept the guidelines, join")
        member.wait_for_text(re.compile("You asked to join Tisdagsgruppen"), exact=False)  # protocol v2
        member.wait_for_text(re.compile("Compare this check code"), exact=False)
        member.screenshot("en-33-joined")

        web.page.bring_to_front()
        web.click_and_wait_done("Check for news", "Checking for news from the group…")
        web.wait_for_text("Someone without a name")  # asks to join, with the check code to compare
        web.click_button("Let in")
        web.wait_for_label(re.compile("A member without a name"), exact=False)
        web.page.mouse.wheel(0, 900)
        web.screenshot("en-34-leader-members")
    finally:
        relay.stop()
