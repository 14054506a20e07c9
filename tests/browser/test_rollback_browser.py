"""An entry deleted behind Kraft's back, told at unlock in Chromium (docs/adr/0011-rollback.md): the calm card
on the journal screen, with the way to a backup, in Swedish and Danish, at phone width and wide (each
screenshot is audited for names and contrast)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from app import i18n
from tests.browser.support import FletWeb
from tests.browser.test_screens_browser import _fill
from tests.conftest import PASSPHRASE


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["sv", "da"])
def test_a_deleted_entry_is_told_at_unlock_with_the_way_to_a_backup(served_app, web: FletWeb, tmp_path: Path,
                                                                    lang: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _fill(home, lang)
    with sqlite3.connect(home / "kraft.db") as conn:  # one entry deleted with a tool, not with Kraft
        [(gone,)] = conn.execute("SELECT id FROM record WHERE kind = 'entry' LIMIT 1").fetchall()
        conn.execute("DELETE FROM record WHERE id = ?", (gone,))
    with i18n.use(lang):
        passphrase, unlock = i18n._("Passphrase"), i18n._("Unlock")
        title, restore = i18n._("Your journal may not be as you left it"), i18n._("Restore from a backup")
        missing = i18n.ngettext("{n} saved item is missing.", "{n} saved items are missing.", 1).format(n=1)
        choose = i18n._("Choose the backup file")
    server = served_app("app", env={"KRAFT_HOME": str(home)})
    for width, height in ((390, 844), (1280, 800)):
        web.page.set_viewport_size({"width": width, "height": height})
        if width == 390:
            web.open(server.url)
            web.type_into(passphrase, PASSPHRASE)
            web.click_button(unlock)
        # the card reads as one group: its title, what is missing and what to do
        web.wait_for_label(re.compile(f"{re.escape(title)}.*{re.escape(missing)}", re.S))
        web.wait_for_button(restore)
        web.screenshot(f"{lang}-rollback-told-{width}")
    web.click_button(restore)
    web.wait_for_button(choose)  # the restore screen: the member can take a backup from here
