"""The region in Settings and the coordinator's follow-up, in Chromium (issue 19 points 1 and 3): a coordinator
with a journal finds "Find a group" and the announcements tick in Settings, and announces the follow-up due
with a group from the coordinator's view; Swedish at phone width, Danish wide; nothing cut or painted over.
Screenshots: artifacts/screenshots/region-settings-<lang>-<width>.png, coord-follow-up-<lang>-<width>.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app import i18n
from app.i18n import _
from tests.browser.support import FletWeb
from tests.browser.test_coordinator_browser import _counted_group
from tests.browser.test_interest_browser import _open, _shot
from tests.relay_process import shared_relay
from tests.ui.test_interest_views import make_region


@pytest.mark.browser
@pytest.mark.parametrize(("lang", "width", "height"), [("sv", 390, 844), ("da", 1280, 800)])
def test_settings_and_the_coordinators_follow_up(lang: str, width: int, height: int, served_app: Any,
                                                 web: FletWeb, tmp_path: Path) -> None:
    relay = shared_relay()
    region = make_region(relay, tmp_path)
    _counted_group(relay.url, relay.enrolment_token(region="Syd", label="Lund torsdag"))
    with i18n.use(lang):
        _open(served_app, web, tmp_path, region.home, region.key_line, relay, lang, (width, height))
        tick = _("Show my region's announcements: lectures, and follow-ups with my groups")
        _shot(web, f"region-settings-{lang}-{width}", width, tick)
        assert web.button(_("Find a group")).count() == 1

        web.button(_("Coordinator")).first.click()
        web.type_into(_("Coordinator token"), region.token)
        web.click_button(_("Show the counts"))
        announce = _("Announce the follow-up to the group")
        web.wait_for_button(announce)
        web.button(announce).first.click()
        web.type_into(_("Place (empty: online)"), "Folkets hus")
        _shot(web, f"coord-follow-up-{lang}-{width}", width, _("Announce it to the group"))
        web.click_button(_("Announce it to the group"))
        web.wait_for_text(_("Announced to the group. Its members see it when their app next fetches the list."))
    [follow] = region.publisher().current().announcements  # type: ignore[union-attr]
    assert follow.kind == "follow_up" and follow.place == "Folkets hus"
