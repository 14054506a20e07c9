"""`kraft theme list|propose|vote|unvote|results|set` and `kraft meeting guide` (issue 18, ADR 0014): the group chooses
its themes, and whoever hosts sees today's meeting. Themes live with the group's sealed secrets, so every
command but `theme list` unlocks the journal; what is sent goes through the outbox and is sent at once."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from contextlib import AbstractContextManager

from app.cli import clock, render
from app.cli.commands import top_help
from app.cli.console import Secrets, open_context, out, print_json
from app.cli.group_cmds import resolve_group
from app.cli.lead_common import sync_now
from app.domain.themes import get_theme, use_region_pack
from app.errors import KraftError, Msg
from app.i18n import N_, _, current, format_when, ngettext
from app.services.context import AppContext
from app.services.group_layer.choosing import Choice
from app.services.themes import ThemeService, theme_words

PART_NAMES = {"opening": N_("The guidelines"), "round": N_("The round"), "theme": N_("The theme"),
              "reflection": N_("Reflection"), "closing": N_("Closing")}


def _minutes(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return _("{m} min {s} s").format(m=minutes, s=rest) if rest else _("{m} min").format(m=minutes)


def _opened(args: argparse.Namespace) -> AbstractContextManager[AppContext]:
    return open_context(Secrets(args.passphrase_stdin), unlock=True, no_vault=Msg.THEMES_NEED_JOURNAL)


def _meeting_id(ctx: AppContext, group_id: str, given: str | None) -> str:
    group = ctx.groups.get(group_id)
    if given:
        return group.meeting(given).id
    meeting = group.schedule.next_meeting(clock.now())
    if meeting is None:
        raise KraftError(Msg.NO_NEXT_MEETING)
    return meeting.id


def _region_pack() -> None:
    """The region's own themes from its profile (flet.toml, or KRAFT_CONFIG) join the library."""
    from app.config import load_profile

    use_region_pack(load_profile().region_pack())


def cmd_list(args: argparse.Namespace) -> int:
    _region_pack()
    themes = ThemeService.library()
    if args.json:
        print_json({"themes": [{"id": t.id, "text": t.label(current()), "family": t.family} for t in themes]})
        return 0
    for theme in themes:
        out(f"{theme.id:<18} {theme.label(current())}")
    return 0


def cmd_propose(args: argparse.Namespace) -> int:
    _region_pack()
    with _opened(args) as ctx:
        group = resolve_group(ctx.groups, args.group)
        sync_now(ctx)
        meeting = _meeting_id(ctx, group.id, args.meeting)
        choice = ctx.themes.propose(group.id, meeting, theme=args.theme or "", text=args.text or "", now=clock.now())
        sync_now(ctx)
    out(_("Proposed for the meeting {meeting}. Choice {choice}.").format(meeting=meeting, choice=choice))
    return 0


def cmd_vote(args: argparse.Namespace) -> int:
    return _in_poll(args, lambda ctx, group, meeting: ctx.themes.vote(group, meeting, args.choice, now=clock.now()),
                    _("Your vote is sent. You can change it by voting again."))


def cmd_unvote(args: argparse.Namespace) -> int:
    return _in_poll(args, lambda ctx, group, meeting: ctx.themes.withdraw(group, meeting, now=clock.now()),
                    _("Your vote is taken back."))


def _in_poll(args: argparse.Namespace, act: Callable[[AppContext, str, str], None], done: str) -> int:
    """Act on one poll (a meeting of the group), between two syncs: the latest votes first, then at once."""
    _region_pack()
    with _opened(args) as ctx:
        group = resolve_group(ctx.groups, args.group)
        sync_now(ctx)
        act(ctx, group.id, ctx.groups.get(group.id).meeting(args.poll).id)
        sync_now(ctx)
    out(done)
    return 0


def _choice_data(choice: Choice) -> dict[str, object]:
    return {"id": choice.id, "theme": choice.theme, "text": theme_words(choice.theme, choice.text, current()),
            "votes": choice.votes, "mine": choice.mine}


def cmd_results(args: argparse.Namespace) -> int:
    _region_pack()
    with _opened(args) as ctx:
        group = resolve_group(ctx.groups, args.group)
        sync_now(ctx)
        polls = ctx.themes.polls(group.id)
        chosen = {poll: ctx.themes.meeting_theme(group.id, poll, current()) for poll in polls}
    if args.json:
        print_json({"polls": [{"poll": poll, "choices": [_choice_data(c) for c in choices],
                               "theme": chosen[poll][0], "introduced_by": chosen[poll][1]}
                              for poll, choices in sorted(polls.items())]})
        return 0
    if not polls:
        out(_("Nobody has proposed a theme yet. Propose one with kraft theme propose."))
    for poll, choices in sorted(polls.items()):
        out(_("Themes for the meeting {meeting}:").format(meeting=poll))
        for c in choices:
            mine = _(" (your vote)") if c.mine else ""
            votes = ngettext("{n} vote", "{n} votes", c.votes).format(n=c.votes)
            out(f"  {c.id}  {theme_words(c.theme, c.text, current())}  {votes}{mine}")
        if chosen[poll][0]:
            out("  " + _("Chosen: {theme}").format(theme=chosen[poll][0]))
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    _region_pack()
    with _opened(args) as ctx:
        group = resolve_group(ctx.groups, args.group)
        sync_now(ctx)
        meeting = ctx.groups.get(group.id).meeting(args.meeting).id
        given = " ".join(args.theme)
        proposed = {c.id: c for c in ctx.themes.results(group.id, meeting)} if ctx.themes.polls(group.id) else {}
        picked = proposed.get(given)
        theme = picked.theme if picked else (given if get_theme(given) else "")
        text = picked.text if picked else ("" if theme else given)
        ctx.themes.set_theme(group.id, meeting, theme=theme, text=text, by=args.introduced_by or "", now=clock.now())
        sync_now(ctx)
    out(_("The theme of the meeting {meeting} is set and sent to the group.").format(meeting=meeting))
    return 0


def cmd_guide(args: argparse.Namespace) -> int:
    _region_pack()
    with _opened(args) as ctx:
        group = resolve_group(ctx.groups, args.group)
        guide = ctx.themes.guide(group.id, current(), now=clock.now(), meeting_id=args.meeting or "",
                                 size=args.size)
    parts = [{"part": p.name, "seconds": p.seconds} for p in guide.plan.parts]
    if args.json:
        print_json({"group": guide.group_name, "meeting": render.meeting_data(guide.meeting), "size": guide.plan.size,
                    "parts": parts, "share_seconds": guide.plan.share_seconds, "guidelines": guide.guidelines,
                    "theme": guide.theme, "introduced_by": guide.introduced_by})
        return 0
    out(f"{guide.group_name}  {format_when(guide.meeting.start, own_zone=True)}")
    for part in guide.plan.parts:
        out(f"  {_(PART_NAMES[part.name]):<16} {_minutes(part.seconds)}")
    out(_("Each person's turn in the round: {share} ({size} people).").format(
        share=_minutes(guide.plan.share_seconds), size=guide.plan.size))
    if guide.theme:
        who = guide.introduced_by or _("the host or the group")
        out(_("Theme: {theme}, introduced by {who}.").format(theme=guide.theme, who=who))
    return 0


def register(commands: argparse._SubParsersAction, unlock: argparse.ArgumentParser) -> None:
    """Add `kraft theme ...` and `kraft meeting guide`; `unlock` holds the options of commands that unlock."""
    theme = commands.add_parser("theme", help=top_help("theme"))
    sub = theme.add_subparsers(dest="theme_command", required=True, metavar="COMMAND")
    p = sub.add_parser("list", help=_("list the themes a group can choose from"))
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("propose", parents=[unlock], help=_("propose a theme for a coming meeting"))
    p.add_argument("group", help=_("the group's id (or the start of it)"))
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("theme", nargs="?", help=_("a theme's id from kraft theme list"))
    which.add_argument("--text", help=_("the theme in the group's own words"))
    p.add_argument("--meeting", help=_("the meeting it is for (default: the next one)"))
    p.set_defaults(func=cmd_propose)
    p = sub.add_parser("vote", parents=[unlock], help=_("vote for one proposed theme"))
    p.add_argument("group", help=_("the group's id (or the start of it)"))
    p.add_argument("poll", help=_("the meeting the themes are for (its id)"))
    p.add_argument("choice", help=_("the choice's id from kraft theme results, or a theme's id"))
    p.set_defaults(func=cmd_vote)
    p = sub.add_parser("unvote", parents=[unlock], help=_("take back your vote"))
    p.add_argument("group", help=_("the group's id (or the start of it)"))
    p.add_argument("poll", help=_("the meeting the themes are for (its id)"))
    p.set_defaults(func=cmd_unvote)
    p = sub.add_parser("results", parents=[unlock], help=_("the proposed themes and their votes (counts only)"))
    p.add_argument("group", help=_("the group's id (or the start of it)"))
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=cmd_results)
    p = sub.add_parser("set", parents=[unlock], help=_("a host sets a meeting's theme"))
    p.add_argument("group", help=_("the group's id (or the start of it)"))
    p.add_argument("meeting", help=_("the meeting's id"))
    p.add_argument("theme", nargs="+", help=_("a choice's id, a theme's id, or the group's own words"))
    p.add_argument("--introduced-by", help=_("the member id of who introduces it"))
    p.set_defaults(func=cmd_set)

    meeting = commands.add_parser("meeting", help=top_help("meeting"))
    sub = meeting.add_subparsers(dest="meeting_command", required=True, metavar="COMMAND")
    p = sub.add_parser("guide", parents=[unlock], help=_("the meeting's parts and each person's turn in the round"))
    p.add_argument("group", help=_("the group's id (or the start of it)"))
    p.add_argument("--meeting", help=_("the meeting's id (default: the next one)"))
    p.add_argument("--size", type=int, help=_("how many people come (default: the group's members)"))
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=cmd_guide)
