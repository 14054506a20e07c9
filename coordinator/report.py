"""The coordinator's figures: follow-ups, totals for a year, and the funders' table by region and quarter
with small cells suppressed (app.attendance.suppress)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from app.attendance import published_totals, suppress
from coordinator.models import Mailbox

FOLLOW_UP_DAYS = 42  # about every 6 weeks per group
Meetings = dict[str, tuple[int, int | None]]


def meeting_day(meeting: str) -> date:
    return date(int(meeting[:4]), int(meeting[4:6]), int(meeting[6:8]))


def quarter(meeting: str) -> str:
    day = meeting_day(meeting)
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def attended(checkins: int, head_count: int | None) -> int:
    """People at a meeting: the leader's head count when given (it includes those without the app), else
    the check-ins."""
    return head_count if head_count is not None else checkins


@dataclass(frozen=True)
class Totals:
    groups_running: int
    meetings_held: int
    attendances: int


def year_totals(groups: list[tuple[Mailbox, Meetings]], year: int) -> Totals:
    held = [(box.id, m, c) for box, meetings in groups for m, c in meetings.items() if m.startswith(str(year))]
    return Totals(groups_running=len({box_id for box_id, _m, _c in held}), meetings_held=len(held),
                  attendances=sum(attended(*c) for _b, _m, c in held))


def follow_ups(groups: list[tuple[Mailbox, Meetings]], today: date) -> list[tuple[Mailbox, date]]:
    """When each group is due a follow-up: every 6 weeks from its start (the next one on or after today)."""
    due = []
    for box, _meetings in groups:
        elapsed = (today - box.created_on).days
        periods = max(1, -(-elapsed // FOLLOW_UP_DAYS))
        due.append((box, box.created_on.fromordinal(box.created_on.toordinal() + periods * FOLLOW_UP_DAYS)))
    return sorted(due, key=lambda pair: pair[1])


def funders_csv(groups: list[tuple[Mailbox, Meetings]], year: int) -> str:
    """Attendances by region (rows) and quarter (columns) for a year, with totals; cells below 3 and their
    complements are left empty, and so is any total that would give one away."""
    quarters = [f"{year}-Q{q}" for q in range(1, 5)]
    regions = sorted({box.region or "-" for box, _m in groups})
    cells = [[0] * len(quarters) for _ in regions]
    for box, meetings in groups:
        for meeting, counts in meetings.items():
            if meeting.startswith(str(year)):
                cells[regions.index(box.region or "-")][quarters.index(quarter(meeting))] += attended(*counts)
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
