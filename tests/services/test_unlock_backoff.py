"""Failed unlocks slow down in every session (docs/adr/0009-web-client.md): from the fifth failure each new
try waits 1 s, 2 s, 4 s … at most 15 minutes after the last one, kept in the database across restarts and
shared by every VaultService on the same data directory. The clock is injected; nothing sleeps."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.errors import KraftError, Msg
from app.services.unlock_backoff import FAILURES, wait_seconds
from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF, PASSPHRASE


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def opened(home: Path, clock: Clock) -> VaultService:
    svc = VaultService(home, kdf=FAST_KDF, clock=clock)
    svc.finish_setup(pending := svc.prepare_setup(PASSPHRASE, PASSPHRASE), pending.recovery_code)
    svc.lock()
    return svc


def _fail(svc: VaultService, times: int, secret: str = "wrong passphrase") -> None:
    for _ in range(times):
        with pytest.raises(KraftError) as raised:
            svc.unlock(secret)
        assert raised.value.msg is Msg.WRONG_PASSPHRASE


def _waiting(svc: VaultService, secret: str = PASSPHRASE) -> str:
    with pytest.raises(KraftError) as raised:
        svc.unlock(secret)
    assert raised.value.msg is Msg.UNLOCK_WAIT
    return str(raised.value)


def test_the_waits_double_from_the_fifth_failure_up_to_fifteen_minutes() -> None:
    assert [wait_seconds(n) for n in range(7)] == [0, 0, 0, 0, 0, 1, 2]
    assert wait_seconds(14) == 512 and wait_seconds(15) == 900 and wait_seconds(400) == 900


def test_four_failures_cost_nothing_the_fifth_makes_even_the_right_passphrase_wait(opened: VaultService,
                                                                                  clock: Clock) -> None:
    _fail(opened, 4)
    _fail(opened, 1)  # the fifth try still runs
    assert "Try again in 1 second." in _waiting(opened)
    assert not opened.is_unlocked
    clock.advance(1)
    opened.unlock(PASSPHRASE)
    assert opened.is_unlocked


def test_each_failure_doubles_the_wait_and_a_success_starts_again(opened: VaultService, clock: Clock) -> None:
    _fail(opened, 5)
    for seconds in (1, 2, 4, 8):
        clock.advance(seconds - 0.5)
        _waiting(opened)
        clock.advance(0.5)
        _fail(opened, 1)
    assert "Try again in 16 seconds." in _waiting(opened)
    clock.advance(16)
    opened.unlock(PASSPHRASE)
    opened.lock()
    _fail(opened, 5)  # counted from zero again
    assert "1 second." in _waiting(opened)


def test_the_wait_survives_a_restart_and_holds_in_every_session(opened: VaultService, home: Path,
                                                                clock: Clock) -> None:
    for _ in range(9):  # each as soon as it may: 16 s to wait after the ninth
        clock.advance(wait_seconds(8))
        _fail(opened, 1)
    opened.close()
    for svc in (VaultService(home, kdf=FAST_KDF, clock=clock), VaultService(home, kdf=FAST_KDF, clock=clock)):
        assert "16 seconds" in _waiting(svc)
        svc.close()
    clock.advance(16)
    svc = VaultService(home, kdf=FAST_KDF, clock=clock)
    svc.unlock(PASSPHRASE)
    svc.close()


def test_two_sessions_guessing_in_turn_share_one_count(opened: VaultService, home: Path, clock: Clock) -> None:
    other = VaultService(home, kdf=FAST_KDF, clock=clock)
    _fail(opened, 3)
    _fail(other, 2)
    assert "1 second" in _waiting(opened) and "1 second" in _waiting(other)
    other.close()


def test_recovery_codes_count_and_wait_too(opened: VaultService, clock: Clock) -> None:
    for _ in range(5):
        with pytest.raises(KraftError) as raised:
            opened.recover("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF", "a new passphrase", "a new passphrase")
        assert raised.value.msg is Msg.WRONG_RECOVERY_CODE
    with pytest.raises(KraftError) as raised:
        opened.recover("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF", "a new passphrase", "a new passphrase")
    assert raised.value.msg is Msg.UNLOCK_WAIT
    assert "1 second" in _waiting(opened)  # and the passphrase waits as well


def test_long_waits_are_said_in_minutes_and_a_clock_set_back_waits_no_longer(opened: VaultService,
                                                                            clock: Clock) -> None:
    _fail(opened, 5)
    clock.advance(1)
    _fail(opened, 1)  # each try comes as soon as it may
    for seconds in (2, 4, 8, 16, 32):
        clock.advance(seconds)
        _fail(opened, 1)
    assert "Try again in 2 minutes." in _waiting(opened)  # 64 s, rounded up
    clock.advance(-86400)
    assert "2 minutes" in _waiting(opened)



def test_tries_started_side_by_side_get_no_more_than_one_session_would(opened: VaultService, home: Path,
                                                                       clock: Clock) -> None:
    """Four sessions start a try at the same moment, one try before the wait begins: one runs, the others
    are told to wait (they read the count the first one left), and every try let through is counted."""
    _fail(opened, 4)
    services = [VaultService(home, kdf=FAST_KDF, clock=clock) for _ in range(4)]
    outcomes: list[str] = []
    start = threading.Barrier(len(services))

    def try_once(svc: VaultService) -> None:
        start.wait()
        try:
            svc.backoff.begin()
            outcomes.append("ran")
        except KraftError as exc:
            outcomes.append(exc.msg.name)

    threads = [threading.Thread(target=try_once, args=(svc,)) for svc in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["UNLOCK_WAIT", "UNLOCK_WAIT", "UNLOCK_WAIT", "ran"]
    assert opened.get_preference(FAILURES) == "5"
    for svc in services:
        svc.close()
