"""Small-cell suppression for the tables a coordinator hands to funders (docs/adr/0005-anonymous-attendance.md),
and the funders' CSV the relay builds with it. Pure functions, no I/O."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from protocol.attendance import GroupCounts, attended, quarter

SUPPRESS_BELOW = 3  # cells with 1 or 2 people are hidden; 0 shows (it reveals no one)
SUPPRESSED = None

Table = list[list[int | None]]


def suppress(cells: Sequence[Sequence[int]], *, threshold: int = SUPPRESS_BELOW) -> Table:
    """Hide small cells (1..threshold-1), then hide complementary cells so that no hidden cell can be worked
    out from its row or column total (which are published): every row and column with a hidden cell ends up
    with at least two hidden cells. The complement chosen is the smallest visible non-zero cell of that row or
    column (least information lost); a row or column with nothing left to hide is then all hidden already.
    Returns the table with None for hidden cells.

    >>> suppress([[1, 5], [9, 4]])
    [[None, None], [None, None]]
    """
    table: Table = [[value if not 0 < value < threshold else SUPPRESSED for value in row] for row in cells]
    rows, cols = len(table), len(table[0]) if table else 0

    def complement(line: list[tuple[int, int]]) -> bool:
        hidden = [(r, c) for r, c in line if table[r][c] is SUPPRESSED]
        if len(hidden) != 1:
            return False
        visible = [(cells[r][c], r, c) for r, c in line if table[r][c] is not SUPPRESSED and cells[r][c] > 0]
        if not visible:  # the others are all zero: the hidden one still equals the total minus nothing known...
            visible = [(cells[r][c], r, c) for r, c in line if table[r][c] is not SUPPRESSED]
        if not visible:
            return False
        _value, r, c = min(visible)
        table[r][c] = SUPPRESSED
        return True

    changed = True
    while changed:
        changed = False
        for r in range(rows):
            changed |= complement([(r, c) for c in range(cols)])
        for c in range(cols):
            changed |= complement([(r, c) for r in range(rows)])
    return table


def row_totals(cells: Sequence[Sequence[int]]) -> list[int]:
    """The sum of each row.

    >>> row_totals([[1, 2], [3, 4]])
    [3, 7]
    """
    return [sum(row) for row in cells]


def col_totals(cells: Sequence[Sequence[int]]) -> list[int]:
    """The sum of each column.

    >>> col_totals([[1, 2], [3, 4]])
    [4, 6]
    """
    return [sum(col) for col in zip(*cells, strict=True)] if cells else []


def published_totals(cells: Sequence[Sequence[int]], table: Table) -> tuple[list[int | None], list[int | None]]:
    """Row and column totals to publish beside `table`: a total is hidden too when its line still has exactly
    one hidden cell (a line of one cell, or nothing left to hide with it), or it would give that cell away.

    >>> published_totals([[1]], suppress([[1]]))
    ([None], [None])
    """
    rows = [None if sum(v is SUPPRESSED for v in table[r]) == 1 else total
            for r, total in enumerate(row_totals(cells))]
    cols = [None if sum(table[r][c] is SUPPRESSED for r in range(len(table))) == 1 else total
            for c, total in enumerate(col_totals(cells))]
    return rows, cols


def funders_csv(groups: Sequence[GroupCounts], year: int) -> str:
    """Attendances by region (rows) and quarter (columns) for a year with totals; suppressed cells and any
    total that would give one away are left empty.

    >>> from datetime import date
    >>> group = GroupCounts("m", "Skåne", "", date(2026, 1, 6), {"20260310T170000Z": (4, None),
    ...                                                         "20260512T170000Z": (2, 5)})
    >>> print(funders_csv([group], 2026), end="")
    region,2026-Q1,2026-Q2,2026-Q3,2026-Q4,total
    Skåne,4,5,0,0,9
    total,4,5,0,0,9
    """
    quarters = [f"{year}-Q{q}" for q in range(1, 5)]
    regions = sorted({g.region or "-" for g in groups})
    cells = [[0] * len(quarters) for _ in regions]
    for group in groups:
        for meeting, counts in group.meetings.items():
            if meeting.startswith(str(year)):
                cells[regions.index(group.region or "-")][quarters.index(quarter(meeting))] += attended(*counts)
    table = suppress(cells)
    rows, cols = published_totals(cells, table)

    def shown(value: int | None) -> str:
        return "" if value is None else str(value)

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["region", *quarters, "total"])
    for r, region in enumerate(regions):
        writer.writerow([region, *(shown(v) for v in table[r]), shown(rows[r])])
    writer.writerow(["total", *(shown(v) for v in cols), str(sum(sum(row) for row in cells))])
    return out.getvalue()
