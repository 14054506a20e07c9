"""`kraft lead upgrade GROUP` (issue 15 points 6 and 7): a version 1 group moves to version 2 and its member
keeps their place, in-process against a real relay process ("Upgrading a version 1 group" in
docs/adr/0006-group-protocol-v2.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from app.cli import clock
from app.domain.schedule import Schedule
from app.services.leader import LeaderService
from app.services.vault_service import VaultService
from tests.cli.conftest import Kraft
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import Relay, shared_relay

NOW = datetime.now(UTC).replace(microsecond=0)  # the relay keeps the real day


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[Relay]:
    yield shared_relay()  # emptied; one process per test worker (tests/relay_process.py)


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def _v1_group(home: Path, relay: Relay) -> str:
    """A group started with a Kraft before version 2 (the CLI starts version 2 groups now)."""
    service = VaultService(home, kdf=FAST_KDF)
    try:
        service.unlock(PASSPHRASE)
        schedule = Schedule.weekly(zone="Europe/Stockholm", first=NOW.date() + timedelta(days=2), at=time(18),
                                   interval=1, count=8)
        group = LeaderService(service.engine, service.vault).create_group(
            "Tisdag", schedule, relay=relay.url, enrolment=relay.enrolment_token(), now=NOW, version=1)
        return group.id
    finally:
        service.close()


def test_lead_upgrade_moves_a_v1_group_and_its_member_keeps_her_place(
        kraft: Kraft, vault: Path, relay: Relay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    group = _v1_group(vault, relay)
    assert kraft("sync").code == 0
    link = kraft("lead", "invite", group[:6]).out.strip()
    astrid = tmp_path / "astrid"
    astrid.mkdir()
    monkeypatch.setenv("KRAFT_HOME", str(astrid))
    monkeypatch.delenv("KRAFT_PASSPHRASE")
    assert kraft("join", link, "--name", "Astrid", "--yes").code == 0
    assert kraft("sync").code == 0
    monkeypatch.setenv("KRAFT_HOME", str(vault))
    monkeypatch.setenv("KRAFT_PASSPHRASE", PASSPHRASE)
    listed = json.loads(kraft("lead", "members", group[:6], "--json").out)
    assert [m["name"] for m in listed["members"]] == ["Astrid"]

    missing = kraft("lead", "upgrade", group[:6])
    assert (missing.code, missing.err) == (1, "kraft: The upgraded group gets a new mailbox on the relay: enter an "
                                              "enrolment code from your coordinator.\n")
    bad = kraft("lead", "upgrade", group[:6], "--enrolment", "not-a-code")
    assert bad.code == 1 and bad.err.startswith("kraft: "), bad
    assert json.loads(kraft("lead", "members", group[:6], "--json").out) == listed  # nothing changed

    upgraded = kraft("lead", "upgrade", group[:6], "--enrolment", relay.enrolment_token())
    assert upgraded.code == 0, upgraded.err
    assert upgraded.out == ("Upgraded. 1 member is invited to come over and keeps their place when their app "
                            "syncs.\n")
    again = kraft("lead", "upgrade", group[:6], "--enrolment", relay.enrolment_token())
    assert (again.code, again.err) == (1, "kraft: This group already uses the new group version.\n")

    monkeypatch.setenv("KRAFT_HOME", str(astrid))
    monkeypatch.delenv("KRAFT_PASSPHRASE")
    assert kraft("sync").code == 0  # her app answers with its proof
    monkeypatch.setenv("KRAFT_HOME", str(vault))
    monkeypatch.setenv("KRAFT_PASSPHRASE", PASSPHRASE)
    listed = json.loads(kraft("lead", "members", group[:6], "--json").out)  # syncs: her request is let in
    assert listed["requests"] == []
    assert sorted((m["name"], m["role"]) for m in listed["members"]) == [("", "starter"), ("Astrid", "member")]

    monkeypatch.setenv("KRAFT_HOME", str(astrid))
    monkeypatch.delenv("KRAFT_PASSPHRASE")
    synced = json.loads(kraft("sync", "--json").out)
    assert synced["refused"] == [] and synced["applied"] >= 1, synced
    assert "Tisdag" in kraft("group", "list").out
