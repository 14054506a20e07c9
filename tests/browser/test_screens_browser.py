"""Every main screen of a filled journal in Chromium, in Swedish, with a screenshot of each."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.services.journal import NewEntry
from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF, PASSPHRASE


def _fill(home: Path, language: str = "sv") -> None:
    """A journal with four Swedish entries (one pinned to the toolkit), shown in `language`."""
    service = VaultService(home, kdf=FAST_KDF)
    journal = service.finish_setup(pending := service.prepare_setup(PASSPHRASE), pending.recovery_code)
    base = datetime(2026, 9, 1, 17, tzinfo=UTC)
    entries = journal.add_many([
        NewEntry("Jag sa nej till en extra arbetsdag och stod för det.", prompt_id="strengths",
                 tags=("empowerment",), created=base),
        NewEntry("Promenad vid havet när ångesten kom. Det hjälpte.", prompt_id="coping", tags=("hope",),
                 theme="everyday_strategy", created=base + timedelta(days=7)),
        NewEntry("Fika med Åsa efter träffen.", tags=("connectedness",), created=base + timedelta(days=10)),
        NewEntry("Jag lyssnade på någon i gruppen utan att ge råd.", prompt_id="strengths",
                 created=base + timedelta(days=14)),
    ])
    journal.pin(entries[1].id, "coping")
    service.set_preference("language", language)
    service.close()


@pytest.mark.browser
def test_every_screen_of_a_filled_journal(served_app, web, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _fill(home)
    server = served_app("app", env={"KRAFT_HOME": str(home)})
    web.open(server.url)

    web.wait_for_text("Din dagbok är låst")
    web.screenshot("sv-01-unlock")
    web.type_into("Lösenfras", "fel lösenfras")
    web.click_button("Lås upp")
    web.wait_for_text(re.compile("öppnar inte"), exact=False)
    web.screenshot("sv-02-wrong-passphrase")
    web.type_into("Lösenfras", PASSPHRASE)
    web.click_button("Lås upp")
    web.wait_for_text(re.compile("utan att ge råd"), exact=False)
    web.screenshot("sv-03-journal")

    web.text(re.compile("utan att ge råd"), exact=False).first.click()
    web.wait_for_button("Redigera")
    web.screenshot("sv-04-entry")
    web.click_button(re.compile("Alla mina svar"))
    web.wait_for_text(re.compile("stod för det"), exact=False)
    web.screenshot("sv-05-answers-over-time")

    web.page.get_by_role("tab", name="Sök").click()
    web.type_into("Sök i din dagbok", "havet")
    web.wait_for_text(re.compile("1 anteckning"), exact=False)
    web.screenshot("sv-06-search")

    web.page.get_by_role("tab", name="Verktyg").click()
    web.wait_for_text(re.compile("Promenad vid havet"), exact=False)
    web.screenshot("sv-07-toolkit")

    web.page.get_by_role("tab", name="Inställningar").click()
    web.wait_for_label("Nuvarande lösenfras")
    web.screenshot("sv-08-settings")
    web.click_button("Exportera och importera")
    web.wait_for_text(re.compile("INTE krypterad"), exact=False)
    web.screenshot("sv-08b-export-import")
    web.label("Tillbaka").first.click()
    web.wait_for_label("Nuvarande lösenfras")

    web.label("Snabbstängning").first.click()
    web.wait_for_text("Inga anteckningar")
    web.screenshot("sv-09-neutral")
    assert web.text(re.compile("Kraft|dagbok", re.I), exact=False).count() == 0
    assert "Kraft" not in web.page.title()


@pytest.mark.browser
def test_an_unreadable_journal_is_explained(served_app, web, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "kraft.db").write_bytes(b"truncated " * 100)
    server = served_app("app", env={"KRAFT_HOME": str(home), "LANG": "sv_SE.UTF-8"})
    web.open(server.url)
    web.wait_for_text("Kraft kan inte öppna din dagbok")
    web.screenshot("sv-10-problem")
    assert (home / "kraft.db").read_bytes() == b"truncated " * 100


@pytest.mark.browser
def test_an_anonymous_member_gets_the_next_meeting(served_app, web, tmp_path: Path) -> None:
    from datetime import date

    home = tmp_path / "home"
    server = served_app("app", env={"KRAFT_HOME": str(home), "LANG": "en_GB.UTF-8"})
    web.open(server.url)
    web.wait_for_text("Welcome to Kraft")
    web.click_button("Just the meeting times")
    web.wait_for_text("Add a group")
    web.type_into("Name", "Thursday")
    web.type_into("First meeting", (date.today() + timedelta(days=9)).isoformat())
    web.type_into("Number of meetings", "10")
    web.screenshot("en-11-add-group")
    web.click_button("Add group")
    web.wait_for_text("How the group works")
    web.screenshot("en-12-guidelines")
    web.click_button("I understand")
    web.wait_for_label(re.compile(r"Meeting 1 of 10"), exact=False)  # the card (tappable) reads as one label
    web.wait_for_button("I can't come")
    # 18:00 in the group's own zone, on the card and in the list of groups, never the machine's (UTC) 5 PM
    outline = web.semantics_outline()
    assert len(re.findall(r"6:00\sPM", outline)) == 2 and not re.search(r"5:00\sPM", outline)
    web.screenshot("en-13-anonymous-home")
    web.label("Need help now?").first.click()
    web.wait_for_text(re.compile("70 201 201"), exact=False)
    web.screenshot("en-14-help")
    assert not (home / "kraft.db").read_bytes().count(b"wrapped")  # no vault was made
