"""Today's meeting in Chromium (issue 18): the guide opened from the group screen, the round running with its
calm timer, in Swedish and Danish, at phone width and wide; nothing cut or painted over, every screenshot
audited for names and contrast."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app import i18n
from app.services.groups import GroupService
from app.services.vault_service import VaultService
from app.views.meeting_guide import HINTS
from tests.browser.support import FletWeb
from tests.browser.test_homework_browser import _check_fits, _schedule, _wait_shown
from tests.browser.test_round_browser import open_app
from tests.browser.test_screens_browser import _fill
from tests.conftest import FAST_KDF, PASSPHRASE


def _group(home: Path) -> None:
    service = VaultService(home, kdf=FAST_KDF)
    service.unlock(PASSPHRASE)
    GroupService(service.engine, service.vault).add("Tisdagsgruppen", _schedule(datetime.now(UTC)))
    service.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["sv", "da"])
def test_the_host_runs_the_round_from_the_guide(served_app, web: FletWeb, tmp_path: Path, lang: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _fill(home, lang)
    _group(home)
    with i18n.use(lang):
        today = i18n._("Today's meeting")
        next_part = i18n._("Next part: {part}").format(part=i18n._("The round"))
        start, person = i18n._("Start the round"), i18n._("Person {n} of {m}").format(n=1, m=6)
        pause = i18n._("Pause")
    open_app(served_app, web, home, lang)
    web.wait_for_label(re.compile("Tisdagsgruppen"), exact=False).click()  # the next-meeting card reads as one
    web.click_button(today)
    web.click_button(next_part)
    web.click_button(start)
    for width, height in ((390, 844), (1280, 800)):
        web.page.set_viewport_size({"width": width, "height": height})
        _wait_shown(web, person)
        web.wait_for_button(pause)
        web.rest_pointer()
        _check_fits(web, f"{lang}-meeting-round-{width}", width)
        web.screenshot(f"{lang}-meeting-round-{width}", settle_ms=800)
    web.page.set_viewport_size({"width": 390, "height": 844})
    with i18n.use(lang):  # the parts after the round, at phone width: the theme, reflection, closing
        parts = [("theme", i18n._("Next part: {part}").format(part=i18n._("The theme")),
                  i18n._("No theme is set for this meeting. The group can choose one now.")),
                 ("reflection", i18n._("Next part: {part}").format(part=i18n._("Reflection")), None),
                 ("closing", i18n._("Next part: {part}").format(part=i18n._("Closing")), None)]
        hints = {"reflection": i18n._(HINTS["reflection"]), "closing": i18n._(HINTS["closing"])}
    for name, button, shown in parts:
        web.click_button(button)
        _wait_shown(web, shown or hints[name])
        web.rest_pointer()
        _check_fits(web, f"{lang}-meeting-{name}-390", 390)
        web.screenshot(f"{lang}-meeting-{name}-390", settle_ms=800)
    web.page.set_viewport_size({"width": 1280, "height": 800})  # and the last part wide
    _wait_shown(web, hints["closing"])
    web.rest_pointer()
    _check_fits(web, f"{lang}-meeting-closing-1280", 1280)
    web.screenshot(f"{lang}-meeting-closing-1280", settle_ms=800)
