"""`kraft lead invite --short` (issue 17): the short link and a small QR code, the sealed invite sent to the
relay at once, and another person joins with that link. Without a relay it says why, in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest
import segno

from app.services.invite_qr import qr_version
from tests.cli.conftest import Kraft
from tests.cli.test_lead_v2_cli import NOW, _as, _clock, relay  # noqa: F401
from tests.relay_process import Relay


def test_lead_invite_short_prints_a_link_that_joins(kraft: Kraft, vault: Path, relay: Relay,  # noqa: F811
                                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    created = kraft("lead", "create", "Tisdag", "--first", NOW.date().isoformat(), "--at", "18:00", "--count", "8",
                    "--relay", relay.url, "--enrolment", relay.enrolment_token())
    assert created.code == 0, created.err
    group = created.out.strip()[:6]
    qr = tmp_path / "invite.png"
    made = kraft("lead", "invite", group, "--short", "--qr", str(qr))
    assert made.code == 0, made.err
    link = made.out.strip()
    assert link.startswith(f"{relay.url}/join#") and qr_version(link) <= 10
    assert qr.read_bytes().startswith(b"\x89PNG")
    assert segno.make(link, error="m").version == qr_version(link)
    home = tmp_path / "astrid"
    home.mkdir()
    _as(monkeypatch, home, passphrase=False)
    joined = kraft("join", link, "--name", "Astrid", "--yes")
    assert joined.code == 0, joined.err


def test_lead_invite_short_without_a_relay_says_so(kraft: Kraft, vault: Path) -> None:
    created = kraft("lead", "create", "Tisdag", "--first", NOW.date().isoformat(), "--at", "18:00", "--count", "8")
    made = kraft("lead", "invite", created.out.strip()[:6], "--short")
    assert made.code == 1 and "relay" in made.err and "Traceback" not in made.err
