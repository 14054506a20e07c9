"""Today's meeting (issue 18, docs/adr/0014-meeting-and-themes.md): the guide for whoever hosts, on one phone,
offline. The plan and the round's timer are pure (app.domain.meeting); this state walks through the parts,
ticks once a second while the round runs, keeps the idle lock from ending a meeting in the middle, and asks the
platform to keep the screen on only while the round runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import flet as ft

from app.domain.meeting import PARTS, Plan, RoundTimer, TimerState, plan
from app.domain.sound import chime_wav
from app.errors import KraftError
from app.i18n import current
from app.services.themes import Guide
from app.views.states.session import SessionState

log = logging.getLogger(__name__)
TICK = 1.0


def now() -> float:
    """The round's clock: monotonic, so a clock set back on the phone does not change anyone's turn."""
    return time.monotonic()


@ft.observable
@dataclass
class MeetingState:
    """The guide being walked through: which part, the group's size, the round's timer."""

    session: SessionState
    group_id: str = ""
    guide: Guide | None = None
    part: int = 0  # index into PARTS
    size: int = 0
    timer: RoundTimer | None = None
    second: int = 0  # re-render once a second while the round runs
    chime: bool = False  # a sound when a share is over: only if the host chose it
    _task: Any = field(default=None, repr=False)
    _wakelock: Any = field(default=None, repr=False)
    _awake: bool = field(default=False, repr=False)
    _audio: Any = field(default=None, repr=False)
    _chimed: int | None = field(default=None, repr=False)  # the person whose share's end was chimed

    def open(self, group_id: str) -> None:
        """Start the guide of the group's next meeting (a new walk through, the round not started)."""
        self.stop()
        self.group_id, self.part, self.timer, self._chimed = group_id, 0, None, None
        try:
            self.guide = self.session.ctx.themes.guide(group_id, current(), now=datetime.now(UTC))
        except KraftError as exc:
            self.guide, self.session.error = None, str(exc)
            return
        self.size = self.guide.plan.size

    @property
    def plan(self) -> Plan:
        """Today's plan for the people who came (the guide's, for another size)."""
        assert self.guide is not None
        return plan(self.size, int((self.guide.meeting.end - self.guide.meeting.start).total_seconds() // 60))

    @property
    def part_name(self) -> str:
        return PARTS[self.part]

    def go_to(self, index: int) -> None:
        if 0 <= index < len(PARTS):
            if PARTS[self.part] == "round" and index != self.part:
                self.pause()
            self.part = index

    def change_size(self, delta: int) -> None:
        """Who came today: the shares follow at once (only before the round starts)."""
        if self.timer is None:
            self.size = max(2, min(40, self.size + delta))

    def round_state(self) -> TimerState | None:
        _second = self.second  # re-read as the clock ticks
        return self.timer.state() if self.timer is not None else None

    async def start(self) -> None:
        """Start (or resume) the round; the screen stays on while it runs."""
        if self.timer is None:
            self.timer = RoundTimer(size=self.size, share_seconds=self.plan.share_seconds, clock=lambda: now())
        if self.timer.state().done:
            return
        self.timer.start()
        self.second += 1
        self._keep_awake(True)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def pause(self) -> None:
        if self.timer is not None:
            self.timer.pause()
            self.second += 1
        self._keep_awake(False)

    def next_person(self, *, passed: bool = False) -> None:
        if self.timer is None or self.timer.state().done:
            return
        (self.timer.pass_turn if passed else self.timer.next_turn)()
        self.second += 1
        if self.timer.state().done:
            self._keep_awake(False)

    def stop(self) -> None:
        """Leave the guide: the round stops, the screen may sleep again."""
        if self.timer is not None:
            self.timer.pause()
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._keep_awake(False)

    def set_chime(self, on: bool) -> None:
        """The host's choice: a soft sound when a share is over (off unless chosen). A share already over
        when it is turned on is not chimed late: `_run` marks every share's end, chosen or not."""
        self.chime = on

    async def _run(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            while self.timer is not None and self.timer.state().running and self.session.unlocked:
                await asyncio.sleep(TICK)
                self.session.touch()  # a meeting is not idleness: the lock waits
                self.second += 1
                shown = self.timer.state() if self.timer is not None else None
                if shown is not None and shown.over and not shown.done and self._chimed != shown.person:
                    self._chimed = shown.person  # once a share, chosen or not: turning it on later is no alarm
                    if self.chime:
                        self._play_chime()

    def _play_chime(self) -> None:
        """Play the chime (fire and forget, like the wakelock: no audio on the platform leaves the round as is)."""
        try:
            if self._audio is None:
                import flet_audio

                self._audio = flet_audio.Audio(src=chime_wav(), volume=0.6)
            task = asyncio.get_running_loop().create_task(asyncio.wait_for(self._audio.play(), 2))
            task.add_done_callback(lambda t: t.cancelled() or t.exception())
        except (RuntimeError, AttributeError, ImportError):  # no loop or page, or a build without the extension
            log.info("the chime could not be played here")

    def _keep_awake(self, on: bool) -> None:
        """Ask the platform to keep the screen on (fire and forget: a client that does not answer, or has no
        wakelock, leaves the meeting running all the same)."""
        if on == self._awake:
            return
        self._awake = on
        try:
            if self._wakelock is None:
                self._wakelock = ft.Wakelock()
            call = self._wakelock.enable() if on else self._wakelock.disable()
            task = asyncio.get_running_loop().create_task(asyncio.wait_for(call, 2))
            task.add_done_callback(lambda t: t.cancelled() or t.exception())
        except (RuntimeError, AttributeError):  # no running loop or no page (tests of the state alone)
            log.debug("no wakelock here")
