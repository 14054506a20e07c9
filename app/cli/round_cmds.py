"""`kraft round add|list` and `kraft plan show|edit` (issue 18, ADR 0014): my own round before a meeting and my
crisis plan, private in the encrypted journal and never sent anywhere."""

from __future__ import annotations

import argparse

from app.cli.commands import top_help
from app.cli.console import Secrets, open_context, out, print_json
from app.errors import KraftError, Msg
from app.i18n import _, current
from app.services.my_round import Contact, CrisisPlan


def _factor(text: str) -> tuple[str, int]:
    name, sep, value = text.partition("=")
    if not sep or not value.strip().isdigit():
        raise argparse.ArgumentTypeError(_("write a factor as name=1..5, e.g. hope=3"))
    return name.strip().lower(), int(value)


def _contact(text: str) -> Contact:
    name, _sep, phone = text.rpartition("=")
    return Contact(name.strip(), phone.strip()) if name else Contact(text.strip(), "")


def cmd_round_add(args: argparse.Namespace) -> int:
    if args.score is None and not args.text and not args.factor:
        raise KraftError(Msg.ROUND_SCORE_INVALID, what="--score")
    with open_context(Secrets(args.passphrase_stdin), unlock=True) as ctx:
        note = ctx.rounds.add(args.score if args.score is not None else 0, " ".join(args.text), dict(args.factor))
    out(_("Noted, only in your journal: {score} of 5.").format(score=note.score))
    return 0


def cmd_round_list(args: argparse.Namespace) -> int:
    with open_context(Secrets(args.passphrase_stdin), unlock=True) as ctx:
        notes = ctx.rounds.notes()
    if args.json:
        print_json({"rounds": [{"id": n.id, "created": n.created.isoformat(), "score": n.score, "words": n.words,
                                "factors": n.factors} for n in notes]})
        return 0
    if not notes:
        out(_("No rounds noted yet. Before a meeting: kraft round add --score 3 how things stand."))
    for n in notes:
        factors = "  " + ", ".join(f"{k} {v}" for k, v in n.factors.items()) if n.factors else ""
        out(f"{current().format_day(n.created.date())}  {n.score}/5  {n.words}{factors}".rstrip())
    return 0


def _plan_lines(plan: CrisisPlan) -> list[str]:
    lines = []
    for title, items in ((_("My warning signs"), plan.warning_signs), (_("What helps me"), plan.helps)):
        lines += [title, *[f"  {i}" for i in items]] if items else []
    for title, contacts in ((_("People I can call"), plan.people), (_("Professional contacts"), plan.professionals)):
        lines += [title, *[f"  {c.name}  {c.phone}".rstrip() for c in contacts]] if contacts else []
    return lines


def cmd_plan_show(args: argparse.Namespace) -> int:
    with open_context(Secrets(args.passphrase_stdin), unlock=True) as ctx:
        plan, short = ctx.plan.get(), ctx.plan.short_shown()
    if args.json:
        print_json({"warning_signs": list(plan.warning_signs), "helps": list(plan.helps),
                    "people": [c.__dict__ for c in plan.people],
                    "professionals": [c.__dict__ for c in plan.professionals], "short_without_unlock": short})
        return 0
    lines = _plan_lines(plan)
    out("\n".join(lines) if lines else _("Your crisis plan is empty. Fill it in with kraft plan edit."))
    return 0


def cmd_plan_edit(args: argparse.Namespace) -> int:
    with open_context(Secrets(args.passphrase_stdin), unlock=True) as ctx:
        old = ctx.plan.get()
        plan = CrisisPlan(tuple(args.sign) if args.sign is not None else old.warning_signs,
                          tuple(args.helps) if args.helps is not None else old.helps,
                          tuple(map(_contact, args.person)) if args.person is not None else old.people,
                          tuple(map(_contact, args.professional)) if args.professional is not None
                          else old.professionals)
        ctx.plan.save(plan)
        if args.short_without_unlock is not None:
            ctx.plan.show_short_without_unlock(args.short_without_unlock == "on")
    out(_("Your crisis plan is saved in the encrypted journal."))
    if args.short_without_unlock == "on":
        out(_("What helps you and who to call can now be read without unlocking, by anyone holding this device."))
    return 0


def register(commands: argparse._SubParsersAction, unlock: argparse.ArgumentParser) -> None:
    """Add `kraft round ...` and `kraft plan ...`."""
    rnd = commands.add_parser("round", help=top_help("round"))
    sub = rnd.add_subparsers(dest="round_command", required=True, metavar="COMMAND")
    p = sub.add_parser("add", parents=[unlock], help=_("note how things stand today, 1 (hard) to 5 (good)"))
    p.add_argument("--score", type=int, help=_("1 (hard) to 5 (good)"))
    p.add_argument("--factor", type=_factor, action="append", default=[], metavar="NAME=N",
                   help=_("a recovery factor 1..5: connectedness, hope, identity, meaning, empowerment"))
    p.add_argument("text", nargs="*", help=_("a few words"))
    p.set_defaults(func=cmd_round_add)
    p = sub.add_parser("list", parents=[unlock], help=_("my rounds over the course"))
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=cmd_round_list)

    plan = commands.add_parser("plan", help=top_help("plan"))
    sub = plan.add_subparsers(dest="plan_command", required=True, metavar="COMMAND")
    p = sub.add_parser("show", parents=[unlock], help=_("show my crisis plan"))
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=cmd_plan_show)
    p = sub.add_parser("edit", parents=[unlock], help=_("change my crisis plan (each option replaces its list)"))
    p.add_argument("--sign", action="append", help=_("a warning sign (repeat for more)"))
    p.add_argument("--helps", action="append", help=_("something that helps me (repeat for more)"))
    p.add_argument("--person", action="append", metavar="NAME=PHONE", help=_("someone I can call"))
    p.add_argument("--professional", action="append", metavar="NAME=PHONE", help=_("a professional contact"))
    p.add_argument("--short-without-unlock", choices=("on", "off"),
                   help=_("on: what helps and who to call can be read without unlocking (stored unencrypted)"))
    p.set_defaults(func=cmd_plan_edit)
