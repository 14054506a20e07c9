"""Errors at the field (issue 17, point 2) in Chromium on a phone (390x844), in Swedish and Danish: an empty
Add a group form names the missing name under its field, in view; the fourth reminder time is refused with
"at most 3" right under the list, and its box is unticked again.

Screenshots: artifacts/screenshots/<lang>-field-error-<add-group|reminders>-390.png. The expected texts come
from the catalogs (`_()` in the language under test), never typed in here.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from app import i18n
from app.errors import KraftError, Msg
from app.i18n import _
from app.services.groups import MAX_LABEL
from app.services.reminder_prefs import MAX_OFFSETS
from tests.browser.support import FletWeb

LANGS = {"da": "da_DK.UTF-8", "sv": "sv_SE.UTF-8"}
WIDTH, HEIGHT = 390, 844


def _in_view(web: FletWeb, text: str) -> None:
    """`text` is shown inside the window (not scrolled out of it) and within its width. Flutter's semantics
    give a text its own node, or fold it into a label (a live region), with hidden copies off screen."""
    pattern = re.compile(re.escape(text[:40]))
    found = web.page.get_by_text(pattern).or_(web.page.get_by_label(pattern))
    found.first.wait_for(state="attached", timeout=web.timeout)
    boxes = []
    for _attempt in range(20):
        boxes = [b for i in range(found.count()) if (b := found.nth(i).bounding_box()) and b["x"] > -1000]
        if boxes:
            break
        web.page.wait_for_timeout(250)
    assert boxes, f"{text!r} not shown"
    assert any(b["y"] >= 0 and b["y"] + b["height"] <= HEIGHT and b["x"] >= 0 and b["x"] + b["width"] <= WIDTH + 1
               for b in boxes), f"{text!r} out of view or past the edge: {boxes}"


@pytest.mark.browser
@pytest.mark.parametrize("lang", sorted(LANGS))
def test_errors_are_said_at_the_field_on_a_phone(lang: str, served_app, web: FletWeb, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with i18n.use(lang):
        lang_ = i18n.current()
        missing_name = KraftError(Msg.GROUP_LABEL_INVALID, maximum=MAX_LABEL).text(lang_)
        no_date = _("Write the date of the first meeting, like 2026-12-03.")
        limit = KraftError(Msg.REMINDER_TIMES_INVALID, maximum=MAX_OFFSETS).text(lang_)
        texts = {k: _(k) for k in ("Just the meeting times", "Add group", "Reminders", "1 week before",
                                   "2 days before", "Name",
                                   "First meeting", "I understand", "Choose the date in a calendar",
                                   "Choose the time on a clock", "Choose", "Cancel")}
    web.page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    server = served_app("app", env={"KRAFT_HOME": str(home), "LANG": LANGS[lang]})
    web.open(server.url)

    web.click_button(texts["Just the meeting times"])
    web.click_button(texts["Add group"])  # nothing filled in
    _in_view(web, missing_name)  # under the name field at the top, not in a banner scrolled away
    _in_view(web, no_date)
    web.screenshot(f"{lang}-field-error-add-group-{WIDTH}", settle_ms=800)

    web.label(texts["Choose the date in a calendar"]).first.click()  # Flet's DatePicker, in the language
    web.wait_for_text(texts["Choose"])
    web.rest_pointer()  # no hover tint on the month arrows
    web.screenshot(f"{lang}-field-error-date-picker-{WIDTH}", settle_ms=800)
    web.page.get_by_role("button", name=re.compile(r"^28\b")).first.click()  # a day of the shown month
    web.click_button(texts["Choose"])
    web.click_button(texts["Add group"])  # the name is still wanted, the date no longer: the pick reached it
    _in_view(web, missing_name)
    web.wait_gone(web.text(re.compile(re.escape(no_date[:30]))).first)
    web.label(texts["Choose the time on a clock"]).first.click()  # and Flet's TimePicker, on a 24-hour clock
    web.wait_for_text(texts["Choose"])
    web.rest_pointer()
    web.screenshot(f"{lang}-field-error-time-picker-{WIDTH}", settle_ms=800)
    web.click_button(texts["Cancel"])
    web.type_into(texts["Name"], "Torsdag")
    web.type_into(texts["First meeting"], (date.today() + timedelta(days=3)).isoformat())
    web.click_button(texts["Add group"])
    web.click_button(texts["I understand"])
    web.click_button(texts["Reminders"])  # on the next meeting's screen
    web.page.get_by_role("checkbox", name=texts["1 week before"]).click()  # with the default 24 and 2 hours: 3
    web.page.wait_for_timeout(300)
    fourth = web.page.get_by_role("checkbox", name=texts["2 days before"])
    fourth.click()
    _in_view(web, limit)
    web.page.wait_for_timeout(500)
    assert fourth.get_attribute("aria-checked") == "false"  # refused, and the box says so
    web.screenshot(f"{lang}-field-error-reminders-{WIDTH}", settle_ms=800)
