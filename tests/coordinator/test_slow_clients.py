"""Clients that never finish a request, or go away in the middle of one, against a real relay process
(`kraft coordinator serve`, tests/relay_process.py) over raw sockets: uvicorn itself closes an idle connection
only after a response (keep-alive), so without the relay's own header deadline (coordinator/server.py) a
client that sends half its headers holds a connection, and a file descriptor, for as long as it likes."""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from coordinator.server import HEADER_TIMEOUT
from tests.relay_process import Relay, start_relay

SLOW_CLIENTS = 50
PARTIAL = b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"  # no blank line: the headers never end


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[Relay]:
    with start_relay(tmp_path / "relay") as started:
        yield started


def _connect(relay: Relay) -> socket.socket:
    return socket.create_connection(("127.0.0.1", relay.port), timeout=5)


def _closed_by_relay(sock: socket.socket) -> bool:
    """True when the relay has closed the connection (end of stream or reset), False while it is open."""
    sock.settimeout(0.2)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_clients_that_never_finish_their_headers_are_dropped(relay: Relay) -> None:
    with ExitStack() as stack:
        slow = [stack.enter_context(_connect(relay)) for _ in range(SLOW_CLIENTS)]
        for sock in slow:
            sock.sendall(PARTIAL)
        dribbler = stack.enter_context(_connect(relay))  # a header line every second, never the end
        dribbler.sendall(PARTIAL)
        deadline = time.monotonic() + HEADER_TIMEOUT + 5
        dribbled = 0
        while time.monotonic() < deadline and not _closed_by_relay(dribbler):
            try:
                dribbler.sendall(b"X-Slow-%d: 1\r\n" % dribbled)
            except (BrokenPipeError, ConnectionResetError):
                break
            dribbled += 1
            time.sleep(1)
        assert time.monotonic() < deadline, "a client that sends a header line a second is still connected"
        open_still = [sock for sock in slow if not _closed_by_relay(sock)]
        assert open_still == [], f"{len(open_still)} of {SLOW_CLIENTS} slow clients still connected"
    assert httpx.get(f"{relay.url}/v1/health", timeout=5).status_code == 200  # and it serves the next one


def test_a_request_whose_headers_end_is_not_cut_off(relay: Relay) -> None:
    """The deadline is for the headers only: a complete request is answered however long it waited."""
    with _connect(relay) as sock:
        sock.sendall(PARTIAL)
        time.sleep(HEADER_TIMEOUT / 2)
        sock.sendall(b"\r\n")
        sock.settimeout(10)
        assert sock.recv(1024).startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize("request_head", [
    # pipelined requests, then a reset before their answers: uvloop's RuntimeError was logged with a traceback
    b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 50,
    # a body announced and never finished
    b"POST /v1/mailboxes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{",
    # a long poll given up on
    b"GET /v1/mailboxes/" + b"a" * 43 + b"/messages?after=0&wait=20 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
])
def test_a_client_that_goes_away_leaves_no_traceback_in_the_log(relay: Relay, request_head: bytes) -> None:
    for _ in range(3):
        with _connect(relay) as sock:
            sock.sendall(request_head)
            time.sleep(0.5 if b"wait=" in request_head or b"POST" in request_head else 0)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # a reset, as a phone
            # that lost its network may leave it
    time.sleep(1)
    assert httpx.get(f"{relay.url}/v1/health", timeout=5).status_code == 200
    log = relay.log_path.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log and "Exception in ASGI" not in log, log


def test_the_h11_protocol_has_the_same_deadline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where httptools is not built (uvicorn then uses h11), the same deadline: the relay in this process on a
    thread, with the deadline shortened so that the test does not wait ten seconds."""
    import threading

    import uvicorn

    from coordinator import server
    from coordinator.main import create_app
    from coordinator.settings import Settings
    from tests.relay_process import free_port

    monkeypatch.setattr(server, "HEADER_TIMEOUT", 1.0)
    port = free_port()
    config = uvicorn.Config(create_app(Settings(database_url=f"sqlite:///{tmp_path / 'relay.db'}")),
                            host="127.0.0.1", port=port, http=server.H11WithDeadline, log_level="warning")
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not served.started and time.monotonic() < deadline:
            time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as slow, \
                socket.create_connection(("127.0.0.1", port), timeout=5) as whole:
            slow.sendall(PARTIAL)
            whole.sendall(PARTIAL + b"\r\n")
            whole.settimeout(5)
            assert whole.recv(1024).startswith(b"HTTP/1.1 200")
            time.sleep(2)
            assert _closed_by_relay(slow)
    finally:
        served.should_exit = True
        thread.join(10)
