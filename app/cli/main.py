"""The `kraft` console script: a thin front end over the same services the app uses.

`main(argv)` parses, runs one command and returns the exit status, so tests can call it in-process. Every
`KraftError` ends here: its message (in the device's language) goes to stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys

from app import i18n
from app.cli import ahead, console
from app.cli.commands import COMMANDS, command_in, top_help
from app.cli.console import err
from app.domain.text import is_unicode
from app.errors import KraftError, Msg
from app.i18n import _

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
NO_UNLOCK_OPTION = frozenset({"vault_cmds", "coordinator_cmds"})  # their `register` takes no `unlock`

# Errors in what the person typed or handed in (exit 2); every other KraftError exits 1.
USAGE_ERRORS = frozenset({
    Msg.PASSPHRASE_TOO_SHORT, Msg.PASSPHRASES_DIFFER, Msg.RECOVERY_CODE_MISMATCH, Msg.ENTRY_NOT_FOUND,
    Msg.ENTRY_EMPTY, Msg.ENTRY_TOO_LONG, Msg.UNKNOWN_PROMPT, Msg.UNKNOWN_TAG, Msg.UNKNOWN_THEME,
    Msg.UNKNOWN_TOOLKIT, Msg.NOTHING_TO_UNDO, Msg.IMPORT_BAD_FILE, Msg.PASSPHRASE_MISSING,
    Msg.NEW_PASSPHRASE_MISSING, Msg.RECOVERY_CODE_MISSING, Msg.RECOVERY_CODE_UNCONFIRMED,
    Msg.REKEY_CODE_UNCONFIRMED, Msg.ENTRY_AMBIGUOUS, Msg.NOTHING_TO_EDIT, Msg.SCHEDULE_INVALID,
    Msg.GROUP_NOT_FOUND, Msg.GROUP_AMBIGUOUS,
    Msg.GROUP_LABEL_INVALID, Msg.GROUP_DETAILS_NEED_VAULT, Msg.MEETING_NOT_FOUND, Msg.CHECKIN_STATUS_UNKNOWN,
    Msg.CHECKIN_CANCELLED, Msg.CHECKIN_NOT_YET, Msg.CHECKIN_TOO_LATE, Msg.CHECKIN_HISTORY_ALONE, Msg.CHECKIN_NO_MEETING,
    Msg.RELAY_URL_INVALID, Msg.RELAY_ENROLMENT_MISSING, Msg.INVITE_DAMAGED, Msg.INVITE_FORGED, Msg.INVITE_EXPIRED,
    Msg.INVITE_NEWER, Msg.INVITE_OUTDATED, Msg.INVITE_DAYS_INVALID, Msg.JOIN_CODE_INVALID, Msg.JOIN_CODE_UNKNOWN,
    Msg.NAME_TOO_LONG, Msg.MEMBER_NOT_FOUND, Msg.HOMEWORK_MISSING, Msg.HOMEWORK_TOO_LONG, Msg.HEAD_COUNT_INVALID,
    Msg.COORDINATOR_TOKEN_MISSING,
    Msg.CATALOGUE_FIELD, Msg.CATALOGUE_ENTRY_UNKNOWN, Msg.CATALOGUE_FULL, Msg.REGION_KEY_EXISTS,  # ADR 0016
    Msg.INTEREST_EXISTS, Msg.INTEREST_UNKNOWN, Msg.CONTACT_INVALID, Msg.INVITE_MISSING,
    # the meeting, the themes, my round and the crisis plan (ADR 0014)
    Msg.MEETING_SIZE_INVALID, Msg.THEME_TEXT_INVALID, Msg.THEME_CHOICE_MISSING, Msg.THEME_UNKNOWN,
    Msg.THEME_POLL_FULL, Msg.THEME_CHOICE_UNKNOWN, Msg.NO_NEXT_MEETING, Msg.ROUND_SCORE_INVALID,
    Msg.ROUND_FACTOR_UNKNOWN, Msg.TEXT_TOO_LONG, Msg.PHONE_INVALID,
    Msg.TEXT_NOT_UNICODE, Msg.ARGUMENT_NOT_UNICODE, Msg.INPUT_NOT_UNICODE, Msg.PASSPHRASE_NOT_UNICODE,
})


def cmd_prompts(args: argparse.Namespace) -> int:
    from app.cli import render
    from app.cli.console import print_json

    if args.json:
        print_json(render.prompts_data())
    else:
        render.print_prompts()
    return EXIT_OK


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command tree, built after the language is set so the help is translated too: `command`'s own
    module registers its part in full; every other command is only a name and its help (app/cli/commands.py),
    so its module, and what it imports, is never loaded. `build_parser()` lists them all for --help."""
    parser = argparse.ArgumentParser(
        prog="kraft", formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_("Kraft: your encrypted self-help group journal, from the command line."),
        epilog=_(
            "Passphrase: commands that open the journal read it from the first line of stdin with\n"
            "--passphrase-stdin, else from KRAFT_PASSPHRASE, else they ask on the terminal. It is never\n"
            "taken as an argument. Data directory: KRAFT_HOME, else the platform's user data folder.\n\n"
            "Exit status: 0 done; 1 failed (wrong passphrase, no journal yet, unreadable data);\n"
            "2 usage error or bad input (unknown tag, empty entry, malformed import file, ...)."))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    unlock = argparse.ArgumentParser(add_help=False)
    unlock.add_argument("--passphrase-stdin", action="store_true",
                        help=_("read the passphrase from the first line of stdin"))

    wanted = COMMANDS[command][0] if command in COMMANDS else None
    for name, (module, _help) in COMMANDS.items():
        if name in commands.choices:
            continue  # registered along with another command of its module
        if module != wanted:
            commands.add_parser(name, help=top_help(name))  # never parsed: only listed
        elif module == "main":
            p = commands.add_parser("prompts", help=top_help("prompts"))
            p.add_argument("--json", action="store_true", help=_("print JSON (stable keys) instead of text"))
            p.set_defaults(func=cmd_prompts)
        else:
            register = importlib.import_module(f"app.cli.{module}").register
            if module in NO_UNLOCK_OPTION:
                register(commands)
            else:
                register(commands, unlock)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one `kraft` command; returns the exit status (0 ok, 1 failed, 2 usage or bad input)."""
    i18n.activate(i18n.device_language())
    own_process = argv is None
    argv = sys.argv[1:] if argv is None else argv
    bad = next((a for a in argv if not is_unicode(a)), None)
    if bad is not None:  # invalid UTF-8 arrives as lone surrogates; sealing them would fail much later
        err(f"kraft: {KraftError(Msg.ARGUMENT_NOT_UNICODE, argument=bad.encode('utf-8', 'backslashreplace').decode())}")
        return EXIT_USAGE
    command = command_in(argv)
    try:
        ahead.start(argv, COMMANDS[command][0] if command in COMMANDS else None)  # docs/adr/0015-kdf-ahead.md
        return _run(argv, command, own_process=own_process)
    finally:
        ahead.stop()  # a key derived ahead and not taken is forgotten with the command
        console.forget_unread()


def _run(argv: list[str], command: str | None, *, own_process: bool) -> int:
    if own_process:  # a `kraft` process of its own, not a caller's (tests run many commands in one process)
        gc.disable()  # the imports make only objects that live as long as the process: no cycles to look for
    parser = build_parser(command)
    if own_process:
        # What the command's imports made (SQLAlchemy: ~100,000 objects) lives until the process ends: out of
        # the cyclic collector's sight, the collections an unlock of 10,000 entries triggers cost ~20 ms less.
        gc.freeze()
        gc.enable()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse has already explained
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return int(args.func(args))
    except KraftError as exc:
        err(f"kraft: {exc}")
        return EXIT_USAGE if exc.msg in USAGE_ERRORS else EXIT_FAILED
    except KeyboardInterrupt:
        err("")
        return 130
    except BrokenPipeError:
        # The reader went away (`kraft journal list | head`): stop quietly, and keep Python's final flush
        # of stdout from failing again (the recipe in the `signal` module's documentation).
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED
    except OSError as exc:
        err(f"kraft: {exc}")
        return EXIT_FAILED
    except ImportError:
        raise  # a broken installation, not anything the person did: its traceback is what fixes it
    except Exception as exc:  # the last resort: a person reads this, never a traceback
        return _unexpected(exc)


def _unexpected(exc: Exception) -> int:
    """A calm message for an exception nobody foresaw, and where its details went (app/cli/crash.py)."""
    from app.cli import crash  # only on this rare path

    logged = crash.report(exc)
    err("kraft: " + _("Something went wrong that Kraft did not expect ({kind}). What was saved before is safe.")
        .format(kind=type(exc).__name__))
    if logged is not None:
        err(_("The details (without anything you wrote) are in {path}. If it happens again, show them to whoever "
              "helps you with Kraft.").format(path=logged))
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
