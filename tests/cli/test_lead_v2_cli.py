"""Issue 15's CLI contract for hosts and members of a version 2 group (docs/adr/0006-group-protocol-v2.md):
`kraft lead members|admit|host|policy` and `kraft group leave`, in-process, against a real relay process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.cli import clock
from tests.cli.conftest import Kraft
from tests.conftest import PASSPHRASE
from tests.relay_process import Relay, shared_relay

NOW = datetime.now(UTC).replace(microsecond=0)  # the relay keeps the real day


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[Relay]:
    yield shared_relay()  # emptied; one process per test worker (tests/relay_process.py)


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def _as(monkeypatch: pytest.MonkeyPatch, home: Path, *, passphrase: bool) -> None:
    monkeypatch.setenv("KRAFT_HOME", str(home))
    if passphrase:
        monkeypatch.setenv("KRAFT_PASSPHRASE", PASSPHRASE)
    else:
        monkeypatch.delenv("KRAFT_PASSPHRASE", raising=False)


def test_a_host_lets_people_in_names_a_host_sets_the_policy_and_a_member_leaves(
        kraft: Kraft, vault: Path, relay: Relay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = NOW.date().isoformat()
    created = kraft("lead", "create", "Tisdag", "--first", first, "--at", "18:00", "--count", "8",
                    "--relay", relay.url, "--enrolment", relay.enrolment_token())
    assert created.code == 0, created.err
    group = created.out.strip()[:6]
    codes = {}
    for name in ("Astrid", "Bo"):
        link = kraft("lead", "invite", group).out.strip()
        home = tmp_path / name
        home.mkdir()
        _as(monkeypatch, home, passphrase=False)
        joined = kraft("join", link, "--name", name, "--yes")
        assert joined.code == 0, joined.err
        codes[name] = joined.out.splitlines()[-2].split(":")[-1].strip().replace(" ", "")
        _as(monkeypatch, vault, passphrase=True)

    listed = json.loads(kraft("lead", "members", group, "--json").out)
    assert {r["name"]: r["check_code"] for r in listed["requests"]} == codes
    assert [(m["role"], m["me"]) for m in listed["members"]] == [("starter", True)]
    text = kraft("lead", "members", group).out
    astrid_code = codes["Astrid"]
    assert f"check code {astrid_code[:3]} {astrid_code[3:]}" in text

    refused = kraft("lead", "admit", group, "nobody")
    assert (refused.code, refused.err) == (1, "kraft: Nobody with this request is waiting to join.\n")
    astrid = next(r["id"] for r in listed["requests"] if r["name"] == "Astrid")
    admitted = kraft("lead", "admit", group, "--", astrid[:8])  # an id may start with "-"
    assert admitted.out.strip() == "Let in: Astrid", (admitted.code, admitted.err)
    assert kraft("lead", "admit", group, "--all").out.strip() == "Let in: Bo"

    assert kraft("lead", "host", group, "--", astrid[:8]).code == 0
    assert kraft("lead", "policy", group, "--closed").out.splitlines() == [
        "Only hosts host.", "Closed: a newcomer comes in when the members agree."]
    roles = {m["name"]: m["role"] for m in json.loads(kraft("lead", "members", group, "--json").out)["members"]}
    assert roles == {"": "starter", "Astrid": "host", "Bo": "member"}

    _as(monkeypatch, tmp_path / "Bo", passphrase=False)
    assert kraft("sync").code == 0
    assert kraft("group", "leave", group).code == 1  # asks first
    left = kraft("group", "leave", group, "--yes")
    assert left.code == 0, left.err
    _as(monkeypatch, vault, passphrase=True)
    kraft("sync")
    names = [m["name"] for m in json.loads(kraft("lead", "members", group, "--json").out)["members"]]
    assert names == ["", "Astrid"]
