"""The region's signed catalogue (protocol/catalogue.py, docs/adr/0016-region-catalogue.md): what signs, what
is refused, and that any change to a signed document breaks its signature."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import protocol as p
from protocol.catalogue import MAX_DOCUMENT_BYTES, MAX_ENTRIES
from tests.examples import examples

DAY = date(2026, 12, 7)
FIELDS: dict[str, Any] = {"status": "forming", "theme": "exhaustion", "words": "", "place": "Malmö",
                          "language": "sv", "weekday": 2, "time": "18:00", "zone": "Europe/Stockholm", "needed": 3,
                          "intake": "040-12 34 56"}


def _signed(identity: p.Identity, n: int = 2, serial: int = 1) -> dict[str, Any]:
    entries = [p.new_entry(**{**FIELDS, "place": f"Town {i}"}) for i in range(n)]
    return p.sign_catalogue(identity, serial=serial, issued=DAY, entries=entries)


def test_a_signed_catalogue_reads_back_under_its_pinned_key() -> None:
    me = p.Identity.new()
    signed = _signed(me)
    catalogue = p.read_catalogue(signed["catalogue"], signed["signature"], key=me.public().sig)
    assert catalogue.region == p.region_id(me.public().sig) and catalogue.serial == 1
    assert [e.place for e in catalogue.entries] == ["Town 0", "Town 1"]
    assert catalogue.document() == signed["catalogue"]
    assert p.read_region_key(p.region_key_text(me.public())) == me.public()


def test_another_regions_catalogue_is_refused_under_a_pinned_key() -> None:
    me, other = p.Identity.new(), p.Identity.new()
    signed = _signed(other)
    p.read_catalogue(signed["catalogue"], signed["signature"])  # valid as itself
    with pytest.raises(p.ProtocolError) as caught:
        p.read_catalogue(signed["catalogue"], signed["signature"], key=me.public().sig)
    assert caught.value.reason == "catalogue"


def test_a_document_that_names_another_key_than_its_region_is_refused() -> None:
    me, other = p.Identity.new(), p.Identity.new()
    document = dict(_signed(me)["catalogue"], region=p.region_id(other.public().sig))
    with pytest.raises(p.ProtocolError, match="region is not the id"):
        p.read_catalogue(document, me.sign("catalogue", **document))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [q for k, v in value.items() for q in _paths(v, (*prefix, k))]
    if isinstance(value, list):
        return [q for i, v in enumerate(value) for q in _paths(v, (*prefix, i))]
    return [prefix]


@settings(max_examples=examples(150), deadline=None)
@given(st.data())
def test_any_change_to_a_signed_catalogue_breaks_its_signature(data: st.DataObject) -> None:
    me = p.Identity.new()
    signed = _signed(me)
    document = copy.deepcopy(signed["catalogue"])
    path = data.draw(st.sampled_from([q for q in _paths(document) if q[0] not in ("key", "region")]))
    target = document
    for step in path[:-1]:
        target = target[step]
    old = target[path[-1]]
    new = data.draw(st.integers(1, 7) if isinstance(old, int) else st.sampled_from(
        ["running", "forming", "sv", "da", "life", "Lund", "19:30", "Europe/Oslo", "0900-EVIL"]))
    if new == old:
        return
    target[path[-1]] = new
    with pytest.raises(p.ProtocolError):
        p.read_catalogue(document, signed["signature"], key=me.public().sig)


@pytest.mark.parametrize(("change", "words"), [
    ({"needed": 9}, "needed"), ({"status": "running"}, "running group needs nobody"), ({"weekday": 0}, "weekday"),
    ({"time": "7:00"}, "time"), ({"zone": "../etc"}, "zone"), ({"language": "de"}, "language"),
    ({"theme": "", "words": ""}, "a theme or words"), ({"intake": ""}, "intake"), ({"place": " Lund"}, "spaces"),
    ({"words": "a\nb"}, "control"), ({"theme": "Stress!"}, "theme"), ({"needed": True}, "needed"),
    ({"intake": "x" * 121}, "longer than 120"),
])
def test_a_bad_entry_is_refused_naming_its_field(change: dict[str, Any], words: str) -> None:
    with pytest.raises(p.ProtocolError, match=words):
        p.new_entry(**{**FIELDS, **change})


def test_unknown_or_missing_fields_and_repeated_ids_are_refused() -> None:
    entry = p.new_entry(**FIELDS).to_dict()
    with pytest.raises(p.ProtocolError, match="unknown field leader"):
        p.check_entry({**entry, "leader": "Astrid"})
    with pytest.raises(p.ProtocolError, match="missing field intake"):
        p.check_entry({k: v for k, v in entry.items() if k != "intake"})
    me = p.Identity.new()
    with pytest.raises(p.ProtocolError, match="same id"):
        p.sign_catalogue(me, serial=1, issued=DAY, entries=[p.check_entry(entry)] * 2)


def test_the_largest_document_fits_the_relays_body_limit() -> None:
    """200 entries with every text at its longest in four-byte letters would be ~250 kB: the byte bound refuses
    it, and a document at the bound, with its signature, fits the relay's 96 KiB body."""
    from coordinator.settings import MAX_BODY_BYTES

    me = p.Identity.new()
    wide = {**FIELDS, "words": "🌱" * 80, "place": "å" * 60, "intake": "ö" * 120}
    with pytest.raises(p.ProtocolError, match="larger than"):
        p.sign_catalogue(me, serial=1, issued=DAY, entries=[p.new_entry(**wide) for _ in range(MAX_ENTRIES)])
    fitting: list[p.CatalogueEntry] = []
    while True:
        try:
            signed = p.sign_catalogue(me, serial=1, issued=DAY, entries=[*fitting, p.new_entry(**wide)])
        except p.ProtocolError:
            break
        fitting.append(p.new_entry(**wide))
    signed = p.sign_catalogue(me, serial=1, issued=DAY, entries=fitting)
    assert len(p.canonical(signed["catalogue"])) <= MAX_DOCUMENT_BYTES
    assert len(p.canonical(signed)) < MAX_BODY_BYTES


@pytest.mark.parametrize("text", ["", "KRAFT-REGION-1", "KRAFT-REGION-2.a.b", "KRAFT-REGION-1.AA.AA", 7])
def test_a_region_key_line_that_is_not_one_is_refused(text: Any) -> None:
    with pytest.raises(p.ProtocolError, match="not a region key"):
        p.read_region_key(text)
