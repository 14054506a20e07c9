"""Issue 18's CLI for my own round and the crisis plan: `kraft round add|list`, `kraft plan show|edit`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Kraft


def test_rounds_are_noted_and_listed_with_their_factors(kraft: Kraft, vault: Path) -> None:
    added = kraft("round", "add", "--score", "4", "--factor", "hope=3", "--factor", "meaning=5", "lite", "bättre")
    assert (added.code, added.out.strip()) == (0, "Noted, only in your journal: 4 of 5."), added.err
    assert kraft("round", "add", "--score", "2").code == 0
    listed = json.loads(kraft("round", "list", "--json").out)["rounds"]
    assert [(r["score"], r["words"], r["factors"]) for r in listed] == [(4, "lite bättre", {"hope": 3, "meaning": 5}),
                                                                         (2, "", {})]


@pytest.mark.parametrize("argv", [("--score", "9"), ("--score", "3", "--factor", "luck=2"),
                                  ("--factor", "hope"), ("just words",)])
def test_a_bad_round_is_refused_in_words(kraft: Kraft, vault: Path, argv: tuple[str, ...]) -> None:
    got = kraft("round", "add", *argv)
    assert got.code == 2 and "Traceback" not in got.err and got.err.strip(), got
    assert json.loads(kraft("round", "list", "--json").out)["rounds"] == []


def test_the_plan_is_edited_list_by_list_and_its_short_version_is_a_choice(kraft: Kraft, vault: Path) -> None:
    assert kraft("plan", "show").out.strip() == "Your crisis plan is empty. Fill it in with kraft plan edit."
    assert kraft("plan", "edit", "--sign", "Jag slutar sova", "--helps", "En promenad", "--helps", "Ringa Lisa",
                 "--person", "Lisa=070-123 45 67").code == 0
    assert kraft("plan", "edit", "--professional", "Vårdcentralen=+46 8 123 456").code == 0  # the rest is kept
    shown = json.loads(kraft("plan", "show", "--json").out)
    assert shown["warning_signs"] == ["Jag slutar sova"] and shown["helps"] == ["En promenad", "Ringa Lisa"]
    assert shown["people"] == [{"name": "Lisa", "phone": "070-123 45 67"}]
    assert shown["professionals"] == [{"name": "Vårdcentralen", "phone": "+46 8 123 456"}]
    assert shown["short_without_unlock"] is False
    on = kraft("plan", "edit", "--short-without-unlock", "on")
    assert "without unlocking" in on.out
    assert json.loads(kraft("plan", "show", "--json").out)["short_without_unlock"] is True
    bad = kraft("plan", "edit", "--person", "Lisa=ring mig")
    assert bad.code == 2 and "is not a phone number" in bad.err
