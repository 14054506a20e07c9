"""The check-in use case: "I was there", "I can't come", or taking it back, with the leader told through
CheckInNews where the member set that up. The app's group screen and `kraft checkin` both call it; each turns
the result into its own notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.services.checkin import CANT_COME
from app.services.context import AppContext
from app.services.groups import Group


@dataclass(frozen=True)
class CheckInResult:
    """What a check-in did, for the caller's notice."""

    status: str | None  # what the member says now (ATTENDED or CANT_COME); None: taken back
    was: str | None  # what they had said before taking it back (None: nothing, or not a take-back)
    removed: bool  # taking back: there was something to take back
    told: bool  # the leader will be told (an "I can't come" on its way)

    @property
    def cant_come(self) -> bool:
        return self.status == CANT_COME


def check_in(ctx: AppContext, group: Group, meeting_id: str, status: str | None, *,
             now: datetime | None = None) -> CheckInResult:
    """Say `status` about a meeting, or take back what was said (`status` None), and queue the news.

    Why here: the screen and the CLI did this in two copies. The check-in is saved before the news is
    queued; news that cannot be queued is logged, never an error (CheckInNews). A sealed check-in on a
    locked journal raises KraftError(CHECKIN_NEEDS_UNLOCK), as CheckInService does.

    Example:
        result = check_in(ctx, group, meeting.id, CANT_COME, now=moment)
        notice = "leader told" if result.told else "noted"
    """
    moment = now or ctx.now()
    if status is None:
        was = ctx.checkins.said(group, meeting_id)  # an answer for the old time of a moved meeting too
        removed = ctx.checkins.clear(group, meeting_id)
        ctx.news.took_back(group, meeting_id, was, now=moment)
        return CheckInResult(status=None, was=was, removed=removed, told=False)
    ctx.checkins.check_in(group, meeting_id, status, now=moment)
    told = ctx.news.said(group, meeting_id, status, now=moment)
    return CheckInResult(status=status, was=None, removed=False, told=told)
