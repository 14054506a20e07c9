"""What the coordinator screen shows of the anonymised attendance (docs/adr/0005-anonymous-attendance.md),
in the member's language. The tokens, counts and suppression are wire format and live in `protocol`
(protocol/attendance.py, protocol/suppression.py); the relay uses those, never this module."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from app.i18n import Language
from protocol.attendance import GroupCounts, attended

FOLLOW_UP_DAYS = 42  # about every 6 weeks per group


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
