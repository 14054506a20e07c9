"""`kraft coordinator serve` as a real process: it answers, and neither its log nor its database keeps a
client's address or user agent (ADR 0004)."""

from __future__ import annotations

import re
import socket
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol as p
from tests import relay_process
from tests.relay_process import Relay, start_relay

AGENT = "UA-MARKER-Mozilla-5.0-Kraft-test"
FORWARDED = "203.0.113.77"


def test_a_served_relay_keeps_no_address_or_agent(relay: Relay) -> None:
    headers = {"User-Agent": AGENT, "X-Forwarded-For": FORWARDED, "X-Real-IP": FORWARDED}
    key, leader = p.new_group_key(), Ed25519PrivateKey.generate()
    mailbox = p.mailbox_id(p.new_group_id(), key)
    body = {"mailbox": mailbox, "leader_key": p.public_b64(leader), "member_key": p.public_b64(p.member_signer(key))}
    body["signature"] = p.sign(leader, p.signing_bytes("register", **body))
    with httpx.Client(base_url=relay.url, headers=headers) as client:
        registered = client.post("/v1/mailboxes", json=body,
                                 headers={"Authorization": f"Bearer {relay.enrolment_token()}"})
        assert registered.status_code == 201, registered.text
        message = p.seal_message(mailbox=mailbox, sender=p.LEADER, epoch=0, seq=1, group_key=key,
                                 channel=p.CONTENT, kind="prompt", body={"text": "x"}, signer=leader)
        assert client.post(f"/v1/mailboxes/{mailbox}/messages", json=message.to_post()).status_code == 201
        assert client.get(f"/v1/mailboxes/{mailbox}/messages").status_code == 200
        assert client.get("/v1/mailboxes/nonsense").status_code == 422
        assert "server" not in {k.lower() for k in client.get("/v1/health").headers}
    with closing(socket.create_connection(("127.0.0.1", relay.port), timeout=5)) as raw:  # uvicorn's own error path
        raw.sendall(b"NONSENSE / HTTP/9\r\nUser-Agent: " + AGENT.encode() + b"\r\n\r\n")
        assert raw.recv(1024).startswith(b"HTTP/1.1 400")
    relay.stop()
    database = b"".join(path.read_bytes() for path in relay.files() if path != relay.log_path)
    for marker in (AGENT, FORWARDED, "Mozilla", "127.0.0.1"):
        assert marker.encode() not in database, marker
    log = relay.log_path.read_text(errors="replace")
    banner = f"Kraft relay on {relay.url} "  # the address it listens on, said once at the start
    assert log.count(banner) == 1, log
    rest = log.replace(banner, "")
    for marker in (AGENT, FORWARDED, "Mozilla", "127.0.0.1"):
        assert marker not in rest, (marker, log)
    assert not re.search(r"\d+\.\d+\.\d+\.\d+:\d+ - \"", log), log  # no access-log line
    assert "GET /v1" not in log and "POST /v1" not in log


def test_start_relay_moves_on_when_its_port_is_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with closing(socket.socket()) as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        ports = iter([taken])
        real = relay_process.free_port
        monkeypatch.setattr(relay_process, "free_port", lambda: next(ports, None) or real())
        with start_relay(tmp_path / "relay") as relay:
            assert relay.port != taken
            assert httpx.get(f"{relay.url}/v1/health").json() == {"ok": True}
            token = relay.enrolment_token()
        assert len(token) >= 32
        with pytest.raises(httpx.HTTPError):  # stopped on leaving the block
            httpx.get(f"{relay.url}/v1/health", timeout=2)
