"""`kraft lead members|admit|host|policy|upgrade`: who is in a group, who hosts it, how newcomers come in,
and a version 1 group's move to version 2 (ADR 0006)."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from app.cli import clock
from app.cli.console import Secrets, err, out, print_json
from app.cli.group_cmds import resolve_group
from app.cli.lead_common import leading, report_sync, spaced, sync_now
from app.errors import KraftError, Msg
from app.i18n import _, ngettext
from app.services.group_layer.hosting import Person


def cmd_members(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        sync_now(ctx)
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
            id=request.id, name=request.name or _("(no name)"), code=spaced(request.check_code), votes=votes))
    for meeting_id, names in sorted(cant_come.items()):
        shown = ", ".join(name or _("a member") for name in names)
        out(_("Can't come on {meeting}: {names}").format(meeting=meeting_id, names=shown))
    return 0


def _role(person: Person) -> str:
    return "starter" if person.starter and person.host else "host" if person.host else \
        "starter" if person.starter else "member"


def cmd_admit(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        sync_now(ctx)
        if args.all:
            admitted = leader.admit_all(group.id, now=clock.now())
        else:
            if not args.request:
                raise KraftError(Msg.REQUEST_NOT_FOUND)
            matches = [r.id for r in leader.requests(group.id) if r.id.startswith(args.request)]
            if len(matches) != 1:
                raise KraftError(Msg.REQUEST_NOT_FOUND)
            admitted = [leader.admit(group.id, matches[0], now=clock.now())]
        report = sync_now(ctx)
    for person in admitted:
        out(_("Let in: {name}").format(name=person.name or _("(no name)")))
    if not admitted:
        out(_("Nobody could be let in now."))
    return report_sync(report, False) if report.problems else 0


def cmd_host(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        sync_now(ctx)
        matches = [m.id for m in leader.people(group.id) if m.id.startswith(args.member)]
        if len(matches) != 1:
            raise KraftError(Msg.MEMBER_NOT_FOUND, member_id=args.member)
        leader.set_host(group.id, matches[0], revoke=args.revoke, now=clock.now())
        report = sync_now(ctx)
    out(_("No longer a host.") if args.revoke else _("Now a host: they can let people in, move meetings and send "
                                                      "homework."))
    return report_sync(report, False) if report.problems else 0


def cmd_policy(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        sync_now(ctx)
        hosting = "hosts_only" if args.hosts_only else "every_member" if args.every_member_hosts else None
        admission = "open" if args.open else "closed" if args.closed else None
        policy = leader.set_policy(group.id, hosting_policy=hosting, admission=admission, now=clock.now())
        report = sync_now(ctx)
    out(_("Every member may host.") if policy.hosting == "every_member" else _("Only hosts host."))
    out(_("Closed: a newcomer comes in when the members agree.") if policy.admission == "closed" else
        _("Open: a host lets a newcomer in."))
    return report_sync(report, False) if report.problems else 0


def cmd_upgrade(args: argparse.Namespace) -> int:
    with leading(Secrets(args.passphrase_stdin)) as (leader, groups, ctx):
        group = resolve_group(groups, args.group)
        invited = leader.upgrade(group.id, enrolment=args.enrolment or "", now=clock.now())
        report = sync_now(ctx)
    out(ngettext("Upgraded. {count} member is invited to come over and keeps their place when their app syncs.",
                 "Upgraded. {count} members are invited to come over and keep their places when their apps sync.",
                 invited).format(count=invited))
    if report.problems:
        err(_("Not on the relay yet; it is sent at the next sync: {problem}").format(problem=report.problems[0]))
    return 0
