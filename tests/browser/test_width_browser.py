"""Every main screen at phone width, 360x780 and 390x844, in Swedish, Norwegian, Danish and English, at 100 % and
200 % text (issue 17 point 3): no text past the window's edge, none cut short ("…" or clipped), no label over its
field, no text over another (tests/browser/fit.py, `FletWeb.cut_texts`, `FletWeb.overlapping_texts`).

Text scale: the browser's font-size setting, as a device set to large text has it from the start
(`FletWeb.set_text_scale`: the root element's font size, which Flutter's web engine reads as its text scale; not
CSS zoom, which would scale the whole page). One app process per language and scale (a second page load on one
process left a field unable to take the focus under load, see test_languages_browser), both widths on it.
Every screen is scrolled through to its end, each view measured once it has settled (no fixed sleeps).

Screenshots: artifacts/screenshots/width-<lang>-<scale>-<screen>-<width>[-<page>].png. The expected texts come
from the catalogs (`_()` in the language under test).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from app import i18n
from app.domain.schedule import Schedule
from app.i18n import _
from app.services.context import AppContext
from tests.browser.support import COLOR_SCHEME, FletWeb
from tests.browser.test_screens_browser import _fill
from tests.conftest import FAST_KDF, PASSPHRASE

SIZES = ((390, 844), (360, 780))
LANGUAGES = ("sv", "nb", "da", "en")
LOCALES = {"sv": "sv_SE.UTF-8", "nb": "nb_NO.UTF-8", "da": "da_DK.UTF-8", "en": "en_GB.UTF-8"}
GROUP = "Samtalsgruppen"  # one long word, as the groups' names often are: it broke in the app bar at 200 %
# At 200 % a label inside its field has one line: the long ones (Settings' passphrase fields, "Number of
# meetings", "Online link") stand over their fields (views.common `_label_over`), the time zone's is short with
# a helper. The bottom bar's tabs (a quarter of the window each) hold their longest word ("Inställningar").
SCALES = (1.0, 2.0)
MAX_PAGES = 8  # the longest screen (Settings at 200 %) is about five windows tall


def floating() -> tuple[str, ...]:
    """Texts meant to lie over others: the floating "New entry" button; and a secret field's reveal button,
    drawn inside its field, whose node in the tree lags behind a scroll (seen at 100 % in Danish: "Vis teksten"
    140 px below its field, over the text under it, while the screenshot shows the eye in the field)."""
    return _("New entry"), _("Show the text"), _("Hide the text")


def _problems(web: FletWeb, width: int) -> list[str]:
    """What does not fit on what the window shows now."""
    boxes = web.settled_text_boxes()
    found = [f"past the window's edge: {b['text']!r}" for b in boxes if b["right"] > width + 1 or b["left"] < -1]
    found += [f"{how}: {text!r}" for text, how in web.cut_texts()]
    found += [f"over each other: {a!r} / {b!r} at {box_a} {box_b}"
              for a, b, box_a, box_b in web.overlapping_texts(floating=floating())]
    return found


def _scroll_through(web: FletWeb, name: str, width: int) -> list[str]:
    """Measure the screen a window at a time, from the top to its end (the wheel over the body scrolls it; the
    end is where the texts stop moving)."""
    found: list[str] = []
    before = None
    for page in range(MAX_PAGES):
        web.rest_pointer()
        found += [f"{name}-{width}: {p}" for p in _problems(web, width)]
        web.screenshot(f"{name}-{width}" + (f"-{page}" if page else ""), settle_ms=300, audit=False)
        now = web.settled_text_boxes()
        if now == before:
            break
        before = now
        height = web.page.evaluate("innerHeight")
        web.page.mouse.move(width // 2, height // 2)
        web.page.mouse.wheel(0, height * 0.6)
        web.page.wait_for_timeout(200)
    web.page.mouse.move(width // 2, 200)
    for _page in range(MAX_PAGES):  # back to the top for the next size
        web.page.mouse.wheel(0, -2000)
    return sorted(set(found), key=found.index)


def _each_size(web: FletWeb, name: str, shown: Callable[[], object]) -> list[str]:
    found = []
    for width, height in SIZES:
        web.page.set_viewport_size({"width": width, "height": height})
        shown()
        found += _scroll_through(web, name, width)
    web.page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    shown()
    return found


def _add_group(home: Path) -> None:
    ctx = AppContext.open(home, kdf=FAST_KDF)
    try:
        first = datetime.now(UTC).date() + timedelta(days=2)
        ctx.groups.add(GROUP, Schedule.weekly(zone="Europe/Stockholm", first=first, at=time(18), count=8))
    finally:
        ctx.close()


@pytest.mark.browser
@pytest.mark.slow
# Where text wraps and fits does not depend on the colours: measured once, in the light theme (~20 minutes of a
# run; the dark run still audits contrast on every other screen it shoots).
@pytest.mark.skipif(COLOR_SCHEME == "dark", reason="layout is the same in the dark theme; measured in light")
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_main_screen_fits_a_phone(lang: str, scale: float, served_app, web: FletWeb, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _fill(home, lang)
    _add_group(home)
    server = served_app("app", env={"KRAFT_HOME": str(home)})
    web.page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    web.set_text_scale(scale)
    web.open(server.url)
    prefix = f"width-{lang}-{round(scale * 100)}"
    found: list[str] = []

    def tab(name: str) -> None:
        web.page.get_by_role("tab", name=name).click()

    def back() -> None:
        web.label(_("Back")).first.click()

    with i18n.use(lang):
        found += _each_size(web, f"{prefix}-unlock", lambda: web.wait_for_label(_("Passphrase")))
        web.click_button(_("I forgot my passphrase"))
        found += _each_size(web, f"{prefix}-recover", lambda: web.wait_for_label(_("Repeat new passphrase")))
        back()
        web.type_into(_("Passphrase"), PASSPHRASE, submit=True)
        found += _each_size(web, f"{prefix}-journal", lambda: web.wait_for_button(_("New entry")))
        web.click_button(_("New entry"))
        found += _each_size(web, f"{prefix}-editor", lambda: web.wait_for_label(_("Your entry")))
        back()
        web.wait_for_button(_("New entry"))
        tab(_("Search"))
        found += _each_size(web, f"{prefix}-search", lambda: web.wait_for_label(_("Search your journal")))
        tab(_("Toolkit"))
        found += _each_size(web, f"{prefix}-toolkit", lambda: web.wait_for_text("Promenad vid havet", exact=False))
        tab(_("Settings"))
        found += _each_size(web, f"{prefix}-settings", lambda: web.wait_for_label(_("Current passphrase")))
        web.text(GROUP, exact=False).first.click()
        found += _each_size(web, f"{prefix}-group", lambda: web.wait_for_text(_("Group")))
        back()
        web.wait_for_label(_("Current passphrase"))
        web.label(_("Need help now?")).first.click()
        found += _each_size(web, f"{prefix}-help", lambda: web.wait_for_text(_("Sweden"), exact=False))
        back()
        web.click_button(_("Add a group"))
        found += _each_size(web, f"{prefix}-add-group", lambda: web.wait_for_label(_("Time")))
        back()
        web.click_button(_("Check or restore a backup"))
        found += _each_size(web, f"{prefix}-restore", lambda: web.wait_for_button(_("Choose the backup file")))
    server.stop()
    # and before there is a journal: the welcome, choosing a passphrase and the recovery code (a new process,
    # in the device's language)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    web.open(served_app("app", env={"KRAFT_HOME": str(fresh), "LANG": LOCALES[lang]}).url)
    with i18n.use(lang):
        found += _each_size(web, f"{prefix}-welcome", lambda: web.wait_for_button(_("Create my journal")))
        web.click_button(_("Create my journal"))
        found += _each_size(web, f"{prefix}-new-journal", lambda: web.wait_for_label(_("Repeat passphrase")))
        web.type_into(_("Passphrase"), PASSPHRASE)
        web.type_into(_("Repeat passphrase"), PASSPHRASE)
        web.click_button(_("Continue"))
        found += _each_size(web, f"{prefix}-recovery-code", lambda: web.wait_for_label(_("Recovery code")))
    # and the meeting times only, with no journal (a member who never sets a passphrase): the next meeting
    times = tmp_path / "times"
    times.mkdir()
    _add_group(times)
    web.open(served_app("app", env={"KRAFT_HOME": str(times), "LANG": LOCALES[lang]}).url)
    with i18n.use(lang):
        found += _each_size(web, f"{prefix}-meeting-times", lambda: web.wait_for_text(GROUP, exact=False))
    assert found == [], f"{lang} at {round(scale * 100)} %: text that does not fit:\n" + "\n".join(found)
