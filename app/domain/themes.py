"""The theme library a group chooses from (ADR 0014): Balansmodellen's four themes (the ids and words of the
journal's own themes), the centres' group themes, the Danish recovery groups' topics, and the group's own
words. Texts are English msgids marked with N_ and translated when shown; ids are stable and travel in votes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from app.domain.prompts import THEMES as BALANS
from app.errors import KraftError, Msg
from app.i18n import N_, Language

OWN_WORDS_MAX = 80


@dataclass(frozen=True)
class Theme:
    id: str
    text: str  # English msgid
    family: str  # "balans", "centre", "recovery", or "region" (the region's own pack in flet.toml)
    source: str = ""  # the material's own words, where they are not Swedish
    titles: tuple[tuple[str, str], ...] = ()  # a region's theme: (language code, title); en always there

    def label(self, lang: Language) -> str:
        if self.titles:
            own = dict(self.titles)
            return own.get(lang.code) or own["en"]
        return lang.gettext(self.text)


LIBRARY: tuple[Theme, ...] = (
    *(Theme(key, text, "balans") for key, text in BALANS.items()),
    Theme("exhaustion", N_("Exhaustion, stress and worry"), "centre"),
    Theme("job_seeker", N_("Being a job seeker"), "centre"),
    Theme("living_with_pain", N_("Living with pain"), "centre"),
    Theme("separation", N_("Separation"), "centre"),
    Theme("losing_someone", N_("Losing someone close in the middle of life"), "centre"),
    Theme("single_parent", N_("Single parenthood"), "centre"),
    Theme("life", N_("Conversations about life"), "centre"),
    Theme("chronic_illness", N_("Living with a chronic illness"), "centre"),
    Theme("meaning", N_("What gives meaning"), "recovery", "Hvad giver mening"),
    Theme("hopes", N_("Hopes and dreams"), "recovery", "Håb og drømme"),
    Theme("coping", N_("Ways of coping"), "recovery", "Mestringer"),
    Theme("strengths", N_("Noticing strengths"), "recovery", "At få øje på styrker"),
)

_BY_ID = {t.id: t for t in LIBRARY}
_REGION: dict[str, Theme] = {}  # the region's own pack, from its profile (use_region_pack)


def use_region_pack(pack: list[Theme]) -> None:
    """The region's own themes join the library (after the built-in ones). Every app of a region reads the
    same flet.toml, so a region theme's id means the same on every phone of its groups; an app that does not
    know an id refuses a proposal of it as unknown (docs/adr/0014-meeting-and-themes.md)."""
    clash = sorted({t.id for t in pack} & set(_BY_ID))
    if clash:
        raise ValueError(f"a region theme may not reuse a built-in id: {clash[0]}")
    _REGION.clear()
    _REGION.update({t.id: t for t in pack})


def library() -> tuple[Theme, ...]:
    """Every theme a group can choose from: the built-in ones, then the region's."""
    return (*LIBRARY, *_REGION.values())


def get_theme(theme_id: str) -> Theme | None:
    return _BY_ID.get(theme_id) or _REGION.get(theme_id)


def own_words(text: str) -> str:
    """The group's own words for a theme: one line, spaces collapsed, no control characters, 1-80 characters.
    Refused in words otherwise, so a proposal never carries what a screen cannot show."""
    cleaned = " ".join("".join(c for c in str(text) if unicodedata.category(c)[0] != "C" or c in " \t\n")
                       .split())
    if not 1 <= len(cleaned) <= OWN_WORDS_MAX:
        raise KraftError(Msg.THEME_TEXT_INVALID, maximum=OWN_WORDS_MAX)
    return cleaned
