"""What leading and joining share (versions 1 and 2): the group's id on devices, invites, join codes, the
preview of an invite before joining, and the limits on what people type."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import protocol as p
from app.domain.prompts import get_prompt
from app.domain.schedule import Schedule
from app.errors import KraftError, Msg
from app.services.groups import MAX_HOMEWORK
from app.services.relay_client import check_relay_url

INVITE_DAYS = 7
MAX_INVITE_DAYS = 30
MAX_GUIDELINES = 2000
MAX_NAME = 40


@dataclass(frozen=True)
class Invite:
    token: str
    link: str  # the long link: the whole signed invite, works without the relay
    expires_on: date
    short: str = ""  # the short link (relay address and secret), once the relay is to keep the sealed invite

    @property
    def shown(self) -> str:
        """What the QR code, "Copy link" and sharing carry: the short link where there is one."""
        return self.short or self.link


def invite_from_route(fragment: str, *, origin: str, relay: str) -> str:
    """What the route "/join#X" the app was opened with hands the join screen. A long link's token as it is;
    a short link's secret alone names no relay, so it gets the link's own address (`origin`, when the route
    had one), else the region's relay."""
    fragment, base = fragment.strip(), origin or relay
    if base and p.short_link_parts(p.short_invite_link(fragment, base)) is not None:
        return p.short_invite_link(fragment, base)
    return fragment


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




def homework_words(prompt_id: str | None, text: str | None) -> str:
    """The words of the homework to send: a library prompt's (a fallback for apps that lack it) or the host's
    own, with whitespace tidied. KraftError when neither or both are given, the prompt is unknown, or it is
    too long. Example: `homework_words("strengths", None)`."""
    words = " ".join((text or "").split())
    if bool(prompt_id) == bool(words):
        raise KraftError(Msg.HOMEWORK_MISSING)
    if prompt_id:
        prompt = get_prompt(prompt_id)
        if prompt is None:
            raise KraftError(Msg.UNKNOWN_PROMPT, prompt_id=prompt_id)
        words = prompt.text
    if len(words) > MAX_HOMEWORK:
        raise KraftError(Msg.HOMEWORK_TOO_LONG, maximum=MAX_HOMEWORK)
    return words


def new_group_settings(relay: str, enrolment: str, guidelines: str) -> tuple[str, str]:
    """A new group's relay address and guidelines, checked: a relay needs the coordinator's enrolment code.
    Returns (relay, guidelines). Example: `relay, guidelines = new_group_settings(url, code, text)`."""
    relay = check_relay_url(relay)
    if relay and not enrolment.strip():
        raise KraftError(Msg.RELAY_ENROLMENT_MISSING)
    guidelines = guidelines.strip()
    if len(guidelines) > MAX_GUIDELINES:
        raise KraftError(Msg.HOMEWORK_TOO_LONG, maximum=MAX_GUIDELINES)
    return relay, guidelines


def member_name(name: str) -> str:
    """How a member is shown to the group, whitespace tidied; KraftError when too long."""
    name = " ".join(name.split())
    if len(name) > MAX_NAME:
        raise KraftError(Msg.NAME_TOO_LONG, maximum=MAX_NAME)
    return name
