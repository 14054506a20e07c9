"""`kraft coordinator key|catalogue|interest|start|announce` (issue 19, docs/adr/0016-region-catalogue.md): the
coordinator's side of the region. The region key is sealed in the coordinator's journal; the token for the relay
is read from stdin or the environment and kept in memory only."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from app.cli.console import Secrets, err, open_context, out, print_json
from app.cli.region_cmds import _listing, _today
from app.domain.catalogue import shown
from app.domain.themes import use_region_pack
from app.errors import KraftError, Msg
from app.i18n import _, current, ngettext

if TYPE_CHECKING:
    from app.services.region import Publisher

PROFILE_LINES = '  [organisation]\n  region_key = "{line}"'  # TOML, the same in every language
ENV_TOKEN = "KRAFT_COORDINATOR_TOKEN"  # noqa: S105 - the name of the variable, not a token


def _token(args: argparse.Namespace) -> str:
    """The coordinator token: the next stdin line with --token-stdin (after the passphrase), else the
    environment."""
    if args.token_stdin:
        from app.cli.console import read_line

        return (read_line() or "").strip()
    return os.environ.get(ENV_TOKEN, "")


def _publisher(args: argparse.Namespace) -> Publisher:
    from app.services.region import Publisher, RegionKeys

    secrets = Secrets(args.passphrase_stdin)
    with open_context(secrets, unlock=True, no_vault=Msg.REGION_KEY_MISSING) as ctx:
        identity = RegionKeys(ctx.vault_service.vault).identity()
    return Publisher(identity, relay=args.relay, token=_token(args))


def cmd_key_new(args: argparse.Namespace) -> int:
    from app.services.region import RegionKeys

    with open_context(Secrets(args.passphrase_stdin), unlock=True) as ctx:
        line = RegionKeys(ctx.vault_service.vault).create()
    out(line)
    err(_("The region's public key. Put it in the profile (flet.toml) of the app your region hands out:"))
    err(PROFILE_LINES.format(line=line))
    err(_("Its private half is sealed in this journal; keep the journal's backup safe."))
    return 0


def cmd_key_show(args: argparse.Namespace) -> int:
    from app.services.region import RegionKeys

    with open_context(Secrets(args.passphrase_stdin), unlock=True, no_vault=Msg.REGION_KEY_MISSING) as ctx:
        out(RegionKeys(ctx.vault_service.vault).public_text())
    return 0


def cmd_catalogue_add(args: argparse.Namespace) -> int:
    from app.config import load_profile
    from app.services.region import check_fields

    use_region_pack(load_profile().region_pack())
    fields = check_fields(status=args.status, theme=args.theme or "", words=args.words or "",
                          place="" if args.online else args.town or "", language=args.language,
                          weekday=args.weekday, time=args.time, zone=args.zone, needed=args.needed,
                          intake=args.intake)
    if not args.online and not fields["place"]:
        raise KraftError(Msg.CATALOGUE_FIELD, field="town", problem=_("give a town, or --online"))
    entry = _publisher(args).add(fields, today=_today())
    out(entry.id)
    err(_("Listed. Apps of the region see it when they next fetch the list."))
    return 0


def cmd_catalogue_list(args: argparse.Namespace) -> int:
    publisher = _publisher(args)
    catalogue = publisher.current()
    if catalogue is None:
        raise KraftError(Msg.CATALOGUE_NONE)
    _listing(catalogue, list(catalogue.entries), as_json=args.json, fresh=True)
    return 0


def cmd_catalogue_remove(args: argparse.Namespace) -> int:
    _publisher(args).remove(args.entry, today=_today())
    err(_("Taken off the list."))
    return 0


def cmd_coordinator_interest(args: argparse.Namespace) -> int:
    from app.services.region import Inbox

    publisher = _publisher(args)
    inbox = Inbox(publisher)
    received = inbox.requests()
    catalogue = publisher.current()
    per_entry = inbox.per_entry(received)
    entries = [e for e in catalogue.entries if not args.entry or e.id.startswith(args.entry)] if catalogue else []
    if args.entry and not entries:
        raise KraftError(Msg.CATALOGUE_ENTRY_UNKNOWN, entry=args.entry[:20])
    unreadable = sum(1 for r in received if r.request is None)
    leaders = inbox.leaders(received)
    if args.json:
        print_json({"entries": [{"id": e.id, "title": shown(e, current()).title, "status": e.status,
                                 "needed": e.needed, "interested": len(per_entry.get(e.id, [])),
                                 "contacts": [r.contact for r in per_entry.get(e.id, []) if r.contact]}
                                for e in entries],
                    "leaders": [{"answer": r.answer, "contact": r.contact} for r in leaders] if not args.entry else [],
                    "unreadable": unreadable})
        return 0
    for entry in entries:
        asked = per_entry.get(entry.id, [])
        out(f"{shown(entry, current()).title} ({entry.id})")
        out("  " + ngettext("{n} person interested", "{n} people interested", len(asked)).format(n=len(asked)))
        for request in asked:
            out("  - " + (request.contact or _("no contact: reached through the app")))
    if not args.entry:
        out(ngettext("{n} person would lead a group one day", "{n} people would lead a group one day",
                     len(leaders)).format(n=len(leaders)))
        for request in leaders:
            out(f"  - {request.answer}: " + (request.contact or _("no contact: reached through the app")))
    if unreadable:
        err(ngettext("{n} request could not be opened with this region key.",
                     "{n} requests could not be opened with this region key.", unreadable).format(n=unreadable))
    return 0


def cmd_coordinator_start(args: argparse.Namespace) -> int:
    from app.services.region import Inbox

    sent = Inbox(_publisher(args)).start(args.entry, args.starter, today=_today())
    out(ngettext("The invite went to {n} interested person; the group now shows as running.",
                 "The invite went to {n} interested people; the group now shows as running.", sent).format(n=sent))
    return 0


def cmd_announce(args: argparse.Namespace) -> int:
    from app.services.region import check_announcement_fields

    publisher = _publisher(args)
    if args.cancel:
        publisher.cancel(args.cancel, today=_today())
        err(_("Taken off the list."))
        return 0
    if not (args.title and args.day and args.time):
        raise KraftError(Msg.CATALOGUE_FIELD, field="title, day, time",
                         problem=_("an announcement needs --title, --day and --time"))
    fields = check_announcement_fields(kind="follow_up" if args.group else "lecture", title=args.title, day=args.day,
                                       time=args.time, zone=args.zone, place="" if args.online else args.town or "",
                                       mailbox=args.group or "", text=args.text or "", today=_today())
    item = publisher.announce(fields, today=_today())
    out(item.id)
    err(_("Announced. Members who turned announcements on see it when their app next fetches the list."))
    return 0


def _weekday(text: str) -> int:
    if text.isascii() and text.isdigit() and 1 <= int(text) <= 7:
        return int(text)
    raise argparse.ArgumentTypeError(_("{value} is not a weekday: give 1 (Monday) to 7 (Sunday)").format(value=text))


def _count(text: str) -> int:
    if text.isascii() and text.isdigit():
        return int(text)
    raise argparse.ArgumentTypeError(_("{value} is not a whole number").format(value=text))


def register_coordinator(sub: argparse._SubParsersAction) -> None:
    """The region key and the catalogue, under `kraft coordinator`."""
    unlock = argparse.ArgumentParser(add_help=False)
    unlock.add_argument("--passphrase-stdin", action="store_true",
                        help=_("read the passphrase from the first line of stdin"))
    relay = argparse.ArgumentParser(add_help=False, parents=[unlock])
    relay.add_argument("--relay", metavar="URL", required=True, help=_("the relay's address"))
    relay.add_argument("--token-stdin", action="store_true",
                       help=_("read the coordinator token from the next line of stdin (else {env})").format(
                           env=ENV_TOKEN))

    key = sub.add_parser("key", help=_("the region key that signs the catalogue (kept in your journal)"))
    key_sub = key.add_subparsers(dest="key_command", metavar="COMMAND", required=True)
    p = key_sub.add_parser("new", parents=[unlock], help=_("make the region key once; prints its public line"))
    p.set_defaults(func=cmd_key_new)
    p = key_sub.add_parser("show", parents=[unlock], help=_("print the region key's public line"))
    p.set_defaults(func=cmd_key_show)

    cat = sub.add_parser("catalogue", help=_("the region's signed list of groups that are forming or running"))
    cat_sub = cat.add_subparsers(dest="catalogue_command", metavar="COMMAND", required=True)
    p = cat_sub.add_parser("add", parents=[relay], help=_("list a group; prints its id"))
    p.add_argument("--status", choices=("forming", "running"), default="forming",
                   help=_("forming (default) or running"))
    p.add_argument("--theme", metavar="ID", help=_("a theme id from `kraft theme list`"))
    p.add_argument("--words", metavar="TEXT", help=_("the theme in your own words (beside or instead of --theme)"))
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--town", metavar="TOWN", help=_("where it meets"))
    where.add_argument("--online", action="store_true", help=_("it meets online"))
    p.add_argument("--language", choices=("sv", "nb", "da", "en"), required=True, help=_("the group's language"))
    p.add_argument("--weekday", type=_weekday, required=True, metavar="1-7", help=_("1 = Monday ... 7 = Sunday"))
    p.add_argument("--time", required=True, metavar="HH:MM", help=_("when it meets, e.g. 18:00"))
    p.add_argument("--zone", default="Europe/Stockholm", help=_("the time zone (default Europe/Stockholm)"))
    p.add_argument("--needed", type=_count, default=0, metavar="N",
                   help=_("how many more people before it starts (0-8)"))
    p.add_argument("--intake", required=True, metavar="TEXT",
                   help=_("how to reach the intake conversation: a phone number or an e-mail address"))
    p.set_defaults(func=cmd_catalogue_add)
    p = cat_sub.add_parser("list", parents=[relay], help=_("the list as the relay has it"))
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=cmd_catalogue_list)
    p = sub.add_parser("announce", parents=[relay],
                       help=_("announce a lecture to the region, or a follow-up with one group"))
    p.add_argument("--title", metavar="TEXT", help=_("what it is, e.g. Lecture: sleep and worry"))
    p.add_argument("--day", metavar="YYYY-MM-DD", help=_("the day"))
    p.add_argument("--time", metavar="HH:MM", help=_("when it starts, e.g. 18:00"))
    p.add_argument("--zone", default="Europe/Stockholm", help=_("the time zone (default Europe/Stockholm)"))
    where = p.add_mutually_exclusive_group()
    where.add_argument("--town", metavar="PLACE", help=_("where it is"))
    where.add_argument("--online", action="store_true", help=_("it is online"))
    p.add_argument("--group", metavar="MAILBOX", help=_("a follow-up with this group only (its mailbox, from "
                                                         "kraft coordinator summary --json)"))
    p.add_argument("--text", metavar="TEXT", help=_("a few words more (at most 300 characters)"))
    p.add_argument("--cancel", metavar="ID", help=_("take an announcement back instead"))
    p.set_defaults(func=cmd_announce)
    p = sub.add_parser("interest", parents=[relay], help=_("interest per group of the list, opened on this device"))
    p.add_argument("entry", nargs="?", help=_("only this group (its id in the list, or its start)"))
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=cmd_coordinator_interest)
    p = sub.add_parser("start", parents=[relay],
                       help=_("start a group: send the starter's invite to everyone interested"))
    p.add_argument("entry", help=_("the group's id in the list"))
    p.add_argument("--starter", metavar="INVITE", required=True,
                   help=_("the invite link the chosen starter made for the group (kraft lead invite)"))
    p.set_defaults(func=cmd_coordinator_start)
    p = cat_sub.add_parser("remove", parents=[relay], help=_("take a group off the list"))
    p.add_argument("entry", help=_("the group's id in the list"))
    p.set_defaults(func=cmd_catalogue_remove)
