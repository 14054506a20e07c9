"""Issue 17: "Du var på 0 av 1 träff" was a count of absences. No meeting attended says no count at all; the
rest uses the plural of each language (the expected texts come from the catalogs, never typed in here)."""

from __future__ import annotations

import gettext

import pytest

from app import i18n
from app.i18n import DOMAIN, LOCALES_DIR
from app.services.checkin import Attendance

LANGUAGES = ("sv", "nb", "da", "en")


def summary(attended: int, held: int, code: str) -> str:
    return Attendance(rows=[], attended=attended, held=held).summary(i18n.language(code))


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_meeting_attended_says_welcome_back_and_no_count(code: str) -> None:
    catalog = gettext.translation(DOMAIN, localedir=LOCALES_DIR, languages=[code])
    for held in (1, 2, 7):
        text = summary(0, held, code)
        assert text == catalog.gettext("Welcome back whenever you can.")
        assert "0" not in text and str(held) not in text


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_meeting_attended_and_some_use_the_languages_plural(code: str) -> None:
    catalog = gettext.translation(DOMAIN, localedir=LOCALES_DIR, languages=[code])
    assert summary(1, 1, code) == catalog.ngettext("You were at the meeting.", "You were at all {m} meetings.", 1)
    assert summary(4, 4, code) == catalog.ngettext(
        "You were at the meeting.", "You were at all {m} meetings.", 4).format(m=4)
    assert summary(2, 5, code) == catalog.ngettext(
        "You were at {n} of {m} meeting.", "You were at {n} of {m} meetings.", 5).format(n=2, m=5)
    assert "1 of 1" not in summary(1, 1, code)


def test_the_words_differ_by_language_once_translated() -> None:
    texts = {summary(0, 3, code) for code in LANGUAGES} | set()
    assert len(texts) == 4, texts
    assert len({summary(3, 3, code) for code in LANGUAGES}) == 4


def test_nothing_held_yet_says_nothing() -> None:
    assert summary(0, 0, "sv") == ""
