"""`kraft group ...`: the groups the member follows, their meetings, and calendar export.

A group's schedule and the member's own neutral label are plaintext (docs/adr/0001-vault-format.md: the
next meeting shows before unlocking, and for a member who never made a journal), so most commands need no
passphrase. Theme, place
and link live in the vault: `add` with any of them and `show --details` unlock it.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.cli import clock, render
from app.cli.commands import top_help
from app.cli.console import Secrets, err, open_context, out, print_json
from app.cli.journal_cmds import MIN_ID_PREFIX
from app.domain.schedule import INTERVALS, Meeting, Schedule, parse_clock
from app.domain.text import EARLIEST_YEAR, LATEST_YEAR
from app.errors import KraftError, Msg
from app.fileio import write_atomic
from app.i18n import N_, _, format_when
from app.services import homework, reminder_prefs
from app.services.calendar import calendar_file
from app.services.context import DamagedRecord
from app.services.groups import Group, GroupDetails, GroupService
from app.services.homework import CurrentHomework

DEFAULT_ZONE = "Europe/Stockholm"  # not the device's TZ: a group meets where it meets
DEFAULT_DURATION = 120


# ---- parsing what the person typed (argparse turns these errors into a usage message, exit 2) ----


def _in_calendar(value: str, year: int) -> None:
    """Refuse a year no meeting has (docs/adr/0002-cli-secrets-and-transfer.md, "Bad input")."""
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise argparse.ArgumentTypeError(_("{value} is not between {first} and {last}").format(
            value=value, first=EARLIEST_YEAR, last=LATEST_YEAR))


def parse_date(value: str) -> date:
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value} is not a date: write it as YYYY-MM-DD, e.g. 2026-12-03").format(value=value)) from None
    _in_calendar(value, day.year)
    return day


def parse_time(value: str) -> time:
    try:
        return parse_clock(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value} is not a time: write it as HH:MM, e.g. 18:00").format(value=value)) from None


def parse_local(value: str) -> datetime:
    """`YYYY-MM-DD HH:MM` (or with a T), naive: the group's zone is added once the group is known."""
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"):
        with contextlib.suppress(ValueError):
            moment = datetime.strptime(value.strip(), pattern)
            _in_calendar(value, moment.year)
            return moment
    raise argparse.ArgumentTypeError(
        _("{value} is not a date and time: write it as \"YYYY-MM-DD HH:MM\", e.g. \"2026-12-03 18:00\"")
        .format(value=value))


def meeting_length(minutes: int) -> timedelta:
    """A meeting's length from --duration; a number too big for a timedelta is as wrong as nine hours, and the
    schedule says so in its own words (it used to be an OverflowError)."""
    return timedelta(minutes=max(0, min(minutes, 24 * 60)))


def parse_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            _("{value} is not a time zone: use an IANA name such as Europe/Stockholm").format(value=value)) from None
    return value


# ---- opening ----


@contextmanager
def open_groups(*, read_only: bool = False) -> Iterator[GroupService]:
    """The groups without unlocking: the plaintext schedules, and a locked vault that can only discard;
    `read_only` for a command that only looks (no data folder is made for it)."""
    with open_context(unlock=False, read_only=read_only) as ctx:
        yield ctx.groups


def resolve_group(groups: GroupService, given: str) -> Group:
    """A group by its full id or a unique prefix of at least four characters (as `list` shows them)."""
    wanted = given.strip().lower()
    matches = [g for g in groups.list() if g.id.startswith(wanted)] if len(wanted) >= MIN_ID_PREFIX else []
    if len(matches) > 1:
        raise KraftError(Msg.GROUP_AMBIGUOUS, group_id=given)
    if not matches:
        raise KraftError(Msg.GROUP_NOT_FOUND, group_id=given)
    return matches[0]


def find_meeting(group: Group, meeting_id: str) -> Meeting:
    return group.meeting(meeting_id)


# ---- commands ----


def cmd_add(args: argparse.Namespace) -> int:
    schedule = Schedule.weekly(zone=args.zone, first=args.first, at=args.at,
                               duration=meeting_length(args.duration), interval=args.every,
                               count=args.count, until=args.until)
    details = GroupDetails(theme=(args.theme or "").strip(), place=(args.place or "").strip(),
                           link=(args.link or "").strip())
    if not any((details.theme, details.place, details.link)):
        with open_groups() as groups:
            group = groups.add(args.label, schedule)
    else:
        with open_context(Secrets(args.passphrase_stdin), unlock=True, no_vault=Msg.GROUP_DETAILS_NEED_VAULT) as ctx:
            group = ctx.groups.add(args.label, schedule, details)
    out(group.id)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    moment = clock.now()
    with open_groups(read_only=True) as groups:
        found = groups.list()
    found.sort(key=lambda g: (g.label.casefold(), g.id))
    if args.json:
        print_json({"groups": [render.group_data(g, moment) for g in found]})
    else:
        render.print_groups(found, moment)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    details: GroupDetails | None = None
    current: CurrentHomework | None = None
    if args.details:
        with open_context(Secrets(args.passphrase_stdin), unlock=True) as ctx:
            group = resolve_group(ctx.groups, args.id)
            try:
                details = ctx.groups.details(group.id)
            except DamagedRecord:
                err(_("Warning: this group's theme, place and link are damaged and cannot be shown."))
            homework.open_kept(ctx, now=clock.now())
            current = next((h for h in homework.current_homework(ctx, now=clock.now()) if h.group_id == group.id), None)
    else:
        with open_groups(read_only=True) as groups:
            group = resolve_group(groups, args.id)
    if args.json:
        data = render.group_data(group, clock.now())
        data["meetings"] = [render.meeting_data(m) for m in group.schedule.meetings()]
        data["details"] = render.details_data(details) if args.details else None
        if args.details:
            data["homework"] = render.homework_data(current) if current else None
        print_json(data)
    else:
        render.print_group(group, details, with_details=args.details,
                           homework=render.homework_lines(current) if current else None)
    return 0


def cmd_next(args: argparse.Namespace) -> int:
    with open_groups() as groups:
        upcoming = groups.next_meeting(clock.now())
    if args.json:
        print_json({"next": None if upcoming is None else {
            "group_id": upcoming.group.id, "label": upcoming.group.label,
            "meeting": render.meeting_data(upcoming.meeting)}})
        return 0
    if upcoming is None:
        out(_("No upcoming meetings."))
        return 0
    meeting = upcoming.meeting
    out(upcoming.group.label)
    out(f"{format_when(meeting.start, own_zone=True)}  ({render.meeting_number(meeting)})")
    out(_("Group {group_id}, meeting {meeting_id}").format(group_id=upcoming.group.id[:render.SHORT_ID],
                                                           meeting_id=meeting.id))
    return 0


def _change_meeting(args: argparse.Namespace, change: str, done: str) -> int:
    """Cancel or skip one meeting (`change` names the Schedule method) and say what happened."""
    with open_groups() as groups:
        group = resolve_group(groups, args.id)
        meeting = find_meeting(group, args.meeting_id)
        groups.update_schedule(group.id, getattr(group.schedule, change)(meeting.original_start))
    out(_(done).format(when=format_when(meeting.start, own_zone=True)))
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    return _change_meeting(args, "cancel", N_("Cancelled the meeting on {when}."))


def cmd_skip(args: argparse.Namespace) -> int:
    return _change_meeting(args, "skip", N_("Skipped {when}: the group does not meet that week."))


def cmd_move(args: argparse.Namespace) -> int:
    with open_groups() as groups:
        group = resolve_group(groups, args.id)
        meeting = find_meeting(group, args.meeting_id)
        new_start = args.to.replace(tzinfo=group.schedule.tz)
        groups.update_schedule(group.id, group.schedule.move(meeting.original_start, new_start))
    out(_("Moved the meeting on {old} to {new}.").format(old=format_when(meeting.start, own_zone=True),
                                                         new=format_when(new_start, own_zone=True)))
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with open_groups() as groups:
        group = resolve_group(groups, args.id)
        groups.remove(group.id)
    out(_("Removed group {id}.").format(id=group.id))
    return 0


def cmd_leave(args: argparse.Namespace) -> int:
    with open_context(Secrets(args.passphrase_stdin), unlock=True, if_vault=True) as ctx:
        group = resolve_group(ctx.groups, args.id)
        if not args.yes:
            err(_("Leaving tells the group, and you read nothing sent after. Add --yes to leave {label}.").format(
                label=group.label))
            return 1
        ctx.joining.leave(group.id, now=datetime.now(UTC))
        report = ctx.sync.run(now=datetime.now(UTC))
    out(_("You left {label}. The group was told; `kraft group remove` takes it off this device.").format(
        label=group.label))
    for problem in dict.fromkeys(report.problems):
        err(problem)
    return 0


def cmd_export_ics(args: argparse.Namespace) -> int:
    with open_context(unlock=False) as ctx:
        group = resolve_group(ctx.groups, args.id)
        alarms = reminder_prefs.load(ctx.vault_service).before  # the member's own reminder times, as in the app
    _name, data = calendar_file(group, alarms=alarms)
    if args.output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    try:
        write_atomic(args.output, data)
    except OSError as exc:
        raise KraftError(Msg.FILE_UNWRITABLE, path=str(args.output), detail=exc.strerror or str(exc)) from exc
    err(_("Wrote the calendar to {path}.").format(path=args.output))
    return 0


def register(commands: argparse._SubParsersAction, unlock: argparse.ArgumentParser) -> None:
    """Add `kraft group` and its subcommands; `unlock` holds the options of commands that unlock."""
    group = commands.add_parser(
        "group", help=top_help("group"),
        description=_("The groups you go to. Their meeting times and your name for each group are kept "
                      "unencrypted, so these commands need no passphrase; theme, place and link are kept "
                      "only in the encrypted journal (add --theme/--place/--link and show --details)."))
    sub = group.add_subparsers(dest="group_command", metavar="COMMAND", required=True)
    id_help = _("the group id, or its first characters as `list` shows them")
    meeting_help = _("the meeting id as `show` lists it, e.g. 20261203T170000Z")
    json_help = _("print JSON (stable keys) instead of text")

    p = sub.add_parser(
        "add", parents=[unlock], help=_("add a group and when it meets"),
        description=_("Add a group that meets every 1, 2 or 3 weeks. Give it a name only you need to "
                      "recognise: it shows before unlocking and in calendar exports. Prints the new group's id. "
                      "--theme, --place and --link are saved in the encrypted journal and need the passphrase."))
    p.add_argument("label", metavar="LABEL", help=_("your own short name for the group"))
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
    p.add_argument("--theme", metavar="TEXT", help=_("what the group is about (encrypted)"))
    p.add_argument("--place", metavar="TEXT", help=_("where it meets (encrypted)"))
    p.add_argument("--link", metavar="URL", help=_("the online meeting link (encrypted)"))
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("list", help=_("list your groups and their next meetings"))
    p.add_argument("--json", action="store_true", help=json_help)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", parents=[unlock], help=_("show a group and every meeting"))
    p.add_argument("id", metavar="ID", help=id_help)
    p.add_argument("--json", action="store_true", help=json_help)
    p.add_argument("--details", action="store_true",
                   help=_("also show theme, place and link (needs the passphrase)"))
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("next", help=_("show the next meeting of any group"))
    p.add_argument("--json", action="store_true", help=json_help)
    p.set_defaults(func=cmd_next)

    p = sub.add_parser("cancel", help=_("call off one meeting (it keeps its place in the course)"))
    p.add_argument("id", metavar="ID", help=id_help)
    p.add_argument("meeting_id", metavar="MEETING_ID", help=meeting_help)
    p.set_defaults(func=cmd_cancel)

    p = sub.add_parser("skip", help=_("leave out one date, such as a holiday (a course with a set number of "
                                      "meetings ends later instead)"))
    p.add_argument("id", metavar="ID", help=id_help)
    p.add_argument("meeting_id", metavar="MEETING_ID", help=meeting_help)
    p.set_defaults(func=cmd_skip)

    p = sub.add_parser("move", help=_("move one meeting to another day or time"))
    p.add_argument("id", metavar="ID", help=id_help)
    p.add_argument("meeting_id", metavar="MEETING_ID", help=meeting_help)
    p.add_argument("--to", type=parse_local, required=True, metavar='"YYYY-MM-DD HH:MM"',
                   help=_("the new start, in the group's time zone"))
    p.set_defaults(func=cmd_move)

    p = sub.add_parser("remove", help=_("remove a group, with its theme, place and link"))
    p.add_argument("id", metavar="ID", help=id_help)
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("leave", parents=[unlock], help=_("leave a group: the others are told"))
    p.add_argument("id", metavar="ID", help=id_help)
    p.add_argument("--yes", action="store_true", help=_("leave without asking again"))
    p.set_defaults(func=cmd_leave)

    p = sub.add_parser(
        "export-ics", help=_("write the schedule as an iCalendar (.ics) file"),
        description=_("Write the group's meetings as one iCalendar file that calendar apps import. It holds "
                      "only your name for the group and the times, with discreet reminders; never the theme, "
                      "place or link."))
    p.add_argument("id", metavar="ID", help=id_help)
    p.add_argument("--output", "-o", type=Path, metavar="FILE", help=_("write to FILE instead of stdout"))
    p.set_defaults(func=cmd_export_ics)
