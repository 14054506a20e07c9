"""Proves tests/browser/support.py: a real Flet web client in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.support import COLOR_SCHEME, SCREENSHOTS_DIR

DEMO = Path(__file__).with_name("demo_app.py")


@pytest.mark.browser
def test_type_click_and_see_result(served_app, web, tmp_path):
    home = tmp_path / "kraft-home-xyz"
    server = served_app(DEMO, env={"KRAFT_HOME": str(home)})
    web.open(server.url)

    web.wait_for_text("home=kraft-home-xyz")  # env reached the app
    assert web.ident("name-field").count() == 1  # ft.Semantics(identifier=...) hook

    web.type_into("Name", "ada")
    web.click_button("Add")
    web.wait_for_text("Hello ADA")  # async handler (asyncio.to_thread) ran and patched the UI
    web.wait_for_text("1 item(s)")

    # The handler cleared the field. (The semantics <input> keeps a stale DOM value after an
    # app-side change, so check through behaviour: keys typed now must not append to "ada".)
    web.type_keys("Name", "bo")
    web.click_button("Add")
    web.wait_for_text("Hello BO")
    assert web.text("Hello ADA").count() == 1
    assert web.text("Hello ADABO").count() == 0

    shot = web.screenshot("browser-harness-demo")
    suffix = "-dark" if COLOR_SCHEME == "dark" else ""
    assert shot == SCREENSHOTS_DIR / f"browser-harness-demo{suffix}.png"
    assert shot.stat().st_size > 5_000  # a rendered page, not a blank one


@pytest.mark.browser
def test_missing_text_fails_with_diagnostics(served_app, web):
    server = served_app(DEMO)
    web.open(server.url)
    with pytest.raises(AssertionError, match=r"did not appear[\s\S]*Name"):
        web.wait_for_text("Hello NOBODY", timeout_ms=1500)
