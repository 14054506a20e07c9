"""Issue 17 in a real browser: a Danish browser (Chromium `--lang=da`, Accept-Language da-DK) on a machine
that says no language gets the welcome in Danish, not the region's Swedish; the language chosen there applies
at once. At a phone's 390x844 and a laptop's 1280x800; screenshots (also copied to /tmp/shots-lang/).
The expected texts come from the catalogs, never typed in here."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app import i18n
from tests.browser.support import CHROMIUM_ARGS, COLOR_SCHEME, FletWeb

SIZES = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 800}}
SHOTS = Path("/tmp/shots-lang")
QUIET_MACHINE = {"LANG": "C.UTF-8", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}


def say(code: str, message: str) -> str:
    return i18n.language(code).gettext(message)


@pytest.fixture
def browser_in(chromium_executable: str, tmp_path: Path) -> Iterator[Any]:
    """Makes a headless Chromium speaking `locale` at `size`; closed after the test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        made: list[Any] = []

        def open_browser(locale: str, size: str) -> FletWeb:
            context = p.chromium.launch_persistent_context(
                str(tmp_path / f"chromium-{locale}-{size}"), executable_path=chromium_executable, headless=True,
                args=[*CHROMIUM_ARGS, f"--lang={locale.split('-')[0]}"], viewport=SIZES[size], locale=locale,
                color_scheme=COLOR_SCHEME)
            made.append(context)
            return FletWeb(context.pages[0] if context.pages else context.new_page())

        try:
            yield open_browser
        finally:
            for context in made:
                context.close()


def shot(web: FletWeb, name: str, *, audit: bool = True) -> None:
    """A screenshot, audited unless a menu is open: the controls under an open menu are still in the semantics
    tree, and the audit would measure the menu's colour as their background."""
    path = web.screenshot(name, audit=audit)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES)
def test_a_danish_browser_gets_the_welcome_in_danish_then_chooses_swedish(size: str, served_app, browser_in,
                                                                          tmp_path: Path) -> None:
    server = served_app("app", env={"KRAFT_HOME": str(tmp_path / "home"), **QUIET_MACHINE})
    web = browser_in("da-DK", size)
    web.open(server.url)
    web.wait_for_text(say("da", "Welcome to Kraft"))
    web.wait_for_text(say("da", "Just the meeting times"))
    shot(web, f"lang-da-{size}-welcome")
    assert web.findings == {}, web.findings

    web.menu(say("da", "Language"), "Dansk").click()
    choice = web.wait_for_menu_item("Svenska")
    shot(web, f"lang-da-{size}-choices", audit=False)
    choice.click()
    web.wait_for_text(say("sv", "Welcome to Kraft"))
    shot(web, f"lang-sv-{size}-welcome")
    web.reopen(server.url)  # opened again: the choice is kept, and wins over the browser's language
    web.wait_for_text(say("sv", "Just the meeting times"))
    web.click_button(say("sv", "Just the meeting times"))
    zones = web.menu(say("sv", "Time zone"), "Sverige")
    web.page.mouse.wheel(0, 400)
    shot(web, f"lang-sv-{size}-add-group")
    zones.click()
    another = web.wait_for_menu_item(say("sv", "Another time zone"))
    shot(web, f"lang-sv-{size}-zones", audit=False)
    another.click()
    web.wait_for_text(say("sv", "Type a few letters of the country or the city"))
    shot(web, f"lang-sv-{size}-another-zone")
    assert web.findings == {}, web.findings
