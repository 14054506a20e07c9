"""Translations: one place that knows where the gettext catalogs live and which language is active.

Every user-facing string is written in English inside `_()` (translate now) or `N_()` (mark for extraction,
translate later). The catalogs live in `assets/locales/<lang>/LC_MESSAGES/kraft.po`; `make catalogs` extracts,
updates and compiles them with Babel (the compiled `.mo` files are build output, never edited by hand).
"""

from __future__ import annotations

import gettext
import os
from datetime import date, datetime, time, timedelta
from pathlib import Path

from babel import dates as babel_dates

DOMAIN = "kraft"
SUPPORTED = ("en", "sv", "nb", "da")
DEFAULT = "en"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "assets" / "locales"

_current: gettext.NullTranslations = gettext.NullTranslations()
_current_lang = DEFAULT


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (module-level constants)."""
    return message


def _(message: str) -> str:
    """Translate a message into the active language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def normalize(lang: str | None) -> str:
    """Map a locale tag (`sv_SE.UTF-8`, `nb-NO`, `no`, `da`) onto a supported language, else English."""
    if not lang:
        return DEFAULT
    code = lang.replace("-", "_").split(".")[0].split("_")[0].lower()
    if code in ("no", "nn"):
        code = "nb"
    return code if code in SUPPORTED else DEFAULT


def device_language() -> str | None:
    """The supported language the device asks for (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), or None when the
    device does not say (C/POSIX locale) or asks for a language we do not have."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value and value.split(".")[0] not in ("C", "POSIX"):
            for tag in value.split(":"):
                code = normalize(tag)
                if code != DEFAULT or tag.lower().startswith("en"):
                    return code
            return None
    return None


def set_language(lang: str | None) -> str:
    """Activate a language for `_()`; falls back to English when its catalog is missing."""
    global _current, _current_lang
    code = normalize(lang)
    _current = gettext.translation(DOMAIN, localedir=LOCALES_DIR, languages=[code], fallback=True)
    _current_lang = code
    return code


def current_language() -> str:
    return _current_lang


def format_when(value: datetime, *, with_time: bool = True, own_zone: bool = False) -> str:
    """A date (and time) in the member's language, e.g. `22 nov. 2026 18:00`: in the device's time zone,
    or with `own_zone` in the value's own (a meeting at 18:00 in Stockholm is shown as 18:00)."""
    local = value if own_zone else value.astimezone()
    day = babel_dates.format_date(local, format="medium", locale=_current_lang)
    if not with_time:
        return day
    return f"{day} {babel_dates.format_time(local, format='short', locale=_current_lang)}"


def format_clock(value: datetime | time) -> str:
    """A wall-clock time in the member's language (18:00, or 6:00 PM in English), in the value's own zone."""
    return babel_dates.format_time(value, format="short", locale=_current_lang)


def format_day(value: date) -> str:
    return babel_dates.format_date(value, format="medium", locale=_current_lang)


def format_countdown(delta: timedelta) -> str:
    """How long until something, in whole days, hours or minutes (never rounded up to weeks)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes >= 2 * 24 * 60:
        days = minutes // (24 * 60)
        return ngettext("in {n} day", "in {n} days", days).format(n=days)
    if minutes >= 120:
        hours = minutes // 60
        return ngettext("in {n} hour", "in {n} hours", hours).format(n=hours)
    return ngettext("in {n} minute", "in {n} minutes", minutes).format(n=minutes)
