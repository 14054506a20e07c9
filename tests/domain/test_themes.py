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


def test_a_regions_own_pack_joins_the_library_in_its_languages() -> None:
    from app.config import Profile
    from app.domain.themes import library, use_region_pack

    profile = Profile.model_validate({"themes": [{"id": "loneliness", "en": "Loneliness", "sv": "Ensamhet",
                                                  "da": "Ensomhed"}]})
    use_region_pack(profile.region_pack())
    try:
        found = get_theme("loneliness")
        assert found is not None and found.family == "region" and library()[-1] is found
        assert [found.label(language(c)) for c in ("sv", "da", "nb", "en")] == ["Ensamhet", "Ensomhed",
                                                                               "Loneliness", "Loneliness"]
    finally:
        use_region_pack([])
    assert get_theme("loneliness") is None


@pytest.mark.parametrize("pack", [[{"id": "hopes", "en": "Mine"}],  # one of Kraft's own ids
                                  [{"id": "a_b", "en": "A"}, {"id": "a_b", "en": "B"}],  # twice
                                  [{"id": "Bad id", "en": "A"}], [{"id": "ok_id", "en": ""}],
                                  [{"id": "ok_id", "en": "A", "fi": "B"}]])
def test_a_pack_a_region_got_wrong_is_refused_at_start(tmp_path, pack) -> None:  # type: ignore[no-untyped-def]
    import json

    from app.config import load_profile

    def table(theme: dict[str, str]) -> str:
        return "[[themes]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in theme.items())

    path = tmp_path / "flet.toml"
    path.write_text("\n".join(table(t) for t in pack), encoding="utf-8")
    with pytest.raises(KraftError) as err:
        load_profile(path)
    assert err.value.msg is Msg.CONFIG_INVALID and "themes" in str(err.value)
