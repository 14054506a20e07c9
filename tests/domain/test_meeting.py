"""Today's meeting: the parts of a meeting and the round's equal shares (ADR 0014), and the round's timer."""

from __future__ import annotations

import pytest

from app.domain.meeting import PARTS, RoundTimer, plan
from app.errors import KraftError, Msg


@pytest.mark.parametrize("size", range(3, 13))
@pytest.mark.parametrize("minutes", [60, 75, 90, 105, 120])
def test_the_round_is_shared_equally_and_the_parts_fill_the_meeting(size: int, minutes: int) -> None:
    p = plan(size, minutes)
    assert [part.name for part in p.parts] == list(PARTS)
    assert sum(part.seconds for part in p.parts) == minutes * 60
    round_part = p.part("round")
    assert p.share_seconds * size <= round_part.seconds
    assert round_part.seconds - p.share_seconds * size < 15 * size  # nothing but the rounding is left over
    assert p.share_seconds % 15 == 0
    assert p.share_seconds >= 60  # a minute each at the least, even 12 people in an hour
    assert p.part("reflection").seconds >= 10 * 60
    assert p.part("theme").seconds >= p.part("round").seconds * 0.9  # the theme is the meeting's heart


def test_a_bigger_group_gets_shorter_shares_and_a_longer_meeting_longer_ones() -> None:
    assert plan(4, 90).share_seconds > plan(8, 90).share_seconds
    assert plan(6, 120).share_seconds > plan(6, 60).share_seconds
    assert plan(5, 60).share_seconds == 180  # 60 min: 5 open, 10 reflect, 5 close; round 40 % of 40 = 16 min


@pytest.mark.parametrize("minutes", [15, 45, 150, 480])
def test_a_meeting_outside_one_to_two_hours_is_split_as_its_nearest_length_and_still_fills_it(minutes: int) -> None:
    p = plan(6, minutes)
    assert sum(part.seconds for part in p.parts) == minutes * 60
    assert p.share_seconds * 6 <= p.part("round").seconds


@pytest.mark.parametrize("size", [0, 1, 41, -3])
def test_a_group_size_that_cannot_be_is_refused_in_words(size: int) -> None:
    with pytest.raises(KraftError) as err:
        plan(size, 90)
    assert err.value.msg is Msg.MEETING_SIZE_INVALID


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_the_timer_counts_down_pauses_and_moves_on() -> None:
    clock = Clock()
    timer = RoundTimer(size=3, share_seconds=120, clock=clock)
    assert timer.state().running is False
    timer.start()
    clock.t += 30
    s = timer.state()
    assert (s.person, s.seconds_left, s.over) == (0, 90, False)
    timer.pause()
    clock.t += 600  # a pause does not eat anyone's time
    assert timer.state().seconds_left == 90
    timer.resume()
    clock.t += 100
    s = timer.state()
    assert s.over is True and s.seconds_left == 0  # the share is over: shown calmly, the person may finish
    timer.next_turn()
    assert timer.state().person == 1 and timer.state().seconds_left == 120


def test_passing_moves_the_round_on_and_is_remembered_and_the_round_ends() -> None:
    clock = Clock()
    timer = RoundTimer(size=2, share_seconds=60, clock=clock)
    timer.start()
    timer.pass_turn()
    assert timer.state().person == 1 and timer.passed == (0,)
    clock.t += 10
    timer.next_turn()
    s = timer.state()
    assert s.done is True and s.running is False
    with pytest.raises(KraftError):
        timer.next_turn()
