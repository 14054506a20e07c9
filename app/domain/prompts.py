"""The built-in prompt library: the Danish recovery groups' homework, the five recovery factors as tags,
Balansmodellen's themes, and the sections of "my toolkit".

Texts are English msgids marked with N_ and translated when shown; ids are stable and stored in entries.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from app.i18n import N_, Language


@dataclass(frozen=True)
class Prompt:
    id: str
    text: str  # English msgid
    source: str  # the group material it comes from, in its own language
    tags: tuple[str, ...] = ()
    toolkit: str | None = None  # the toolkit section an answer naturally belongs to

    def label(self, lang: Language) -> str:
        """The prompt as asked, in `lang`."""
        return lang.gettext(self.text)


# The five recovery factors (CHIME): the built-in tags.
TAGS: dict[str, str] = {
    "connectedness": N_("Connectedness"),
    "hope": N_("Hope"),
    "identity": N_("Identity"),
    "meaning": N_("Meaning"),
    "empowerment": N_("Empowerment"),
}

# Balansmodellen's themes.
THEMES: dict[str, str] = {
    "everyday_strategy": N_("Everyday strategy"),
    "place_in_society": N_("My place in society"),
    "relationships": N_("Relationships"),
    "activities": N_("Activities"),
}

# The sections of "my toolkit" an answer can be pinned to.
TOOLKIT: dict[str, str] = {
    "strengths": N_("My strengths"),
    "coping": N_("My coping strategies"),
    "meaning": N_("What gives meaning"),
}

PROMPTS: tuple[Prompt, ...] = (
    Prompt("meaning", N_("What gives meaning in your life? (big and small things)"),
           "Hvad giver mening for dig i din tilværelse? (store som små ting)", ("meaning",), "meaning"),
    Prompt("hopes", N_("What are your hopes and dreams?"),
           "Hvad er dine håb og drømme?", ("hope",)),
    Prompt("coping", N_("What are your preferred ways of coping? Which coping strategies do you have?"),
           "Hvad er dine foretrukne mestringer? / Hvilke mestringer har du?", ("empowerment",), "coping"),
    Prompt("strengths", N_("Since last time, were there situations where you noticed some strengths?"),
           "Har der været nogle situationer siden sidst, hvor du fik øje på nogle styrker?",
           ("identity", "empowerment"), "strengths"),
    Prompt("glad_moments", N_("Notice some moments when you are not sad, and what helped make you glad."),
           "Få øje på nogle tidspunkter hvor du ikke er trist, og hvad der var med til at gøre dig glad.",
           ("hope",)),
)

# The end of a course (docs/adr/0014-meeting-and-themes.md): asked once the last meeting has begun, not sent
# as homework, so not in the list a host picks from.
COURSE_PROMPT = Prompt("course", N_("Looking back on the course: what has it given you, and what do you take "
                                    "with you from here?"), "", ("meaning", "hope"))

_BY_ID = {p.id: p for p in (*PROMPTS, COURSE_PROMPT)}


def get_prompt(prompt_id: str) -> Prompt | None:
    return _BY_ID.get(prompt_id)


def tag_label(tag: str, lang: Language) -> str:
    """A built-in tag's name in `lang` ("hope" is "Håb" in Danish); any other tag as it is."""
    return _labels(lang, "tags").get(tag, tag)


def theme_label(theme: str, lang: Language) -> str:
    """A Balansmodellen theme's name in `lang`; any other theme as it is."""
    return _labels(lang, "themes").get(theme, theme)


@functools.cache
def _labels(lang: Language, kind: str) -> dict[str, str]:
    """Every built-in tag's or theme's name in `lang`, translated once: a cold search labels each entry's
    tags, and 10,000 catalog lookups cost more than the rest of the labelling (bench/profile.py)."""
    return {key: lang.gettext(message) for key, message in (TAGS if kind == "tags" else THEMES).items()}


def toolkit_label(section: str, lang: Language) -> str:
    """A toolkit section's name in `lang`; any other section as it is."""
    return lang.gettext(TOOLKIT[section]) if section in TOOLKIT else section
