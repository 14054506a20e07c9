"""The web client serves only the browser of the person who started it (docs/adr/0009-web-client.md).

Flet's web server answers anyone who can reach it: a page from another site may open its WebSocket (Flet
checks no Origin), a DNS-rebinding name may fetch its pages (it checks no Host), and every connection gets
a session on the member's data. This pure-ASGI guard sits in front of Flet's app and lets through only
requests that carry the per-start secret (from the printed link, then from an HttpOnly cookie), name the
address it serves in `Host`, and, for the WebSocket, come from its own origin. It also drops the headers
Flet and uvicorn add that invite other origins in (`Access-Control-Allow-Origin: *`) or name the server.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from app.i18n import _

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_PARAM = "k"  # noqa: S105 (the query parameter's name, not a secret)
DROPPED_HEADERS = frozenset({b"access-control-allow-origin", b"server"})
POLICY_VIOLATION = 1008  # WebSocket close code; before the handshake uvicorn answers it with HTTP 403


def new_secret() -> str:
    """The per-start secret: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Served:
    """Where the web client is served, and the secret its printed link carries."""

    host: str
    port: int
    secret: str
    remote: bool = False  # KRAFT_WEB_ALLOW_REMOTE=1: any Host (visitors use the machine's own name)

    @property
    def cookie(self) -> str:
        # One name per port: cookies ignore ports, and two Kraft servers on 127.0.0.1 must not overwrite
        # each other's secret in one browser.
        return f"kraft_key_{self.port}"

    @property
    def netloc(self) -> str:
        """The address as a browser writes it in `Host` (an IPv6 address in brackets)."""
        name = f"[{self.host}]" if ":" in self.host else self.host
        return f"{name}:{self.port}"

    def url(self) -> str:
        """The link to print: opening it once lets this browser in."""
        return f"http://{self.netloc}/?{TOKEN_PARAM}={self.secret}"

    def host_allowed(self, host: str) -> bool:
        if self.remote:
            return bool(host)
        names = {self.netloc.lower()} | ({self.netloc.rsplit(":", 1)[0].lower()} if self.port == 80 else set())
        return host.lower() in names


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _cookie(headers: dict[str, str], name: str) -> str:
    for part in headers.get("cookie", "").split(";"):
        key, _sep, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


def _same(value: str, secret: str) -> bool:
    return bool(value) and hmac.compare_digest(value.encode(), secret.encode())


def _own_origin(origin: str, host: str) -> bool:
    return origin in (f"http://{host}", f"https://{host}")


class WebGuard:
    """Pure ASGI middleware (http and websocket scopes); everything else (lifespan) passes untouched."""

    def __init__(self, app: ASGIApp, served: Served) -> None:
        self.app = app
        self.served = served

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
        host = headers.get("host", "")
        if (self.served.host_allowed(host) and _own_origin(headers.get("origin", ""), host)
                and _same(_cookie(headers, self.served.cookie), self.served.secret)):
            await self.app(scope, receive, _filtered(send))
            return
        await receive()  # websocket.connect
        await send({"type": "websocket.close", "code": POLICY_VIOLATION})

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
        host = headers.get("host", "")
        if not self.served.host_allowed(host):
            await _plain(send, 421, _("This address is not the one Kraft serves."))
            return
        origin = headers.get("origin")
        if origin is not None and not _own_origin(origin, host):
            await _plain(send, 403, _("Kraft answers only its own pages."))
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        token = [value for key, value in query if key == TOKEN_PARAM]
        if token and _same(token[0], self.served.secret):
            rest = urlencode([(key, value) for key, value in query if key != TOKEN_PARAM])
            await self._let_in(send, scope.get("path", "/") + (f"?{rest}" if rest else ""))
        elif not token and _same(_cookie(headers, self.served.cookie), self.served.secret):
            await self.app(scope, receive, _filtered(send))
        else:
            await _plain(send, 403, _("Open Kraft with the link printed in the terminal where it was started."))

    async def _let_in(self, send: Send, location: str) -> None:
        """Keep the secret in a cookie only this site's requests carry, and take it out of the address bar."""
        cookie = f"{self.served.cookie}={self.served.secret}; Path=/; HttpOnly; SameSite=Strict"
        await send({"type": "http.response.start", "status": 303, "headers": [
            (b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode("latin-1")),
            (b"cache-control", b"no-store"), (b"referrer-policy", b"no-referrer"), (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})


def _filtered(send: Send) -> Send:
    """`send` without the headers that open the app to other origins or name the server."""

    async def filtered(message: Message) -> None:
        if message["type"] in ("http.response.start", "websocket.accept") and message.get("headers"):
            message["headers"] = [(k, v) for k, v in message["headers"] if k.lower() not in DROPPED_HEADERS]
        await send(message)

    return filtered


async def _plain(send: Send, status: int, text: str) -> None:
    """A short plain-text refusal: no page of the app, nothing about the member."""
    body = (text + "\n").encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]})
    await send({"type": "http.response.body", "body": body})
