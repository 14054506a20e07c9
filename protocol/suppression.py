"""Small-cell suppression for the tables a coordinator hands to funders (docs/adr/0005-anonymous-attendance.md),
and the funders' CSV the relay builds with it. Pure functions, no I/O."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, timedelta

from protocol.attendance import GroupCounts, attended, quarter

SUPPRESS_BELOW = 3  # cells with 1 or 2 people are hidden; 0 shows (it reveals no one)
SUPPRESSED = None
CLOSE_AFTER_DAYS = 14  # a quarter is published, and its figures frozen, this long after its last day

Table = list[list[int | None]]


def quarter_closes_on(name: str) -> date:
    """The day a quarter ("2026-Q1") closes: from then on the relay counts nothing more for its meetings and the
    funders' CSV shows it. Late uploads (the outbox retries for days) get those days to arrive.

    >>> quarter_closes_on("2026-Q1"), quarter_closes_on("2026-Q4")
    (datetime.date(2026, 4, 15), datetime.date(2027, 1, 15))
    """
    year, q = int(name[:4]), int(name[-1])
    after = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return after + timedelta(days=CLOSE_AFTER_DAYS)


def meeting_closed(meeting: str, today: date) -> bool:
    """Whether a meeting's quarter is closed: a figure once published must never change (ADR 0005).

    >>> meeting_closed("20260310T170000Z", date(2026, 4, 14)), meeting_closed("20260310T170000Z", date(2026, 4, 15))
    (False, True)
    """
    return today >= quarter_closes_on(quarter(meeting))


def _weak(column: Sequence[int], hidden: set[int]) -> bool:
    """Whether the column's total would give a hidden cell away: one hidden cell is the total less the rest, and
    hidden cells that are all 1 follow from their sum too (a hidden cell is never 0: zeros show)."""
    return len(hidden) == 1 or (bool(hidden) and sum(column[i] for i in hidden) == len(hidden))


def suppress_column(column: Sequence[int], *, threshold: int = SUPPRESS_BELOW) -> tuple[list[int | None], bool]:
    """One quarter's cells with small ones hidden, and whether its total may show. While the total would give a
    hidden cell away, the smallest non-zero cell showing is hidden too (a hidden 0 would be no cover: anyone who
    knows a region had no meeting that quarter would take it out again); with none left, the total is hidden.
    The column depends on its own cells only, so it is the same in every export once its quarter has closed.

    >>> suppress_column([2, 5, 9, 0])
    ([None, None, 9, 0], True)
    >>> suppress_column([1, 1, 4]), suppress_column([2, 0])
    (([None, None, None], True), ([None, 0], False))
    """
    hidden = {i for i, value in enumerate(column) if 0 < value < threshold}
    while _weak(column, hidden):
        showing = [(value, i) for i, value in enumerate(column) if i not in hidden and value > 0]
        if not showing:
            return [None if i in hidden else v for i, v in enumerate(column)], False
        hidden.add(min(showing)[1])
    return [None if i in hidden else v for i, v in enumerate(column)], True


def suppress(cells: Sequence[Sequence[int]], *, threshold: int = SUPPRESS_BELOW) -> Table:
    """Hide small cells column by column (a column is a quarter), with what would give them away from the
    column's total. Rows (a region's year) are never used to cover a cell: they grow every quarter, and an
    earlier export that showed a cell would uncover it again (issue 16).

    >>> suppress([[1, 5], [9, 4]])
    [[None, 5], [None, 4]]
    """
    columns = [suppress_column(col, threshold=threshold)[0] for col in zip(*cells, strict=True)]
    return [list(row) for row in zip(*columns, strict=True)] if columns else [[] for _ in cells]


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
    """Row and column totals to publish beside `table`. A row total shows only when no cell of its row is hidden
    (it then adds nothing to its cells); a column total shows unless it would give a hidden cell away.

    >>> published_totals([[1, 5], [9, 4]], suppress([[1, 5], [9, 4]]))
    ([None, None], [10, 9])
    """
    rows = [None if any(v is SUPPRESSED for v in table[r]) else total for r, total in enumerate(row_totals(cells))]
    cols = [total if suppress_column(col)[1] else None
            for total, col in zip(col_totals(cells), zip(*cells, strict=True), strict=True)]
    return rows, cols


def _cells(groups: Sequence[GroupCounts], regions: list[str], quarters: list[str]) -> list[list[int]]:
    cells = [[0] * len(quarters) for _ in regions]
    for group in groups:
        for meeting, counts in group.meetings.items():
            if quarter(meeting) in quarters:
                cells[regions.index(group.region or "-")][quarters.index(quarter(meeting))] += attended(*counts)
    return cells


def funders_csv(groups: Sequence[GroupCounts], year: int, *, today: date, region: str | None = None) -> str:
    """Attendances by region (rows) and closed quarter (columns) for a year with totals; suppressed cells and
    any total that would give one away are left empty. A quarter shows once it has closed, and then the same
    in every later export. `region` gives that region's row of the whole table: a coordinator of one region
    gets what the national export shows of it, so the two together uncover nothing either.

    >>> from datetime import date
    >>> group = GroupCounts("m", "Skåne", "", date(2026, 1, 6), {"20260310T170000Z": (4, None),
    ...                                                         "20260512T170000Z": (2, 5)})
    >>> print(funders_csv([group], 2026, today=date(2026, 8, 1)), end="")
    region,2026-Q1,2026-Q2,total
    Skåne,4,5,9
    total,4,5,9
    """
    quarters = [f"{year}-Q{q}" for q in range(1, 5) if today >= quarter_closes_on(f"{year}-Q{q}")]
    regions = sorted({g.region or "-" for g in groups})
    cells = _cells(groups, regions, quarters)
    table = suppress(cells)
    rows, cols = published_totals(cells, table)
    cols = cols if regions else [0] * len(quarters)

    def shown(value: int | None) -> str:
        return "" if value is None else str(value)

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["region", *quarters, "total"])
    for r, name in enumerate(regions):
        if region is None or name == region:
            writer.writerow([name, *(shown(v) for v in table[r]), shown(rows[r])])
    if region is None:
        grand = sum(map(sum, cells)) if all(total is not None for total in cols) else None
        writer.writerow(["total", *(shown(v) for v in cols), shown(grand)])
    return out.getvalue()
