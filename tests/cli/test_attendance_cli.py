"""`kraft attendance ...` and `kraft coordinator summary|export` in-process, against a real relay process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

import protocol as p
from app.cli import clock
from tests.cli.conftest import Kraft
from tests.conftest import PASSPHRASE
from tests.relay_process import Relay, shared_relay


def _a_recent_tuesday(today: date) -> date:
    """The relay counts by its own (real) date and freezes a quarter 14 days after it ends (ADR 0005): the
    meeting is a Tuesday of this week or the last, in this year, never a fixed date that time passes by."""
    before = today - timedelta(days=(today.weekday() - 1) % 7 or 7)
    return before if before.year == today.year else before + timedelta(days=7)


FIRST = _a_recent_tuesday(datetime.now(UTC).date())
NOW = datetime.combine(FIRST, time(17, 30), UTC)  # during the first meeting, 17:00 UTC
MEETING = f"{FIRST:%Y%m%d}T170000Z"
YEAR = FIRST.year


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[Relay]:
    yield shared_relay()  # emptied; one process per test worker (tests/relay_process.py)


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def test_a_member_opts_in_sends_and_the_coordinator_counts(kraft: Kraft, vault: Path, relay: Relay, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    created = kraft("lead", "create", "Tisdag", "--first", FIRST.isoformat(), "--at", "17:00", "--zone", "UTC",
                    "--count", "8", "--relay", relay.url,
                    "--enrolment", relay.enrolment_token(region="Syd", label="Lund"))
    assert created.code == 0, created.err
    group_id = created.out.strip()
    link = kraft("lead", "invite", group_id[:6]).out.strip()

    member = tmp_path / "member"
    member.mkdir()
    monkeypatch.setenv("KRAFT_HOME", str(member))
    monkeypatch.delenv("KRAFT_PASSPHRASE")
    joined = kraft("join", link, "--yes")
    assert joined.code == 0, joined.err
    code = joined.out.splitlines()[-2].split(":")[-1].strip().replace(" ", "")
    monkeypatch.setenv("KRAFT_HOME", str(vault))  # the host compares the check code and lets the member in
    monkeypatch.setenv("KRAFT_PASSPHRASE", PASSPHRASE)
    [request] = json.loads(kraft("lead", "members", group_id[:6], "--json").out)["requests"]
    assert request["check_code"] == code
    assert kraft("lead", "admit", group_id[:6], "--", request["id"][:8]).code == 0  # an id may start with "-"
    monkeypatch.setenv("KRAFT_HOME", str(member))
    monkeypatch.delenv("KRAFT_PASSPHRASE")
    assert kraft("sync").code == 0
    status = json.loads(kraft("attendance", "status", "--json").out)
    assert status["groups"] == [{"group_id": group_id, "label": "Tisdag", "on": False}]
    preview = json.loads(kraft("attendance", "preview", group_id[:6]).out)
    assert [r["meeting"] for r in preview["reports"]] == [MEETING]
    assert kraft("attendance", "on", group_id[:6]).out.strip() == "Anonymous attendance for Tisdag is on."
    assert kraft("checkin", group_id[:6]).code == 0
    waiting = json.loads(kraft("attendance", "status", "--json").out)["waiting"]
    assert [w["meetings"] for w in waiting] == [[MEETING]]
    assert datetime.fromisoformat(waiting[0]["after"]) > NOW  # after a random delay
    assert kraft("attendance", "send-now").out.strip() == "Sent 1 of 1 waiting upload."

    monkeypatch.setenv("KRAFT_HOME", str(vault))
    monkeypatch.setenv("KRAFT_PASSPHRASE", PASSPHRASE)
    assert kraft("lead", "head-count", group_id[:6], MEETING, "4").code == 0
    assert kraft("lead", "head-count", group_id[:6], MEETING, "-1").code == 2

    assert kraft("coordinator", "summary", "--relay", relay.url).code == 2  # no token
    monkeypatch.setenv("KRAFT_COORDINATOR_TOKEN", relay.coordinator_token())
    summary = json.loads(kraft("coordinator", "summary", "--relay", relay.url, "--json").out)
    [group] = summary["groups"]
    assert (group["region"], group["label"]) == ("Syd", "Lund")
    assert group["meetings"] == [{"meeting": MEETING, "checkins": 1, "head_count": 4}]
    assert "1 group running, 1 meeting held, 4 attendances." in kraft("coordinator", "summary", "--relay",
                                                                    relay.url).out
    out = tmp_path / "export.csv"
    assert kraft("coordinator", "export", "--relay", relay.url, "--year", str(YEAR), "-o", str(out)).code == 0
    # the relay shows a quarter once it has closed (ADR 0005); the 4 are in the meeting's quarter
    closed = [q for q in range(1, 5) if datetime.now(UTC).date() >= p.quarter_closes_on(f"{YEAR}-Q{q}")]
    quarter = (FIRST.month - 1) // 3 + 1
    cells = ["4" if q == quarter else "0" for q in closed]
    total = "4" if quarter in closed else "0"
    assert out.read_text().splitlines() == [",".join(["region", *(f"{YEAR}-Q{q}" for q in closed), "total"]),
                                            ",".join(["Syd", *cells, total]), ",".join(["total", *cells, total])]
