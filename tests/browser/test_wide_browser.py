"""Issue 17 in Chromium, in Swedish and Danish (docs/adr/0012-wide-layout.md): a navigation rail at 1280x800 and
the bottom bar at 390x844, switched by resizing the window; help and quick exit draw a word under their icon at
both sizes; Back from an entry opened in Search lands on Search; keyboard focus draws a ring, and stays on a
dropdown after a choice.

Screenshots: artifacts/screenshots/<lang>-wide-*.png. The expected labels come from the catalogs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from app import i18n
from app.i18n import _
from tests.browser.support import FletWeb
from tests.browser.test_screens_browser import _fill
from tests.conftest import PASSPHRASE

LANGS = ("sv", "da")
PHONE, WIDE = (390, 844), (1280, 800)


def _size(web: FletWeb, size: tuple[int, int]) -> None:
    """Resize, then wait: the resize reaches the app, the app re-renders, and the semantics tree follows."""
    web.page.set_viewport_size({"width": size[0], "height": size[1]})
    web.page.wait_for_timeout(1500)


def _rail(web: FletWeb, label: str) -> Any:
    """A destination of the rail: a button named by its label and "tab 3 of 4" (a bar's are tabs)."""
    return web.page.get_by_role("button", name=re.compile(rf"^{re.escape(label)}\b"))


def _tabs(web: FletWeb) -> Any:
    return web.page.get_by_role("tab")


def _has_a_word_under_the_icon(web: FletWeb, label: str, shot: Path) -> bool:
    """Whether the control named `label` draws two things one above the other (the icon, a gap, the word)
    rather than one: its rows with ink fall into two runs. An icon alone (a ring, a box with an arrow) is one
    run from top to bottom; so the check fails on the icon-only buttons of before (tried)."""
    from PIL import Image

    box = web.label(label).first.bounding_box()
    assert box, f"no box for {label!r}"
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        scale = image.width / web.page.viewport_size["width"]
        left, right = int(box["x"] * scale) + 2, int((box["x"] + box["width"]) * scale) - 2
        top, bottom = int(box["y"] * scale) + 2, int((box["y"] + box["height"]) * scale) - 2
        background = rgb.getpixel((left, bottom))

        def inked(y: int) -> bool:
            far = [x for x in range(left, right)
                   if sum(abs(a - b) for a, b in zip(rgb.getpixel((x, y)), background, strict=True)) > 200]
            return len(far) >= 2

        rows = [inked(y) for y in range(top, bottom)]
    runs = [n for n, (now, before) in enumerate(zip(rows, [False, *rows], strict=False)) if now and not before]
    return len(runs) >= 2


def _unlock(web: FletWeb) -> None:
    web.type_into(_("Passphrase"), PASSPHRASE)
    web.click_button(_("Unlock"))
    web.wait_for_button(_("New entry"))


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_rail_wide_bar_narrow_words_and_back(lang: str, served_app, web: FletWeb, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _fill(home, lang)
    with i18n.use(lang):
        server = served_app("app", env={"KRAFT_HOME": str(home)})
        web.open(server.url)
        _size(web, WIDE)
        web.wait_for_label(_("Passphrase"))
        _unlock(web)
        shot = web.screenshot(f"{lang}-wide-journal-1280")
        assert _tabs(web).count() == 0 or not _tabs(web).first.is_visible(), "a bottom bar at 1280 px"
        rail = _rail(web, _("Toolkit"))
        assert rail.count() == 1 and rail.is_visible(), f"no rail destination\n{web.semantics_outline()}"
        for label in (_("Need help now?"), _("Quick exit")):
            assert _has_a_word_under_the_icon(web, label, shot), f"{label}: no word drawn at 1280 px"

        _size(web, PHONE)
        web.wait_for_button(_("New entry"))
        _tabs(web).first.wait_for()
        shot = web.screenshot(f"{lang}-wide-journal-390")
        assert web.page.get_by_role("tab", name=_("Search")).is_visible()
        for label in (_("Need help now?"), _("Quick exit")):
            assert _has_a_word_under_the_icon(web, label, shot), f"{label}: no word drawn at 390 px"

        web.page.get_by_role("tab", name=_("Search")).click()
        web.type_into(_("Search your journal"), "havet")
        web.text(re.compile("Promenad vid havet"), exact=False).first.click()
        web.wait_for_button(_("Edit"))
        web.label(_("Back")).first.click()
        web.wait_for_label(_("Search your journal"))  # back on Search, not on the journal's list
        web.screenshot(f"{lang}-wide-back-to-search-390")

        _size(web, WIDE)
        web.wait_for_label(_("Search your journal"))
        web.screenshot(f"{lang}-wide-search-1280")
        _rail(web, _("Settings")).click()
        web.wait_for_label(_("Current passphrase"))
        web.screenshot(f"{lang}-wide-settings-1280")


def _ink_changed(before: Path, after: Path, box: dict[str, float], scale: float) -> int:
    """Pixels on the edge of `box` (3 px wide, just inside and outside) that changed by much between shots."""
    from PIL import Image

    with Image.open(before) as a, Image.open(after) as b:
        one, two = a.convert("RGB"), b.convert("RGB")
        x0, y0 = int(box["x"] * scale) - 3, int(box["y"] * scale) - 3
        x1, y1 = int((box["x"] + box["width"]) * scale) + 3, int((box["y"] + box["height"]) * scale) + 3
        edge = [(x, y) for x in range(x0, x1) for y in (*range(y0, y0 + 6), *range(y1 - 6, y1))]
        return sum(1 for p in edge if sum(abs(c - d) for c, d in zip(one.getpixel(p), two.getpixel(p),
                                                                     strict=True)) > 240)


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_focus_draws_a_ring_and_stays_on_a_dropdown_after_a_choice(lang: str, served_app, web: FletWeb,
                                                                    tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _fill(home, lang)
    with i18n.use(lang):
        server = served_app("app", env={"KRAFT_HOME": str(home)})
        web.open(server.url)
        _size(web, WIDE)
        web.wait_for_label(_("Passphrase"))
        _unlock(web)
        _rail(web, _("Settings")).click()
        web.wait_for_label(_("Current passphrase"))
        web.rest_pointer()
        button = web.button(_("Export and import"))
        box = button.bounding_box()
        before = web.screenshot(f"{lang}-wide-focus-none-1280", audit=False)
        web.tab_to(_("Export and import"))
        after = web.screenshot(f"{lang}-wide-focus-ring-1280")
        scale = 1.0
        assert _ink_changed(before, after, box, scale) > 200, "the focused button draws no ring"

        web.screenshot(f"{lang}-wide-focus-ring-1280-again", audit=False)


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_the_focus_stays_on_a_dropdown_after_a_choice(lang: str, served_app, web: FletWeb, tmp_path: Path) -> None:
    """Chosen with the keyboard, the next Tab goes on from the dropdown, not from the top of the page. (The
    dropdown itself is not the page's active element in Flutter's web client: its neighbour is what shows.)
    Flutter's M3 DropdownMenu dropped the focus when its menu closed; `views.common.dropdown` is the M2
    DropdownButton, whose menu gives it back (docs/adr/0012-wide-layout.md)."""
    home = tmp_path / "home"
    home.mkdir()
    with i18n.use(lang):
        server = served_app("app", env={"KRAFT_HOME": str(home), "LANGUAGE": lang})
        web.open(server.url)
        _size(web, PHONE)
        web.click_button(_("Just the meeting times"))
        count = _("Number of meetings")
        web.wait_for_label(count)
        web.tab_to(count)
        web.press("Shift+Tab")  # to "How often"
        web.press("Enter")  # opens its menu
        web.page.wait_for_timeout(600)
        web.press("ArrowDown")
        web.press("ArrowDown")
        web.press("Enter")  # chooses
        web.page.wait_for_timeout(1200)
        web.menu(_("How often"), _("Every third week"))  # two down from "Every week"
        web.screenshot(f"{lang}-wide-dropdown-chosen-390")
        web.press("Tab")
        web.page.wait_for_timeout(300)
        assert web.focused() == count, f"the focus left the dropdown: Tab went to {web.focused()!r}"
