"""Anonymised attendance (docs/adr/0005-anonymous-attendance.md): unlinkable per-meeting tokens, and
small-cell suppression for the tables a coordinator hands to funders. Pure functions, no I/O.

A member who opts in sends, for a meeting they checked in to, `token = HMAC-SHA256(secret, meeting id)`
(first 16 bytes) where `secret` is random, per member and per group, and never leaves the device. The relay
counts distinct tokens per meeting: a resend carries the same token and is not counted twice, and two
meetings' tokens of one member look unrelated.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from app.i18n import Language
from app.protocol import b64d, b64e

TOKEN_BYTES = 16
SUPPRESS_BELOW = 3  # cells with 1 or 2 people are hidden; 0 shows (it reveals no one)
SUPPRESSED = None


def new_secret() -> str:
    return b64e(os.urandom(32))


def meeting_token(secret: str, meeting_id: str) -> str:
    return b64e(hmac.new(b64d(secret, length=32), meeting_id.encode("ascii"), hashlib.sha256).digest()[:TOKEN_BYTES])


Table = list[list[int | None]]


def suppress(cells: Sequence[Sequence[int]], *, threshold: int = SUPPRESS_BELOW) -> Table:
    """Hide small cells (1..threshold-1), then hide complementary cells so that no hidden cell can be worked
    out from its row or column total (which are published): every row and column with a hidden cell ends up
    with at least two hidden cells. The complement chosen is the smallest visible non-zero cell of that row or
    column (least information lost); a row or column with nothing left to hide is then all hidden already.
    Returns the table with None for hidden cells."""
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
    return [sum(row) for row in cells]


def col_totals(cells: Sequence[Sequence[int]]) -> list[int]:
    return [sum(col) for col in zip(*cells, strict=True)] if cells else []


def published_totals(cells: Sequence[Sequence[int]], table: Table) -> tuple[list[int | None], list[int | None]]:
    """Row and column totals to publish beside `table`: a total is hidden too when its line still has exactly
    one hidden cell (a line of one cell, or nothing left to hide with it), or it would give that cell away."""
    rows = [None if sum(v is SUPPRESSED for v in table[r]) == 1 else total
            for r, total in enumerate(row_totals(cells))]
    cols = [None if sum(table[r][c] is SUPPRESSED for r in range(len(table))) == 1 else total
            for c, total in enumerate(col_totals(cells))]
    return rows, cols


# ---- what a coordinator sees: counts per group and meeting ----

FOLLOW_UP_DAYS = 42  # about every 6 weeks per group


@dataclass(frozen=True)
class GroupCounts:
    mailbox: str
    region: str
    label: str
    created_on: date
    meetings: dict[str, tuple[int, int | None]]  # meeting id -> (check-ins, the leader's head count)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> GroupCounts:
        meetings = {str(m["meeting"]): (int(m["checkins"]), None if m["head_count"] is None else int(m["head_count"]))
                    for m in data["meetings"]}  # type: ignore[attr-defined]
        return cls(mailbox=str(data["mailbox"]), region=str(data["region"]), label=str(data["label"]),
                   created_on=date.fromisoformat(str(data["created_on"])), meetings=meetings)


def meeting_day(meeting: str) -> date:
    return date(int(meeting[:4]), int(meeting[4:6]), int(meeting[6:8]))


def quarter(meeting: str) -> str:
    day = meeting_day(meeting)
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def attended(checkins: int, head_count: int | None) -> int:
    """People at a meeting: the leader's head count when given (it counts those without the app too), else
    the check-ins."""
    return head_count if head_count is not None else checkins


@dataclass(frozen=True)
class Totals:
    groups_running: int
    meetings_held: int
    attendances: int

    def describe(self, lang: Language) -> str:
        """"3 groups running, 21 meetings held, 140 attendances." in `lang`."""
        return ", ".join((
            lang.ngettext("{n} group running", "{n} groups running", self.groups_running).format(n=self.groups_running),
            lang.ngettext("{n} meeting held", "{n} meetings held", self.meetings_held).format(n=self.meetings_held),
            lang.ngettext("{n} attendance.", "{n} attendances.", self.attendances).format(n=self.attendances)))


def year_totals(groups: Sequence[GroupCounts], year: int) -> Totals:
    held = [(g.mailbox, c) for g in groups for m, c in g.meetings.items() if m.startswith(str(year))]
    return Totals(groups_running=len({mailbox for mailbox, _c in held}), meetings_held=len(held),
                  attendances=sum(attended(*c) for _m, c in held))


def follow_up_due(group: GroupCounts, today: date) -> date:
    """The group's next follow-up: every 6 weeks from its start, the first on or after today."""
    periods = max(1, -(-(today - group.created_on).days // FOLLOW_UP_DAYS))
    return group.created_on + timedelta(days=periods * FOLLOW_UP_DAYS)


def funders_csv(groups: Sequence[GroupCounts], year: int) -> str:
    """Attendances by region (rows) and quarter (columns) for a year with totals; suppressed cells and any
    total that would give one away are left empty."""
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
