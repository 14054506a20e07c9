"""The group chooses its themes, on the group screen (issue 18, docs/adr/0014-meeting-and-themes.md): the next
meeting's proposals with their counts (never who voted what), proposing, voting, "I'll introduce it", and a
host setting the theme. Each done action is sent at once; a refused one keeps its reason at its control."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import flet as ft

from app.domain.schedule import Meeting
from app.errors import KraftError, Msg
from app.i18n import _, current
from app.services.course import CourseEnd
from app.services.group_layer.choosing import Choice
from app.services.groups import Group
from app.services.interest import MyRequest
from app.services.themes import ThemeService, theme_words
from app.views.states.acting import act
from app.views.states.groups import GroupsState
from app.views.states.hosting import HostingState
from app.views.states.interest import attempt, can_tell, interest_service
from app.views.states.session import SessionState
from protocol import LEAD


@ft.observable
@dataclass
class ChoosingState:
    session: SessionState
    groups: GroupsState
    hosting: HostingState
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def _themes(self) -> ThemeService:
        return self.session.ctx.themes

    def meeting(self, group: Group) -> Meeting | None:
        """The meeting the group is choosing for: the next one."""
        return group.schedule.next_meeting(datetime.now(UTC))

    def poll(self, group: Group, meeting: Meeting) -> tuple[list[Choice], str, str]:
        """The meeting's choices with their counts, the theme a host set and who introduces it (empty when
        none or unreadable); re-read when a sync brought votes."""
        _revision = self.groups.revision
        try:
            return self._themes.poll(group.id, meeting.id, current())
        except KraftError:
            return [], "", ""

    def words(self, choice: Choice) -> str:
        return theme_words(choice.theme, choice.text, current())

    def problem(self, group: Group, control: str) -> str:
        return self.problems.get(f"{group.id}:{control}", "")

    async def propose(self, group: Group, meeting: Meeting, *, theme: str = "", text: str = "") -> bool:
        return await self._act(group, "propose", lambda now: self._themes.propose(
            group.id, meeting.id, theme=theme, text=text.strip(), now=now),
            _("Your proposal is on its way to the group."))

    async def vote(self, group: Group, meeting: Meeting, choice: Choice) -> bool:
        return await self._act(group, "vote", lambda now: self._themes.vote(group.id, meeting.id, choice.id, now=now),
                               _("Your vote is sent. You can change it by voting again."))

    async def withdraw(self, group: Group, meeting: Meeting) -> bool:
        return await self._act(group, "vote", lambda now: self._themes.withdraw(group.id, meeting.id, now=now),
                               _("Your vote is taken back."))

    async def set_theme(self, group: Group, meeting: Meeting, choice: Choice) -> bool:
        return await self._act(group, "set", lambda now: self._themes.set_theme(
            group.id, meeting.id, theme=choice.theme, text=choice.text, now=now),
            _("The theme is set and sent to the group."))

    async def introduce(self, group: Group, meeting: Meeting, *, undo: bool = False) -> bool:
        return await self._act(group, "introduce", lambda now: self._themes.introduce(
            group.id, meeting.id, undo=undo, now=now),
            _("The group is told you will introduce the theme.") if not undo else _("Taken back."))

    # ---- the end of a course (issue 18 point 6) ----

    def course_end(self, group: Group) -> CourseEnd | None:
        """The course's end once its last meeting has begun (None before, or when it cannot be read)."""
        _revision = self.groups.revision
        try:
            return self.session.ctx.course.end(group.id, now=datetime.now(UTC))
        except KraftError:
            return None

    async def go_on(self, group: Group, answer: str) -> bool:
        return await self._act(group, "go-on", lambda now: self.session.ctx.course.go_on(group.id, answer, now=now),
                               _("Your answer is sent. You can change it by answering again."))

    def lead(self) -> str:
        _revision = self.groups.revision
        try:
            return self.session.ctx.course.lead()
        except KraftError:
            return ""

    def would_lead(self, group: Group, answer: str) -> None:
        key = f"{group.id}:lead"
        try:
            self.session.ctx.course.would_lead(answer)
        except KraftError as exc:
            self.problems = {**self.problems, key: str(exc)}
            return
        self.problems = {k: v for k, v in self.problems.items() if k != key}
        self.groups.changed()
        self.session.notice = _("Kept in your journal. Nothing is sent.")

    # ---- "Tell the coordinator" (issue 19 point 4) ----

    def can_tell(self) -> bool:
        """Whether a yes or maybe can go to the region's coordinator: the profile names the region's key."""
        return can_tell(self.session)

    def told(self) -> MyRequest | None:
        """What this device last told the coordinator about leading a group, if it did."""
        _revision = self.groups.revision
        try:
            return next((r for r in interest_service(self.session).mine() if r.kind == LEAD), None)
        except KraftError:
            return None

    async def tell_coordinator(self, group: Group, answer: str, contact: str) -> bool:
        """The answer, with the contact the member chose to give (none: only the answer), sealed to the
        region's coordinator; a later one replaces it. A contact that is no phone number or e-mail address is
        said at its field, any other refusal below the button."""
        key = f"{group.id}:lead-tell"
        service = interest_service(self.session)
        result = await attempt(self.session, _("Sending, sealed to your region's coordinator…"),
                               lambda: service.would_lead(answer, contact=contact, now=datetime.now(UTC)),
                               at="course-lead-tell")
        if isinstance(result, KraftError) and result.msg is Msg.CONTACT_INVALID:
            self.session.fail({"course-lead-contact": str(result)})
            return False
        if isinstance(result, KraftError):
            self.problems = {**self.problems, key: str(result)}
            return False
        if result is None:
            return False
        self.problems = {k: v for k, v in self.problems.items() if k != key}
        self.groups.changed()
        self.session.notice = _("Your answer went, sealed, to your region's coordinator.")
        return True

    async def _act(self, group: Group, control: str, work: Callable[[datetime], object], notice: str) -> bool:
        return await act(self, group, control, work, notice)
