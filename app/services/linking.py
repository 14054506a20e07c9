"""What leading and joining share (versions 1 and 2): the group's id on devices, invites, join codes, the
preview of an invite before joining, and the limits on what people type."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import protocol as p
from app.domain.schedule import Schedule

INVITE_DAYS = 7
MAX_INVITE_DAYS = 30
MAX_GUIDELINES = 2000
MAX_NAME = 40


@dataclass(frozen=True)
class Invite:
    token: str
    link: str
    expires_on: date


@dataclass(frozen=True)
class JoinCode:
    code: str  # ABCDE-FGHJK, to read out or write on the board
    expires_on: date
    queued: bool  # True until the relay has it


@dataclass(frozen=True)
class Member:
    id: str
    name: str


def local_group_id(group_id: str) -> str:
    """The group's id on every device in it: the protocol's random group id as 32 hex digits."""
    return p.b64d(group_id, length=p.GROUP_ID_BYTES).hex()


def protocol_group_id(local_id: str) -> str:
    return p.b64e(bytes.fromhex(local_id))


@dataclass(frozen=True)
class InvitePreview:
    """What the member sees before joining: checked, not yet stored."""

    token: str
    label: str
    schedule: Schedule
    theme: str
    guidelines: str  # "" = the app's own guidelines apply
    relay: str
    expires_on: date
    invite: dict[str, object]


