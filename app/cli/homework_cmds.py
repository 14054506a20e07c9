"""`kraft homework`: each group's current homework, with the meeting it is for (issue 15, points 5 and 7).

Its words are sealed in the journal, so with a journal the command unlocks it (the passphrase as for every
command that unlocks); a member without one needs none and is told that their group sent homework, never its
words. Homework that arrived while the journal was locked is read on the way (no network).
"""

from __future__ import annotations

import argparse

from app.cli import clock, render
from app.cli.commands import top_help
from app.cli.console import Secrets, open_context, out, print_json
from app.i18n import _
from app.services import homework


def cmd_homework(args: argparse.Namespace) -> int:
    with open_context(Secrets(args.passphrase_stdin), unlock=True, if_vault=True, read_only=True) as ctx:
        homework.open_kept(ctx, now=clock.now())
        found = homework.current_homework(ctx, now=clock.now())
    if args.json:
        print_json({"homework": [render.homework_data(item) for item in found]})
        return 0
    if not found:
        out(_("No homework from your groups just now."))
        return 0
    for index, item in enumerate(found):
        if index:
            out()
        out(f"{item.group_name} ({item.group_id[:render.SHORT_ID]})")
        for line in render.homework_lines(item):
            out(f"  {line}")
    return 0


def register(commands: argparse._SubParsersAction, unlock: argparse.ArgumentParser) -> None:
    """Add `kraft homework`; `unlock` holds the options of commands that unlock."""
    p = commands.add_parser(
        "homework", parents=[unlock], help=top_help("homework"),
        description=_("Show the homework each of your groups gave for its next meeting. Its words are kept in "
                      "the encrypted journal, so this asks for the passphrase when you have a journal; without "
                      "one it says only that the group sent homework."))
    p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
    p.set_defaults(func=cmd_homework)
