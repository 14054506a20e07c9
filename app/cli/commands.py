"""Every top-level `kraft` command: the module that defines it and its one-line help (no heavy imports).

`kraft --help` lists them all from here, and `kraft COMMAND ...` imports only COMMAND's module: importing
every one costs about 0.4 s before any work (SQLAlchemy, httpx, pydantic, icalendar; docs/adr/0013-search-
folding.md). Each module's `register` takes its help from `top_help`, so the two never differ.
"""

from __future__ import annotations

from app.i18n import N_, _

# In the order `kraft --help` lists them. "main": defined in app/cli/main.py itself.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("vault_cmds", N_("create the encrypted journal")),
    "passphrase": ("vault_cmds", N_("change the passphrase, or set a new one with the recovery code")),
    "journal": ("journal_cmds", N_("write, read, search, export and import entries")),
    "group": ("group_cmds", N_("the groups you go to: meetings, changes, calendar export")),
    "homework": ("homework_cmds", N_("show each group's current homework and its meeting")),
    "backup": ("backup_cmds", N_("an encrypted backup of everything on this device, and restoring it")),
    "checkin": ("checkin_cmds", N_("say you were at a meeting, or that you can't come; your history")),
    "lead": ("lead_cmds", N_("lead a group: start it, invite, send homework and schedule changes")),
    "join": ("lead_cmds", N_("join a group from the leader's invite")),
    "sync": ("lead_cmds", N_("send what is not sent yet and fetch from the relay")),
    "coordinator": ("coordinator_cmds", N_("run the region's relay server and hand out its tokens")),
    "attendance": ("attendance_cmds", N_("anonymous attendance for your region's coordinator")),
    "find": ("region_cmds", N_("find a group in your region by theme or town (no journal needed)")),
    "interest": ("region_cmds", N_("say you are interested in a group of the list, see replies, take it back")),
    "announcements": ("region_cmds", N_("the region's lectures and your groups' follow-ups (turn them on first)")),
    "theme": ("theme_cmds", N_("the group's themes: propose, vote, see the result, set one")),
    "meeting": ("theme_cmds", N_("today's meeting, for whoever hosts")),
    "round": ("round_cmds", N_("my own round: how things stand before a meeting (private)")),
    "plan": ("round_cmds", N_("my crisis plan (private, in the journal)")),
    "course": ("course_cmds", N_("the end of a course: go on as a group? would you lead one?")),
    "prompts": ("main", N_("list the built-in prompts (ids for --prompt)")),
}


def top_help(name: str) -> str:
    """The translated one-line help of a top-level command."""
    return _(COMMANDS[name][1])


def command_in(argv: list[str]) -> str | None:
    """The top-level command named in `argv` (its first word that is not an option), if it is one."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None
