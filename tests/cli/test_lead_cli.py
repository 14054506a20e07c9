"""`kraft lead`, `kraft join` and `kraft sync` in-process, two homes, no relay (the invite travels as a link)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.cli import clock
from tests.cli.conftest import Kraft
from tests.conftest import PASSPHRASE

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def test_lead_invite_and_join_from_the_link(kraft: Kraft, vault: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    assert kraft("lead", "create", "Tuesday group").code == 2  # no schedule: argparse explains
    created = kraft("lead", "create", "Tuesday group", "--first", "2026-11-24", "--at", "18:00", "--count", "8",
                    "--theme", "Balance")
    assert created.code == 0, created.err
    group_id = created.out.strip()
    qr = tmp_path / "invite.svg"
    invite = kraft("lead", "invite", group_id[:6], "--qr", str(qr))
    assert invite.code == 0 and invite.out.startswith("kraft://join#") and "Valid until" in invite.err
    assert qr.read_bytes().startswith(b"<?xml") and b"<svg" in qr.read_bytes()
    no_relay = kraft("lead", "code", group_id[:6])
    assert no_relay.code == 1 and "Use the invite link instead" in no_relay.err  # a join code needs a relay
    assert "Nobody has joined yet." in kraft("lead", "members", group_id[:6]).out
    assert kraft("lead", "prompt", group_id[:6], "--prompt", "strengths").code == 0
    assert kraft("lead", "prompt", group_id[:6], "--prompt", "no-such").code == 2

    member = tmp_path / "member"
    member.mkdir()
    monkeypatch.setenv("KRAFT_HOME", str(member))
    monkeypatch.delenv("KRAFT_PASSPHRASE")
    link = invite.out.strip()
    shown = kraft("join", link)
    assert shown.code == 1 and "Group: Tuesday group" in shown.out and "Theme: Balance" in shown.out
    assert "stays in the group" in shown.out and "--yes" in shown.err
    forged = kraft("join", link[:-10] + "A" * 10, "--yes")
    assert forged.code == 2 and "damaged" in forged.err
    joined = kraft("join", link, "--yes", "--name", "Astrid")
    assert joined.code == 0 and joined.out.strip().endswith(group_id)
    assert "Tuesday group" in kraft("group", "list").out
    again = kraft("join", link, "--yes")
    assert again.code == 1 and "already in this group" in again.err
    assert kraft("join", link, "--yes", "--name", "x" * 41).code == 2
    synced = kraft("sync", "--json")
    assert synced.code == 0 and '"sent": 0' in synced.out

    monkeypatch.setenv("KRAFT_HOME", str(vault))  # the leader's home, the passphrase not given: refused
    assert "No passphrase given" in kraft("lead", "members", group_id[:6]).err
    monkeypatch.setenv("KRAFT_PASSPHRASE", PASSPHRASE)
    assert kraft("lead", "members", group_id[:6]).code == 0
