"""The region's announcements in Chromium (issue 19 point 3): a member without a journal, in a group, turns them
on from the home screen and sees the coordinator's lecture as a card, in Swedish at phone width and in Danish
wide; nothing cut or painted over. Screenshots: artifacts/screenshots/announce-<lang>-<width>.png."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from app import i18n
from app.domain.schedule import Schedule
from app.i18n import _
from app.services.groups import GroupService
from app.services.region import Publisher, check_announcement_fields
from app.services.vault_service import VaultService
from tests.browser.support import FletWeb
from tests.browser.test_finder_browser import LANGS, _fits, _profile, _publish
from tests.browser.test_homework_browser import _wait_shown
from tests.conftest import FAST_KDF
from tests.relay_process import shared_relay


def _group_without_a_journal(home: Path) -> None:
    service = VaultService(home, kdf=FAST_KDF)
    first = datetime.now(UTC).date() + timedelta(days=3)
    GroupService(service.engine, None).add("Tisdag", Schedule.weekly(zone="Europe/Stockholm", first=first,
                                                                     at=time(18), interval=1, count=8))
    service.close()


@pytest.mark.browser
@pytest.mark.parametrize(("lang", "width", "height"), [("sv", 390, 844), ("da", 1280, 800)])
def test_a_member_turns_the_regions_announcements_on(lang: str, width: int, height: int, served_app: Any,
                                                     web: FletWeb, tmp_path: Path) -> None:
    relay = shared_relay()
    region, _entries = _publish(relay.url, relay.coordinator_token())
    today = date.today()
    with i18n.use(lang):
        title = _("Lecture") + ": " + ("sömn och oro" if lang == "sv" else "søvn og bekymringer")
        fields = check_announcement_fields(kind="lecture", title=title, day=(today + timedelta(days=20)).isoformat(),
                                           time="18:00", zone="Europe/Stockholm", place="Malmö stadsbibliotek",
                                           mailbox="", text="", today=today)
        tick = _("Show my region's announcements: lectures, and follow-ups with my groups")
        heading = _("From your region")
    Publisher(region, relay=relay.url, token=relay.coordinator_token()).announce(fields, today=today)
    home = tmp_path / "home"
    home.mkdir()
    _group_without_a_journal(home)
    config = _profile(tmp_path, region, relay.url, lang)
    server = served_app("app", env={"KRAFT_CONFIG": str(config), "KRAFT_HOME": str(home), "LANG": LANGS[lang]})
    web.page.set_viewport_size({"width": width, "height": height})
    web.open(server.url)
    box = web.page.get_by_role("checkbox", name=tick)
    box.wait_for()
    box.scroll_into_view_if_needed()
    box.click()
    _wait_shown(web, heading)
    _wait_shown(web, title)
    web.page.get_by_text(heading).scroll_into_view_if_needed()
    _fits(web, f"announce-{lang}-{width}", width)
    web.screenshot(f"announce-{lang}-{width}", settle_ms=800)
