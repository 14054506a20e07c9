"""Translations: one place that knows where the gettext catalogs live, and which language a caller speaks.

Every user-facing string is written in English inside `_()` (translate now) or `N_()` (mark for extraction,
translate later). The catalogs live in `assets/locales/<lang>/LC_MESSAGES/kraft.po`; `make catalogs` extracts,
updates and compiles them with Babel (the compiled `.mo` files are build output, never edited by hand).

A `Language` is a value: the domain takes it as a parameter and never reads shared state. The module-level
`_`, `ngettext` and `format_*` are for the UI, the CLI and error texts: they speak the *current context's*
language (a resolver hook first, e.g. the Flet session handling the event, then a ContextVar set with
`use()` or `activate()`, then English), so two web sessions in one process each speak their own
(docs/adr/0007-app-layout.md).
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from types import ModuleType

DOMAIN = "kraft"
SUPPORTED = ("en", "sv", "nb", "da")
DEFAULT = "en"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "assets" / "locales"


def _dates() -> ModuleType:
    """Babel's dates, loaded when a date or a zone is first said: importing Babel and its CLDR data takes ~10
    ms, which a command that opens the journal spends before its key is begun otherwise
    (docs/adr/0018-reading-without-sqlalchemy.md)."""
    from babel import dates

    return dates


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (module-level constants)."""
    return message


def normalize(lang: str | None) -> str:
    """Map a locale tag (`sv_SE.UTF-8`, `nb-NO`, `no`, `da`) onto a supported language, else English."""
    if not lang:
        return DEFAULT
    code = lang.replace("-", "_").split(".")[0].split("_")[0].lower()
    if code in ("no", "nn"):
        code = "nb"
    return code if code in SUPPORTED else DEFAULT


def first_supported(tags: Iterable[str]) -> str | None:
    """The first of a person's languages, in their order, that Kraft speaks (`["de-DE", "nb-NO"]` gives `nb`),
    or None: a browser's or phone's list, or the device's LANGUAGE, is a list of wishes, not one tag."""
    for tag in tags:
        code = normalize(tag)
        if code != DEFAULT or tag.lower().startswith("en"):
            return code
    return None


def device_language() -> str | None:
    """The supported language the device asks for (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), or None when the
    device does not say (C/POSIX locale) or asks for a language we do not have."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value and value.split(".")[0] not in ("C", "POSIX"):
            return first_supported(value.split(":"))
    return None


@dataclass(frozen=True, eq=False)
class Language:
    """One language: its code, its gettext catalog, and its date and number formats (Babel).

    Immutable and shared: `language("sv")` always returns the same value, so passing it around is free.

    >>> language("sv").format_day(date(2026, 12, 3))
    '3 dec. 2026'
    """

    code: str
    translations: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        """Translate a message into this language (the English msgid when the catalog has none)."""
        return self.translations.gettext(message)

    _ = gettext

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural form for `n`, translated into this language."""
        return self.translations.ngettext(singular, plural, n)

    def format_when(self, value: datetime, *, with_time: bool = True, own_zone: bool = False) -> str:
        """A date (and time) in this language, e.g. `22 nov. 2026 18:00`: in the device's time zone,
        or with `own_zone` in the value's own (a meeting at 18:00 in Stockholm is shown as 18:00)."""
        local = value if own_zone else value.astimezone()
        day = _dates().format_date(local, format="medium", locale=self.code)
        if not with_time:
            return day
        return f"{day} {_dates().format_time(local, format='short', locale=self.code)}"

    def format_weekday_when(self, value: datetime) -> str:
        """A weekday, day, month and time in the value's own zone, short (`Tue 3 Dec 18:00`, `tis 3 dec. 18:00`):
        a meeting's time said the way people say it ("Moved: was Tue 3 Dec 18:00")."""
        day = _dates().format_date(value, format="EEE d MMM", locale=self.code)
        return f"{day} {_dates().format_time(value, format='short', locale=self.code)}"

    def format_clock(self, value: datetime | time) -> str:
        """A wall-clock time in this language (18:00, or 6:00 PM in English), in the value's own zone."""
        return _dates().format_time(value, format="short", locale=self.code)

    def format_day(self, value: date) -> str:
        """A day in this language's medium format (`3 dec. 2026`, `Dec 3, 2026`)."""
        return _dates().format_date(value, format="medium", locale=self.code)

    def country_name(self, territory: str) -> str:
        """A country by its ISO 3166 code as this language names it (`NO`: `Norge`, `Norway`), from the CLDR."""
        from babel import Locale

        return Locale.parse(self.code).territories.get(territory, territory)

    def zone_name(self, zone: str) -> str:
        """A time zone as people in this language name it (`Sverigetid`, `Danmark-tid`, `Sweden Time`), from
        the CLDR through Babel: an IANA id (`Europe/Stockholm`) is for machines, not for a person to read."""
        try:
            return _dates().get_timezone_location(zone, locale=self.code)
        except (LookupError, ValueError):  # a zone the CLDR does not know: its city, readable still
            return zone.rsplit("/", 1)[-1].replace("_", " ")

    def format_countdown(self, delta: timedelta) -> str:
        """How long until something, in whole days, hours or minutes (never rounded up to weeks)."""
        minutes = max(0, int(delta.total_seconds() // 60))
        if minutes >= 2 * 24 * 60:
            days = minutes // (24 * 60)
            return self.ngettext("in {n} day", "in {n} days", days).format(n=days)
        if minutes >= 120:
            hours = minutes // 60
            return self.ngettext("in {n} hour", "in {n} hours", hours).format(n=hours)
        return self.ngettext("in {n} minute", "in {n} minutes", minutes).format(n=minutes)


@cache
def _load(code: str) -> Language:
    return Language(code, gettext.translation(DOMAIN, localedir=LOCALES_DIR, languages=[code], fallback=True))


def language(code: str | None) -> Language:
    """The `Language` for a locale tag, normalized (`sv_SE.UTF-8` is Swedish); English when unsupported.

    >>> language("nb-NO").code, language("fr").code
    ('nb', 'en')
    """
    return _load(normalize(code))


ENGLISH = language(DEFAULT)

_context: ContextVar[Language] = ContextVar("kraft_language", default=ENGLISH)
_resolver: Callable[[], Language | None] | None = None


def set_resolver(fn: Callable[[], Language | None] | None) -> None:
    """Install the hook asked first for the current language (the web UI's: the language of the Flet
    session handling the current event), or remove it with None. It returns None when it cannot tell."""
    global _resolver
    _resolver = fn


def activate(lang: Language | str | None) -> Language:
    """Make `lang` the current context's language (a CLI run, the desktop app, a test); returns it."""
    chosen = lang if isinstance(lang, Language) else language(lang)
    _context.set(chosen)
    return chosen


@contextmanager
def use(lang: Language | str | None) -> Iterator[Language]:
    """Speak `lang` inside the block (in this context only: other threads and tasks keep their own)."""
    chosen = lang if isinstance(lang, Language) else language(lang)
    token = _context.set(chosen)
    try:
        yield chosen
    finally:
        _context.reset(token)


def current() -> Language:
    """The current context's language: the resolver's answer, else what `use`/`activate` set, else English."""
    if _resolver is not None:
        found = _resolver()
        if found is not None:
            return found
    return _context.get()


def resolve(lang: Language | None) -> Language:
    """`lang` when a caller passed one, else the current context's (for services with an optional `lang`)."""
    return lang if lang is not None else current()


def current_language() -> str:
    """The code of the current context's language (`sv`)."""
    return current().code


def _(message: str) -> str:
    """Translate a message into the current context's language."""
    return current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n` in the current context's language."""
    return current().ngettext(singular, plural, n)


def format_when(value: datetime, *, with_time: bool = True, own_zone: bool = False) -> str:
    """`Language.format_when` in the current context's language."""
    return current().format_when(value, with_time=with_time, own_zone=own_zone)


def format_weekday_when(value: datetime) -> str:
    """`Language.format_weekday_when` in the current context's language."""
    return current().format_weekday_when(value)


def format_clock(value: datetime | time) -> str:
    """`Language.format_clock` in the current context's language."""
    return current().format_clock(value)


def format_day(value: date) -> str:
    """`Language.format_day` in the current context's language."""
    return current().format_day(value)


def format_countdown(delta: timedelta) -> str:
    """`Language.format_countdown` in the current context's language."""
    return current().format_countdown(delta)


def zone_name(zone: str) -> str:
    """`Language.zone_name` in the current context's language."""
    return current().zone_name(zone)
