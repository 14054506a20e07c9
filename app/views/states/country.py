"""The member's own country, for the crisis lines and the default time zone: the one of their language; for
English the one where their groups meet, else the region's (its default language)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from app.errors import KraftError

ZONE_FOR_LANGUAGE = {"sv": "Europe/Stockholm", "nb": "Europe/Oslo", "da": "Europe/Copenhagen"}
COUNTRY_FOR_LANGUAGE = {"sv": "SE", "nb": "NO", "da": "DK"}
COUNTRY_FOR_ZONE = {zone: COUNTRY_FOR_LANGUAGE[code] for code, zone in ZONE_FOR_LANGUAGE.items()}


def own_country(language: str, region_language: str, groups: Callable[[], Sequence[Any]]) -> str | None:
    """SE, NO or DK, or None when nothing says. `groups` lists the member's groups (read only for English)."""
    if language in COUNTRY_FOR_LANGUAGE:
        return COUNTRY_FOR_LANGUAGE[language]
    try:
        zones = [group.schedule.zone for group in groups()]
    except KraftError:  # the groups cannot be read: the region still says where the member is
        zones = []
    found = next((COUNTRY_FOR_ZONE[zone] for zone in zones if zone in COUNTRY_FOR_ZONE), None)
    return found or COUNTRY_FOR_LANGUAGE.get(region_language)
