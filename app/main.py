"""Start Kraft: a window where there is a display, otherwise the web client on 127.0.0.1 (URL printed)."""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft
import uvicorn

from app import i18n
from app.config import Profile, load_profile
from app.errors import KraftError, Msg
from app.views.app import build_main
from app.web_guard import Served, WebGuard, new_secret


def headless() -> bool:
    """No display to open a window on (Linux without X11/Wayland), or the web server was asked for."""
    if os.environ.get("FLET_FORCE_WEB_SERVER", "").lower() in ("1", "true", "yes"):
        return True
    return sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


# What the web client may load, and from where: only from the app's own server. Flet's web client asks a CDN
# for a script of a package Kraft does not use (Rive's runtime from cdn.jsdelivr.net) even with no_cdn; a
# request like that would tell a third party the reader's address and which server they use. Inline scripts
# are Flet's index.html; 'wasm-unsafe-eval' lets Flutter compile its engine.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def web_app(main: Callable[[ft.Page], object], served: Served) -> Any:
    """The web client as an ASGI app: Flet's, with nothing loaded from a CDN and a Content-Security-Policy on
    every response so that the browser loads nothing from anywhere else either; behind a guard that lets in
    only the browser that opened the printed link (app/web_guard.py)."""
    asgi = ft.run(main, export_asgi_app=True, assets_dir=None, no_cdn=True)

    @asgi.middleware("http")
    async def content_security_policy(request: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return WebGuard(asgi, served)


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this device only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def served_at(host: str, port: int) -> Served:
    """Where to serve, with a new secret; a non-loopback address only when asked for by name: every visitor
    would get the same member's journal."""
    remote = os.environ.get("KRAFT_WEB_ALLOW_REMOTE", "") == "1"
    if not is_loopback(host) and not remote:
        raise KraftError(Msg.WEB_NOT_LOOPBACK, host=host)
    return Served(host=host, port=port, secret=new_secret(), remote=not is_loopback(host))


def web_port(text: str) -> int:
    """FLET_SERVER_PORT as a port; the profile's own is checked with the profile (app/config.py)."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= 65535:
        raise KraftError(Msg.WEB_PORT_INVALID, port=text)
    return number


def listen(served: Served) -> socket.socket:
    """The server's socket, looked up, bound and listening before the link is printed: a name that does not
    resolve or a port another program holds used to print "Kraft is running at ..." and then fail."""
    sock = None
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(served.host, served.port,
                                                                 type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        sock.bind(address)
        sock.listen(2048)  # uvicorn's backlog
    except (OSError, UnicodeError) as exc:  # gaierror is an OSError; a malformed name fails IDNA encoding
        if sock is not None:
            sock.close()
        detail = getattr(exc, "strerror", None) or str(exc)
        raise KraftError(Msg.WEB_CANNOT_LISTEN, host=served.host, port=served.port, detail=detail) from exc
    return sock


def _serve_web(profile: Profile) -> None:
    try:
        served = served_at(os.environ.get("FLET_SERVER_IP") or profile.web.host,
                           web_port(os.environ.get("FLET_SERVER_PORT") or str(profile.web.port)))
        sock = listen(served)
    except KraftError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from exc
    print(f"Kraft is running at {served.url()}  (Ctrl+C stops it)", flush=True)
    config = uvicorn.Config(web_app(build_main(profile=profile), served), host=served.host, port=served.port,
                            ws="websockets-sansio", log_level="warning", server_header=False)
    uvicorn.Server(config).run(sockets=[sock])


def run() -> None:
    i18n.activate(i18n.device_language())
    try:
        profile = load_profile()
    except KraftError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from exc
    if headless():
        _serve_web(profile)
    else:
        ft.run(build_main(profile=profile), no_cdn=True)


if __name__ == "__main__":
    run()
