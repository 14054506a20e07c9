"""The group's themes and today's meeting, for the screens and the CLI (docs/adr/0014-meeting-and-themes.md).

A facade over `group_layer.choosing` with the member's names filled in, and the meeting guide: the plan of
the next (or a named) meeting from the group's size and the meeting's length, its guidelines, its theme and who
introduces it. Everything here needs the open journal: themes live with the group's sealed secrets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.meeting import Plan, plan
from app.domain.schedule import Meeting
from app.domain.themes import Theme, get_theme, library
from app.errors import KraftError, Msg
from app.i18n import Language
from app.services.group_layer import choosing
from app.services.group_layer.circle import Circles

DEFAULT_SIZE = 6  # a group is 5-8 people: the guide's size when the app cannot know it (no relay)


@dataclass(frozen=True)
class Guide:
    group_name: str
    meeting: Meeting
    plan: Plan
    guidelines: str  # "" = the app's own guidelines
    theme: str  # in the member's language, or ""
    introduced_by: str  # a name, "" for the host or the group


class ThemeService:
    def __init__(self, circles: Circles) -> None:
        self._circles = circles

    @staticmethod
    def library() -> tuple[Theme, ...]:
        return library()

    def propose(self, group_id: str, poll: str, *, theme: str = "", text: str = "", now: datetime) -> str:
        return choosing.propose(self._circles, group_id, poll, theme=theme, text=text, now=now)

    def vote(self, group_id: str, poll: str, choice: str, *, now: datetime) -> None:
        choosing.vote(self._circles, group_id, poll, _full_choice(self.results(group_id, poll), choice), now=now)

    def withdraw(self, group_id: str, poll: str, *, now: datetime) -> None:
        """Take back this member's vote in `poll`."""
        choosing.withdraw(self._circles, group_id, poll, now=now)

    def results(self, group_id: str, poll: str) -> list[choosing.Choice]:
        return choosing.results(self._circles, group_id, poll)

    def polls(self, group_id: str) -> dict[str, list[choosing.Choice]]:
        """Every poll of the group with its choices, by meeting id."""
        circle = self._circles.load(group_id)
        return {poll: choosing.tally(circle.secrets, circle.me, poll) for poll in circle.secrets.theme_polls}

    def set_theme(self, group_id: str, meeting: str, *, theme: str = "", text: str = "", by: str = "",
                  now: datetime) -> None:
        choosing.set_theme(self._circles, group_id, meeting, theme=theme, text=text, by=by, now=now)

    def introduce(self, group_id: str, meeting: str, *, undo: bool = False, now: datetime) -> None:
        choosing.introduce(self._circles, group_id, meeting, undo=undo, now=now)

    def poll(self, group_id: str, meeting: str, lang: Language) -> tuple[list[choosing.Choice], str, str]:
        """What the group screen shows of one meeting: its choices with counts, the theme set and who
        introduces it; the group's secrets opened once."""
        circle = self._circles.load(group_id)
        got = choosing.meeting_theme(circle.secrets, meeting)
        theme, by = ("", "") if got is None else (theme_words(got.theme, got.text, lang),
                                                  circle.name_of(got.by) if got.by else "")
        return choosing.tally(circle.secrets, circle.me, meeting), theme, by

    def meeting_theme(self, group_id: str, meeting: str, lang: Language) -> tuple[str, str]:
        """The theme a host set for `meeting` in `lang` and who introduces it (a name): ("", "") if none."""
        if not self._circles.is_v2(group_id):
            return "", ""
        circle = self._circles.load(group_id)
        got = choosing.meeting_theme(circle.secrets, meeting)
        if got is None:
            return "", ""
        return theme_words(got.theme, got.text, lang), (circle.name_of(got.by) if got.by else "")

    def guide(self, group_id: str, lang: Language, *, now: datetime, meeting_id: str = "",
              size: int | None = None) -> Guide:
        """Today's meeting: the next meeting (or `meeting_id`), planned for the group's size (the members the
        log holds; `size` when given or when the app cannot know) and the meeting's length."""
        group = self._circles.groups.get(group_id)
        meeting = group.meeting(meeting_id) if meeting_id else group.schedule.next_meeting(now)
        if meeting is None:
            raise KraftError(Msg.NO_NEXT_MEETING)
        guidelines, theme, by, members = "", "", "", 0
        if self._circles.is_v2(group_id):
            circle = self._circles.load(group_id)
            members, guidelines = len(circle.state.members), circle.secrets.guidelines
            theme, by = self.meeting_theme(group_id, meeting.id, lang)
        minutes = int((meeting.end - meeting.start).total_seconds() // 60)
        return Guide(group.label, meeting, plan(size or members or DEFAULT_SIZE, minutes), guidelines, theme, by)


def theme_words(theme: str, text: str, lang: Language) -> str:
    found = get_theme(theme) if theme else None
    return found.label(lang) if found is not None else (text or theme)


def _full_choice(choices: list[choosing.Choice], given: str) -> str:
    """A choice named by its id, the start of it, or its library theme id."""
    found = [c.id for c in choices if c.id == given or c.theme == given or (len(given) >= 4 and c.id.startswith(given))]
    if len(set(found)) != 1:
        raise KraftError(Msg.THEME_CHOICE_UNKNOWN)
    return found[0]
