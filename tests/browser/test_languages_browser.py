"""Issue 6 in a real browser: the main controls found by their label in Swedish, Norwegian, Danish and English,
in the light and the dark theme, with no unnamed control and every text at WCAG AA contrast; text at twice
the size without overlapping; and a whole session without a pointer.

Screenshots: artifacts/screenshots/<lang>-<theme>-<screen>.png, <lang>-text-200-<screen>.png, en-keyboard-*.
The expected labels come from the catalogs (`_()` in the language under test), never typed in here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app import i18n
from app.i18n import _
from tests.browser.contrast import low_contrast
from tests.browser.support import COLOR_SCHEME, FletWeb
from tests.browser.test_screens_browser import _fill
from tests.conftest import PASSPHRASE

LANGUAGES = ("sv", "nb", "da", "en")
THEMES = ("light", "dark")


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    with i18n.use(lang):
        yield


def _journal(tmp_path: Path, lang: str) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    _fill(home, lang)
    return home


def check_screen(web: FletWeb, name: str) -> None:
    """No unnamed control and no text below AA on what the screen shows now; a screenshot named `name`."""
    from PIL import Image

    web.rest_pointer()
    path = web.screenshot(name, settle_ms=800)  # a theme change animates for a moment
    assert web.unnamed_controls() == [], f"{name}: controls without a name\n{web.semantics_outline()}"
    boxes = web.contrast_boxes()
    assert len(boxes) >= 3, f"{name}: hardly any text found to measure"
    with Image.open(path) as image:
        low = low_contrast(image, boxes)
    assert low == [], f"{name}: text below 4.5:1\n" + "\n".join(map(str, low))


@pytest.mark.browser
@pytest.mark.skipif(COLOR_SCHEME == "dark", reason="switches between both themes itself; the dark pass adds nothing")
@pytest.mark.parametrize("lang", LANGUAGES)
def test_main_controls_by_label_in_each_language_and_theme(lang: str, served_app, web: FletWeb,
                                                            tmp_path: Path) -> None:
    server = served_app("app", env={"KRAFT_HOME": str(_journal(tmp_path, lang))})
    with speaking(lang):
        t = {key: _(key) for key in ("Passphrase", "Unlock", "I forgot my passphrase", "Need help now?",
                                     "Quick exit", "Show the text", "Journal", "Search", "Toolkit",
                                     "Settings", "New entry", "Current passphrase", "Lock now",
                                     "Change passphrase", "Search your journal")}
    if lang != "en":  # the catalogs are there and used: not one of these reads as in English
        assert all(value != key for key, value in t.items() if key not in ("Search",)), t
    web.open(server.url)

    for theme in THEMES:
        web.set_color_scheme(theme)
        web.wait_for_label(t["Passphrase"])
        web.wait_for_button(t["Unlock"])
        web.wait_for_button(t["I forgot my passphrase"])
        for name in ("Need help now?", "Quick exit", "Show the text"):
            web.wait_for_button(t[name])
        check_screen(web, f"{lang}-{theme}-unlock")

    web.set_color_scheme("light")
    web.type_into(t["Passphrase"], PASSPHRASE, submit=True)
    web.wait_for_button(t["New entry"])
    for theme in THEMES:
        web.set_color_scheme(theme)
        for tab in ("Journal", "Search", "Toolkit", "Settings"):
            assert web.page.get_by_role("tab", name=t[tab]).count() == 1, tab
        for name in ("Need help now?", "Quick exit", "New entry"):
            web.wait_for_button(t[name])
        check_screen(web, f"{lang}-{theme}-journal")

    web.page.get_by_role("tab", name=t["Search"]).click()
    web.wait_for_label(t["Search your journal"])
    web.page.get_by_role("tab", name=t["Settings"]).click()
    web.wait_for_label(t["Current passphrase"])
    web.wait_for_button(t["Change passphrase"])
    web.wait_for_button(t["Lock now"])
    for theme in THEMES:
        web.set_color_scheme(theme)
        check_screen(web, f"{lang}-{theme}-settings")


@pytest.mark.browser
def test_text_at_twice_the_size_still_fits(served_app, web: FletWeb, tmp_path: Path) -> None:
    """Swedish has the longest words of the four (Inställningar, verktygslåda); a 200 % font setting."""
    with speaking("sv"):
        passphrase, unlock, new_entry, settings = _("Passphrase"), _("Unlock"), _("New entry"), _("Settings")
        current, entry, back = _("Current passphrase"), _("Your entry"), _("Back")
    # The size at 100 % comes from a second app process: a second page load on one app process left the
    # passphrase field unable to take the focus under load (4 runs in 4 with two busy cores; see the note
    # on issue 16), which is not what this test is about.
    (tmp_path / "plain").mkdir()
    plain = served_app("app", env={"KRAFT_HOME": str(_journal(tmp_path / "plain", "sv"))})
    web.open(plain.url)
    web.wait_for_label(passphrase)
    before = web.page.get_by_label(passphrase).first.bounding_box()
    server = served_app("app", env={"KRAFT_HOME": str(_journal(tmp_path, "sv"))})
    web.set_text_scale(2.0)
    web.open(server.url)
    web.wait_for_label(passphrase)
    after = web.page.get_by_label(passphrase).first.bounding_box()
    assert after["height"] > before["height"] * 1.3, "the text did not grow with the browser's font size"

    def fits(name: str) -> None:
        web.rest_pointer()
        width = web.page.evaluate("innerWidth")
        outside = [b["text"] for b in web.text_boxes() if b["right"] > width + 1 or b["left"] < -1]
        assert outside == [], f"{name}: text runs off the screen: {outside}"
        overlaps = web.overlapping_texts(floating=(new_entry,))
        assert overlaps == [], f"{name}: texts drawn over each other: {overlaps}"
        web.screenshot(f"sv-text-200-{name}")

    fits("unlock")
    web.type_into(passphrase, PASSPHRASE)
    web.click_button(unlock)
    web.wait_for_button(new_entry)
    fits("journal")
    web.click_button(new_entry)
    web.wait_for_label(entry)
    fits("editor")
    web.label(back).first.click()
    web.wait_for_button(new_entry)
    web.page.get_by_role("tab", name=settings).click()
    web.wait_for_label(current)
    fits("settings")


@pytest.mark.browser
def test_a_whole_session_without_a_pointer(served_app, web: FletWeb, tmp_path: Path) -> None:
    """Unlock, write an entry, find it, open Settings and leave by quick exit: keys only."""
    server = served_app("app", env={"KRAFT_HOME": str(_journal(tmp_path, "en"))})
    web.open(server.url)
    web.wait_for_label("Passphrase")
    # field=True: under load an autofocused field holds the focus in Flutter's unnamed editing input
    # (support.editing_unnamed), and Tab never comes back to a "Passphrase" or "Your entry"
    web.tab_to("Passphrase", field=True)
    web.type_here(PASSPHRASE)
    web.press("Enter")
    web.wait_for_button("New entry")

    web.tab_to("New entry")
    web.press("Enter")
    web.wait_for_label("Your entry")
    web.tab_to("Your entry", field=True)
    web.type_here("Typed without a mouse, saved with a key.")
    web.screenshot("en-keyboard-editor")
    web.tab_to("Save")
    web.press("Enter")
    web.wait_for_text(re.compile("Typed without a mouse"), exact=False)

    web.tab_to("Search")
    web.press("Enter")
    web.tab_to("Search your journal", field=True)
    web.type_here("without a mouse")
    web.wait_for_text("1 entry found")
    web.screenshot("en-keyboard-search")

    web.tab_to("Settings")
    web.press("Enter")
    web.wait_for_label("Current passphrase")
    web.tab_to("Quick exit")
    web.press("Enter")
    web.wait_for_text("No notes")
    web.screenshot("en-keyboard-quick-exit")


@pytest.mark.browser
def test_the_next_meeting_without_a_pointer(served_app, web: FletWeb, tmp_path: Path) -> None:
    """An anonymous member (no journal) opens the group from the next-meeting card and says "I can't come",
    keys only."""
    from datetime import date, time, timedelta

    from app.domain.schedule import Schedule
    from app.services.groups import GroupService
    from app.services.vault_service import VaultService
    from tests.conftest import FAST_KDF

    home = tmp_path / "home"
    home.mkdir()
    service = VaultService(home, kdf=FAST_KDF)
    GroupService(service.engine).add("Tuesday", Schedule.weekly(
        zone="Europe/Stockholm", first=date.today() + timedelta(days=3), at=time(18), interval=1, count=8))
    service.close()
    server = served_app("app", env={"KRAFT_HOME": str(home), "LANG": "en_GB.UTF-8"})
    web.open(server.url)
    web.wait_for_button("I can't come")

    web.tab_to(re.compile(r"^Next meeting"))
    web.press("Enter")
    web.wait_for_text("Every week at 6:00\u202fPM")
    web.screenshot("en-keyboard-group")
    web.tab_to("Back")
    web.press("Enter")
    web.tab_to("I can't come")
    web.press("Enter")
    web.wait_for_text(re.compile("tell the others"), exact=False)
    web.screenshot("en-keyboard-cant-come")


@pytest.mark.browser
def test_typing_faster_than_the_app_loses_no_key(served_app, web: FletWeb, tmp_path: Path) -> None:
    """Keys typed as fast as the browser sends them reach the saved entry, every one (common.TextInput). Before
    the field kept its own text, 3 to 8 of 195 characters were lost in 4 of 7 runs like this one."""
    from app.services.vault_service import VaultService
    from tests.conftest import FAST_KDF

    home = _journal(tmp_path, "en")
    server = served_app("app", env={"KRAFT_HOME": str(home)})
    text = ("Det var en lugn kväll och jag skrev ner vad som hänt sedan sist, utan brådska. " * 5).strip()
    web.open(server.url)
    web.type_into("Passphrase", PASSPHRASE, submit=True)
    web.click_button("New entry")
    field = web.wait_for_label("Your entry")
    field.click()
    web.page.wait_for_timeout(800)  # Flutter settles the focus first
    web.page.keyboard.type(text)
    web.page.wait_for_timeout(1000)
    assert field.input_value() == text
    web.click_button("Save")
    web.wait_for_button("Edit")
    service = VaultService(home, kdf=FAST_KDF)
    try:
        assert service.unlock(PASSPHRASE).page().entries[0].text == text
    finally:
        service.close()


@pytest.mark.browser
def test_enter_straight_after_the_passphrase_opens_the_journal(served_app, web: FletWeb, tmp_path: Path) -> None:
    """Enter pressed at once after the last key, as a fast typist or a password manager does: the unlock must
    use every key typed, not the passphrase of the last render (the change events trail the field; on a slow
    phone the submit overtook them: "That passphrase does not open this journal")."""
    server = served_app("app", env={"KRAFT_HOME": str(_journal(tmp_path, "en"))})
    web.open(server.url)
    field = web.wait_for_label("Passphrase")
    web._click_to_focus(field)
    web.page.keyboard.type(PASSPHRASE)
    web.page.keyboard.press("Enter")
    web.wait_for_button("New entry")
