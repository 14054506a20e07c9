"""The relay's HTTP protocol for uvicorn: uvicorn's own (httptools where installed, else h11, as its "auto"
picks), with two things it lacks (issue 17).

A header deadline: uvicorn closes an idle connection only after a response (keep-alive), so a client that
sends half its headers, or a header line a second, held a connection and a file descriptor for as long as it
liked (50 such clients stayed open past 30 s). Each request's headers must now be complete HEADER_TIMEOUT
seconds after the connection opened or the previous response ended; a complete request (a long poll of 25 s)
is not cut off.

A client that went away: with httptools, pipelined requests followed by a reset left the request being
answered unmarked (uvicorn marks only the newest parsed one), so its answer was written to a closed transport
and uvloop's RuntimeError was logged as "Exception in ASGI application" with a traceback. Every cycle of the
connection is now marked disconnected, and uvicorn drops what they send.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0  # seconds; a phone on a slow network sends a request's headers in well under one


class _HeaderDeadline:
    """Mixed into uvicorn's protocol classes (the attributes below are theirs)."""

    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    cycle: Any
    _deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(HEADER_TIMEOUT, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def _waiting_for_a_request(self) -> bool:
        return not self.transport.is_closing() and (self.cycle is None or self.cycle.response_complete)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        if self._waiting_for_a_request():  # not when a pipelined request is already being answered
            self._arm()


class H11WithDeadline(_HeaderDeadline, H11Protocol):
    def handle_events(self) -> None:
        scope = self.scope
        super().handle_events()
        if self.scope is not scope:  # a request's headers were parsed (h11 gives the request whole)
            self._disarm()


def _httptools_protocol() -> type[asyncio.Protocol] | None:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools is not built for every platform (requirements.lock)
        return None

    class HttpToolsWithDeadline(_HeaderDeadline, HttpToolsProtocol):
        _answering: Any = None

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def _start_asgi_task(self, cycle: Any, app: Any) -> None:
            self._answering = cycle
            super()._start_asgi_task(cycle, app)

        def connection_lost(self, exc: Exception | None) -> None:
            for cycle in (self._answering, *(queued for queued, _app in self.pipeline)):
                if cycle is not None and not cycle.response_complete:
                    cycle.disconnected = True
                    cycle.message_event.set()
            super().connection_lost(exc)

    return HttpToolsWithDeadline


def http_protocol() -> type[asyncio.Protocol]:
    """What `uvicorn.run(http=...)` gets: the faster parser where there is one, as uvicorn's "auto" does."""
    return _httptools_protocol() or H11WithDeadline
