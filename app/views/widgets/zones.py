"""The time zone of a group, named in the member's language: the Nordic zones first, the rest behind
"Another time zone" (a group meets where it meets, not where the phone is)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from zoneinfo import available_timezones

import flet as ft

from app import i18n
from app.i18n import _
from app.views.common import dropdown, option, type_ahead
from app.views.states.forms import ZONE_NOT_CHOSEN

# the Nordic zones and their countries: under the label "Time zone" a country's name says it, and is short
# ("tidssone for Norge" was cut in the menu at 200 % text and 360 px)
NORDIC_COUNTRIES = {"Europe/Stockholm": "SE", "Europe/Oslo": "NO", "Europe/Copenhagen": "DK", "Europe/Helsinki": "FI"}
NORDIC_ZONES = tuple(NORDIC_COUNTRIES)
OTHER = ZONE_NOT_CHOSEN  # the first list's last choice: it opens the second; saving it alone is refused
# the zones of places; not Etc/GMT+3, US/Pacific and the other old aliases
REGIONS = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/",
           "Pacific/")


@cache
def table_zones() -> frozenset[str]:
    """The zones IANA's zone table names for the countries (Europe/London, Asia/Kolkata): the current ids,
    where old links such as Europe/Belfast or Asia/Calcutta share their names. From `tzdata`, which the app
    carries for devices without zone data."""
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    return frozenset(line.split("\t")[2] for line in table.splitlines() if line and not line.startswith("#"))


@cache
def other_zones(code: str) -> tuple[tuple[str, str], ...]:
    """Every other zone as (id, name in language `code`), sorted by name; of two ids with one name only one
    is listed: the zone table's, else the first by spelling."""
    lang = i18n.language(code)
    named: dict[str, str] = {}
    current = table_zones()
    for zone in sorted(available_timezones(), key=lambda z: (z not in current, z)):
        if zone.startswith(REGIONS) and zone not in NORDIC_ZONES:
            named.setdefault(lang.zone_name(zone), zone)
    return tuple(sorted(((zone, name) for name, zone in named.items()), key=lambda pair: pair[1].casefold()))


def nordic_options() -> list[ft.dropdownm2.Option]:
    """The four Nordic zones by their country's name, then "Another time zone"."""
    lang = i18n.current()
    return [*(option(z, lang.country_name(c)) for z, c in NORDIC_COUNTRIES.items()),
            option(OTHER, _("Another time zone"))]


def other_options(value: str) -> list[ft.DropdownOption]:
    """The rest of the world by name; a zone a group already has is listed even when it is an old alias."""
    zones = other_zones(i18n.current_language())
    options = [ft.DropdownOption(key=z, text=name) for z, name in zones]
    if value and value not in (*NORDIC_ZONES, OTHER) and all(z != value for z, _name in zones):
        options.insert(0, ft.DropdownOption(key=value, text=i18n.zone_name(value)))
    return options


@ft.component
def ZonePicker(value: str, on_change: Callable[[str], None], *, zone_key: str, error: str = "") -> ft.Control:
    """The zone where the group meets: a short list, and the long one only when asked for."""
    other, set_other = ft.use_state(value not in NORDIC_ZONES)

    def pick(e: ft.Event[ft.DropdownM2]) -> None:
        chosen = e.control.value or ""
        set_other(chosen == OTHER)
        on_change(chosen)

    # a short label: "Time zone where the group meets" broke over the menu at 200 % text; the rest is its helper
    controls = [dropdown(label=_("Time zone"), key=zone_key, value=OTHER if other else value, on_change=pick,
                         options=nordic_options(), helper=_("Where the group meets"))]
    if other:
        controls.append(type_ahead(
            label=_("Another time zone"), key=f"{zone_key}-other",
            value=value if value not in (*NORDIC_ZONES, OTHER) else None, menu_height=320, options=other_options(value),
            on_select=lambda e: on_change(e.control.value or ""),
            helper_text=_("Type a few letters of the country or the city"), error_text=error or None))
    return ft.Column(controls, spacing=12)
