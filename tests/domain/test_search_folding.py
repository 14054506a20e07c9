"""Search that forgives: a word typed without å ä ö æ ø (or with them) still finds the entry.

The folding is written down in docs/adr/0013-search-folding.md; these are its cases.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import i18n
from app.domain.journal import Entry, EntryIndex, fold, query_variants
from app.storage import records

WHEN = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)


def _index(*texts: str) -> EntryIndex:
    index = EntryIndex(records.ENTRY)
    for i, text in enumerate(texts):
        index.put(Entry(id=f"e{i:02d}", text=text, created=WHEN.replace(minute=i), updated=WHEN))
    return index


def _found(index: EntryIndex, query: str) -> list[str]:
    return [e.text for e in index.search(query, lang=i18n.language("en"))]


@pytest.mark.parametrize(("query", "text"), [
    ("soster", "Ringde min søster igår"),   # ø typed as o
    ("bade", "Det var både bra och svårt"),  # å typed as a
    ("mote", "Efter mötet kände jag mig lugn"),  # ö typed as o
    ("søster", "Ringde min soster igår"),   # the other way round
    ("både", "Det var bade bra och svart"),
    ("möte", "Efter motet kände jag mig lugn"),
    ("glade", "Jeg følte glæde"),  # æ typed as a
    ("glaede", "Jeg følte glæde"),  # æ typed as ae
    ("tromsoe", "En tur til Tromsø"),  # ø typed as oe
    ("aarhus", "Vi bodde i Århus"),  # å typed as aa
    ("mote", "Möte på fredag"),  # capital Ö
    ("møte", "Efter mötet"),  # Norwegian ø finds Swedish ö
    ("hæl", "Skavsår på hälen"),  # Danish æ finds Swedish ä
    ("uber", "Über alles"),
    ("strasse", "Die Straße"),  # ß as ss
    ("straße", "Die Strasse"),
    ("cafe", "På café"),
])
def test_a_word_typed_without_or_with_the_letters_finds_the_entry(query: str, text: str) -> None:
    assert _found(_index(text, "Något helt annat"), query) == [text]


def test_folding_never_finds_what_is_not_there() -> None:
    index = _index("Ringde min søster", "Det var både bra", "Efter mötet")
    assert _found(index, "sister") == []
    assert _found(index, "soster mote") == []  # every word must occur in one entry
    assert _found(index, "soster ringde") == ["Ringde min søster"]


def test_fold_is_lower_case_without_the_marks() -> None:
    assert fold("ÅÄÖ åäö ÆØ æø Ü ß É") == "aao aao ao ao u ss e"
    assert fold("Søster 😊 Łódź") == "soster 😊 łodź"  # beyond Latin-1: lower case, its Latin-1 letters folded
    assert fold("A\u030asa") == "asa"  # a decomposed Å is folded like the composed one


def test_query_variants_add_the_digraph_spellings_only_where_there_is_one() -> None:
    assert query_variants("soster") == ("soster",)
    assert query_variants("glaede") == ("glaede", "glade")
    assert query_variants("aarhus") == ("aarhus", "arhus")
