"""Settings > "Change and re-key" in Chromium, in Swedish: the new code, typed back, and the finished bar
(each screenshot is audited for names and contrast)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.services.vault_service import VaultService
from tests.browser.test_screens_browser import _fill
from tests.conftest import FAST_KDF, PASSPHRASE

CODE = re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$")
NEW = "en ny och längre lösenfras"


@pytest.mark.browser
def test_change_and_rekey_in_swedish(served_app, web, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _fill(home)
    server = served_app("app", env={"KRAFT_HOME": str(home)})
    web.open(server.url)
    web.wait_for_text("Din dagbok är låst")
    web.type_into("Lösenfras", PASSPHRASE)
    web.click_button("Lås upp")
    web.wait_for_text(re.compile("utan att ge råd"), exact=False)

    web.page.get_by_role("tab", name="Inställningar").click()
    web.type_into("Nuvarande lösenfras", PASSPHRASE)
    web.type_into("Ny lösenfras", NEW)
    web.type_into("Upprepa den nya lösenfrasen", NEW)
    web.click_button("Byt och ge ny nyckel")
    web.wait_for_text("Din nya återställningskod")
    code = web.text(CODE, exact=False).first.inner_text().strip()
    web.screenshot("sv-08c-rekey-code")
    web.type_into("Återställningskod", code)
    web.click_button("Jag har sparat den")
    web.wait_for_text(re.compile("Klart: din dagbok har en ny nyckel"), exact=False)
    web.screenshot("sv-08d-rekey-done")

    service = VaultService(home, kdf=FAST_KDF)
    try:
        assert service.recover(code, "en tredje lösenfras").count() == 4  # the code on the screen opens it
    finally:
        service.close()
