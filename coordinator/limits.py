"""Body size and request rate limits, as plain ASGI middleware.

The rate is counted per client in memory only, under a keyed hash of the client address with a key made at
start: the address itself is never kept, stored or logged, and the counts vanish each minute.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def _answer(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """413 for a body over `limit` bytes, by its Content-Length or by what actually arrives. The body (small
    by design) is read here first and handed on whole, so the limit holds however it is streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and not value.isdigit():
                await _answer(send, 400, "The Content-Length header is not a number.")
                return
            if name == b"content-length" and int(value) > self.limit:
                await _answer(send, 413, f"The request body is larger than {self.limit} bytes.")
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _answer(send, 413, f"The request body is larger than {self.limit} bytes.")
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        whole = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([whole], receive), send)


def _replay(first: list[dict[str, Any]], receive: Receive) -> Receive:
    async def replayed() -> dict[str, Any]:
        return first.pop(0) if first else await receive()

    return replayed


class RateLimit:
    """429 with Retry-After when one client makes more than `per_minute` requests in a minute (fewer for
    paths starting with one of `strict`, such as join-code lookups)."""

    def __init__(self, app: ASGIApp, per_minute: int, strict: dict[str, int]) -> None:
        self.app, self.per_minute, self.strict = app, per_minute, strict
        self._key = os.urandom(32)
        self._minute = 0
        self._counts: dict[tuple[bytes, str], int] = {}

    def _client(self, scope: Scope) -> bytes:
        client = scope.get("client") or ("", 0)
        return hmac.new(self._key, str(client[0]).encode(), hashlib.sha256).digest()[:16]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        now = time.monotonic()
        minute = int(now // 60)
        if minute != self._minute:
            self._minute, self._counts = minute, {}
        path = scope.get("path", "")
        bucket = next((prefix for prefix in self.strict if path.startswith(prefix) and scope["method"] == "GET"), "")
        limit = self.strict.get(bucket, self.per_minute)
        key = (self._client(scope), bucket)
        self._counts[key] = self._counts.get(key, 0) + 1
        if self._counts[key] > limit:
            wait = str(max(1, int(60 - now % 60))).encode()
            await _answer(send, 429, "Too many requests; try again in a minute.", [(b"retry-after", wait)])
            return
        await self.app(scope, receive, send)
