"""The web client serves only the browser of the person who started it (docs/adr/0009-web-client.md).

Each attack runs against the real app (`python -m app`, headless, on a free loopback port) with httpx and a
real WebSocket client: a page from another site, a DNS-rebinding Host, a request without the printed secret.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.browser.support import REPO_ROOT, free_port

PRINTED = re.compile(r"Kraft is running at (http://\S+)")


@dataclass
class Started:
    url: str  # the printed link
    base: str  # http://127.0.0.1:PORT
    process: subprocess.Popen[str]


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "KRAFT_HOME": str(home), "FLET_FORCE_WEB_SERVER": "1", "LANG": "en_GB.UTF-8",
           "PYTHONPATH": str(REPO_ROOT), **extra}
    env.pop("DISPLAY", None)
    env.pop("KRAFT_WEB_ALLOW_REMOTE", None)
    return env


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Started]:
    port = free_port()
    env = _env(tmp_path_factory.mktemp("home"), FLET_SERVER_IP="127.0.0.1", FLET_SERVER_PORT=str(port))
    process = subprocess.Popen([sys.executable, "-u", "-m", "app"], cwd=REPO_ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        assert process.stdout is not None
        match = PRINTED.search(process.stdout.readline())
        assert match, "the app printed no URL"
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(base + "/", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield Started(url=match.group(1), base=base, process=process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _let_in(started: Started) -> httpx.Client:
    """A client that opened the printed link, as the member's browser does."""
    client = httpx.Client(follow_redirects=True, timeout=10)
    response = client.get(started.url)
    assert response.status_code == 200 and b"flutter" in response.content.lower()
    return client


def _ws_url(started: Started) -> str:
    return "ws://" + urlsplit(started.base).netloc + "/ws"


def test_the_printed_link_opens_the_app_and_keeps_the_secret_in_a_strict_cookie(started: Started) -> None:
    assert re.search(r"/\?k=[A-Za-z0-9_-]{32}$", started.url)
    first = httpx.get(started.url)
    assert first.status_code == 303 and first.headers["location"] == "/"
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    _let_in(started).close()


def test_without_the_secret_the_page_is_refused_with_a_plain_hint(started: Started) -> None:
    for path in ("/", "/main.dart.js", "/manifest.json", f"/?k={'x' * 32}"):
        response = httpx.get(started.base + path)
        assert response.status_code == 403, path
        assert "link printed in the terminal" in response.text
        assert "flutter" not in response.text.lower()


def test_a_dns_rebinding_host_gets_no_page(started: Started) -> None:
    with closing(_let_in(started)) as client:  # even with the secret: another name is another site
        response = client.get(started.base + "/", headers={"Host": "evil.example"})
    assert 400 <= response.status_code < 500
    assert "flutter" not in response.text.lower()


def test_no_response_allows_other_origins_or_names_the_server(started: Started) -> None:
    with closing(_let_in(started)) as client:
        responses = [client.get(started.base + path) for path in ("/", "/main.dart.js", "/nothing-here")]
    responses += [httpx.get(started.base + "/"), httpx.get(started.url)]
    for response in responses:
        assert "access-control-allow-origin" not in response.headers, response.url
        assert "server" not in response.headers, response.url


def _session_opens(started: Started, origin: str | None, cookie: str | None) -> bool:
    headers = {"Cookie": cookie} if cookie else {}
    try:
        with connect(_ws_url(started), origin=origin, additional_headers=headers,  # type: ignore[arg-type]
                     open_timeout=10) as ws:
            ws.close()
        return True
    except InvalidStatus as exc:
        assert exc.response.status_code == 403
        return False


def test_a_websocket_from_another_origin_gets_no_session(started: Started) -> None:
    with closing(_let_in(started)) as client:
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    own = started.base
    assert _session_opens(started, own, cookie)  # the member's own tab
    assert not _session_opens(started, "https://evil.example", cookie)
    assert not _session_opens(started, "null", cookie)
    assert not _session_opens(started, None, cookie)
    assert not _session_opens(started, own, None)  # the right origin without the secret


@pytest.mark.parametrize(("where", "host"), [("env", "0.0.0.0"), ("env", "192.168.1.20"), ("profile", "0.0.0.0")])
def test_a_non_loopback_bind_is_refused_without_the_remote_switch(tmp_path: Path, where: str, host: str) -> None:
    if where == "env":
        env = _env(tmp_path, FLET_SERVER_IP=host, FLET_SERVER_PORT=str(free_port()))
    else:  # flet.toml's [web] host, as a region would edit it
        (profile := tmp_path / "flet.toml").write_text(f'[web]\nhost = "{host}"\nport = {free_port()}\n')
        env = _env(tmp_path, KRAFT_CONFIG=str(profile))
        env.pop("FLET_SERVER_IP", None)
    done = subprocess.run([sys.executable, "-m", "app"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert "KRAFT_WEB_ALLOW_REMOTE=1" in done.stderr and host in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "kraft.db").exists()


@pytest.mark.parametrize(("host", "port", "fragment"), [
    ("no-such-host.invalid", None, "no-such-host.invalid"),  # allowed by name, but nothing by that name
    ("127.0.0.1", "70000", "65535"),
    ("127.0.0.1", "web", "65535"),
    ("127.0.0.1", "busy", "127.0.0.1"),  # a port another program holds
])
def test_an_address_kraft_cannot_serve_on_is_said_before_any_link(tmp_path: Path, host: str, port: str | None,
                                                                  fragment: str) -> None:
    with closing(socket.socket()) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = str(holder.getsockname()[1])
        env = _env(tmp_path, FLET_SERVER_IP=host, FLET_SERVER_PORT=busy if port == "busy" else port or str(free_port()))
        env["KRAFT_WEB_ALLOW_REMOTE"] = "1"  # past the loopback rule, to the lookup and the bind
        done = subprocess.run([sys.executable, "-m", "app"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done.stderr
    assert fragment in done.stderr and "Kraft is running at" not in done.stdout
    assert "Traceback" not in done.stderr + done.stdout


def test_the_guard_knows_the_served_address_in_the_forms_a_browser_sends() -> None:
    from app.web_guard import Served

    v4 = Served(host="127.0.0.1", port=8550, secret="s")
    assert v4.host_allowed("127.0.0.1:8550") and not v4.host_allowed("127.0.0.1:8551")
    assert not v4.host_allowed("localhost:8550") and not v4.host_allowed("evil.example:8550")
    v6 = Served(host="::1", port=8550, secret="s")
    assert v6.url() == "http://[::1]:8550/?k=s" and v6.host_allowed("[::1]:8550")
    assert Served(host="127.0.0.1", port=80, secret="s").host_allowed("127.0.0.1")
    assert Served(host="0.0.0.0", port=8550, secret="s", remote=True).host_allowed("192.168.1.20:8550")


def test_the_remote_switch_is_asked_for_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.errors import KraftError, Msg
    from app.main import served_at

    assert served_at("127.0.0.1", 8550).remote is False and served_at("localhost", 8550).remote is False
    for value in ("", "0", "true", "yes"):
        monkeypatch.setenv("KRAFT_WEB_ALLOW_REMOTE", value)
        with pytest.raises(KraftError) as refused:
            served_at("0.0.0.0", 8550)
        assert refused.value.msg is Msg.WEB_NOT_LOOPBACK
    monkeypatch.setenv("KRAFT_WEB_ALLOW_REMOTE", "1")
    assert served_at("0.0.0.0", 8550).remote is True
