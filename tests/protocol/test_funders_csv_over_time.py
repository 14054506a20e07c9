"""The funders' CSV across exports (issue 16 point 6): a funder who keeps every export and compares them learns
no hidden cell, neither from one export's totals nor from differences between two exports' totals and cells.

The attendance grows over time (groups start, meet, are counted); each export sees what the relay knew on its
day. An attacker who holds two exports writes every published figure as a linear equation over the true
cells and solves: a hidden cell must stay undetermined. A cell whose true value changed between the two exports
is a different unknown in each, and the attacker is told which (the test is on their side)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

import protocol as p
from tests.examples import examples

YEAR = 2026
REGIONS = ("Nord", "Syd", "Väst")
Var = tuple[str, str, int]  # (region, quarter, which export: 0 when the same in both)
Equation = tuple[dict[Var, Fraction], Fraction]


def _meeting(day: date) -> str:
    return f"{day:%Y%m%d}T170000Z"


def known_on(groups: list[tuple[str, date, dict[date, int]]], day: date) -> list[p.GroupCounts]:
    """What the relay knows on `day`: the groups started by then and their meetings held before it."""
    return [p.GroupCounts(f"m{i}", region, "", start,
                          {_meeting(d): (n, None) for d, n in meetings.items() if d < day})
            for i, (region, start, meetings) in enumerate(groups) if start <= day]


def export(groups: list[tuple[str, date, dict[date, int]]], day: date,
           region: str | None = None) -> dict[str, dict[str, str]]:
    """The CSV of `YEAR` as exported on `day` (of one region, or all), as {row: {column: text}}."""
    rows = list(csv.reader(io.StringIO(p.funders_csv(known_on(groups, day), YEAR, today=day, region=region))))
    return {row[0]: dict(zip(rows[0][1:], row[1:], strict=True)) for row in rows[1:]}


def true_cells(groups: list[tuple[str, date, dict[date, int]]], day: date) -> dict[tuple[str, str], int]:
    cells: dict[tuple[str, str], int] = {}
    for group in known_on(groups, day):
        for meeting, counts in group.meetings.items():
            if meeting.startswith(str(YEAR)):
                key = (group.region, p.quarter(meeting))
                cells[key] = cells.get(key, 0) + p.attended(*counts)
    return cells


def equations(table: dict[str, dict[str, str]], var: dict[tuple[str, str], Var]) -> list[Equation]:
    """Every published figure of one export as sum(cells) = figure."""
    if not table:  # a region without groups yet
        return []
    quarters = [q for q in next(iter(table.values())) if q != "total"]
    regions = [r for r in table if r != "total"]
    found: list[Equation] = []

    def add(keys: list[tuple[str, str]], text: str) -> None:
        if text != "":
            found.append(({var[k]: Fraction(1) for k in keys}, Fraction(int(text))))

    for region in regions:
        for q in quarters:
            add([(region, q)], table[region][q])
        add([(region, q) for q in quarters], table[region]["total"])
    if "total" in table:  # a regional export has no total line
        for q in quarters:
            add([(r, q) for r in regions], table["total"][q])
        add([(r, q) for r in regions for q in quarters], table["total"]["total"])
    return found


def determined(system: list[Equation]) -> set[Var]:
    """The unknowns the system pins down: those whose unit vector lies in its row space (reduced row echelon
    form over the rationals: the unit vector is then one of the rows)."""
    rows = [dict(coefs) for coefs, _rhs in system]
    pivots: list[tuple[Var, dict[Var, Fraction]]] = []
    for row in rows:
        for pivot, prow in pivots:
            if row.get(pivot):
                factor = row[pivot]
                for k, v in prow.items():
                    row[k] = row.get(k, Fraction(0)) - factor * v
        row = {k: v for k, v in row.items() if v != 0}
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        row = {k: v / scale for k, v in row.items()}
        for i, (other, orow) in enumerate(pivots):
            if orow.get(pivot):
                factor = orow[pivot]
                merged = {k: orow.get(k, Fraction(0)) - factor * row.get(k, Fraction(0)) for k in {*orow, *row}}
                pivots[i] = (other, {k: v for k, v in merged.items() if v != 0})
        pivots.append((pivot, row))
    return {pivot for pivot, row in pivots if len(row) == 1}


MEETINGS = st.dictionaries(st.dates(date(YEAR, 1, 1), date(YEAR, 12, 31)), st.integers(0, 6), max_size=8)
GROUPS = st.lists(st.tuples(st.sampled_from(REGIONS), st.dates(date(YEAR - 1, 6, 1), date(YEAR, 12, 31)), MEETINGS),
                  min_size=1, max_size=6)


def _held(groups: list[tuple[str, date, dict[date, int]]]) -> list[tuple[str, date, dict[date, int]]]:
    return [(region, start, {d: n for d, n in meetings.items() if d >= start}) for region, start, meetings in groups]


def assert_nothing_hidden_follows(groups: list[tuple[str, date, dict[date, int]]], first: date, second: date,
                                  regions: tuple[str | None, str | None] = (None, None)) -> None:
    """Two exports (national, or of one region each) solved together; the national total line's variables are
    the cells of every region, so a regional export's row adds its equations to the same unknowns."""
    exports = [export(groups, first, regions[0]), export(groups, second, regions[1])]
    cells = [true_cells(groups, first), true_cells(groups, second)]
    system: list[Equation] = []
    hidden: set[Var] = set()
    for i, table in enumerate(exports):
        keys = {(r, q) for r in table if r != "total" for q in table[r] if q != "total"}
        var = {k: (*k, 0 if cells[0].get(k, 0) == cells[1].get(k, 0) else i + 1) for k in keys}
        system += equations(table, var)
        hidden |= {var[k] for k in keys if table[k[0]][k[1]] == ""}
        for k in keys:  # what shows is true
            assert table[k[0]][k[1]] in ("", str(cells[i].get(k, 0)))
    assert not hidden & determined(system), (exports, cells)


EXPORTERS = st.tuples(*[st.one_of(st.none(), st.sampled_from(REGIONS))] * 2)  # None: the national export


@settings(max_examples=examples(400), deadline=None)
@given(GROUPS, st.dates(date(YEAR, 1, 1), date(YEAR + 1, 3, 31)), st.integers(0, 200), EXPORTERS)
def test_two_exports_together_give_no_hidden_cell_away(groups: list[tuple[str, date, dict[date, int]]],
                                                       first: date, gap: int,
                                                       regions: tuple[str | None, str | None]) -> None:
    assert_nothing_hidden_follows(_held(groups), first, first + timedelta(days=gap), regions)


def test_syd_q2_of_one_person_does_not_follow_from_april_and_july() -> None:
    """The case of issue 16: April shows Syd Q1 = 5; July hid Syd Q1 and Q2 but showed Syd's total 6."""
    syd = ("Syd", date(YEAR, 1, 1), {date(YEAR, 2, 3): 5, date(YEAR, 5, 5): 1})
    nord = ("Nord", date(YEAR, 1, 1), {date(YEAR, 2, 4): 7, date(YEAR, 5, 6): 8})
    assert_nothing_hidden_follows([syd, nord], date(YEAR, 4, 20), date(YEAR, 7, 20))
