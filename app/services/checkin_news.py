"""What a check-in tells others, only where the member set that up: "I can't come" (or taking it back) goes
to the group's leader; "I was there" becomes an anonymous token for the coordinator when the member opted in
for that group. Both are queued in the outbox and sent by the next sync. The app and `kraft checkin` share it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine

from app.errors import KraftError
from app.services.attendance import AttendanceService
from app.services.checkin import CANT_COME
from app.services.groups import Group
from app.services.joining import JoinService
from app.storage.vault import Vault

log = logging.getLogger(__name__)


class CheckInNews:
    def __init__(self, engine: Engine, vault: Vault | None, *, join: JoinService | None = None,
                 attendance: AttendanceService | None = None) -> None:
        self._join = join or JoinService(engine, vault)
        self._attendance = attendance or AttendanceService(engine, vault)

    def said(self, group: Group, meeting_id: str, status: str, *, now: datetime) -> bool:
        """After a check-in; True when the leader will be told (an "I can't come" on its way)."""
        try:
            if status == CANT_COME:
                return self._join.tell_cant_come(group.id, meeting_id, now=now)
            self._attendance.after_check_in(group, meeting_id, status, now=now)
        except KraftError as exc:  # the check-in itself is saved; what could not be queued is logged
            log.warning("check-in news not queued: %s", exc.msg.name)
        return False

    def took_back(self, group: Group, meeting_id: str, was: str | None, *, now: datetime) -> None:
        if was != CANT_COME:
            return  # an anonymous token already counted stays counted: it cannot be told apart to remove
        try:
            self._join.tell_cant_come(group.id, meeting_id, undo=True, now=now)
        except KraftError as exc:
            log.warning("check-in news not queued: %s", exc.msg.name)
