"""The theme library (ADR 0014): every family there, ids stable and unique, translated, own words bounded."""

from __future__ import annotations

import pytest

from app.domain.prompts import THEMES
from app.domain.themes import LIBRARY, OWN_WORDS_MAX, get_theme, own_words
from app.errors import KraftError, Msg
from app.i18n import language


def test_the_library_holds_balansmodellen_the_centres_and_the_recovery_topics() -> None:
    families = {t.family for t in LIBRARY}
    assert families == {"balans", "centre", "recovery"}
    assert [t.id for t in LIBRARY if t.family == "balans"] == list(THEMES)  # the journal's themes, same ids
    assert sum(t.family == "centre" for t in LIBRARY) == 8
    assert len({t.id for t in LIBRARY}) == len(LIBRARY)
    assert get_theme("job_seeker") is not None and get_theme("nope") is None


@pytest.mark.parametrize("code", ["sv", "nb", "da"])
def test_every_theme_has_words_in_the_members_language(code: str) -> None:
    lang = language(code)
    for theme in LIBRARY:
        assert theme.label(lang) != theme.text, f"{theme.id} is not translated into {code}"


def test_the_groups_own_words_are_one_calm_line() -> None:
    assert own_words("  Att  våga\n säga nej \x07") == "Att våga säga nej"


@pytest.mark.parametrize("text", ["", "   ", "\x00\x1b", "x" * (OWN_WORDS_MAX + 1)])
def test_own_words_that_cannot_be_shown_are_refused_in_words(text: str) -> None:
    with pytest.raises(KraftError) as err:
        own_words(text)
    assert err.value.msg is Msg.THEME_TEXT_INVALID
