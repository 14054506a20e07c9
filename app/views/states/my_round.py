"""My own round and my crisis plan on screen (issue 18, ADR 0014): private notes in the journal, never sent.
A refused note or plan keeps the reason at the form, and what was typed stays."""

from __future__ import annotations

from dataclasses import dataclass

import flet as ft

from app.errors import KraftError
from app.i18n import _, current
from app.services.my_round import CrisisPlan, RoundNote, short_plan
from app.views.states.session import SessionState


@ft.observable
@dataclass
class MyRoundState:
    session: SessionState
    revision: int = 0
    problem: str = ""  # why the last note or plan was refused, shown at the form

    def notes(self) -> list[RoundNote]:
        _revision = self.revision
        try:
            return self.session.ctx.rounds.notes()
        except KraftError:
            return []

    def readout(self) -> str:
        _revision = self.revision
        try:
            return self.session.ctx.rounds.readout(current())
        except KraftError:
            return ""

    def add(self, score: int, words: str, factors: dict[str, int]) -> bool:
        try:
            self.session.ctx.rounds.add(score, words, factors)
        except KraftError as exc:
            self.problem = str(exc)
            return False
        self.problem = ""
        self.revision += 1
        self.session.notice = _("Noted, only in your journal: {score} of 5.").format(score=score)
        return True

    # ---- the crisis plan ----

    def plan(self) -> CrisisPlan:
        _revision = self.revision
        try:
            return self.session.ctx.plan.get()
        except KraftError:
            return CrisisPlan()

    def short_shown(self) -> bool:
        _revision = self.revision
        return bool(short_plan(self.session.ctx.engine))

    def short(self) -> dict[str, object]:
        """What a locked app shows from "Need help now?" ({} unless the member opted in)."""
        _revision = self.revision
        return short_plan(self.session.ctx.engine)

    def save_plan(self, plan: CrisisPlan) -> bool:
        try:
            self.session.ctx.plan.save(plan)
        except KraftError as exc:
            self.problem = str(exc)
            return False
        self.problem = ""
        self.revision += 1
        self.session.notice = _("Your crisis plan is saved in the encrypted journal.")
        return True

    def show_short_without_unlock(self, on: bool) -> None:
        self.session.ctx.plan.show_short_without_unlock(on)
        self.revision += 1
