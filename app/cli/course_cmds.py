"""`kraft course show|go-on|lead` (issue 18 point 6, docs/adr/0014-meeting-and-themes.md): the end of a course.
After the last meeting: the group's answers to "Go on as a group?" (counts only), this member's own answer,
and "Would you lead a group one day?", which stays sealed in the journal and is never sent from here. The
reflection is a journal entry: `kraft journal add --prompt course`."""

from __future__ import annotations

import argparse
from contextlib import AbstractContextManager

from app.cli import clock
from app.cli.commands import top_help
from app.cli.console import Secrets, open_context, out, print_json
from app.cli.group_cmds import resolve_group
from app.cli.lead_common import sync_now
from app.errors import KraftError, Msg
from app.i18n import _
from app.services.context import AppContext
from app.services.course import LEAD_ANSWERS
from app.services.group_layer.choosing import GO_ON


def _opened(args: argparse.Namespace) -> AbstractContextManager[AppContext]:
    return open_context(Secrets(args.passphrase_stdin), unlock=True, no_vault=Msg.THEMES_NEED_JOURNAL)


def cmd_show(args: argparse.Namespace) -> int:
    with _opened(args) as ctx:
        group = resolve_group(ctx.groups, args.group)
        sync_now(ctx)
        end = ctx.course.end(group.id, now=clock.now())
        lead = ctx.course.lead()
    if end is None:
        raise KraftError(Msg.COURSE_NOT_OVER)
    if args.json:
        print_json({"group": group.id, "last_meeting": end.last.id, "go_on": end.go_on, "mine": end.mine,
                    "reflections": end.reflections, "would_lead": lead})
        return 0
    if end.go_on:
        out(_("Go on as a group? Yes: {yes}, no: {no}.").format(yes=end.go_on["yes"], no=end.go_on["no"]))
    out(_("Your answer: {answer}").format(answer=end.mine or "-"))
    out(_("Your reflections on the course: {n}").format(n=end.reflections))
    out(_("Would you lead a group one day? {answer}").format(answer=lead or "-"))
    return 0


def cmd_go_on(args: argparse.Namespace) -> int:
    with _opened(args) as ctx:
        group = resolve_group(ctx.groups, args.group)
        sync_now(ctx)
        ctx.course.go_on(group.id, args.answer, now=clock.now())
        sync_now(ctx)
    out(_("Your answer is sent. You can change it by answering again."))
    return 0


def cmd_lead(args: argparse.Namespace) -> int:
    with _opened(args) as ctx:
        ctx.course.would_lead("" if args.clear else args.answer or "")
    out(_("Kept in your journal. Nothing is sent.") if not args.clear else _("Taken back."))
    return 0


def register(commands: argparse._SubParsersAction, unlock: argparse.ArgumentParser) -> None:
    course = commands.add_parser("course", help=top_help("course"))
    sub = course.add_subparsers(dest="course_command", required=True, metavar="COMMAND")
    p = sub.add_parser("show", parents=[unlock], help=_("the end of a course: the group's answers and yours"))
    p.add_argument("group", help=_("the group's id (or the start of it)"))
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("go-on", parents=[unlock], help=_("answer \"Go on as a group?\" after the last meeting"))
    p.add_argument("group", help=_("the group's id (or the start of it)"))
    p.add_argument("answer", choices=GO_ON)
    p.set_defaults(func=cmd_go_on)
    p = sub.add_parser("lead", parents=[unlock], help=_("would you lead a group one day? (kept private)"))
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("answer", nargs="?", choices=LEAD_ANSWERS)
    which.add_argument("--clear", action="store_true", help=_("take the answer back"))
    p.set_defaults(func=cmd_lead)
