"""The region's catalogue as a person reads it (docs/adr/0016-region-catalogue.md): what an entry says in the
reader's language, and which entries a search finds. The entries themselves are checked in `protocol`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.domain.folding import fold
from app.domain.themes import get_theme
from app.i18n import N_, Language

if TYPE_CHECKING:
    from protocol import CatalogueEntry

# Monday first, as the catalogue's weekday 1..7 counts. The plural, as in "on Tuesdays at 18:00".
WEEKDAYS = (N_("Mondays"), N_("Tuesdays"), N_("Wednesdays"), N_("Thursdays"), N_("Fridays"), N_("Saturdays"),
            N_("Sundays"))
LANGUAGE_NAMES = {"sv": "Svenska", "nb": "Norsk", "da": "Dansk", "en": "English"}  # each in its own words


def weekday_names(lang: Language) -> tuple[str, ...]:
    """The seven days in `lang`, Monday first, as "on Tuesdays"."""
    return tuple(lang.gettext(day) for day in WEEKDAYS)


def theme_title(entry: CatalogueEntry, lang: Language) -> str:
    """The theme as the reader says it: the library's title in their language, the coordinator's own words
    beside or instead of it; an id this app does not know shows the words alone (or the id, never nothing)."""
    theme = get_theme(entry.theme) if entry.theme else None
    title = theme.label(lang) if theme is not None else ""
    if title and entry.words and fold(entry.words) != fold(title):
        return f"{title}: {entry.words}"
    return title or entry.words or entry.theme


@dataclass(frozen=True)
class Shown:
    """An entry's lines for a card or the command line, in one language."""

    title: str
    where: str
    when: str
    language: str
    status: str  # "Forming: 3 more needed" / "Running"
    intake: str


def shown(entry: CatalogueEntry, lang: Language) -> Shown:
    _ = lang.gettext
    where = _("Online") if entry.online else entry.place
    when = _("{weekdays} at {time} ({zone})").format(weekdays=weekday_names(lang)[entry.weekday - 1],
                                                     time=entry.time, zone=lang.zone_name(entry.zone))
    if entry.status == "running":
        status = _("Running: ask whether it takes newcomers")
    elif entry.needed:
        status = lang.ngettext("Forming: {n} more person needed before it starts",
                               "Forming: {n} more people needed before it starts", entry.needed).format(n=entry.needed)
    else:
        status = _("Forming: starting soon")
    return Shown(title=theme_title(entry, lang), where=where, when=when,
                 language=LANGUAGE_NAMES.get(entry.language, entry.language), status=status,
                 intake=_("Intake: {how}").format(how=entry.intake))


def _words(text: str) -> list[str]:
    return [w for w in fold(text).split() if w]


def matches(entry: CatalogueEntry, lang: Language, *, theme: str = "", town: str = "") -> bool:
    """Whether a search finds the entry: every word of `theme` in its theme's title (in `lang` and in
    English), its own words or its theme id; `town` in its place, or "online" (in `lang` or English) for an
    online group. Accents and case do not matter ("malmo" finds "Malmö")."""
    if theme:
        theme_obj = get_theme(entry.theme) if entry.theme else None
        haystack = " ".join(filter(None, (entry.theme.replace("_", " "), entry.words,
                                          theme_obj.label(lang) if theme_obj else "",
                                          theme_obj.text if theme_obj else "")))
        folded = fold(haystack)
        if not all(word in folded for word in _words(theme)):
            return False
    if town:
        wanted = " ".join(_words(town))
        if entry.online:
            return wanted in (fold(lang.gettext("Online")), "online")
        return wanted in fold(entry.place)
    return True


def find(entries: Iterable[CatalogueEntry], lang: Language, *, theme: str = "",
         town: str = "") -> list[CatalogueEntry]:
    """The entries a search finds: forming groups first (fewest still needed first), then running ones."""
    found = [e for e in entries if matches(e, lang, theme=theme, town=town)]
    return sorted(found, key=lambda e: (e.status != "forming", e.needed or 99, e.weekday, e.time))
