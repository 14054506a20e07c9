"""What a host does in a version 2 group (docs/adr/0006-group-protocol-v2.md): see who is in it and who
asks, admit (after the check code, and in a closed group after the members' yes), name hosts or step back,
set the policy, remove someone, and send homework and schedule changes. Every membership change is checked
by the same rule every app applies before it is sent; a removal, a departure or a host stepping back is
followed by a new epoch, so whoever is out reads nothing sent after.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import protocol as p
from app.errors import KraftError, Msg
from app.services.group_layer.circle import Circle, Circles, Outgoing, host_secret_of, refused
from app.services.linking import homework_words
from app.services.links import Link


@dataclass(frozen=True)
class Person:
    id: str
    name: str  # "" when they told the group no name
    starter: bool
    host: bool
    me: bool


@dataclass(frozen=True)
class Request:
    id: str  # the person's member id to be
    name: str
    check_code: str
    yes: int  # members' signed yes votes so far (closed group)
    needed: int  # yes votes needed (0 when the group is open)


def people(circles: Circles, group_id: str) -> list[Person]:
    """The members, starter and hosts first; anyone in the group may see who is in it."""
    circle = circles.load(group_id)
    state = circle.state
    found = [Person(m.id, circle.name_of(m.id), m.starter, state.is_host(m.id), m.id == circle.me)
             for m in state.members.values()]
    return sorted(found, key=lambda m: (not m.starter, not m.host, m.name.casefold(), m.id))


def _needed(state: p.State) -> int:
    return len(state.members) // 2 + 1 if state.policy.admission == p.CLOSED else 0


def _yes(circle: Circle, request_id: str) -> list[dict[str, Any]]:
    state = circle.state
    votes = circle.secrets.votes.get(request_id, {}).values()
    return [v for v in votes if v.get("yes") is True
            and p.check_vote(state, v, mailbox=circle.link.mailbox, request=request_id)]


def requests(circles: Circles, group_id: str) -> list[Request]:
    """Who asks to join, with the check code to compare in person (hosts only)."""
    circle = circles.hosting(group_id)
    needed = _needed(circle.state)
    return [Request(rid, str(r.get("name", "")), str(r["check"]), len(_yes(circle, rid)), needed)
            for rid, r in sorted(circle.secrets.requests.items(), key=lambda i: str(i[1].get("name", "")))]


def _snapshot_hash(snapshot: dict[str, Any]) -> str:
    return p.b64e(hashlib.sha256(p.canonical(snapshot)).digest())


def welcome_signature(host: bytes, *, mailbox: str, member: str, snapshot: dict[str, Any]) -> str:
    """The steward key's word that this state is the group's as a host let `member` in: the newcomer checks
    it with the steward key of the invite they were given."""
    return p.sign(p.steward_signer(host), p.signing_bytes("v2/welcome", mailbox=mailbox, member=member,
                                                          state=_snapshot_hash(snapshot)))


def check_welcome(steward: str, signature: str, *, mailbox: str, member: str, snapshot: dict[str, Any]) -> bool:
    return p.verify(steward, signature, p.signing_bytes("v2/welcome", mailbox=mailbox, member=member,
                                                        state=_snapshot_hash(snapshot)))


def admit(circles: Circles, group_id: str, request_id: str, *, now: datetime) -> Person:
    """Let a person in: the `admit` entry, then the welcome sealed to them with the group key and the state."""
    circle = circles.hosting(group_id)
    request = circle.secrets.requests.get(request_id)
    if request is None:
        raise KraftError(Msg.REQUEST_NOT_FOUND)
    state = circle.state
    votes = _yes(circle, request_id)
    if len(votes) < _needed(state):
        raise KraftError(Msg.VOTES_MISSING, yes=len(votes), members=len(state.members))
    invite_id = str(request["invite"])
    args = {"member": request["member"], "invite": invite_id, "uses": circle.secrets.invites.get(invite_id, 1),
            "votes": votes if state.policy.admission == p.CLOSED else []}
    new, log = circles.change(circle, "admit", args)
    host = circle.host_secret()
    assert host is not None
    snapshot = new.snapshot()
    names = {**circle.secrets.names, request_id: str(request.get("name", ""))}
    body: dict[str, Any] = {"state": snapshot, "key": p.b64e(circle.group_key()), "epoch": new.epoch,
                            "names": names, "schedule": circles.groups.get(group_id).schedule.to_dict(),
                            "theme": circle.secrets.theme, "guidelines": circle.secrets.guidelines,
                            "steward": welcome_signature(host, mailbox=circle.link.mailbox, member=request_id,
                                                         snapshot=snapshot)}
    welcome = circles.seal_to(circle, str(request["member"]["dh"]), "welcome", body, size=p.LARGE)
    circle.secrets.names = names
    del circle.secrets.requests[request_id]
    circle.secrets.votes.pop(request_id, None)
    circles.write(circle, [log, welcome], now=now)
    return Person(request_id, names[request_id], False, new.is_host(request_id), False)


def admit_all(circles: Circles, group_id: str, *, now: datetime) -> list[Person]:
    """Admit everyone who asks and may come in now (in a closed group, those the members said yes to)."""
    admitted = []
    for request in requests(circles, group_id):
        if request.yes >= request.needed:
            admitted.append(admit(circles, group_id, request.id, now=now))
    return admitted


def put_to_vote(circles: Circles, circle: Circle, request_id: str) -> p.Envelope:
    """Ask the members "Let X join?" (a closed group): each member's app answers with a signed vote."""
    name = str(circle.secrets.requests[request_id].get("name", ""))
    circle.secrets.polls.setdefault(request_id, {"name": name, "voted": False})  # the host is asked too
    return circles.seal(circle, p.CONTENT, "poll", {"request": request_id, "name": name})


def set_host(circles: Circles, group_id: str, member_id: str, *, revoke: bool = False, now: datetime) -> None:
    """Name a host (who gets the hosts' secret), or take it back (with a new epoch, so they lose it)."""
    circle = circles.hosting(group_id)
    if member_id not in circle.state.members:
        raise KraftError(Msg.MEMBER_NOT_FOUND, member_id=member_id)
    items: list[Outgoing] = []
    if revoke and member_id == circle.me:
        # Stepping back: the new epoch first, while still a host, its hosts' secret for the others only.
        _check(circle, "unhost", {"member": member_id})
        items += _new_epoch(circles, circle, without=member_id)
        _new, log = circles.change(circle, "unhost", {"member": member_id})
        items.append(log)
    elif revoke:
        _new, log = circles.change(circle, "unhost", {"member": member_id})
        items += [log, *_new_epoch(circles, circle)]
    else:
        new, log = circles.change(circle, "host", {"member": member_id})
        items.append(log)
        if new.policy.hosting == p.HOSTS_ONLY:
            host = circle.host_secret()
            assert host is not None
            items.append(circles.seal_to(circle, new.members[member_id].dh, "host_key",
                                         {"epoch": new.epoch, "host": p.b64e(host)}))
    circles.write(circle, items, now=now)


def _check(circle: Circle, op: str, args: dict[str, Any]) -> None:
    """Raise the rule's refusal before anything else is made (e.g. the last host stepping back)."""
    reason = p.may(circle.state, circle.me, op, args)
    if reason is not None:
        raise refused(p.ProtocolError("refused", reason))


def step_back(circles: Circles, group_id: str, *, now: datetime) -> None:
    """The starter (or any host) stops hosting; the group goes on with its other hosts."""
    circle = circles.hosting(group_id)
    set_host(circles, group_id, circle.me, revoke=True, now=now)


def set_policy(circles: Circles, group_id: str, *, hosting: str | None = None, admission: str | None = None,
               now: datetime) -> p.Policy:
    """Hosts only or every member hosts; open or closed. Reopening stops the automatic closing."""
    circle = circles.hosting(group_id)
    old = circle.state.policy
    args: dict[str, Any] = {}
    if hosting is not None and hosting != old.hosting:
        args["hosting"] = hosting
    if admission is not None and admission != old.admission:
        args["admission"] = admission
        if admission == p.OPEN:
            args["closes_at"] = 0
    if not args:
        return old
    items: list[Outgoing] = []
    old_host = circle.host_secret()  # the relay knows this steward key; the change below derives another
    if args.get("hosting") == p.HOSTS_ONLY and not circle.state.members[circle.me].host:
        _new, log = circles.change(circle, "host", {"member": circle.me})  # someone must host: this member
        items.append(log)
    new, log = circles.change(circle, "policy", args)
    items.append(log)
    if "hosting" in args:  # who holds H changes: a fresh one (derived again, or random for hosts only)
        items += _new_epoch(circles, circle, old_host=old_host)
    circles.write(circle, items, now=now)
    return new.policy


def close_when_due(circles: Circles, circle: Circle, *, now: datetime) -> list[p.Envelope]:
    """Close the group once its `closes_at`-th meeting has begun (default: the second), by a host's app."""
    state = circle.state
    if not circle.is_host() or state.policy.admission != p.OPEN or state.policy.closes_at <= 0:
        return []
    begun = [m for m in circles.groups.get(circle.group_id).schedule.meetings() if not m.cancelled and m.start <= now]
    if len(begun) < state.policy.closes_at:
        return []
    _new, log = circles.change(circle, "policy", {"admission": p.CLOSED})
    return [log]


def remove(circles: Circles, group_id: str, member_id: str, *, now: datetime) -> int:
    """Take someone out of the group; returns the new epoch, whose keys they do not get."""
    circle = circles.hosting(group_id)
    if member_id not in circle.state.members:
        raise KraftError(Msg.MEMBER_NOT_FOUND, member_id=member_id)
    _new, log = circles.change(circle, "remove", {"member": member_id})
    for ids in circle.secrets.cant_come.values():
        if member_id in ids:
            ids.remove(member_id)
    circles.write(circle, [log, *_new_epoch(circles, circle)], now=now)
    return circle.state.epoch


def new_epoch(circles: Circles, circle: Circle, *, now: datetime) -> None:
    """A new epoch now (a host's app after someone left)."""
    circles.write(circle, _new_epoch(circles, circle), now=now)


def _new_epoch(circles: Circles, circle: Circle, *, without: str = "",
               old_host: bytes | None = None) -> list[Outgoing]:
    """Fresh K and H for everyone still in, wrapped per member (the entry is padded to the large size, so the
    count does not show), and the relay's two keys rotated under the old steward key (`old_host` when the
    policy just changed how H is found, e.g. to "every member hosts", else the current H)."""
    state, mailbox = circle.state, circle.link.mailbox
    old_host = old_host or circle.host_secret()
    assert old_host is not None
    epoch, key = state.epoch + 1, p.new_group_key()
    random_host = p.new_host_secret()
    host = host_secret_of(state, key, p.b64e(random_host))
    assert host is not None
    wrapped_for = state
    if without:  # stepping back: the new hosts' secret is not wrapped for the one who steps back
        wrapped_for = replace(state, members={**state.members, without: replace(state.members[without], host=False)})
    keys = p.wrap_epoch_keys(wrapped_for, mailbox=mailbox, epoch=epoch, group_key=key, host_secret=host)
    _new, log = circles.change(circle, "epoch", {"epoch": epoch, "keys": keys})
    circle.secrets.group_keys[epoch] = p.b64e(key)
    if state.policy.hosting == p.HOSTS_ONLY and not without:
        circle.secrets.host_secrets[epoch] = p.b64e(host)
    member_key, leader_key = p.public_b64(p.post_signer(key)), p.public_b64(p.steward_signer(host))
    body = {"epoch": epoch, "member_key": member_key, "leader_key": leader_key, "version": 2,
            "signature": p.sign(p.steward_signer(old_host), p.signing_bytes(
                "keys", mailbox=mailbox, epoch=epoch, member_key=member_key, leader_key=leader_key, version=2))}
    circle.link = replace(circle.link, epoch=epoch, leader_key=leader_key,
                          schedule_keys={**circle.link.schedule_keys, epoch: p.b64e(p.channel_key(key, p.SCHEDULE))})
    return [log, ("PUT", f"/v1/mailboxes/{mailbox}/keys", body)]


# ---- what hosts send ----


def send_homework(circles: Circles, group_id: str, *, prompt_id: str | None = None, text: str | None = None,
                  now: datetime) -> None:
    """The homework for the next meeting: a library prompt (with its words for apps that lack it) or own words."""
    circle = circles.hosting(group_id)
    words = homework_words(prompt_id, text)
    meeting = circles.groups.get(group_id).schedule.next_meeting(now)
    envelope = circles.seal(circle, p.CONTENT, "homework", {"meeting": meeting.id if meeting else "",
                                                            "prompt_id": prompt_id or "", "text": words})
    circles.write(circle, [envelope], now=now)


def publish_schedule(circles: Circles, group_id: str, *, now: datetime) -> None:
    """Send the group's whole schedule as it is now on this host's device."""
    circle = circles.hosting(group_id)
    envelope = circles.seal(circle, p.SCHEDULE, "schedule",
                            {"schedule": circles.groups.get(group_id).schedule.to_dict()})
    circles.write(circle, [envelope], now=now)


def cant_come(circles: Circles, group_id: str) -> dict[str, list[str]]:
    """Meeting id -> names of those who said they can't come ("" for someone without a name)."""
    circle = circles.load(group_id)
    return {meeting: [circle.name_of(i) for i in ids] for meeting, ids in circle.secrets.cant_come.items() if ids}


def after_fetch(circles: Circles, link: Link, *, now: datetime) -> None:
    """A host's app closes the group once its closing meeting has begun."""
    if not link.state or not circles.links.readable():
        return
    try:
        circle = circles.load(link.group_id)
    except KraftError:
        return
    items = close_when_due(circles, circle, now=now)
    if items:
        circles.write(circle, items, now=now)
