"""The invite in Chromium at phone width (issue 17 point 7): the host's QR code of the short link, "Copy link"
(the browser's clipboard then holds the link, read back here), and the code full screen after a tap.
Swedish and Danish, 390x844 (the full-screen code also at 1280x800); no text past the window's edge or over another.

Screenshots: artifacts/screenshots/<lang>-invite-<shown|copied|full>-390.png and
<lang>-invite-full-1280.png (copied to /tmp/shots-invite/).
Expected texts come from the catalogs (`_()` in the language under test).
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from app import i18n
from app.i18n import _
from app.services.invite_qr import qr_version
from tests.browser.support import FletWeb
from tests.browser.test_handover_browser import LANGS, _open_group
from tests.browser.test_homework_browser import _check_fits, _context, _schedule, _wait_shown
from tests.relay_process import start_relay

SHOTS = Path("/tmp/shots-invite")


def _shoot(web: FletWeb, name: str, wait_for: str, *, width: int = 390) -> None:
    web.page.wait_for_timeout(800)
    _wait_shown(web, wait_for)
    web.rest_pointer()
    _check_fits(web, name, width)
    shot = web.screenshot(name, settle_ms=1000)  # in the dark theme its name ends in "-dark"
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(shot, SHOTS / shot.name)


@pytest.mark.browser
@pytest.mark.parametrize("lang", sorted(LANGS))
def test_the_host_copies_the_short_link_and_shows_the_code_full_screen(lang: str, served_app, web: FletWeb,
                                                                       browser_context, tmp_path: Path) -> None:
    today = datetime.combine(date.today(), time(12), tzinfo=UTC)  # the relay keeps the real day
    relay = start_relay(tmp_path / "relay")
    try:
        starter = _context(tmp_path / "starter", today, journal=True)
        try:
            starter.leader.create_group("Tisdagsgruppen", _schedule(today), relay=relay.url,
                                        enrolment=relay.enrolment_token(), now=today)
            starter.sync.run(now=today)
        finally:
            starter.close()
        browser_context.grant_permissions(["clipboard-read", "clipboard-write"])
        web.page.set_viewport_size({"width": 390, "height": 844})
        with i18n.use(lang):
            show, qr_label, copy, full = (_("Show the invite"), _("QR code of the invite link"), _("Copy link"),
                                          _("Show full screen"))
            copied, close = _("The link is copied. Paste it into a message to the person you invite."), _("Close")
            app = served_app("app", env={"KRAFT_HOME": str(tmp_path / "starter"), "LANG": LANGS[lang]})
            _open_group(web, app.url)
        web.click_button(show)
        web.wait_for_label(qr_label)
        _shoot(web, f"{lang}-invite-shown-390", copy)

        web.click_button(copy)
        _wait_shown(web, copied)
        link = web.page.evaluate("navigator.clipboard.readText()")
        assert re.fullmatch(re.escape(relay.url) + r"/join#[A-Za-z0-9_-]{22}", link), link
        assert qr_version(link) <= 10
        _shoot(web, f"{lang}-invite-copied-390", copied)

        web.click_button(full)
        web.wait_for_button(close)
        big = web.label(qr_label).last.bounding_box()
        assert big is not None and big["width"] >= 330, big  # the phone's width, less a margin
        _shoot(web, f"{lang}-invite-full-390", close)
        web.click_button(close)
        web.wait_for_button(copy)

        web.page.set_viewport_size({"width": 1280, "height": 800})  # a laptop: the code as tall as fits
        web.page.wait_for_timeout(1200)
        web.click_button(full)
        web.wait_for_button(close)
        big = web.label(qr_label).last.bounding_box()
        assert big is not None and 600 <= big["height"] <= 800 - 96, big
        _shoot(web, f"{lang}-invite-full-1280", close, width=1280)
        app.stop()
    finally:
        relay.stop()
