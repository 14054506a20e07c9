"""Today's meeting (ADR 0014): the parts of a Balansmodellen meeting and the round's equal shares, as pure
arithmetic, and the round's timer as a state machine over an injected clock, so the screen only draws them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app.errors import KraftError, Msg

PARTS = ("opening", "round", "theme", "reflection", "closing")
MIN_SIZE, MAX_SIZE = 2, 40  # a group is 5-8 people; with a starter and guests 3-12; 40 as the protocol's cap
SHARE_STEP = 15  # a share is whole 15 seconds: "3 min 15 s" reads calmly


@dataclass(frozen=True)
class Part:
    name: str
    seconds: int


@dataclass(frozen=True)
class Plan:
    size: int
    parts: tuple[Part, ...]
    share_seconds: int  # each person's share of the round

    def part(self, name: str) -> Part:
        return next(p for p in self.parts if p.name == name)


def _split(seconds: int) -> dict[str, int]:
    """The parts of a meeting of 60-120 minutes: 5 min opening and closing, reflection 15 % (at least 10 min),
    the round 40 % of what is left, the theme the rest; whole minutes, as a host reads a clock."""
    reflection = max(600, seconds * 15 // 100 // 60 * 60)
    rest = seconds - 600 - reflection
    round_ = rest * 40 // 100 // 60 * 60
    return {"opening": 300, "round": round_, "theme": rest - round_, "reflection": reflection, "closing": 300}


def plan(size: int, minutes: int) -> Plan:
    """The meeting's parts for `size` people and a meeting of `minutes`. A length outside 60-120 minutes is
    split as the nearest of the two and scaled to fill it: the plan suggests, the host decides."""
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise KraftError(Msg.MEETING_SIZE_INVALID, minimum=MIN_SIZE, maximum=MAX_SIZE)
    total = max(1, int(minutes)) * 60
    basis = min(max(total, 3600), 7200)
    split = {name: secs * total // basis for name, secs in _split(basis).items()}
    split["theme"] += total - sum(split.values())  # what the scaling rounded away goes to the theme
    share = split["round"] // size // SHARE_STEP * SHARE_STEP
    return Plan(size=size, parts=tuple(Part(n, split[n]) for n in PARTS), share_seconds=share)


@dataclass(frozen=True)
class TimerState:
    person: int  # whose turn, from 0
    seconds_left: int
    over: bool  # this person's share is used up (shown calmly; they may finish their sentence)
    running: bool
    done: bool  # everyone has had their turn


@dataclass
class RoundTimer:
    """The round: each person in turn, undisturbed, with an equal share; anyone may pass. A pause stops the
    clock for everyone; passing moves on without handing the time to anyone."""

    size: int
    share_seconds: int
    clock: Callable[[], float] = time.monotonic
    person: int = 0
    passed: tuple[int, ...] = ()
    _used: float = 0.0
    _since: float | None = None
    _done: bool = field(default=False)

    def start(self) -> None:
        if self._since is None and not self._done:
            self._since = self.clock()

    resume = start

    def pause(self) -> None:
        if self._since is not None:
            self._used += self.clock() - self._since
            self._since = None

    def _elapsed(self) -> float:
        return self._used + (self.clock() - self._since if self._since is not None else 0.0)

    def next_turn(self) -> None:
        if self._done:
            raise KraftError(Msg.ROUND_ENDED)
        running = self._since is not None
        self._used, self._since = 0.0, None
        if self.person + 1 >= self.size:
            self._done = True
            return
        self.person += 1
        if running:
            self.start()

    def pass_turn(self) -> None:
        if not self._done:
            self.passed = (*self.passed, self.person)
        self.next_turn()

    def state(self) -> TimerState:
        left = max(0, int(self.share_seconds - self._elapsed() + 0.999))
        return TimerState(person=self.person, seconds_left=0 if self._done else left,
                          over=not self._done and self._elapsed() >= self.share_seconds,
                          running=self._since is not None, done=self._done)
