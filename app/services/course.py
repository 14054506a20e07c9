"""The end of a course (issue 18 point 6, docs/adr/0014-meeting-and-themes.md): once a course's last meeting
has begun, the member can write a reflection on the course (a journal entry answering the prompt `course`),
answer the group's poll "Go on as a group?" (yes or no, one vote per member, counts only) and say, privately,
whether they would lead a group one day.

That last answer stays in the journal, sealed like every entry: nothing here sends it. The region's work
(issue 19) may carry it to the coordinator, only if the member chooses to and only without their name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.domain.journal import utcnow
from app.domain.prompts import COURSE_PROMPT
from app.domain.schedule import Meeting
from app.errors import KraftError, Msg
from app.services.group_layer import choosing
from app.services.group_layer.circle import Circles
from app.services.journal import Journal
from app.storage import records
from app.storage.vault import Vault

LEAD_ANSWERS = ("yes", "maybe", "no")


@dataclass(frozen=True)
class CourseEnd:
    group_id: str
    first: Meeting
    last: Meeting
    go_on: dict[str, int]  # "yes"/"no" -> votes; {} when the group has no poll (version 1, not admitted)
    mine: str  # this member's answer to "Go on as a group?", or ""
    reflections: int  # answers to the course prompt written since the course began


class CourseService:
    def __init__(self, circles: Circles, journal: Callable[[], Journal], *,
                 now: Callable[[], datetime] = utcnow) -> None:
        self._circles, self._journal, self._now = circles, journal, now

    def end(self, group_id: str, *, now: datetime) -> CourseEnd | None:
        """The group's course end once its last meeting has begun; None before then or for an open group."""
        schedule = self._circles.groups.get(group_id).schedule
        last = schedule.last_meeting(now)
        if last is None:
            return None
        first = next(m for m in schedule.meetings() if not m.cancelled)
        go_on, mine = self._poll(group_id)
        written = sum(1 for e in self._journal().answers_to(COURSE_PROMPT.id) if e.created >= first.start)
        return CourseEnd(group_id, first, last, go_on, mine, written)

    def _poll(self, group_id: str) -> tuple[dict[str, int], str]:
        if not self._circles.is_v2(group_id):
            return {}, ""
        try:
            circle = self._circles.load(group_id)
        except KraftError:
            return {}, ""
        if circle.me not in circle.state.members:
            return {}, ""
        choices = choosing.tally(circle.secrets, circle.me, choosing.COURSE_END)
        return {c.id: c.votes for c in choices}, next((c.id for c in choices if c.mine), "")

    def go_on(self, group_id: str, answer: str, *, now: datetime) -> None:
        """Answer "Go on as a group?" (yes or no) after the course's last meeting; a later answer replaces it."""
        if answer not in choosing.GO_ON:
            raise KraftError(Msg.CHOICE_INVALID, value=answer[:20], choices=", ".join(choosing.GO_ON))
        if self._circles.groups.get(group_id).schedule.last_meeting(now) is None:
            raise KraftError(Msg.COURSE_NOT_OVER)
        choosing.vote(self._circles, group_id, choosing.COURSE_END, answer, now=now)

    def would_lead(self, answer: str) -> None:
        """"Would you lead a group one day?" (yes, maybe, no), kept sealed in the journal, never sent from here;
        "" takes the answer back."""
        if answer and answer not in LEAD_ANSWERS:
            raise KraftError(Msg.CHOICE_INVALID, value=answer[:20], choices=", ".join(LEAD_ANSWERS))
        vault = self._vault()
        if not answer:
            vault.delete(records.LEAD.only_id)
            return
        vault.put(records.LEAD.name, records.LEAD.pack({"answer": answer, "at": self._now()}), records.LEAD.only_id)

    def lead(self) -> str:
        """The member's answer to "Would you lead a group one day?", or ""."""
        payload = self._vault().get(records.LEAD.name, records.LEAD.only_id)
        if payload is None:
            return ""
        answer = str(records.LEAD.unpack(records.LEAD.only_id, payload).get("answer", ""))
        return answer if answer in LEAD_ANSWERS else ""

    def _vault(self) -> Vault:
        self._journal()  # a clear error when there is no open journal
        vault = self._circles.vault
        if vault is None:
            raise KraftError(Msg.NO_VAULT)
        return vault
