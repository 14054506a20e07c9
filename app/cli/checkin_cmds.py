"""`kraft checkin GROUP`: "I was there", "I can't come", and the member's own attendance history.

With a journal, check-ins are sealed in it, so the command unlocks it (passphrase as for every other
command); a member without a journal needs none.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from app.cli import console, group_cmds, render
from app.cli.console import Secrets, out, print_json, unlocked_service
from app.domain.schedule import Meeting
from app.errors import KraftError, Msg
from app.i18n import N_, _, format_when, ngettext
from app.services.checkin import ATTENDED, CANT_COME, Attendance, CheckInService
from app.services.checkin_news import CheckInNews
from app.services.groups import Group, GroupService

STATUS_TEXT = {ATTENDED: N_("was there"), CANT_COME: N_("can't come"), None: N_("not said")}


@contextmanager
def _open(args: argparse.Namespace) -> Iterator[tuple[GroupService, CheckInService, CheckInNews]]:
    """The stores for this member: unlocked when they have a journal, plain when they have none."""
    service = console.new_service()
    try:
        if not service.has_vault():
            yield (GroupService(service.engine), CheckInService(service.engine), CheckInNews(service.engine, None))
            return
    finally:
        service.close()
    with unlocked_service(Secrets(args.passphrase_stdin)) as service:
        yield (GroupService(service.engine, service.vault), CheckInService(service.engine, service.vault),
               CheckInNews(service.engine, service.vault))


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
    out(ngettext("You were at {n} of {m} meeting.", "You were at {n} of {m} meetings.", history.held)
        .format(n=history.attended, m=history.held))


def cmd_checkin(args: argparse.Namespace) -> int:
    moment = group_cmds.now()
    with _open(args) as (groups, checkins, news):
        group = group_cmds.resolve_group(groups, args.id)
        if args.history:
            if args.undo or args.meeting:
                raise KraftError(Msg.CHECKIN_HISTORY_ALONE)
            _history(group, checkins.history(group, now=moment), args.json)
            return 0
        meeting = _pick(group, args, moment)
        when = format_when(meeting.start, own_zone=True)
        if args.undo:
            was = checkins.status(group, meeting.id)
            removed = checkins.clear(group, meeting.id)
            news.took_back(group, meeting.id, was, now=moment)
            status = None
            text = (_("Took back what you said about the meeting on {when}.") if removed
                    else _("You had said nothing about the meeting on {when}.")).format(when=when)
        else:
            status = CANT_COME if args.cant_come else ATTENDED
            checkins.check_in(group, meeting.id, status, now=moment)
            news.said(group, meeting.id, status, now=moment)
            text = (_("Noted: you can't come on {when}.") if args.cant_come
                    else _("Checked in: you were at the meeting on {when}.")).format(when=when)
    if args.json:
        print_json({"group_id": group.id, "meeting": render.meeting_data(meeting), "status": status})
    else:
        out(text)
    return 0


def register(commands: argparse._SubParsersAction, unlock: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "checkin", parents=[unlock], help=_("say you were at a meeting, or that you can't come; your history"),
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
