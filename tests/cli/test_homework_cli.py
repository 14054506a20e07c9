"""`kraft homework [--json]` and `kraft group show --details` (issue 15, point 7): the current homework per
group with its meeting; its words only with the journal open, "create a journal to read it" without one."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from app.cli import clock
from app.services import homework
from app.services.context import AppContext
from tests.cli.conftest import Kraft
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import shared_relay

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)  # a Tuesday; the groups meet on Thursdays from 3 December
STRENGTHS = "Since last time, were there situations where you noticed some strengths?"


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def _add(kraft: Kraft, label: str) -> str:
    result = kraft("group", "add", label, "--first", "2026-12-03", "--at", "18:00", "--count", "6")
    assert result.code == 0, result.err
    return result.out.strip()


def _note(home: Path, group_id: str, choice: str, text: str = "") -> None:
    ctx = AppContext.open(home, kdf=FAST_KDF, clock=lambda: NOW)
    try:
        ctx.vault_service.unlock(PASSPHRASE)
        ctx = ctx.refreshed()
        homework.note_homework(ctx, ctx.groups.get(group_id), choice, text, now=NOW)
    finally:
        ctx.close()


def test_without_any_homework_it_says_so(kraft: Kraft) -> None:
    _add(kraft, "Torsdag")
    assert kraft("homework").out == "No homework from your groups just now.\n"
    assert json.loads(kraft("homework", "--json").out) == {"homework": []}


def test_with_the_journal_the_homework_is_shown_with_its_meeting(kraft: Kraft, vault: Path) -> None:
    first = _add(kraft, "Torsdag")
    second = _add(kraft, "Onsdag")
    _note(vault, first, "strengths")
    _note(vault, second, homework.OWN, "Vad gav dig kraft?")

    shown = kraft("homework")
    assert shown.code == 0, shown.err
    assert shown.out.splitlines() == [
        f"Onsdag ({second[:12]})", "  For the meeting on Dec 3, 2026 6:00\u202fPM", "  Vad gav dig kraft?", "",
        f"Torsdag ({first[:12]})", "  For the meeting on Dec 3, 2026 6:00\u202fPM", f"  {STRENGTHS}"]
    [own, library] = json.loads(kraft("homework", "--json").out)["homework"]
    assert library == {"group_id": first, "label": "Torsdag", "journal": "open", "text": STRENGTHS,
                       "prompt_id": "strengths", "answered": False, "meeting": library["meeting"]}
    assert library["meeting"]["start"] == "2026-12-03T18:00:00+01:00"
    assert (own["text"], own["prompt_id"]) == ("Vad gav dig kraft?", None)


def test_group_show_details_shows_the_homework(kraft: Kraft, vault: Path) -> None:
    group_id = _add(kraft, "Torsdag")
    assert "No homework just now." in kraft("group", "show", group_id, "--details").out
    _note(vault, group_id, "strengths")
    lines = kraft("group", "show", group_id, "--details").out.splitlines()
    at = lines.index("Homework: For the meeting on Dec 3, 2026 6:00\u202fPM")
    assert lines[at + 1] == f"  {STRENGTHS}"
    data = json.loads(kraft("group", "show", group_id, "--details", "--json").out)
    assert data["homework"]["text"] == STRENGTHS
    assert "homework" not in json.loads(kraft("group", "show", group_id, "--json").out)  # locked: not asked


def test_a_member_without_a_journal_is_told_to_create_one_to_read_it(kraft: Kraft, home: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    today = datetime.combine(date.today(), time(12), tzinfo=UTC)  # the relay keeps the real day
    monkeypatch.setattr(clock, "now", lambda: today)
    relay = shared_relay()
    (tmp_path / "leader").mkdir()
    leader = AppContext.open(tmp_path / "leader", kdf=FAST_KDF, clock=lambda: today)
    try:
        pending = leader.vault_service.prepare_setup(PASSPHRASE, PASSPHRASE)
        leader.vault_service.finish_setup(pending, pending.recovery_code)
        from app.domain.schedule import Schedule

        schedule = Schedule.weekly(zone="Europe/Stockholm", first=today.date() + timedelta(days=2), at=time(18),
                                   count=4)
        group = leader.leader.create_group("Tisdag", schedule, relay=relay.url, enrolment=relay.enrolment_token(),
                                           now=today)
        leader.sync.run(now=today)
        member = AppContext.open(home, kdf=FAST_KDF, clock=lambda: today)
        try:
            member.joining.join(member.joining.read(leader.leader.invite(group.id, today=today.date()).link,
                                                    today=today.date()), now=today)
            member.sync.run(now=today)
            leader.sync.run(now=today)
            leader.leader.admit_all(group.id, now=today)  # the host lets the member in (protocol v2)
            leader.sync.run(now=today)
            member.sync.run(now=today)
            leader.leader.send_prompt(group.id, prompt_id="strengths", now=today)
            leader.sync.run(now=today)
            member.sync.run(now=today)
        finally:
            member.close()
    finally:
        leader.close()

    shown = kraft("homework")
    assert shown.code == 0, shown.err
    assert shown.out.splitlines()[-1] == "  The group sent homework: create a journal to read it."
    assert STRENGTHS not in shown.out
    [item] = json.loads(kraft("homework", "--json").out)["homework"]
    assert (item["journal"], item["text"], item["answered"]) == ("none", None, None)
