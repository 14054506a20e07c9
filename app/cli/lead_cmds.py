"""`kraft lead ...`, `kraft join` and `kraft sync`: leading a group through the relay, joining one from an
invite, and keeping in step with the relay (issue 4, ADR 0004).

A leader's keys are in the leader's journal, so `lead` commands unlock it. `join` needs no passphrase for a
member without a journal. `sync` works locked (schedule changes, sending what waits unsealed: a member
without a journal) and does the rest (prompts, members' messages, what waits sealed in the journal;
docs/adr/0005-anonymous-attendance.md) when a passphrase is given.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from app.cli.console import Secrets, err, open_context, out, print_json
from app.cli.group_cmds import DEFAULT_DURATION, DEFAULT_ZONE, now, parse_date, parse_time, parse_zone, resolve_group
from app.domain.schedule import INTERVALS, Schedule
from app.errors import KraftError, Msg
from app.fileio import write_atomic
from app.i18n import _, format_day, ngettext
from app.services.context import AppContext
from app.services.group_layer.hosting import Person
from app.services.groups import GroupService
from app.services.invite_qr import qr_png, qr_svg
from app.services.leader import LeaderService
from app.services.relay_sync import SyncReport


@contextmanager
def leading(secrets: Secrets) -> Iterator[tuple[LeaderService, GroupService, AppContext]]:
    """The leader's journal unlocked (a leader's keys are in it), for one command."""
    with open_context(secrets, unlock=True, no_vault=Msg.LEADER_NEEDS_JOURNAL) as ctx:
        yield ctx.leader, ctx.groups, ctx


@contextmanager
def member_services(args: argparse.Namespace) -> Iterator[AppContext]:
    """The member's data with the vault unlocked when one exists (a member without a journal needs nothing)."""
    with open_context(Secrets(args.passphrase_stdin), unlock=True, if_vault=True) as ctx:
        yield ctx


def _report(report: SyncReport, as_json: bool) -> int:
    if as_json:
        print_json(asdict(report))
        return 0
    out(_("Sent {sent}, received {received}, applied {applied}, not sent yet {waiting}.").format(
        sent=report.sent, received=report.received, applied=report.applied, waiting=report.waiting))
    if report.kept:
        out(ngettext("{count} message waits for your journal to be unlocked.",
                     "{count} messages wait for your journal to be unlocked.", report.kept).format(count=report.kept))
    if report.refused:
        err(ngettext("Refused {count} message that did not check out: {reasons}.",
                     "Refused {count} messages that did not check out: {reasons}.", len(report.refused)).format(
            count=len(report.refused), reasons=", ".join(sorted(set(report.refused)))))
    for problem in dict.fromkeys(report.problems):
        err(problem)
    return 0


def _sync(ctx: AppContext) -> SyncReport:
    return ctx.sync.run(now=now())


# ---- lead ----


def cmd_create(args: argparse.Namespace) -> int:
    schedule = Schedule.weekly(zone=args.zone, first=args.first, at=args.at,
                               duration=timedelta(minutes=args.duration), interval=args.every,
                               count=args.count, until=args.until)
    guidelines = Path(args.guidelines_file).read_text(encoding="utf-8") if args.guidelines_file else ""
    with leading(Secrets(args.passphrase_stdin)) as (leader, _groups, ctx):
        group = leader.create_group(args.label, schedule, theme=args.theme or "", guidelines=guidelines,
                                    relay=args.relay or "", enrolment=args.enrolment or "", now=now())
        report = _sync(ctx) if args.relay else None
    out(group.id)
    if report and report.problems:
        err(report.problems[0])
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, _ctx):
        group = resolve_group(groups, args.group)
        invite = leader.invite(group.id, days=args.days, today=now().date())
    if args.qr:
        data = qr_svg(invite.link) if args.qr.endswith(".svg") else qr_png(invite.link)
        write_atomic(Path(args.qr), data)
    out(invite.link)
    err(_("Valid until {day}.").format(day=format_day(invite.expires_on)))
    return 0


def cmd_code(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        code = leader.join_code(group.id, days=args.days, now=now())
        report = _sync(ctx)
    out(code.code)
    err(_("Valid until {day}.").format(day=format_day(code.expires_on)))
    if report.problems:
        err(_("Not on the relay yet; it is sent at the next sync: {problem}").format(problem=report.problems[0]))
    return 0


def cmd_prompt(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        leader.send_prompt(group.id, prompt_id=args.prompt, text=args.text, now=now())
        report = _sync(ctx)
    return _report(report, False)


def cmd_publish(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        leader.publish_schedule(group.id, now=now())
        report = _sync(ctx)
    return _report(report, False)


def cmd_members(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        _sync(ctx)
        v2 = leader.is_v2(group.id)
        people = leader.people(group.id) if v2 else [
            Person(m.id, m.name, False, False, False) for m in leader.members(group.id)]
        requests = leader.requests(group.id) if v2 else []
        cant_come = leader.cant_come(group.id)
    if args.json:
        print_json({"members": [{"id": m.id, "name": m.name, "role": _role(m), "me": m.me} for m in people],
                    "requests": [asdict(r) for r in requests], "cant_come": cant_come})
        return 0
    if not [m for m in people if not m.me]:
        out(_("Nobody has joined yet."))
    for member in people:
        role = {"starter": _("starter"), "host": _("host"), "member": _("member")}[_role(member)]
        you = _(" (you)") if member.me else ""
        out(f"{member.id}  {member.name or _('(no name)')}{you}  {role}")
    for request in requests:
        votes = _("  {yes} of {needed} yes").format(yes=request.yes, needed=request.needed) if request.needed else ""
        out(_("Asks to join: {id}  {name}  check code {code}{votes}").format(
            id=request.id, name=request.name or _("(no name)"), code=_spaced(request.check_code), votes=votes))
    for meeting_id, names in sorted(cant_come.items()):
        shown = ", ".join(name or _("a member") for name in names)
        out(_("Can't come on {meeting}: {names}").format(meeting=meeting_id, names=shown))
    return 0


def _role(person: Person) -> str:
    return "starter" if person.starter and person.host else "host" if person.host else \
        "starter" if person.starter else "member"


def _spaced(code: str) -> str:
    """A check code as people read it out: 123 456."""
    return f"{code[:3]} {code[3:]}"


def cmd_admit(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        _sync(ctx)
        if args.all:
            admitted = leader.admit_all(group.id, now=now())
        else:
            if not args.request:
                raise KraftError(Msg.REQUEST_NOT_FOUND)
            matches = [r.id for r in leader.requests(group.id) if r.id.startswith(args.request)]
            if len(matches) != 1:
                raise KraftError(Msg.REQUEST_NOT_FOUND)
            admitted = [leader.admit(group.id, matches[0], now=now())]
        report = _sync(ctx)
    for person in admitted:
        out(_("Let in: {name}").format(name=person.name or _("(no name)")))
    if not admitted:
        out(_("Nobody could be let in now."))
    return _report(report, False) if report.problems else 0


def cmd_host(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        _sync(ctx)
        matches = [m.id for m in leader.people(group.id) if m.id.startswith(args.member)]
        if len(matches) != 1:
            raise KraftError(Msg.MEMBER_NOT_FOUND, member_id=args.member)
        leader.set_host(group.id, matches[0], revoke=args.revoke, now=now())
        report = _sync(ctx)
    out(_("No longer a host.") if args.revoke else _("Now a host: they can let people in, move meetings and send "
                                                      "homework."))
    return _report(report, False) if report.problems else 0


def cmd_policy(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        _sync(ctx)
        hosting = "hosts_only" if args.hosts_only else "every_member" if args.every_member_hosts else None
        admission = "open" if args.open else "closed" if args.closed else None
        policy = leader.set_policy(group.id, hosting_policy=hosting, admission=admission, now=now())
        report = _sync(ctx)
    out(_("Every member may host.") if policy.hosting == "every_member" else _("Only hosts host."))
    out(_("Closed: a newcomer comes in when the members agree.") if policy.admission == "closed" else
        _("Open: a host lets a newcomer in."))
    return _report(report, False) if report.problems else 0


def cmd_head_count(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        leader.send_head_count(group.id, args.meeting, args.count, now=now())
        report = _sync(ctx)
    return _report(report, False)


def cmd_remove_member(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        epoch = leader.remove_member(group.id, args.member, now=now())
        report = _sync(ctx)
    out(_("New keys (epoch {epoch}): the member who left cannot read what is sent from now on.").format(
        epoch=epoch))
    return _report(report, False) if report.problems else 0


# ---- join and sync ----


def cmd_upgrade(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        invited = leader.upgrade(group.id, enrolment=args.enrolment or "", now=now())
        report = _sync(ctx)
    out(ngettext("Upgraded. {count} member is invited to come over and keeps their place when their app syncs.",
                 "Upgraded. {count} members are invited to come over and keep their places when their apps sync.",
                 invited).format(count=invited))
    if report.problems:
        err(_("Not on the relay yet; it is sent at the next sync: {problem}").format(problem=report.problems[0]))
    return 0


def cmd_join(args: argparse.Namespace) -> int:
    with member_services(args) as ctx:
        joining = ctx.joining
        today = now().date()
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
        group = joining.join(preview, name=args.name or "", now=now())
        report = _sync(ctx)
        code = joining.check_code(group.id) if joining.waiting_to_be_let_in(group.id) else ""
    if code:
        out(_("A host lets you in. Compare this check code with theirs when you meet: {code}").format(
            code=_spaced(code)))
    out(group.id)  # last: scripts read the group id from the last line
    for problem in dict.fromkeys(report.problems):
        err(problem)
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    if args.locked:
        with open_context(unlock=False) as ctx:
            report = _sync(ctx)
        return _report(report, args.json)
    with member_services(args) as ctx:
        report = _sync(ctx)
    return _report(report, args.json)


def register(commands: argparse._SubParsersAction, unlock: argparse.ArgumentParser) -> None:
    lead = commands.add_parser(
        "lead", help=_("lead a group: start it, invite, send homework and schedule changes"),
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
    p.set_defaults(func=cmd_members)

    p = sub.add_parser("admit", parents=[unlock], help=_("let in someone who asks to join (compare the check code)"))
    p.add_argument("group", metavar="GROUP", help=id_help)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("request", nargs="?", metavar="REQUEST",
                       help=_("the request id as `members` lists it (one starting with - goes after --)"))
    which.add_argument("--all", action="store_true", help=_("everyone who may come in now"))
    p.set_defaults(func=cmd_admit)

    p = sub.add_parser("host", parents=[unlock], help=_("make a member a host, or take it back"))
    p.add_argument("group", metavar="GROUP", help=id_help)
    p.add_argument("member", metavar="MEMBER",
                   help=_("the member id as `members` lists it (one starting with - goes after --)"))
    p.add_argument("--revoke", action="store_true", help=_("no longer a host (yourself: step back)"))
    p.set_defaults(func=cmd_host)

    p = sub.add_parser("policy", parents=[unlock], help=_("who may host, and whether newcomers need the group's yes"))
    p.add_argument("group", metavar="GROUP", help=id_help)
    hosts = p.add_mutually_exclusive_group()
    hosts.add_argument("--hosts-only", action="store_true", help=_("only named hosts host"))
    hosts.add_argument("--every-member-hosts", action="store_true", help=_("every member may host"))
    door = p.add_mutually_exclusive_group()
    door.add_argument("--open", action="store_true", help=_("a host lets newcomers in"))
    door.add_argument("--closed", action="store_true", help=_("newcomers come in when the members agree"))
    p.set_defaults(func=cmd_policy)

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
    p.set_defaults(func=cmd_upgrade)

    p = commands.add_parser("join", parents=[unlock], help=_("join a group from the leader's invite"))
    p.add_argument("invite", nargs="?", metavar="LINK", help=_("the invite link, as shared or pasted"))
    p.add_argument("--code", metavar="CODE", help=_("a join code instead of a link, e.g. ABCDE-12345"))
    p.add_argument("--relay", metavar="URL", help=_("the relay address, for a join code"))
    p.add_argument("--name", metavar="NAME", help=_("how the leader sees you (optional)"))
    p.add_argument("--yes", action="store_true", help=_("join after the guidelines are shown"))
    p.set_defaults(func=cmd_join)

    p = commands.add_parser("sync", parents=[unlock], help=_("send what is not sent yet and fetch from the relay"))
    p.add_argument("--locked", action="store_true",
                   help=_("do not unlock: schedule changes, and sending what is not locked in a journal"))
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=cmd_sync)
