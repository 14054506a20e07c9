"""`kraft checkin GROUP`: "I was there", "I can't come", and the member's own attendance history.

With a journal, check-ins are sealed in it, so the command unlocks it (passphrase as for every other
command); a member without a journal needs none.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from app.cli import clock, group_cmds, render
from app.cli.commands import top_help
from app.cli.console import Secrets, open_context, out, print_json
from app.domain.schedule import Meeting
from app.errors import KraftError, Msg
from app.i18n import N_, _, format_when
from app.services.attend import check_in
from app.services.checkin import ATTENDED, CANT_COME, Attendance
from app.services.groups import Group

STATUS_TEXT = {ATTENDED: N_("was there"), CANT_COME: N_("can't come"), None: N_("not said")}


def _pick(group: Group, args: argparse.Namespace, moment: datetime) -> Meeting:
    """The meeting meant: --meeting, else the next one (for --cant-come), else the latest that has begun."""
    if args.meeting:
        return group.meeting(args.meeting)
    meetings = [m for m in group.schedule.meetings() if not m.cancelled]
    if args.cant_come:
        found = next((m for m in meetings if m.start > moment), None)
    else:
        found = next((m for m in reversed(meetings) if m.start <= moment), None)
    if found is None:
        raise KraftError(Msg.CHECKIN_NO_MEETING)
    return found


def _history(group: Group, history: Attendance, as_json: bool) -> None:
    if as_json:
        print_json({"group_id": group.id, "attended": history.attended, "held": history.held,
                    "meetings": [{**render.meeting_data(r.meeting), "status": r.status} for r in history.rows]})
        return
    for row in history.rows:
        out(f"{format_when(row.meeting.start, own_zone=True)}  {_(STATUS_TEXT[row.status])}  ({row.meeting.id})")
    out(history.summary())


def cmd_checkin(args: argparse.Namespace) -> int:
    moment = clock.now()
    # With a journal, check-ins are sealed in it: unlock it; a member without one needs no passphrase.
    with open_context(Secrets(args.passphrase_stdin), unlock=True, if_vault=True, read_only=args.history) as ctx:
        group = group_cmds.resolve_group(ctx.groups, args.id)
        if args.history:
            if args.undo or args.meeting:
                raise KraftError(Msg.CHECKIN_HISTORY_ALONE)
            _history(group, ctx.checkins.history(group, now=moment), args.json)
            return 0
        meeting = _pick(group, args, moment)
        when = format_when(meeting.start, own_zone=True)
        said = None if args.undo else CANT_COME if args.cant_come else ATTENDED
        result = check_in(ctx, group, meeting.id, said, now=moment)
        if args.undo:
            text = (_("Took back what you said about the meeting on {when}.") if result.removed
                    else _("You had said nothing about the meeting on {when}.")).format(when=when)
        else:
            text = (_("Noted: you can't come on {when}.") if result.cant_come
                    else _("Checked in: you were at the meeting on {when}.")).format(when=when)
    if args.json:
        print_json({"group_id": group.id, "meeting": render.meeting_data(meeting), "status": result.status})
    else:
        out(text)
    return 0


def register(commands: argparse._SubParsersAction, unlock: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "checkin", parents=[unlock], help=top_help("checkin"),
        description=_("Without options: you were at the meeting going on now or the latest one. With a journal "
                      "your check-ins are kept encrypted in it (the passphrase is needed); without one, only the "
                      "day you said it is kept with the meeting."))
    p.add_argument("id", metavar="GROUP", help=_("the group id, or its first characters as `group list` shows them"))
    what = p.add_mutually_exclusive_group()
    what.add_argument("--cant-come", action="store_true", help=_("you can't come to the next meeting"))
    what.add_argument("--history", action="store_true", help=_("list your attendance, newest first"))
    p.add_argument("--undo", action="store_true",
                   help=_("take back what you said about the meeting (with --cant-come: about the next one)"))
    p.add_argument("--meeting", metavar="ID", help=_("another meeting, by the id `group show` lists"))
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=cmd_checkin)
