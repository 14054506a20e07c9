"""My own round and the crisis plan (issue 18, ADR 0014): sealed journal records, never in plaintext unless
the member opted in to the plan's short version; bad input refused in words."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.errors import KraftError, Msg
from app.i18n import language
from app.services.my_round import Contact, CrisisPlan, PlanService, RoundService, short_plan
from app.services.vault_service import VaultService
from app.storage.db import checkpoint

MARK_ROUND = "MARKER-round-today-was-heavy"
MARK_SIGN = "MARKER-sign-I-stop-sleeping"
MARK_HELP = "MARKER-help-a-walk-by-the-water"


@pytest.fixture
def unlocked_service(service: VaultService, journal: object) -> VaultService:
    return service


def _files(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())


def test_round_notes_come_back_in_course_order_with_a_readout(unlocked_service) -> None:  # type: ignore[no-untyped-def]
    clock = iter(datetime(2026, 11, d, 17, tzinfo=UTC) for d in (3, 10, 17))
    rounds = RoundService(unlocked_service.vault, now=lambda: next(clock))
    rounds.add(2, "tungt", {"hope": 2})
    rounds.add(4, MARK_ROUND)
    rounds.add(3, factors={"connectedness": 4, "meaning": 3})
    notes = rounds.notes()
    assert [n.score for n in notes] == [2, 4, 3]
    assert notes[2].factors == {"connectedness": 4, "meaning": 3}
    assert rounds.readout(language("en")).splitlines()[0] == "Nov 3, 2026: 2 of 5"
    assert "3 nov. 2026: 2 av 5" in rounds.readout(language("sv"))


@pytest.mark.parametrize(("score", "factors", "msg"), [(0, {}, Msg.ROUND_SCORE_INVALID),
                                                       (6, {}, Msg.ROUND_SCORE_INVALID),
                                                       (True, {}, Msg.ROUND_SCORE_INVALID),
                                                       (3, {"hope": 9}, Msg.ROUND_SCORE_INVALID),
                                                       (3, {"luck": 2}, Msg.ROUND_FACTOR_UNKNOWN)])
def test_a_round_that_cannot_be_is_refused_in_words(unlocked_service, score, factors, msg) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(KraftError) as err:
        RoundService(unlocked_service.vault).add(score, "", factors)
    assert err.value.msg is msg
    assert RoundService(unlocked_service.vault).notes() == []


def test_the_plan_and_the_round_are_never_in_plaintext_unless_the_short_version_is_chosen(
        unlocked_service, home: Path) -> None:  # type: ignore[no-untyped-def]
    RoundService(unlocked_service.vault).add(2, MARK_ROUND)
    plans = PlanService(unlocked_service.engine, unlocked_service.vault)
    saved = plans.save(CrisisPlan(warning_signs=(MARK_SIGN,), helps=(MARK_HELP, "  "),
                                  people=(Contact("Syster Lisa", "070-123 45 67"),),
                                  professionals=(Contact("Vårdcentralen", "+46 8 123 456"),)))
    assert saved.helps == (MARK_HELP,) and saved.people[0].phone == "070-123 45 67"
    checkpoint(unlocked_service.engine)
    data = _files(home)
    for mark in (MARK_ROUND, MARK_SIGN, MARK_HELP):
        assert mark.encode() not in data
    assert short_plan(unlocked_service.engine) == {}

    plans.show_short_without_unlock(True)  # the explicit opt-in
    short = short_plan(unlocked_service.engine)
    assert short["helps"] == [MARK_HELP] and MARK_SIGN not in str(short)
    checkpoint(unlocked_service.engine)
    data = _files(home)
    assert MARK_HELP.encode() in data and MARK_SIGN.encode() not in data and MARK_ROUND.encode() not in data

    plans.show_short_without_unlock(False)
    checkpoint(unlocked_service.engine)
    assert short_plan(unlocked_service.engine) == {}
    assert plans.get().warning_signs == (MARK_SIGN,)


def test_a_phone_number_without_digits_is_refused(unlocked_service) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(KraftError) as err:
        PlanService(unlocked_service.engine, unlocked_service.vault).save(
            CrisisPlan(people=(Contact("Lisa", "ring mig"),)))
    assert err.value.msg is Msg.PHONE_INVALID
