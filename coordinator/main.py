"""The relay application: `create_app(settings)`; `kraft coordinator serve` runs it under uvicorn."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from coordinator.api.deps import Refused
from coordinator.api.routes import (
    attendance,
    catalogues,
    coordinator,
    enrolments,
    interest,
    join_codes,
    mailboxes,
    misc,
)
from coordinator.db import make_engine
from coordinator.limits import BodyLimit, RateLimit
from coordinator.settings import Settings
from coordinator.waiters import Waiters

DESCRIPTION = """The relay between a Kraft group's leader and its members (docs/adr/0004-relay-protocol.md).
It stores signed ciphertext, sealed invites, the regions' signed catalogues of groups (ADR 0016) and the
requests and replies sealed to a region's coordinator and back, checks signatures so outsiders cannot post, and
reads nothing. It keeps no IP address, user agent or time finer than
the day."""


def _readable(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        if error.get("type") == "json_invalid":
            at = f" at character {loc[1]}" if len(loc) > 1 else ""
            reason = (error.get("ctx") or {}).get("error", "")
            parts.append(f"The body is not valid JSON{at}" + (f": {reason}" if reason else "") + ".")
            continue
        if loc == ("body",):
            parts.append("The request needs a JSON object as its body." if error.get("type") == "missing"
                         else f"The body must be a JSON object ({error.get('msg', 'invalid')}).")
            continue
        where = ".".join(str(p) for p in loc if p != "body")
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts) or "The request is not valid."


async def _unexpected(_request: Request, _exc: Exception) -> JSONResponse:
    """The last resort, so a client never gets a bare 500: 503 with Retry-After, which the apps retry (a
    database that is down or busy). A bug still shows: Starlette re-raises after this answer, so the server
    logs the traceback (never the request or the client), and the tests and the schema run fail on it."""
    return JSONResponse({"detail": "The relay could not answer just now; try again later."}, status_code=503,
                        headers={"Retry-After": "30"})


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="Kraft relay", version="1", description=DESCRIPTION, docs_url=None, redoc_url=None)
    app.state.engine = make_engine(settings.database_url)
    app.state.waiters = Waiters()
    app.state.longest_wait = settings.longest_wait
    for router in (misc.router, enrolments.router, mailboxes.router, join_codes.router, attendance.router,
                   coordinator.router, catalogues.router, interest.router):
        app.include_router(router)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _readable(exc)}, status_code=422)

    @app.exception_handler(Refused)
    async def refused(_request: Request, exc: Refused) -> JSONResponse:
        return JSONResponse({"detail": exc.detail, "reason": exc.reason}, status_code=409)

    app.add_exception_handler(Exception, _unexpected)

    app.add_middleware(RateLimit, per_minute=settings.requests_per_minute,
                       strict={"/v1/join-codes/": settings.join_code_lookups_per_minute})
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app
