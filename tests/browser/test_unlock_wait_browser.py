"""After many wrong passphrases the unlock screen says calmly how long to wait, in Swedish at phone width
(390x844), and even the right passphrase waits (docs/adr/0009-web-client.md).

Screenshot: artifacts/screenshots/sv-unlock-wait-390.png.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import i18n
from app.errors import KraftError
from app.services.vault_service import VaultService
from tests.browser.support import FletWeb
from tests.browser.test_languages_browser import _journal
from tests.conftest import FAST_KDF, PASSPHRASE


def _ten_failures(home: Path) -> None:
    """Ten wrong tries, each as soon as it was allowed, the last one a day ahead of now: 32 s to wait, and
    still 32 s when the browser asks (a last try in the future never makes the wait longer)."""
    when = [datetime.now(UTC) + timedelta(days=1) - timedelta(hours=3)]
    service = VaultService(home, kdf=FAST_KDF, clock=lambda: when[0])
    for _ in range(10):
        when[0] += timedelta(minutes=15)
        with pytest.raises(KraftError):
            service.unlock("fel lösenfras")
    service.close()


@pytest.mark.browser
def test_the_unlock_screen_says_how_long_to_wait(served_app, web: FletWeb, tmp_path: Path) -> None:
    home = _journal(tmp_path, "sv")
    _ten_failures(home)
    server = served_app("app", env={"KRAFT_HOME": str(home), "LANG": "sv_SE.UTF-8"})
    web.page.set_viewport_size({"width": 390, "height": 844})
    web.open(server.url)
    with i18n.use("sv"):
        web.type_into(i18n._("Passphrase"), PASSPHRASE)
        web.click_button(i18n._("Unlock"))
    web.wait_for_text("Försök igen om 32 sekunder.", exact=False)
    web.screenshot("sv-unlock-wait-390")
    web.wait_for_button("Lås upp")  # still the unlock screen: nothing opened
