"""Issue 5 in Chromium: the coordinator's view of a relay with counted meetings, chart included, and the
funders' CSV download; screenshots en-40, en-41."""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol as p
from tests.relay_process import start_relay


def _counted_group(url: str, enrolment: str) -> None:
    """A group with four meetings counted: check-ins from members' tokens, head counts from the leader."""
    key, leader = p.new_group_key(), Ed25519PrivateKey.generate()
    members = p.member_signer(key)
    mailbox = p.mailbox_id(p.new_group_id(), key)
    body = {"mailbox": mailbox, "leader_key": p.public_b64(leader), "member_key": p.public_b64(members)}
    body["signature"] = p.sign(leader, p.signing_bytes("register", **body))
    httpx.post(f"{url}/v1/mailboxes", json=body, headers={"Authorization": f"Bearer {enrolment}"}).raise_for_status()
    start = datetime.now(UTC) - timedelta(weeks=4)
    for week, (checkins, head) in enumerate(((5, 7), (4, 6), (6, 6), (2, 5))):
        meeting = (start + timedelta(weeks=week)).strftime("%Y%m%dT170000Z")
        reports = [{"meeting": meeting, "token": p.b64e(os.urandom(16))} for _ in range(checkins)]
        nonce = p.b64e(os.urandom(12))
        signed = p.signing_bytes("attendance", mailbox=mailbox, epoch=0, nonce=nonce, reports=reports)
        httpx.post(f"{url}/v1/mailboxes/{mailbox}/attendance", json={
            "epoch": 0, "nonce": nonce, "reports": reports, "signature": p.sign(members, signed)}).raise_for_status()
        signed = p.signing_bytes("head-count", mailbox=mailbox, meeting=meeting, count=head)
        httpx.put(f"{url}/v1/mailboxes/{mailbox}/head-counts/{meeting}",
                  json={"count": head, "signature": p.sign(leader, signed)}).raise_for_status()


@pytest.mark.browser
def test_the_coordinator_sees_the_chart_and_downloads_the_csv(served_app, web, tmp_path: Path) -> None:
    relay = start_relay(tmp_path / "relay")
    try:
        _counted_group(relay.url, relay.enrolment_token(region="Skåne", label="Malmö tisdag"))
        config = tmp_path / "region.toml"
        config.write_text(f'default_language = "en"\n[relay]\nurl = "{relay.url}"\n', encoding="utf-8")
        home = tmp_path / "home"
        home.mkdir()
        app = served_app("app", env={"KRAFT_CONFIG": str(config), "KRAFT_HOME": str(home), "LANG": "en_GB.UTF-8"})
        web.open(app.url)
        web.click_button("I am a coordinator")
        web.type_into("Coordinator token", relay.coordinator_token())
        web.click_button("Show the counts")
        web.wait_for_text(re.compile("1 group running"), exact=False)
        web.wait_for_text(re.compile("checked in, head count 7"), exact=False)  # the chart, for screen readers
        web.screenshot("en-40-coordinator")
        web.page.mouse.wheel(0, 600)
        web.screenshot("en-41-coordinator-export")
        with web.page.expect_download() as download_info:
            web.click_button("Download the CSV")
        rows = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_text())))
        assert rows[0][0] == "region" and rows[1][0] == "Skåne"
    finally:
        relay.stop()
