"""`kraft lead ...`, `kraft join` and `kraft sync`: leading a group through the relay, joining one from an
invite, and keeping in step with the relay (issue 4, ADR 0004).

A leader's keys are in the leader's journal, so `lead` commands unlock it. `join` needs no passphrase for a
member without a journal. `sync` works locked (schedule changes, sending what waits unsealed: a member
without a journal) and does the rest (prompts, members' messages, what waits sealed in the journal;
docs/adr/0005-anonymous-attendance.md) when a passphrase is given.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli import clock, role_cmds
from app.cli.commands import top_help
from app.cli.console import Secrets, err, open_context, out
from app.cli.group_cmds import (
    DEFAULT_DURATION,
    DEFAULT_ZONE,
    meeting_length,
    parse_date,
    parse_time,
    parse_zone,
    resolve_group,
)
from app.cli.lead_common import leading, member_services, report_sync, spaced, sync_now
from app.domain.schedule import INTERVALS, Schedule
from app.errors import KraftError, Msg
from app.fileio import write_atomic
from app.i18n import _, format_day
from app.services.invite_qr import qr_png, qr_svg

# ---- lead ----


def cmd_create(args: argparse.Namespace) -> int:
    schedule = Schedule.weekly(zone=args.zone, first=args.first, at=args.at,
                               duration=meeting_length(args.duration), interval=args.every,
                               count=args.count, until=args.until)
    guidelines = Path(args.guidelines_file).read_text(encoding="utf-8") if args.guidelines_file else ""
    with leading(Secrets(args.passphrase_stdin)) as (leader, _groups, ctx):
        group = leader.create_group(args.label, schedule, theme=args.theme or "", guidelines=guidelines,
                                    relay=args.relay or "", enrolment=args.enrolment or "", now=clock.now())
        report = sync_now(ctx) if args.relay else None
    out(group.id)
    if report and report.problems:
        err(report.problems[0])
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    report = None
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        if not args.short:
            invite = leader.invite(group.id, days=args.days, today=clock.now().date())
        else:  # the relay keeps the sealed invite behind the short link: send it now
            invite = leader.shareable_invite(group.id, days=args.days, now=clock.now())
            if not invite.short:
                raise KraftError(Msg.INVITE_SHORT_NEEDS_RELAY)
            report = sync_now(ctx)
    if args.qr:
        data = qr_svg(invite.shown) if args.qr.endswith(".svg") else qr_png(invite.shown)
        write_atomic(Path(args.qr), data)
    out(invite.shown)
    err(_("Valid until {day}.").format(day=format_day(invite.expires_on)))
    if report and report.problems:
        err(_("Not on the relay yet; it is sent at the next sync: {problem}").format(problem=report.problems[0]))
    return 0


def cmd_code(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        code = leader.join_code(group.id, days=args.days, now=clock.now())
        report = sync_now(ctx)
    out(code.code)
    err(_("Valid until {day}.").format(day=format_day(code.expires_on)))
    if report.problems:
        err(_("Not on the relay yet; it is sent at the next sync: {problem}").format(problem=report.problems[0]))
    return 0


def cmd_prompt(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        leader.send_prompt(group.id, prompt_id=args.prompt, text=args.text, now=clock.now())
        report = sync_now(ctx)
    return report_sync(report, False)


def cmd_publish(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        leader.publish_schedule(group.id, now=clock.now())
        report = sync_now(ctx)
    return report_sync(report, False)


def cmd_head_count(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        leader.send_head_count(group.id, args.meeting, args.count, now=clock.now())
        report = sync_now(ctx)
    return report_sync(report, False)


def cmd_remove_member(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        epoch = leader.remove_member(group.id, args.member, now=clock.now())
        report = sync_now(ctx)
    out(_("New keys (epoch {epoch}): the member who left cannot read what is sent from now on.").format(
        epoch=epoch))
    return report_sync(report, False) if report.problems else 0


# ---- join and sync ----


def cmd_join(args: argparse.Namespace) -> int:
    with member_services(args) as ctx:
        joining = ctx.joining
        today = clock.now().date()
        if args.code:
            preview = joining.read_code(args.code, args.relay or "", today=today)
        elif args.invite:
            preview = joining.read(args.invite, today=today)
        else:
            raise KraftError(Msg.INVITE_DAMAGED)
        out(_("Group: {label}").format(label=preview.label))
        if preview.theme:
            out(_("Theme: {theme}").format(theme=preview.theme))
        out(_("The group's guidelines:"))
        out(preview.guidelines or _("What is said in the group stays in the group. We listen without judging, "
                                    "speak for ourselves, and anyone may pass."))
        if not args.yes:
            err(_("Add --yes to join after reading the guidelines."))
            return 1
        group = joining.join(preview, name=args.name or "", now=clock.now())
        report = sync_now(ctx)
        code = joining.check_code(group.id) if joining.waiting_to_be_let_in(group.id) else ""
    if code:
        out(_("A host lets you in. Compare this check code with theirs when you meet: {code}").format(
            code=spaced(code)))
    out(group.id)  # last: scripts read the group id from the last line
    for problem in dict.fromkeys(report.problems):
        err(problem)
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    if args.locked:
        with open_context(unlock=False) as ctx:
            report = sync_now(ctx)
        return report_sync(report, args.json)
    with member_services(args) as ctx:
        report = sync_now(ctx)
    return report_sync(report, args.json)


def register(commands: argparse._SubParsersAction, unlock: argparse.ArgumentParser) -> None:
    lead = commands.add_parser(
        "lead", help=top_help("lead"),
        description=_("Lead a group through the region's relay. The group's keys are kept in your encrypted "
                      "journal, so these commands ask for the passphrase."))
    sub = lead.add_subparsers(dest="lead_command", metavar="COMMAND", required=True)
    id_help = _("the group id, or its first characters as `kraft group list` shows them")
    days_help = _("how many days the invite works (default 7, at most 30)")

    p = sub.add_parser("create", parents=[unlock], help=_("start a group and make its keys"))
    p.add_argument("label", metavar="LABEL", help=_("a neutral name members see, e.g. Tuesday group"))
    p.add_argument("--first", type=parse_date, required=True, metavar="YYYY-MM-DD",
                   help=_("the date of the first meeting"))
    p.add_argument("--at", type=parse_time, required=True, metavar="HH:MM", help=_("when meetings start"))
    p.add_argument("--zone", type=parse_zone, default=DEFAULT_ZONE, metavar="ZONE",
                   help=_("the time zone the group meets in (default {zone})").format(zone=DEFAULT_ZONE))
    p.add_argument("--every", type=int, choices=INTERVALS, default=1, metavar="WEEKS",
                   help=_("meet every 1, 2 or 3 weeks (default 1)"))
    end = p.add_mutually_exclusive_group()
    end.add_argument("--count", type=int, metavar="N", help=_("how many meetings the course has"))
    end.add_argument("--until", type=parse_date, metavar="YYYY-MM-DD", help=_("the date of the last meeting"))
    p.add_argument("--duration", type=int, default=DEFAULT_DURATION, metavar="MINUTES",
                   help=_("how long a meeting lasts in minutes (default {minutes})").format(
                       minutes=DEFAULT_DURATION))
    p.add_argument("--theme", metavar="TEXT", help=_("what the group is about (sent encrypted)"))
    p.add_argument("--guidelines-file", metavar="FILE", help=_("the group's guidelines, shown before joining"))
    p.add_argument("--relay", metavar="URL", help=_("the region's relay address (none: invites by link only)"))
    p.add_argument("--enrolment", metavar="CODE", help=_("the enrolment code your coordinator gave you"))
    p.set_defaults(func=cmd_create)

    p = sub.add_parser("invite", parents=[unlock], help=_("print the invite link (and write its QR code)"))
    p.add_argument("group", metavar="GROUP", help=id_help)
    p.add_argument("--days", type=int, default=7, metavar="N", help=days_help)
    p.add_argument("--qr", metavar="FILE", help=_("write the QR code to FILE (.svg or .png)"))
    p.add_argument("--short", action="store_true",
                   help=_("a short link the relay keeps the invite for (a small QR code); needs a relay"))
    p.set_defaults(func=cmd_invite)

    p = sub.add_parser("code", parents=[unlock], help=_("make a short join code that expires"))
    p.add_argument("group", metavar="GROUP", help=id_help)
    p.add_argument("--days", type=int, default=7, metavar="N", help=days_help)
    p.set_defaults(func=cmd_code)

    p = sub.add_parser("prompt", parents=[unlock], help=_("send the homework for the next meeting"))
    p.add_argument("group", metavar="GROUP", help=id_help)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--prompt", metavar="ID", help=_("a prompt from the library (kraft prompts)"))
    which.add_argument("--text", metavar="TEXT", help=_("the homework in your own words"))
    p.set_defaults(func=cmd_prompt)

    p = sub.add_parser("publish", parents=[unlock],
                       help=_("send the group's schedule after moving or cancelling a meeting"))
    p.add_argument("group", metavar="GROUP", help=id_help)
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("members", parents=[unlock], help=_("who joined, and who can't come"))
    p.add_argument("group", metavar="GROUP", help=id_help)
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=role_cmds.cmd_members)

    p = sub.add_parser("admit", parents=[unlock], help=_("let in someone who asks to join (compare the check code)"))
    p.add_argument("group", metavar="GROUP", help=id_help)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("request", nargs="?", metavar="REQUEST",
                       help=_("the request id as `members` lists it (one starting with - goes after --)"))
    which.add_argument("--all", action="store_true", help=_("everyone who may come in now"))
    p.set_defaults(func=role_cmds.cmd_admit)

    p = sub.add_parser("host", parents=[unlock], help=_("make a member a host, or take it back"))
    p.add_argument("group", metavar="GROUP", help=id_help)
    p.add_argument("member", metavar="MEMBER",
                   help=_("the member id as `members` lists it (one starting with - goes after --)"))
    p.add_argument("--revoke", action="store_true", help=_("no longer a host (yourself: step back)"))
    p.set_defaults(func=role_cmds.cmd_host)

    p = sub.add_parser("policy", parents=[unlock], help=_("who may host, and whether newcomers need the group's yes"))
    p.add_argument("group", metavar="GROUP", help=id_help)
    hosts = p.add_mutually_exclusive_group()
    hosts.add_argument("--hosts-only", action="store_true", help=_("only named hosts host"))
    hosts.add_argument("--every-member-hosts", action="store_true", help=_("every member may host"))
    door = p.add_mutually_exclusive_group()
    door.add_argument("--open", action="store_true", help=_("a host lets newcomers in"))
    door.add_argument("--closed", action="store_true", help=_("newcomers come in when the members agree"))
    p.set_defaults(func=role_cmds.cmd_policy)

    p = sub.add_parser("head-count", parents=[unlock], help=_("how many were at a meeting, for the coordinator"))
    p.add_argument("group", metavar="GROUP", help=id_help)
    p.add_argument("meeting", metavar="MEETING", help=_("the meeting id as `kraft group show` lists it"))
    p.add_argument("count", type=int, metavar="N", help=_("how many were there, with or without the app"))
    p.set_defaults(func=cmd_head_count)

    p = sub.add_parser("remove-member", parents=[unlock],
                       help=_("new keys for everyone but a member who left"))
    p.add_argument("group", metavar="GROUP", help=id_help)
    p.add_argument("member", metavar="MEMBER",
                   help=_("the member id as `members` lists it (one starting with - goes after --)"))
    p.set_defaults(func=cmd_remove_member)

    p = sub.add_parser("upgrade", parents=[unlock],
                       help=_("move a group started with an older Kraft to the new group version; members keep "
                              "their places"))
    p.add_argument("group", metavar="GROUP", help=id_help)
    p.add_argument("--enrolment", metavar="CODE",
                   help=_("an enrolment code from your coordinator (the group gets a new mailbox)"))
    p.set_defaults(func=role_cmds.cmd_upgrade)

    p = commands.add_parser("join", parents=[unlock], help=top_help("join"))
    p.add_argument("invite", nargs="?", metavar="LINK", help=_("the invite link, as shared or pasted"))
    p.add_argument("--code", metavar="CODE", help=_("a join code instead of a link, e.g. ABCDE-12345"))
    p.add_argument("--relay", metavar="URL", help=_("the relay address, for a join code"))
    p.add_argument("--name", metavar="NAME", help=_("how the leader sees you (optional)"))
    p.add_argument("--yes", action="store_true", help=_("join after the guidelines are shown"))
    p.set_defaults(func=cmd_join)

    p = commands.add_parser("sync", parents=[unlock], help=top_help("sync"))
    p.add_argument("--locked", action="store_true",
                   help=_("do not unlock: schedule changes, and sending what is not locked in a journal"))
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=cmd_sync)
