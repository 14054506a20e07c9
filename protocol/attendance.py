"""Anonymised attendance on the wire (docs/adr/0005-anonymous-attendance.md): unlinkable per-meeting tokens,
and the counts per group and meeting the relay hands a coordinator. Pure functions, no I/O.

A member who opts in sends, for a meeting they checked in to, `token = HMAC-SHA256(secret, meeting id)`
(first 16 bytes) where `secret` is random, per member and per group, and never leaves the device. The relay
counts distinct tokens per meeting: a resend carries the same token and is not counted twice, and two
meetings' tokens of one member look unrelated.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import date

from protocol.encoding import b64d, b64e

TOKEN_BYTES = 16


def new_secret() -> str:
    """A member's random attendance secret for one group (32 bytes, base64url); it stays on the device.

    >>> len(new_secret())
    43
    """
    return b64e(os.urandom(32))


def meeting_token(secret: str, meeting_id: str) -> str:
    """The token a member sends for one meeting: the same on a resend, unrelated across meetings.

    >>> meeting_token("A" * 43, "20261201T170000Z") == meeting_token("A" * 43, "20261201T170000Z")
    True
    """
    return b64e(hmac.new(b64d(secret, length=32), meeting_id.encode("ascii"), hashlib.sha256).digest()[:TOKEN_BYTES])


@dataclass(frozen=True)
class GroupCounts:
    """One group as the relay reports it to a coordinator: no member, only counts per meeting."""

    mailbox: str
    region: str
    label: str
    created_on: date
    meetings: dict[str, tuple[int, int | None]]  # meeting id -> (check-ins, the leader's head count)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> GroupCounts:
        """Read one group of the relay's `GET /v1/coordinator/attendance` answer.

        >>> GroupCounts.from_json({"mailbox": "m", "region": "Syd", "label": "", "created_on": "2026-09-01",
        ...     "meetings": [{"meeting": "20261201T170000Z", "checkins": 4, "head_count": None}]}).meetings
        {'20261201T170000Z': (4, None)}
        """
        meetings = {str(m["meeting"]): (int(m["checkins"]), None if m["head_count"] is None else int(m["head_count"]))
                    for m in data["meetings"]}  # type: ignore[attr-defined]
        return cls(mailbox=str(data["mailbox"]), region=str(data["region"]), label=str(data["label"]),
                   created_on=date.fromisoformat(str(data["created_on"])), meetings=meetings)


def meeting_day(meeting: str) -> date:
    """The day of a meeting id (its first eight characters are YYYYMMDD).

    >>> meeting_day("20261201T170000Z")
    datetime.date(2026, 12, 1)
    """
    return date(int(meeting[:4]), int(meeting[4:6]), int(meeting[6:8]))


def quarter(meeting: str) -> str:
    """The quarter a meeting falls in, as the funders' table heads its columns.

    >>> quarter("20261201T170000Z")
    '2026-Q4'
    """
    day = meeting_day(meeting)
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def attended(checkins: int, head_count: int | None) -> int:
    """People at a meeting: the leader's head count when given (it counts those without the app too), else
    the check-ins.

    >>> attended(3, None), attended(3, 7)
    (3, 7)
    """
    return head_count if head_count is not None else checkins
