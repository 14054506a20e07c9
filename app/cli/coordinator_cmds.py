"""`kraft coordinator ...`: run a region's relay and hand out its tokens (ADR 0004, README "Relay server")."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from app.cli.commands import top_help
from app.cli.console import err, out, print_json
from app.fileio import write_atomic
from app.i18n import _, current, format_day, ngettext
from app.services.coordinator_view import CoordinatorView

# The relay's own defaults (coordinator/settings.py), repeated so that building the CLI loads no relay code;
# tests/cli/test_relay_commands.py keeps the two equal.
REQUESTS_PER_MINUTE = 300
JOIN_CODE_LOOKUPS_PER_MINUTE = 20
# What only the relay needs (the "relay" extra in pyproject.toml): a missing one is a clear message, not a
# traceback.
RELAY_MODULES = frozenset({"coordinator", "fastapi", "starlette", "uvicorn", "psycopg", "psycopg_binary", "alembic",
                           "mako"})


PORTS = range(1, 65536)


class _Refused(Exception):
    """An operator's option the relay cannot use; its text is already translated."""


def port(text: str) -> int:
    """argparse's type for --port: uvicorn takes 70000 without a word and then never answers."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number not in PORTS:
        raise argparse.ArgumentTypeError(_("{port} is not a port: give a number from 1 to 65535").format(port=text))
    return number


def relay_command(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Run a command that loads the relay; when the relay's packages are missing, say how to install them and
    return 2 (a member's install has no relay). The relay is imported inside the handler, never before."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] not in RELAY_MODULES:
                raise
            err(_("The relay's packages are not installed: pip install 'kraft[relay]'"))
            return 2
        except _Refused as exc:
            err(str(exc))
            return 2

    return run


def _database_url(args: argparse.Namespace) -> str:
    """The database to use, checked before anything connects or anything is printed."""
    from coordinator.db import DatabaseUrlError, check_url
    from coordinator.settings import default_database_url

    url = args.database_url or default_database_url()
    try:
        check_url(url)
    except DatabaseUrlError as exc:
        raise _Refused(_("{url} is not a database address the relay can use. Give sqlite:///PATH or "
                         "postgresql://USER@HOST/DATABASE.").format(url=url)) from exc
    return url


@relay_command
def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from coordinator.main import create_app
    from coordinator.server import http_protocol
    from coordinator.settings import Settings

    app = create_app(Settings(database_url=_database_url(args), requests_per_minute=args.requests_per_minute,
                              join_code_lookups_per_minute=args.join_lookups_per_minute))
    err(_("Kraft relay on http://{host}:{port} (stop with Ctrl+C)").format(host=args.host, port=args.port))
    # No access log, no server header, no proxy headers: the relay keeps no trace of who connected.
    # The relay's protocol: uvicorn's own, with a header deadline and no traceback for a client gone (server.py).
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, server_header=False, proxy_headers=False,
                log_level="warning", http=http_protocol())
    return 0


def _token(args: argparse.Namespace, kind: str, **kw: object) -> tuple[str, object]:
    from sqlmodel import Session

    from coordinator import crud
    from coordinator.db import make_engine

    engine = make_engine(_database_url(args))
    try:
        with Session(engine) as session:
            return crud.create_token(session=session, kind=kind, today=datetime.now(UTC).date(), **kw)  # type: ignore[arg-type]
    finally:
        engine.dispose()


@relay_command
def cmd_add_token(args: argparse.Namespace) -> int:
    token, _expires = _token(args, "coordinator", name=args.name or "", uses=2**31 - 1, region=args.region or "")
    out(token)
    err(_("A coordinator token: keep it secret. It is shown only now."))
    return 0


@relay_command
def cmd_enrol(args: argparse.Namespace) -> int:
    token, expires = _token(args, "enrolment", uses=args.uses, days=args.days, region=args.region or "",
                            label=args.label or "")
    out(token)
    err(ngettext("An enrolment code for a leader, good for {uses} group until {day}.",
                 "An enrolment code for a leader, good for {uses} groups until {day}.", args.uses).format(
        uses=args.uses, day=format_day(expires)))  # type: ignore[arg-type]
    return 0


def _view(args: argparse.Namespace) -> CoordinatorView:
    token = os.environ.get("KRAFT_COORDINATOR_TOKEN", "")
    if args.token_stdin:
        token = sys.stdin.readline().strip()
    return CoordinatorView(args.relay or "", token)


def cmd_summary(args: argparse.Namespace) -> int:
    overview = _view(args).overview(today=datetime.now(UTC).date())
    if args.json:
        print_json({"year": overview.year, "totals": asdict(overview.totals),
                    "groups": [{"mailbox": g.mailbox, "region": g.region, "label": g.label,
                                "follow_up": due.isoformat(),
                                "meetings": [{"meeting": m, "checkins": c, "head_count": h}
                                             for m, (c, h) in sorted(g.meetings.items())]}
                               for g, due in overview.follow_ups]})
        return 0
    out(f"{overview.year}: {overview.totals.describe(current())}")
    for group, due in overview.follow_ups:
        out(_("{label} ({region}): follow-up due {day}").format(label=group.label or group.mailbox[:8],
                                                                   region=group.region or "-", day=format_day(due)))
        for meeting, (checkins, head) in sorted(group.meetings.items()):
            out("  " + _("{meeting}: {checkins} checked in, head count {head}").format(
                meeting=meeting, checkins=checkins, head="-" if head is None else head))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    text = _view(args).export_csv(args.year)
    if args.output:
        write_atomic(Path(args.output), text.encode("utf-8"))
        err(_("Wrote {path}.").format(path=args.output))
    else:
        out(text.rstrip("\n"))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    coord = commands.add_parser("coordinator", help=top_help("coordinator"),
                                description=_("The relay between leaders and members. It stores only signed "
                                              "ciphertext and keeps no IP address, user agent or exact time."))
    sub = coord.add_subparsers(dest="coordinator_command", metavar="COMMAND", required=True)
    db_help = _("the relay's database (default: DATABASE_URL, else SQLite under KRAFT_HOME)")

    p = sub.add_parser("serve", help=_("run the relay (uvicorn)"))
    p.add_argument("--host", default="127.0.0.1", help=_("the address to listen on (default 127.0.0.1)"))
    p.add_argument("--port", type=port, default=8787, help=_("the port (default 8787)"))
    p.add_argument("--requests-per-minute", type=int, default=REQUESTS_PER_MINUTE, metavar="N",
                   help=_("per client address; behind a proxy every client shares the proxy's (default {n})")
                   .format(n=REQUESTS_PER_MINUTE))
    p.add_argument("--join-lookups-per-minute", type=int, default=JOIN_CODE_LOOKUPS_PER_MINUTE, metavar="N",
                   help=_("join-code lookups per client address (default {n})").format(n=JOIN_CODE_LOOKUPS_PER_MINUTE))
    p.add_argument("--database-url", metavar="URL", help=db_help)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("add-token", help=_("make a coordinator token (for /v1/enrolments and the coordinator view)"))
    p.add_argument("--name", metavar="TEXT", help=_("your own note for it"))
    p.add_argument("--region", metavar="TEXT", help=_("the region it sees (default: every region)"))
    p.add_argument("--database-url", metavar="URL", help=db_help)
    p.set_defaults(func=cmd_add_token)

    p = sub.add_parser("enrol", help=_("make an enrolment code a leader needs to start a group on this relay"))
    p.add_argument("--uses", type=int, default=1, choices=range(1, 101), metavar="N",
                   help=_("how many groups it may register (default 1)"))
    p.add_argument("--days", type=int, default=14, choices=range(1, 91), metavar="DAYS",
                   help=_("how long it is valid (default 14 days)"))
    p.add_argument("--region", metavar="TEXT", help=_("the region the group belongs to"))
    p.add_argument("--label", metavar="TEXT", help=_("your name for the group, e.g. Malmö Tuesday"))
    p.add_argument("--database-url", metavar="URL", help=db_help)
    p.set_defaults(func=cmd_enrol)

    token_help = _("read the coordinator token from stdin (else KRAFT_COORDINATOR_TOKEN)")
    p = sub.add_parser("summary", help=_("counts per group and meeting, follow-ups due, totals for the year"))
    p.add_argument("--relay", metavar="URL", required=True, help=_("the relay's address"))
    p.add_argument("--token-stdin", action="store_true", help=token_help)
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=cmd_summary)
    p = sub.add_parser("export", help=_("the funders' CSV: attendances by region and quarter, small cells hidden"))
    p.add_argument("--relay", metavar="URL", required=True, help=_("the relay's address"))
    p.add_argument("--year", type=int, default=datetime.now(UTC).year, help=_("the year (default: this year)"))
    p.add_argument("-o", "--output", metavar="FILE", help=_("write to FILE instead of printing"))
    p.add_argument("--token-stdin", action="store_true", help=token_help)
    p.set_defaults(func=cmd_export)

    from app.cli.region_coordinator_cmds import register_coordinator

    register_coordinator(sub)
