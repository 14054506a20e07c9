"""What every member does in a version 2 group (docs/adr/0006-group-protocol-v2.md): say "I can't come",
answer a poll about a newcomer, tell the group their name, write to the starter, and leave. Each message is
signed by the member's own identity inside the ciphertext, so nobody can say it in their place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import protocol as p
from app.errors import KraftError, Msg
from app.services.group_layer.circle import Circles
from app.services.linking import member_name

MAX_CONTACT = 2000


@dataclass(frozen=True)
class Poll:
    request: str  # the newcomer's member id to be
    name: str
    voted: bool


def cant_come(circles: Circles, group_id: str, meeting_id: str, *, undo: bool = False, now: datetime) -> bool:
    """Tell the hosts "I can't come" to one meeting (bound to its start, so a moved meeting asks again), or
    take it back. False when there is no relay to send it through."""
    circle = circles.load(group_id)
    meeting = circles.groups.get(group_id).meeting(meeting_id)
    if not circle.link.relay:
        return False
    envelope = circles.seal(circle, p.CONTENT, "cant_come",
                            {"meeting": meeting.id, "start": meeting.start.isoformat(), "undo": undo})
    circles.write(circle, [envelope], now=now)
    return True


def polls(circles: Circles, group_id: str) -> list[Poll]:
    """Newcomers the members are asked about (a closed group)."""
    circle = circles.load(group_id)
    return [Poll(rid, str(poll.get("name", "")), bool(poll.get("voted"))) for rid, poll in circle.secrets.polls.items()]


def policy(circles: Circles, group_id: str) -> p.Policy:
    """Who hosts and who is admitted, as every member's app reads it from the log."""
    return circles.load(group_id).state.policy


def contacts(circles: Circles, group_id: str) -> list[tuple[str, str]]:
    """The starter's messages written to them with "contact the starter": (the writer's name, the text)."""
    circle = circles.load(group_id)
    return [(circle.name_of(c.get("from", "")), str(c.get("text", ""))) for c in circle.secrets.contacts]


def vote(circles: Circles, group_id: str, request_id: str, *, yes: bool, now: datetime) -> None:
    """Answer "Let X join?": a vote signed by this member, which a host puts in the `admit` entry."""
    circle = circles.load(group_id)
    if request_id not in circle.secrets.polls:
        raise KraftError(Msg.REQUEST_NOT_FOUND)
    signed = p.sign_vote(circle.identity, mailbox=circle.link.mailbox, request=request_id, yes=yes)
    envelope = circles.seal(circle, p.CONTENT, "vote", {"vote": signed})
    circle.secrets.polls[request_id] = {**circle.secrets.polls[request_id], "voted": True}
    circle.secrets.votes.setdefault(request_id, {})[circle.me] = signed  # a host counts its own at once
    circles.write(circle, [envelope], now=now)


def tell_name(circles: Circles, group_id: str, name: str, *, now: datetime) -> None:
    """How the others see this member ("" to be shown as "a member")."""
    name = member_name(name)
    circle = circles.load(group_id)
    circle.secrets.name = name
    circle.secrets.names[circle.me] = name
    circles.write(circle, [circles.seal(circle, p.CONTENT, "name", {"name": name})], now=now)


def contact_starter(circles: Circles, group_id: str, text: str, *, now: datetime) -> None:
    """A message only the starter reads (sealed to the starter's key), also after they stepped back."""
    text = text.strip()
    if not text:
        raise KraftError(Msg.CONTACT_EMPTY)
    if len(text) > MAX_CONTACT:
        raise KraftError(Msg.CONTACT_TOO_LONG, maximum=MAX_CONTACT)
    circle = circles.load(group_id)
    starter = next((m for m in circle.state.members.values() if m.starter), None)
    if starter is None:
        raise KraftError(Msg.STARTER_GONE)
    envelope = circles.seal_to(circle, starter.dh, "contact", {"text": text})
    circles.write(circle, [envelope], now=now)


def leave(circles: Circles, group_id: str, *, now: datetime) -> None:
    """Leave the group: the others are told (a `leave` entry) and a host's app starts a new epoch. The last
    host of a "hosts only" group is asked to name another first."""
    circle = circles.load(group_id)
    _new, log = circles.change(circle, "leave", {})
    circles.write(circle, [log], now=now)


def has_left(circles: Circles, group_id: str) -> bool:
    """True once this member left or was removed: nothing new reaches them."""
    circle = circles.load(group_id)
    return circle.admitted and circle.me in circle.state.gone
