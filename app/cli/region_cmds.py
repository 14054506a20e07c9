"""`kraft find`, `kraft interest` and `kraft announcements` (issue 19, docs/adr/0016-region-catalogue.md): the
region's signed list of groups and its announcements, read by anyone, and "I'm interested" sealed to the
coordinator. The coordinator's side is app/cli/region_coordinator_cmds.py."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.console import Secrets, err, open_context, out, print_json
from app.domain.catalogue import find, shown
from app.domain.themes import use_region_pack
from app.errors import KraftError, Msg
from app.i18n import _, current, format_day, format_weekday_when, ngettext

if TYPE_CHECKING:
    from app.services.context import AppContext
    from app.services.interest import InterestService
    from protocol import Catalogue, CatalogueEntry



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
    register_announcements(commands)


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
        if args.answer == "no":
            taken = _interest(ctx).take_back_lead()
            out(_("Taken back. The coordinator's list no longer has it.") if taken
                else _("Nothing was sent to the coordinator, so there is nothing to take back."))
            return 0
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
    p.add_argument("answer", choices=("yes", "maybe", "no"), help=_("no takes an earlier answer back"))
    p.add_argument("--contact", metavar="TEXT", help=contact_help)
    p.set_defaults(func=cmd_interest_lead)


def cmd_announcements(args: argparse.Namespace) -> int:
    from app.config import load_profile
    from app.services.announcements import AnnouncementService
    from app.services.catalogue import CatalogueService
    from app.services.links import LinkStore

    profile = load_profile()
    with open_context(unlock=False, read_only=not (args.on or args.off)) as ctx:
        catalogue = CatalogueService.for_profile(profile, ctx.home)
        if not catalogue.available:
            raise KraftError(Msg.NO_REGION_KEY)
        service = AnnouncementService(catalogue, get=ctx.vault_service.get_preference,
                                      put=ctx.vault_service.set_preference,
                                      mailboxes=lambda: [link.mailbox for link in LinkStore(ctx.engine).all()])
        if args.on or args.off:
            service.turn(bool(args.on))
            out(_("The region's announcements are on.") if args.on else _("The region's announcements are off."))
            if args.off:
                return 0
        if not service.is_on():
            out(_("The region's announcements are off. Turn them on: kraft announcements --on"))
            return 0
        try:
            service.refresh()
        except KraftError as exc:
            err(_("Not fetched just now ({reason}); this is the copy on this device.").format(reason=str(exc)))
        items = service.upcoming(_today())
    if args.ics:
        from app.fileio import write_atomic

        write_atomic(Path(args.ics), AnnouncementService.calendar(items, online=_("Online"),
                                                                   alarm_text=_("Tomorrow, from your region")))
        err(_("Wrote {path}.").format(path=args.ics))
        return 0
    if args.json:
        print_json({"announcements": [{**u.announcement.to_dict(), "start": u.start.isoformat(), "mine": u.mine}
                                      for u in items]})
        return 0
    if not items:
        out(_("No announcements from your region just now."))
    for upcoming in items:
        item = upcoming.announcement
        kind = _("Follow-up with your group") if upcoming.mine else _("Lecture")
        out(f"{kind}: {item.title}")
        out("  " + _("{when} · {where}").format(when=format_weekday_when(upcoming.start),
                                                where=item.place or _("Online")))
        if item.text:
            out(f"  {item.text}")
    return 0


def register_announcements(commands: argparse._SubParsersAction) -> None:
    from app.cli.commands import top_help

    p = commands.add_parser("announcements", help=top_help("announcements"))
    which = p.add_mutually_exclusive_group()
    which.add_argument("--on", action="store_true", help=_("turn the region's announcements on (this device)"))
    which.add_argument("--off", action="store_true", help=_("turn them off"))
    p.add_argument("--ics", metavar="FILE", help=_("write them as a calendar file instead of printing"))
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=cmd_announcements)
