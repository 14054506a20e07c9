"""The group chooses its themes (docs/adr/0014-meeting-and-themes.md): any member proposes a theme for a
coming meeting, members vote, a host sets the meeting's theme, a member says "I'll introduce it". Each is a
content message signed by its author's identity (checked by `receiving` before `apply` sees it), so a vote
counts once per member and nobody can vote in another's place. Screens show counts, never who voted what.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import protocol as p
from app.domain.themes import get_theme, own_words
from app.errors import KraftError, Msg
from app.services.group_layer.circle import Circle, Circles
from app.services.links import Secrets

KINDS = ("theme_propose", "theme_vote", "theme_set", "theme_introduce")
WITHDRAWN = ""  # a theme_vote for no choice takes the author's vote back (a choice id is never empty)
MAX_CHOICES = 20  # proposals kept per poll; more are refused, so a poll stays readable and small
COURSE_END = "course-end"  # the poll "Go on as a group?" (yes / no), after a course's last meeting
GO_ON = ("yes", "no")  # its two choices, the same on every phone: nobody proposes them


@dataclass(frozen=True)
class Choice:
    id: str
    theme: str  # a library id, or ""
    text: str  # the group's own words, or ""
    votes: int
    mine: bool  # this member's vote is on it


@dataclass(frozen=True)
class MeetingTheme:
    meeting: str
    theme: str
    text: str
    by: str  # who introduces it: a member id, or "" (the host or the group)
    offers: tuple[str, ...]  # members who said "I'll introduce it"


def choice_of(theme: str = "", text: str = "") -> dict[str, str]:
    """A proposal's choice: a library theme or the group's own words, checked as every app checks it."""
    if bool(theme) == bool(text):
        raise KraftError(Msg.THEME_CHOICE_MISSING)
    if theme:
        if get_theme(theme) is None:
            raise KraftError(Msg.THEME_UNKNOWN, theme=theme)
        return {"theme": theme}
    return {"text": own_words(text)}


def choice_id(choice: dict[str, str]) -> str:
    """A choice's id: the same words give the same id on every phone, so two proposals of one theme are one.
    Hex, so an id never starts with "-" and `kraft theme vote|set` never reads it as an option."""
    return hashlib.sha256(p.canonical(choice)).hexdigest()[:12]


# ---- what a member does ----

def propose(circles: Circles, group_id: str, poll: str, *, theme: str = "", text: str = "",
            now: datetime) -> str:
    """Propose a theme for the poll `poll` (a meeting id): returns the choice's id."""
    circle = circles.load(group_id)
    if poll != COURSE_END:
        circles.groups.get(group_id).meeting(poll)  # a meeting of this group, or a clear error
    choice = choice_of(theme, text)
    _propose(circle.secrets, poll, choice)
    circles.write(circle, [circles.seal(circle, p.CONTENT, "theme_propose", {"poll": poll, "choice": choice})],
                  now=now)
    return choice_id(choice)


def vote(circles: Circles, group_id: str, poll: str, choice: str, *, now: datetime) -> None:
    """Vote for one choice of `poll`; a later vote replaces this member's earlier one."""
    circle = circles.load(group_id)
    _vote(circle.secrets, circle.state, circle.me, poll, choice)
    circles.write(circle, [circles.seal(circle, p.CONTENT, "theme_vote", {"poll": poll, "choice": choice})],
                  now=now)


def withdraw(circles: Circles, group_id: str, poll: str, *, now: datetime) -> None:
    """Take back this member's vote in `poll` (a vote for no choice: WITHDRAWN); nothing to take back is no
    error, and is sent all the same, so a member's other devices agree."""
    circle = circles.load(group_id)
    _vote(circle.secrets, circle.state, circle.me, poll, WITHDRAWN)
    circles.write(circle, [circles.seal(circle, p.CONTENT, "theme_vote", {"poll": poll, "choice": WITHDRAWN})],
                  now=now)


def set_theme(circles: Circles, group_id: str, meeting: str, *, theme: str = "", text: str = "",
              by: str = "", now: datetime) -> None:
    """A host sets a meeting's theme (from the poll's result or not), and who introduces it."""
    circle = circles.hosting(group_id)
    circles.groups.get(group_id).meeting(meeting)  # a meeting of this group, or a clear error
    body = {"meeting": meeting, **choice_of(theme, text), "by": by}
    _set(circle.secrets, circle.state, body)
    circles.write(circle, [circles.seal(circle, p.CONTENT, "theme_set", body)], now=now)


def introduce(circles: Circles, group_id: str, meeting: str, *, undo: bool = False, now: datetime) -> None:
    """"I'll introduce it" (or take it back) for a meeting's theme."""
    circle = circles.load(group_id)
    circles.groups.get(group_id).meeting(meeting)
    _introduce(circle.secrets, circle.me, meeting, undo)
    circles.write(circle, [circles.seal(circle, p.CONTENT, "theme_introduce", {"meeting": meeting, "undo": undo})],
                  now=now)


# ---- what every member's app reads ----

def results(circles: Circles, group_id: str, poll: str) -> list[Choice]:
    """A poll's choices with their counts, most votes first (ties in the order proposed)."""
    circle = circles.load(group_id)
    return tally(circle.secrets, circle.me, poll)


def tally(secrets: Secrets, me: str, poll: str) -> list[Choice]:
    held = secrets.theme_polls.get(poll, _course_end() if poll == COURSE_END else {"choices": {}, "votes": {}})
    counts: dict[str, int] = {}
    for choice in held["votes"].values():
        counts[choice] = counts.get(choice, 0) + 1
    choices = [Choice(cid, c.get("theme", ""), c.get("text", ""), counts.get(cid, 0), held["votes"].get(me) == cid)
               for cid, c in held["choices"].items()]
    return choices if poll == COURSE_END else sorted(choices, key=lambda c: -c.votes)  # yes, no: in that order


def meeting_theme(secrets: Secrets, meeting: str) -> MeetingTheme | None:
    held = secrets.meeting_themes.get(meeting)
    if not held or not (held.get("theme") or held.get("text")):
        return None
    return MeetingTheme(meeting, held.get("theme", ""), held.get("text", ""), held.get("by", ""),
                        tuple(held.get("offers", [])))


def apply(circle: Circle, state: p.State, kind: str, author: str, body: dict[str, Any], *,
          meetings: set[str]) -> None:
    """One received theme message, verified as the author's already; refused (ProtocolError) when the rules
    say no, so nothing refused is applied. `meetings`: the group's meeting ids, the only polls there are."""
    try:
        where = str(body["poll"] if kind in ("theme_propose", "theme_vote") else body["meeting"])
        if where not in meetings and where != COURSE_END:
            raise KraftError(Msg.MEETING_NOT_FOUND, meeting_id=where[:40])
        if kind == "theme_propose":
            _propose(circle.secrets, str(body["poll"]), choice_of(**_choice_fields(body["choice"])))
        elif kind == "theme_vote":
            _vote(circle.secrets, state, author, str(body["poll"]), str(body["choice"]))
        elif kind == "theme_set":
            if not state.is_host(author):
                raise p.ProtocolError("refused", "not_host")
            _set(circle.secrets, state, {"meeting": str(body["meeting"]), **choice_of(**_choice_fields(body)),
                                         "by": str(body.get("by", ""))})
        elif kind == "theme_introduce":
            _introduce(circle.secrets, author, str(body["meeting"]), bool(body.get("undo")))
    except KraftError as exc:
        raise p.ProtocolError("refused", exc.msg.name.lower()) from exc
    except (KeyError, TypeError, AttributeError) as exc:
        raise p.ProtocolError("malformed", f"a {kind} message without its fields") from exc


def _choice_fields(data: Any) -> dict[str, str]:
    return {"theme": str(data.get("theme") or ""), "text": str(data.get("text") or "")}


def _course_end() -> dict[str, Any]:
    return {"choices": {answer: {"text": answer} for answer in GO_ON}, "votes": {}}


def _propose(secrets: Secrets, poll: str, choice: dict[str, str]) -> None:
    if poll == COURSE_END:  # its choices are yes and no
        raise KraftError(Msg.CHOICE_INVALID, value=(choice.get("theme") or choice.get("text", ""))[:20],
                         choices=", ".join(GO_ON))
    held = secrets.theme_polls.setdefault(poll, {"choices": {}, "votes": {}})
    cid = choice_id(choice)
    if cid not in held["choices"]:
        if len(held["choices"]) >= MAX_CHOICES:
            raise KraftError(Msg.THEME_POLL_FULL, maximum=MAX_CHOICES)
        held["choices"][cid] = choice


def _vote(secrets: Secrets, state: p.State, voter: str, poll: str, choice: str) -> None:
    if voter not in state.members:
        raise KraftError(Msg.NOT_ADMITTED_YET)
    held = secrets.theme_polls.setdefault(poll, _course_end()) if poll == COURSE_END else secrets.theme_polls.get(poll)
    if held is None or (choice not in held["choices"] and choice != WITHDRAWN):
        raise KraftError(Msg.THEME_CHOICE_UNKNOWN)
    if choice == WITHDRAWN:
        held["votes"].pop(voter, None)  # only the author's own: the signature says who that is
    else:
        held["votes"][voter] = choice  # one per member: a later vote replaces the earlier


def _set(secrets: Secrets, state: p.State, body: dict[str, str]) -> None:
    by = body.get("by", "")
    if by and by not in state.members:
        raise KraftError(Msg.MEMBER_NOT_FOUND, member_id=by)
    offers = secrets.meeting_themes.get(body["meeting"], {}).get("offers", [])
    secrets.meeting_themes[body["meeting"]] = {**{k: v for k, v in body.items() if k != "meeting"},
                                               "offers": offers}


def _introduce(secrets: Secrets, member: str, meeting: str, undo: bool) -> None:
    held = secrets.meeting_themes.setdefault(meeting, {"offers": []})
    offers = [m for m in held.get("offers", []) if m != member]
    held["offers"] = offers if undo else [*offers, member]
