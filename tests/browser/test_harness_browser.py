"""Proves tests/browser/support.py: a real Flet web client in headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import BROWSER_TEST_SECONDS
from tests.browser.support import COLOR_SCHEME, ENGINE_CRASHED, SCREENSHOTS_DIR, EngineCrash

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


@pytest.mark.browser
def test_a_crashed_engine_fails_at_once_and_only_that_is_run_again(served_app, web, request):
    """Flutter's engine trapping in the browser (support.WASM_TRAP) fails the next wait at once, without asking
    the dead page for anything, and only that failure matches the conftest's one-more-run rule."""
    server = served_app(DEMO)
    web.open(server.url)
    web.wait_for_text("Ready")
    with pytest.raises(AssertionError) as missing:
        web.wait_for_text("Hello NOBODY", timeout_ms=500)
    assert not isinstance(missing.value, EngineCrash) and ENGINE_CRASHED not in str(missing.value)

    web.page.evaluate("setTimeout(() => { throw new Error('RuntimeError: memory access out of bounds'); })")
    web.page.wait_for_timeout(300)  # the page error arrives with the next message from the browser
    with pytest.raises(EngineCrash) as crashed:
        web.wait_for_text("Hello NOBODY", timeout_ms=500)
    assert "memory access out of bounds" in str(crashed.value) and "semantics:" not in str(crashed.value)

    rule = request.node.get_closest_marker("flaky").kwargs["only_rerun"]
    assert any(re.search(p, f"EngineCrash: {crashed.value}") for p in rule)
    assert not any(re.search(p, f"AssertionError: {missing.value}") for p in rule)
    assert request.node.get_closest_marker("timeout").args == (BROWSER_TEST_SECONDS,)


@pytest.mark.browser
def test_what_is_cut_at_the_edge_of_a_scrolling_body_is_not_measured_for_contrast(web):
    """Under the app bar only a dropdown's border may show; its label is not there to measure (seen: a 4.28:1
    'contrast' of a border). Flutter clips a node's rect to its scrolling body itself, as here."""
    web.page.set_content("""
        <flt-semantics role="group" style="position:absolute; left:0; top:66px; width:800px; height:500px">
          <flt-semantics style="position:absolute; left:56px; top:0; width:680px; height:14px">Homework: cut
          </flt-semantics>
          <flt-semantics style="position:absolute; left:56px; top:40px; width:680px; height:56px">
            <input aria-label="Homework, whole"></flt-semantics>
          <flt-semantics style="position:absolute; left:56px; top:120px; width:300px; height:20px">Members
          </flt-semantics>
          <flt-semantics style="position:absolute; left:56px; top:490px; width:300px; height:10px">Below
          </flt-semantics>
        </flt-semantics>""")
    assert {b["text"] for b in web.text_boxes()} == {"Homework: cut", "Homework, whole", "Members", "Below"}
    assert {b["text"] for b in web.contrast_boxes()} == {"Homework, whole", "Members"}


@pytest.mark.browser
def test_a_field_whose_label_stands_over_it_is_not_measured_for_contrast(web):
    """views.common `_label_over`: the label is the text over the field, measured itself; the field draws its
    own invisible, so in an empty one without a show button only its border was measured (4.28:1, "Recovery
    code" on "New journal" in a fresh-clone run). The same label 60 px higher is no such text."""
    web.page.set_content("""
        <flt-semantics style="position:absolute; left:56px; top:260px; width:300px; height:24px">Recovery code
        </flt-semantics>
        <flt-semantics style="position:absolute; left:56px; top:288px; width:300px; height:48px">
          <input aria-label="Recovery code"></flt-semantics>
        <flt-semantics style="position:absolute; left:56px; top:360px; width:300px; height:24px">New passphrase
        </flt-semantics>
        <flt-semantics style="position:absolute; left:56px; top:448px; width:300px; height:48px">
          <input aria-label="New passphrase"></flt-semantics>""")
    measured = sorted((b["text"], b["field"]) for b in web.contrast_boxes())
    assert measured == [("New passphrase", False), ("New passphrase", True), ("Recovery code", False)]


@pytest.mark.browser
def test_reopen_is_a_new_visit_where_a_reload_may_restore_the_old_session(served_app, web):
    """The race a loaded CI run met in test_finder_browser, made certain: once the server has seen the old
    socket close (the tab left, then a moment), the same tab coming back gets its old session and screen;
    `reopen` gets a new one, as a person opening the app again does."""
    server = served_app(DEMO)
    web.open(server.url)
    web.type_into("Name", "ada")
    web.click_button("Add")
    web.wait_for_text("1 item(s)")

    def away() -> None:
        web.page.goto("about:blank")
        web.page.wait_for_timeout(1500)  # the server notices the socket gone

    away()
    web.open(server.url)
    web.wait_for_text("1 item(s)")  # restored: the reload is the old session
    away()
    web.page.go_back()  # on the app's page again, to clear its tab's storage there
    web.reopen(server.url)
    web.wait_for_text("Ready")
    assert web.text("1 item(s)").count() == 0
