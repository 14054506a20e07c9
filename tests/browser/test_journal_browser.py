"""The real app in headless Chromium: onboarding, an entry written, the marker never on disk in plaintext."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

MARKER = "BROWSERMARKER-ek7-en-styrka"


@pytest.mark.browser
def test_onboarding_then_write_an_entry(served_app, web, tmp_path: Path) -> None:
    home = tmp_path / "home"
    server = served_app("app", env={"KRAFT_HOME": str(home), "LANG": "en_GB.UTF-8"})
    web.open(server.url)

    web.wait_for_text("Welcome to Kraft")
    web.screenshot("01-welcome")
    web.click_button("Create my journal")
    web.type_into("Passphrase", "correct horse battery")
    web.type_into("Repeat passphrase", "correct horse battery")
    web.screenshot("02-choose-passphrase")
    web.click_button("Continue")

    code_node = web.ident("recovery-code")
    code_node.wait_for(timeout=30_000)  # Argon2id runs twice (64 MiB, 3 passes) off the event loop
    code = re.search(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){5}", code_node.inner_text() or web.page.content())
    assert code, web.semantics_outline()
    web.screenshot("03-recovery-code")
    web.type_into("Recovery code", code.group(0))
    web.click_button("I have saved it")

    web.wait_for_text(re.compile("Nothing here yet"), exact=False)
    web.screenshot("04-empty-journal")
    web.click_button("New entry")
    web.type_into("Your entry", f"Idag såg jag en styrka {MARKER}")
    web.screenshot("05-editor")
    web.click_button("Save")
    web.wait_for_text(re.compile(MARKER), exact=False)
    web.label("Back").first.click()  # an IconButton: its tooltip is a label, not the button name (issue 6)
    web.wait_for_text(re.compile(MARKER), exact=False)
    web.screenshot("06-journal-with-entry")

    files = [p for p in home.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert MARKER.encode() not in path.read_bytes(), path
