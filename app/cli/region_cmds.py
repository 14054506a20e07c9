"""`kraft find` and `kraft coordinator key|catalogue` (issue 19, docs/adr/0016-region-catalogue.md): the
region's signed catalogue of groups, read by anyone and published by the coordinator."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from app.cli.console import Secrets, err, open_context, out, print_json
from app.domain.catalogue import find, shown
from app.domain.themes import use_region_pack
from app.errors import KraftError, Msg
from app.i18n import _, current, format_day, ngettext

if TYPE_CHECKING:
    from app.services.context import AppContext
    from app.services.interest import InterestService
    from app.services.region import Publisher
    from protocol import Catalogue, CatalogueEntry

PROFILE_LINES = '  [organisation]\n  region_key = "{line}"'  # TOML, the same in every language
ENV_TOKEN = "KRAFT_COORDINATOR_TOKEN"  # noqa: S105 - the name of the variable, not a token


def _today() -> date:
    return datetime.now(UTC).date()


def _entry_json(entry: CatalogueEntry) -> dict[str, object]:
    lines = shown(entry, current())
    return {**entry.to_dict(), "title": lines.title}


def _print_entries(entries: list[CatalogueEntry]) -> None:
    lang = current()
    for entry in entries:
        lines = shown(entry, lang)
        out(lines.title)
        out(f"  {lines.where} · {lines.when} · {lines.language}")
        out(f"  {lines.status}")
        out(f"  {lines.intake}")
        out("  " + _("id: {id}").format(id=entry.id))


def _listing(catalogue: Catalogue, entries: list[CatalogueEntry], *, as_json: bool, fresh: bool) -> None:
    if as_json:
        print_json({"region": catalogue.region, "serial": catalogue.serial, "issued": catalogue.issued.isoformat(),
                    "fresh": fresh, "entries": [_entry_json(e) for e in entries]})
        return
    out(_("The region's list of groups, as of {day}:").format(day=format_day(catalogue.issued)))
    if not entries:
        out(_("No group matches. Try fewer words, or leave out the town: online groups show then too."))
        return
    _print_entries(entries)
    out(ngettext("{n} group.", "{n} groups.", len(entries)).format(n=len(entries)))


def cmd_find(args: argparse.Namespace) -> int:
    from app.config import load_profile
    from app.services.catalogue import CatalogueService

    profile = load_profile()
    use_region_pack(profile.region_pack())
    with open_context(unlock=False, read_only=True) as ctx:
        service = CatalogueService(region_key=profile.organisation.region_key, relay=args.relay or profile.relay.url,
                                   home=ctx.home)
        if not service.available:
            raise KraftError(Msg.NO_REGION_KEY)
        if args.offline:
            catalogue, problem = service.cached(), None
        else:
            catalogue, problem = service.latest()
    if catalogue is None:
        raise problem or KraftError(Msg.CATALOGUE_NONE)
    if problem is not None:
        err(_("Not fetched just now ({reason}); this is the copy on this device.").format(reason=str(problem)))
    _listing(catalogue, find(catalogue.entries, current(), theme=args.theme or "", town=args.town or ""),
             as_json=args.json, fresh=problem is None and not args.offline)
    return 0


def register(commands: argparse._SubParsersAction, unlock: argparse.ArgumentParser) -> None:
    from app.cli.commands import top_help

    p = commands.add_parser("find", help=top_help("find"),
                            description=_("The groups your region lists: forming and running, with how to reach "
                                          "the intake. The whole list is fetched; what you search for stays on "
                                          "this device."))
    p.add_argument("--theme", metavar="WORDS", help=_("words of the theme, e.g. stress"))
    p.add_argument("--town", metavar="TOWN", help=_("a town, or online"))
    p.add_argument("--relay", metavar="URL", help=_("the relay's address (default: the app's profile)"))
    p.add_argument("--offline", action="store_true", help=_("show the copy on this device without fetching"))
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=cmd_find)
    register_interest(commands, unlock)


def _interest(ctx: AppContext) -> InterestService:
    from app.config import load_profile
    from app.services.interest import InterestService

    profile = load_profile()
    return InterestService(ctx.vault_service.vault, region_key=profile.organisation.region_key,
                           relay=profile.relay.url, language=current().code)


def _catalogue_entry(ctx: AppContext, wanted: str) -> CatalogueEntry:
    """The entry of the region's list whose id is or starts with `wanted` (the copy here, fetched if none)."""
    from app.config import load_profile
    from app.services.catalogue import CatalogueService

    profile = load_profile()
    use_region_pack(profile.region_pack())
    service = CatalogueService.for_profile(profile, ctx.home)
    catalogue, problem = service.latest()
    if catalogue is None:
        raise problem or KraftError(Msg.CATALOGUE_NONE)
    found = [e for e in catalogue.entries if e.id.startswith(wanted.strip())] if wanted.strip() else []
    if len(found) != 1:
        raise KraftError(Msg.CATALOGUE_ENTRY_UNKNOWN, entry=wanted[:20])
    return found[0]


def cmd_interest_add(args: argparse.Namespace) -> int:
    from app.cli import clock
    from app.domain.catalogue import theme_title

    with open_context(Secrets(args.passphrase_stdin), unlock=True, no_vault=Msg.INTEREST_NEEDS_JOURNAL) as ctx:
        entry = _catalogue_entry(ctx, args.entry)
        _interest(ctx).interested(entry, title=theme_title(entry, current()), contact=args.contact or "",
                                  now=clock.now())
    out(_("Sent to the region's coordinator, sealed: only their device can read it."))
    if not args.contact:
        out(_("You gave no contact: when the group starts, its invite comes here (kraft interest list)."))
    return 0


def cmd_interest_list(args: argparse.Namespace) -> int:
    with open_context(Secrets(args.passphrase_stdin), unlock=True, no_vault=Msg.INTEREST_NEEDS_JOURNAL) as ctx:
        service = _interest(ctx)
        problem = None
        try:
            service.check_replies()
        except KraftError as exc:
            problem = exc
        mine = service.mine()
    if problem is not None:
        err(_("Replies not checked just now: {reason}").format(reason=str(problem)))
    if args.json:
        print_json({"requests": [{"entry": r.entry, "kind": r.kind, "title": r.title, "contact": r.contact,
                                  "sent_on": r.sent_on, "invite": r.invite} for r in mine]})
        return 0
    if not mine:
        out(_("You have not said you are interested in any group. Find one: kraft find"))
    for request in mine:
        title = request.title or _("I would lead a group one day")
        out(f"{title} ({request.entry or '-'})")
        out("  " + (_("Contact given: {contact}").format(contact=request.contact) if request.contact
                    else _("No contact given: the reply comes in the app.")))
        if request.invite:
            out("  " + _("The group starts! Join it: kraft join {invite}").format(invite=request.invite))
    return 0


def cmd_interest_withdraw(args: argparse.Namespace) -> int:
    with open_context(Secrets(args.passphrase_stdin), unlock=True, no_vault=Msg.INTEREST_NEEDS_JOURNAL) as ctx:
        service = _interest(ctx)
        wanted = [r.entry for r in service.mine() if r.entry.startswith(args.entry.strip())] if args.entry else []
        if len(set(wanted)) != 1:
            raise KraftError(Msg.INTEREST_UNKNOWN, entry=args.entry[:20])
        service.withdraw(wanted[0])
    out(_("Taken back. The coordinator's list no longer has it."))
    return 0


def cmd_interest_lead(args: argparse.Namespace) -> int:
    from app.cli import clock

    with open_context(Secrets(args.passphrase_stdin), unlock=True, no_vault=Msg.INTEREST_NEEDS_JOURNAL) as ctx:
        _interest(ctx).would_lead(args.answer, contact=args.contact or "", now=clock.now())
    out(_("Sent to the region's coordinator, sealed: only their device can read it."))
    return 0


def register_interest(commands: argparse._SubParsersAction, unlock: argparse.ArgumentParser) -> None:
    from app.cli.commands import top_help

    interest = commands.add_parser("interest", help=top_help("interest"))
    sub = interest.add_subparsers(dest="interest_command", metavar="COMMAND", required=True)
    contact_help = _("a phone number or an e-mail address for the coordinator (else the reply comes in the app)")
    p = sub.add_parser("add", parents=[unlock], help=_("tell the coordinator you are interested in a group"))
    p.add_argument("entry", help=_("the group's id in the list (kraft find), or its start"))
    p.add_argument("--contact", metavar="TEXT", help=contact_help)
    p.set_defaults(func=cmd_interest_add)
    p = sub.add_parser("list", parents=[unlock], help=_("what you asked for, and the invites that came"))
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=cmd_interest_list)
    p = sub.add_parser("withdraw", parents=[unlock], help=_("take your interest back"))
    p.add_argument("entry", help=_("the group's id in the list, or its start"))
    p.set_defaults(func=cmd_interest_withdraw)
    p = sub.add_parser("lead", parents=[unlock], help=_("tell the coordinator you would lead a group one day"))
    p.add_argument("answer", choices=("yes", "maybe"))
    p.add_argument("--contact", metavar="TEXT", help=contact_help)
    p.set_defaults(func=cmd_interest_lead)


# ---- the coordinator's side: `kraft coordinator key ...` and `kraft coordinator catalogue ...` ----


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
