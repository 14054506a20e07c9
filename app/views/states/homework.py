"""Homework in front (issue 15): each group's current homework for the home, unlock, journal and group
screens, and "Answer it" (docs/adr/0007-app-layout.md). The homework itself comes from app.services.homework,
which decides what may be shown: its words only while the journal is open."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import flet as ft

from app.errors import KraftError
from app.services import homework
from app.services.context import DamagedRecord
from app.services.homework import CurrentHomework, JournalAccess
from app.views.routes import Route
from app.views.states.groups import GroupsState
from app.views.states.journal import JournalState
from app.views.states.session import SessionState

log = logging.getLogger(__name__)


@ft.observable
@dataclass
class HomeworkState:
    """What the homework cards show and do; it follows the groups' "data changed" signal (a sync, a change)."""

    session: SessionState
    groups: GroupsState
    journal: JournalState

    def current(self, group_id: str | None = None) -> list[CurrentHomework]:
        """The current homework of every group (or of one), never an error on screen: a damaged record or a
        database that cannot be read leaves the cards out, logged."""
        _revision = self.groups.revision  # re-read when the groups' data changed
        try:
            found = homework.current_homework(self.session.ctx, now=datetime.now(UTC))
            if any(item.journal is JournalAccess.OPEN and not item.readable for item in found):
                # arrived while locked, or before this journal existed: read it now, on this device
                homework.open_kept(self.session.ctx, now=datetime.now(UTC))
                found = homework.current_homework(self.session.ctx, now=datetime.now(UTC))
        except (KraftError, DamagedRecord):
            log.warning("the current homework could not be read", exc_info=True)
            return []
        return [item for item in found if group_id is None or item.group_id == group_id]

    def answer(self, item: CurrentHomework) -> None:
        """"Answer it": the editor, with the homework as its prompt (what counts as an answer to it)."""
        try:
            answer = homework.open_answer(self.session.ctx, item.group_id)
        except KraftError as exc:
            self.session.error = str(exc)
            return
        self.journal.open_editor(prompt_id=answer.prompt_id, prompt_text=answer.prompt_text)

    def create_journal(self) -> None:
        """A member without a journal makes one to answer (their groups and check-ins come along)."""
        self.session.router.navigate(Route.SETUP)

    def open_group(self, item: CurrentHomework) -> None:
        self.session.router.navigate(Route.GROUP, id=item.group_id)
