"""`kraft attendance ...`: a member's anonymous attendance for a group (issue 5): see it, turn it on or off,
see exactly what is sent, and send what waits now."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict

from app.cli import clock, group_cmds
from app.cli.commands import top_help
from app.cli.console import out, print_json
from app.cli.lead_common import member_services
from app.i18n import _, format_when, ngettext
from app.services.attendance import AttendanceService
from app.services.context import AppContext


@contextmanager
def _services(args: argparse.Namespace) -> Iterator[tuple[AppContext, AttendanceService]]:
    with member_services(args) as ctx:
        yield ctx, ctx.attendance


def cmd_status(args: argparse.Namespace) -> int:
    with _services(args) as (ctx, attendance):
        groups = [g for g in ctx.groups.list() if attendance.can_report(g.id)]
        rows: list[dict[str, str | bool]] = [{"group_id": g.id, "label": g.label, "on": attendance.opted_in(g.id)}
                                             for g in groups]
        pending = attendance.pending()
    if args.json:
        print_json({"groups": rows, "waiting": [{**asdict(p), "after": p.after.isoformat() if p.after else None}
                                                for p in pending]})
        return 0
    if not rows:
        out(_("No group here sends attendance: it needs a group joined through a relay."))
    for row in rows:
        state = _("on") if row["on"] else _("off")
        out(f"{str(row['group_id'])[:8]}  {row['label']}: {state}")
    for item in pending:
        when = format_when(item.after) if item.after else _("refused: {error}").format(error=item.error)
        out(ngettext("Waiting to be sent: {count} meeting, not before {when}",
                     "Waiting to be sent: {count} meetings, not before {when}", len(item.meetings))
            .format(count=len(item.meetings), when=when))
    return 0


def _set(args: argparse.Namespace, on: bool) -> int:
    with _services(args) as (ctx, attendance):
        group = group_cmds.resolve_group(ctx.groups, args.group)
        attendance.set_opt_in(group.id, on)
    text = _("Anonymous attendance for {label} is on.") if on else _("Anonymous attendance for {label} is off.")
    out(text.format(label=group.label))
    return 0


def cmd_preview(args: argparse.Namespace) -> int:
    with _services(args) as (ctx, attendance):
        group = group_cmds.resolve_group(ctx.groups, args.group)
        meeting = group.meeting(args.meeting) if args.meeting else next(
            (m for m in reversed(group.schedule.meetings()) if not m.cancelled and m.start <= clock.now()),
            group.schedule.meetings()[0])
        print_json(attendance.payload(group.id, [meeting.id]))
    return 0


def cmd_send_now(args: argparse.Namespace) -> int:
    with _services(args) as (ctx, attendance):
        uploads = attendance.send_now(now=clock.now())
        report = ctx.sync.run(now=clock.now())
    out(ngettext("Sent {sent} of {uploads} waiting upload.", "Sent {sent} of {uploads} waiting uploads.", uploads)
        .format(sent=report.sent, uploads=uploads))
    return 0 if not report.problems else 1


def register(commands: argparse._SubParsersAction, unlock: argparse.ArgumentParser) -> None:
    att = commands.add_parser("attendance", help=top_help("attendance"),
                              description=_("Off until you turn it on for a group. Then each \"I was there\" "
                                            "sends a token that says nothing about who you are; the "
                                            "coordinator sees how many came, never who."))
    sub = att.add_subparsers(dest="attendance_command", metavar="COMMAND", required=True)
    id_help = _("the group id, or its first characters as `kraft group list` shows them")
    p = sub.add_parser("status", parents=[unlock], help=_("which groups send attendance, and what waits"))
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=cmd_status)
    for name, on, text in (("on", True, _("start sending anonymous attendance for a group")),
                           ("off", False, _("stop, and drop what waits"))):
        p = sub.add_parser(name, parents=[unlock], help=text)
        p.add_argument("group", metavar="GROUP", help=id_help)
        p.set_defaults(func=lambda args, on=on: _set(args, on))
    p = sub.add_parser("preview", parents=[unlock], help=_("print exactly what would be sent for a meeting"))
    p.add_argument("group", metavar="GROUP", help=id_help)
    p.add_argument("--meeting", metavar="ID", help=_("the meeting id (default: the latest that has begun)"))
    p.set_defaults(func=cmd_preview)
    p = sub.add_parser("send-now", parents=[unlock], help=_("send what waits now instead of after its delay"))
    p.set_defaults(func=cmd_send_now)
